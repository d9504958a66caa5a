"""Colour for terminal output, in one place (Pygments' console codes), and escaping of text
that came from a peer or a capture before it reaches a terminal."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pygments.console import colorize

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

SEVERITY_COLORS = {"error": "brightred", "warning": "yellow", "info": "cyan"}


def escape(text: str) -> str:
    """Control characters (an ANSI escape in a payload, say) shown as \\xNN, never obeyed; a
    lone surrogate (a peer's "\\ud800", which no terminal or file can take) as \\udNNN."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escaped, text)


def escape_line(text: str) -> str:
    """escape() (a carriage return is \\x0d), and a line feed or tab shown as \\n, \\t: for a
    name (a JSON pointer, an action, an id) that must stay on its line of output."""
    return escape(text).replace("\n", "\\n").replace("\t", "\\t")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def paint(color: str, text: str, enabled: bool) -> str:
    return colorize(color, text) if enabled and color else text


def wants_color(choice: str, isatty: bool, environ: Mapping[str, str]) -> bool:
    """--color auto|always|never; auto means a terminal, no NO_COLOR, and TERM not 'dumb'."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return isatty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
