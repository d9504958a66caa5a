"""Capture records as listen and sim write them: stamps with microseconds, read back by validate
beside hand-written ones with milliseconds."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.io.recorder import Recorder, ocpp_time, utc_stamp


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
