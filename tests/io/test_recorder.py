"""Capture records as listen and sim write them: stamps with microseconds, read back by validate
beside hand-written ones with milliseconds; files created 0600, as the history file, since they
hold the same payloads (passwords in SetVariables); a stricter umask wins; an existing file keeps
its mode."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.io.recorder import Recorder, ocpp_time, open_record, utc_stamp


def test_a_record_stamp_keeps_microseconds() -> None:
    moment = datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert utc_stamp(moment) == "2026-11-22T10:00:00.123456Z"
    assert utc_stamp(datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)) == "2026-11-22T10:00:00.000000Z"


def test_a_payload_time_has_at_most_three_decimals() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", ocpp_time())


def test_latency_below_a_millisecond_survives_a_recording(tmp_path: Path) -> None:
    """Two frames 250 µs apart: with millisecond stamps the latency read back was 0.0 or 1.0 ms."""
    capture = tmp_path / "capture.jsonl"
    start = datetime(2026, 11, 22, 10, 0, 0, 100000, tzinfo=timezone.utc)
    end = datetime(2026, 11, 22, 10, 0, 0, 100250, tzinfo=timezone.utc)
    with capture.open("w", encoding="utf-8") as handle:
        recorder = Recorder(handle)
        recorder.frame(utc_stamp(start), "CP1", 1, "station", "2.0.1", '[2,"1","Heartbeat",{}]')
        recorder.frame(utc_stamp(end), "CP1", 1, "csms", "2.0.1", '[3,"1",{"currentTime":"2026-11-22T10:00:00Z"}]')
        # a hand-written pair with milliseconds, as capture-format.md's examples have them
        handle.write(
            json.dumps(
                {"ts": "2026-11-22T10:00:01.000Z", "station": "CP1", "from": "station", "raw": '[2,"2","Heartbeat",{}]'}
            )
            + "\n"
        )
        handle.write(
            json.dumps(
                {
                    "ts": "2026-11-22T10:00:01.002Z",
                    "station": "CP1",
                    "from": "csms",
                    "raw": '[3,"2",{"currentTime":"2026-11-22T10:00:00Z"}]',
                }
            )
            + "\n"
        )
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(["validate", "--json", str(capture)], env) == 0
    last = json.loads(env.stdout.getvalue().splitlines()[-1])
    latency = last["summary"]["actions"]["Heartbeat"]["latency"]
    assert (latency["count"], latency["mean_ms"], latency["max_ms"]) == (2, 1.125, 2.0)  # 0.25 and 2.0


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def test_a_new_record_file_is_0600_under_the_usual_umask(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "r.jsonl"
    with open_record(str(path)) as handle:
        Recorder(handle).event("2026-11-22T10:00:00.000Z", "CP1", 1, "connect")
    assert _mode(path) == "0o600"
    assert path.read_text() == '{"ts":"2026-11-22T10:00:00.000Z","station":"CP1","conn":1,"event":"connect"}\n'


def test_a_stricter_umask_wins(tmp_path: Path, umask: None) -> None:
    os.umask(0o277)
    path = tmp_path / "r.jsonl"
    open_record(str(path)).close()
    assert _mode(path) == "0o400"


def test_an_existing_file_is_appended_to_and_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("first\n")
    path.chmod(0o640)
    with open_record(str(path)) as handle:
        handle.write("second\n")
    assert (_mode(path), path.read_text()) == ("0o640", "first\nsecond\n")
