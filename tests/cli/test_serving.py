"""Stopping a long-running command (cli/serving.py), in a real process: a second SIGINT or
SIGTERM, or GRACE seconds after the first, ends it even when stopping hangs; `on_exit` (which
closes the record) has run by then."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = """
import asyncio, sys, time
from ocppctl.cli.serving import run_until_stopped

marker, mode, grace = sys.argv[1], sys.argv[2], float(sys.argv[3])

def on_exit():
    with open(marker, "a") as f:
        f.write("closed\\n")

async def serve(stop):
    print("ready", flush=True)
    await stop.wait()
    if mode == "stops":
        return
    if mode == "hangs":  # a close that never completes; cancelling it works
        await asyncio.Event().wait()
    if mode == "deaf":  # even cancelling does not end it
        while True:
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError:
                pass
    if mode == "blocked":  # the event loop itself is stuck (a blocking write, say)
        time.sleep(100)

code = run_until_stopped(serve, on_exit, grace)
on_exit()
sys.exit(code)
"""


def _start(tmp_path: Path, mode: str, grace: float = 30) -> tuple[subprocess.Popen[str], Path]:
    marker = tmp_path / "marker"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(marker), mode, str(grace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process, marker


def _ends(process: subprocess.Popen[str], within: float) -> tuple[float, str]:
    started = time.monotonic()
    try:
        _, err = process.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"still running after {within} s") from None
    return time.monotonic() - started, err


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_one_signal_stops_a_command_that_stops(tmp_path: Path, signum: int, code: int) -> None:
    process, marker = _start(tmp_path, "stops")
    process.send_signal(signum)
    _, err = _ends(process, 10)
    assert (process.returncode, err, marker.read_text()) == (code, "", "closed\n")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_second_signal_ends_a_stop_that_hangs(tmp_path: Path, signum: int, code: int) -> None:
    process, marker = _start(tmp_path, "hangs")
    process.send_signal(signum)
    time.sleep(0.3)
    assert process.poll() is None  # the first one waits for the stop
    process.send_signal(signal.SIGINT)
    took, err = _ends(process, 10)
    assert took < 1.0
    assert (process.returncode, err, marker.read_text()) == (code, "", "closed\n")


def test_a_stop_that_hangs_ends_by_itself_after_the_grace(tmp_path: Path) -> None:
    process, marker = _start(tmp_path, "hangs", grace=1)
    process.send_signal(signal.SIGTERM)
    took, err = _ends(process, 10)
    assert 0.8 < took < 2.5
    assert (process.returncode, err, marker.read_text()) == (0, "", "closed\n")


def test_a_stop_that_even_cancelling_cannot_end_exits_with_the_record_closed(tmp_path: Path) -> None:
    process, marker = _start(tmp_path, "deaf")
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)  # two at once would be one pending signal
    process.send_signal(signal.SIGINT)
    took, err = _ends(process, 10)
    assert took < 3
    assert (process.returncode, err) == (130, "ocppctl: stopping took too long: exiting\n")
    assert marker.read_text() == "closed\n"


def test_a_blocked_event_loop_still_ends_after_the_grace(tmp_path: Path) -> None:
    process, marker = _start(tmp_path, "blocked", grace=1)
    process.send_signal(signal.SIGTERM)
    took, err = _ends(process, 10)
    assert took < 4
    assert (process.returncode, err) == (0, "ocppctl: stopping took too long: exiting\n")
    assert marker.read_text() == "closed\n"
