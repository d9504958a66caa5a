"""Colour for terminal output, in one place (Pygments' console codes), and escaping of text
that came from a peer or a capture before it reaches a terminal."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pygments.console import colorize

# What a terminal would obey, or that would let text pose as other output: C0 controls (the line
# feed and tab too: one finding, one frame, one line), DEL, C1 controls (\x9b is a CSI), the bidi
# controls (U+202A-202E embeddings and overrides, U+2066-2069 isolates, U+200E/200F marks, U+061C
# the Arabic letter mark: "evil\u202etxt.exe" reads backwards), the line and paragraph
# separators U+2028/2029, and lone surrogates (no terminal or file can take them).
_UNSAFE = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(f"[\x00-\x1f{_UNSAFE}]")
_CONTROL_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{_UNSAFE}]")
_NAMED = {"\n": "\\n", "\t": "\\t"}

SEVERITY_COLORS = {"error": "brightred", "warning": "yellow", "info": "cyan"}


def escape(text: str) -> str:
    """Text that came from a peer, a hub or a capture, made safe for a terminal and kept on its
    line: a control character (an ANSI escape in a payload, say) is shown as \\xNN, never
    obeyed; a line feed and a tab as \\n and \\t (a forged second line is shown for what it
    is); a bidi control or a lone surrogate (a peer's "\\ud800") as \\uNNNN."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escaped, text)


def escape_line(text: str) -> str:
    """escape(), by the name the call sites that put a name (a JSON pointer, an action, an
    id) on a line of output have used."""
    return escape(text)


def escape_lines(text: str) -> str:
    """escape() but for the line feeds, for text of ours laid out on several lines around what
    came from a peer (indented JSON: its strings' line feeds are JSON escapes, not line feeds)."""
    if _CONTROL_BUT_NEWLINE.search(text) is None:
        return text
    return _CONTROL_BUT_NEWLINE.sub(_escaped, text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_json(text: str) -> str:
    """A line of JSON (ours, holding a peer's strings) safe for a terminal and still the same
    JSON: what our writer leaves raw in strings (DEL, C1 and bidi controls, U+2028/2029) as
    \\uNNNN escapes, which any JSON reader turns back into the same characters. (C0 controls
    and lone surrogates are escaped by the writer already.)"""
    if (text.isascii() and "\x7f" not in text) or _JSON_UNSAFE.search(text) is None:  # the first: fast
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
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
