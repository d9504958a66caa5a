"""Frames found inside plain-text log lines (core/capture.py, find_in_log)."""

from __future__ import annotations

import pytest

from ocppctl.core.capture import LogFrame, find_in_log


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '2026-11-22T10:00:00Z [CP1] >> [2,"1","Heartbeat",{}]',
            LogFrame('[2,"1","Heartbeat",{}]', 31, "2026-11-22T10:00:00Z"),
        ),
        # text after the frame holding a ']': the frame ends where its JSON value does
        ('CP1 >> [2,"1","Heartbeat",{}] [done]', LogFrame('[2,"1","Heartbeat",{}]', 8)),
        # a number beyond a double's range is still JSON (orjson refuses it; the checker reads it)
        ('CP1 >> [2,"1","X",{"v":1e400}]', LogFrame('[2,"1","X",{"v":1e400}]', 8)),
        ('CP1 >> [2,"1","X",{"v":1e400}] [done]', LogFrame('[2,"1","X",{"v":1e400}]', 8)),
        # broken JSON: the widest guess, for the checker to say where it breaks
        ('CP1 >> [2,"1","Heartbeat",{] tail]', LogFrame('[2,"1","Heartbeat",{] tail]', 8)),
        ("CP1 started", None),
    ],
)
def test_the_frame_in_a_log_line(line: str, expected: LogFrame | None) -> None:
    assert find_in_log(line) == expected
