"""Rows of cells as an aligned text table: the results of `vars`, `config` and the like."""

from __future__ import annotations

from collections.abc import Sequence

from ocppctl.render.style import escape_line, paint


def table_text(headers: Sequence[str], rows: Sequence[Sequence[str]], colors: Sequence[str | None] = ()) -> str:
    """Columns padded to their widest cell (two spaces apart, the last one not padded); cells
    are escaped (they came from a peer); `colors[i]` paints row i when colour is wanted (None:
    as is)."""
    cells = [[escape_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [list(headers), *cells]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    out = [line(headers)]
    for at, row in enumerate(cells):
        color = colors[at] if at < len(colors) else None
        out.append(paint(color, line(row), True) if color else line(row))
    return "\n".join(out) + "\n"
