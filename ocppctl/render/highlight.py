"""Pygments highlighting of JSON for terminals (the one place lexers are imported)."""

from __future__ import annotations


def highlight_json(text: str) -> str:
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import JsonLexer

    return str(highlight(text, JsonLexer(), TerminalFormatter())).rstrip("\n")
