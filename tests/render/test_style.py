"""Peer text reaches a terminal or a file escaped: controls as \\xNN, line feeds and tabs as \\n
and \\t, bidi controls and lone surrogates as \\uNNNN."""

from __future__ import annotations

import pytest

from ocppctl.render.style import escape, escape_json, escape_line, escape_lines

EVIL = "\x1b[2J\x1b]0;pwned\x07...\nFAKE \u202ereversed"
EVIL_SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07...\\nFAKE \\u202ereversed"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain é ✓", "plain é ✓"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x9b", "\\x9b"),
        ("a\ud800b", "a\\ud800b"),
        ("\udfff", "\\udfff"),
        ("tab\tand\nnewline", "tab\\tand\\nnewline"),
        (EVIL, EVIL_SHOWN),
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("\u2028\u2029\x7f", "\\u2028\\u2029\\x7f"),
        ("\u200d\u00a0 kept", "\u200d\u00a0 kept"),
    ],
)
def test_escape(text: str, shown: str) -> None:
    assert escape(text) == shown
    escape(text).encode("utf-8")  # always writable


def test_escape_line_keeps_a_name_on_its_line() -> None:
    assert escape_line("a\nb\r\tc\x1b") == "a\\nb\\x0d\\tc\\x1b"


def test_escape_lines_keeps_our_line_feeds_only() -> None:
    assert escape_lines('{\n  "a": "\u202e\x1b\t"\n}') == '{\n  "a": "\\u202e\\x1b\\t"\n}'


def test_escaped_text_is_escaped_once() -> None:
    assert escape(escape(EVIL)) == escape(EVIL) == escape_lines(escape(EVIL))


def test_escape_json_keeps_the_json_and_hides_the_controls() -> None:
    import json

    from ocppctl.core.jsontext import dumps

    value = {"k\u202e": "a\x9b[2J\u2066b\x7f\u2028", "plain": "é ✓"}
    line = escape_json(dumps(value))
    assert line == '{"k\\u202e":"a\\u009b[2J\\u2066b\\u007f\\u2028","plain":"é ✓"}'
    assert json.loads(line) == value
