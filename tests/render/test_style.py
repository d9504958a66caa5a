"""Peer text reaches a terminal or a file escaped: controls as \\xNN, lone surrogates as \\uNNNN."""

from __future__ import annotations

import pytest

from ocppctl.render.style import escape


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
