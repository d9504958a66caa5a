"""Findings and summaries as terminal text or JSON lines (docs/validate.md shows both)."""

from __future__ import annotations

from typing import Any

from ocppctl.core.findings import Finding
from ocppctl.core.jsontext import dumps
from ocppctl.core.summary import Summary
from ocppctl.render.style import SEVERITY_COLORS, escape, escape_json, escape_line, paint


def finding_text(f: Finding, color: bool) -> str:
    """`FILE:LINE:COL: severity: message [code] at PATH`, and the hint on the next line; each
    field escaped (a finding may come from a hub, its message quotes a peer), so a finding is
    those two lines whatever it holds."""
    where = f.file or ""
    if f.line is not None:
        where += f":{f.line}"
        if f.column is not None:
            where += f":{f.column}"
    location = paint("bold", escape(where) + ":", color) + " " if where else ""  # a live frame has none
    text = (
        f"{location}{paint(SEVERITY_COLORS.get(f.severity, ''), escape(f.severity) + ':', color)} "
        f"{escape(f.message)} {paint('faint', '[' + escape(f.code) + ']', color)}"
    )
    if f.path:
        text += f" at {paint('magenta', escape_line(f.path), color)}"
    if f.hint:
        text += "\n    " + paint("green", "hint:", color) + " " + escape(f.hint)
    return text


def finding_json(f: Finding) -> str:
    """One JSON line, C1 and bidi controls in its strings as \\u escapes (escape_json)."""
    return escape_json(dumps(f.as_dict()))


def summary_json(summary: Summary, exit_code: int, not_shown: int = 0) -> str:
    data: dict[str, Any] = summary.as_dict()
    data["not_shown"] = not_shown
    data["exit_code"] = exit_code
    return escape_json(dumps({"summary": data}))  # action names come from the capture


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def totals_line(summary: Summary, color: bool) -> str:
    parts = [
        _plural(summary.frames, "frame"),
        _plural(summary.calls, "call"),
        _plural(summary.results, "result"),
        _plural(summary.callerrors, "CALLERROR"),
    ]
    if summary.sends:
        parts.append(_plural(summary.sends, "SEND"))
    errors = paint("brightred" if summary.errors else "green", _plural(summary.errors, "error"), color)
    warnings = paint("yellow" if summary.warnings else "", _plural(summary.warnings, "warning"), color)
    line = f"{_plural(summary.files, 'file')}: {', '.join(parts)}; {errors}, {warnings}"
    if summary.skipped_lines:
        line += f" ({_plural(summary.skipped_lines, 'line')} without a frame skipped)"
    return line


def summary_text(summary: Summary, color: bool) -> str:
    """Totals, then a table per action: calls, results, CALLERRORs, latency when known."""
    lines = [totals_line(summary, color)]
    if not summary.actions:
        return lines[0]
    for stats in summary.actions.values():
        stats.latency.fold()
    timed = any(s.latency.count for s in summary.actions.values())
    width = max(len("action"), *(len(escape_line(a)) for a in summary.actions))
    head = f"  {'action':<{width}}  {'calls':>7}  {'results':>7}  {'CALLERRORs':>10}"
    if timed:
        head += f"  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}"
    lines.append(paint("bold", head, color))
    for name, s in sorted(summary.actions.items()):
        row = f"  {escape_line(name):<{width}}  {s.calls:>7,}  {s.results:>7,}  {s.callerrors:>10,}"
        if timed:
            if s.latency.count:
                lat = s.latency
                row += f"  {lat.percentile(50):>8.1f}  {lat.percentile(95):>8.1f}  {lat.maximum:>8.1f}"
            else:
                row += f"  {'-':>8}  {'-':>8}  {'-':>8}"
        lines.append(row)
    return "\n".join(lines)
