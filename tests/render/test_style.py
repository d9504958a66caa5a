"""Peer text reaches a terminal or a file escaped: controls as \\xNN, lone surrogates as \\uNNNN."""

from __future__ import annotations

import pytest

from ocppctl.render.style import escape, escape_line


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain é ✓", "plain é ✓"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x9b", "\\x9b"),
        ("a\ud800b", "a\\ud800b"),
        ("\udfff", "\\udfff"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_escape(text: str, shown: str) -> None:
    assert escape(text) == shown
    escape(text).encode("utf-8")  # always writable


def test_escape_line_keeps_a_name_on_its_line() -> None:
    assert escape_line("a\nb\r\tc\x1b") == "a\\nb\\x0d\\tc\\x1b"
