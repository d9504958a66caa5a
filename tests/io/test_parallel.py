"""validate -j N gives exactly the output of one process: same findings in the same order, same
summary, same exit code, same one-line errors, whatever the input throws at it."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

ROOT = Path(__file__).resolve().parents[2]


def _validate(*argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["validate", "--color", "never", *argv], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def _record(i: int, station: str, side: str, raw: str, **extra: object) -> str:
    rec = {"ts": f"2026-11-22T10:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i % 10}00Z", "station": station, "conn": 1}
    rec.update({"from": side, "ocpp": "2.0.1", "raw": raw, **extra})
    return json.dumps(rec, separators=(",", ":"))


def _capture(seed: int, lines: int = 1500) -> list[str]:
    """Traffic of many stations with every kind of irregularity, interleaved."""
    rnd = random.Random(seed)
    out = []
    for i in range(lines):
        station = f"CP{rnd.randint(1, 9)}"
        uid = f"u{i}"
        pick = rnd.random()
        if pick < 0.55:
            out.append(_record(i, station, "station", f'[2,"{uid}","Heartbeat",{{}}]'))
            out.append(_record(i, station, "csms", f'[3,"{uid}",{{"currentTime":"2026-11-22T10:00:00Z"}}]'))
        elif pick < 0.6:
            out.append(_record(i, station, "station", f'[2,"{uid}","Heartbeat",{{"x":1}}]'))
        elif pick < 0.65:
            out.append(_record(i, station, "csms", f'[3,"nope{i}",{{}}]'))
        elif pick < 0.7:
            out.append(_record(i, station, "station", f'[2,"{uid}","GetVariables",{{}}]'))
        elif pick < 0.75:
            out.append(_record(i, station, "csms", f'[2,"{uid}","Reset",{{"type":"Immediate"}}]'))
            out.append(_record(i, station, "station", f'[4,"{uid}","FormationViolation","",{{}}]'))
        elif pick < 0.8:
            out.append(json.dumps({"ts": "2026-11-22T10:00:00Z", "station": station, "conn": 1, "event": "close"}))
        elif pick < 0.85:
            out.append(_record(i, station, "station", f'[2,"{uid}","DataTransfer",{{"vendorId":"ACME"}}]'))
        elif pick < 0.9:
            out.append(f'{{"station":"{station}","raw":"[2,\\"{uid}\\",\\"Heartbeat\\",{{,}}]"}}')
        elif pick < 0.95:
            out.append(_record(i, station, "station", '[2,"dup","Heartbeat",{}]'))
        else:
            out.append(_record(i, station, "station", f'[2,"{uid}","Heartbeat",{{}}]').replace('"ocpp":"2.0.1",', ""))
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_two_and_three_processes_give_the_output_of_one(tmp_path: Path, seed: int, fmt: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(_capture(seed)) + "\n", encoding="utf-8")
    one = _validate("--format", fmt, "-j", "1", str(path))
    assert one[0] == 1 and one[1].count("\n") > 100
    assert _validate("--format", fmt, "-j", "2", str(path)) == one
    assert _validate("--format", fmt, "-j", "3", str(path)) == one


def test_options_apply_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(_capture(7)) + "\n", encoding="utf-8")
    for argv in (["--max-findings", "5"], ["--select", "schema,orphan-response"], ["--ignore", "schema", "-q"]):
        assert _validate("-j", "2", *argv, str(path)) == _validate("-j", "1", *argv, str(path))


def test_forced_version_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(_capture(3)) + "\n").encode()))
    assert _validate("--ocpp", "2.1", "-j", "2", str(path)) == _validate("--ocpp", "2.1", "-j", "1", str(path))


def test_a_line_that_is_not_utf8_stops_every_worker_at_the_same_line(tmp_path: Path) -> None:
    lines = _capture(5, 400)
    lines.insert(300, _record(1, "CP9", "station", '[2,"x","Heartbeat",{}]').replace("CP9", "CP\udcfc"))
    path = tmp_path / "c.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
    one = _validate("-j", "1", str(path))
    assert (
        one[0] == 2
        and one[2]
        == f"ocppctl: error: {path}: line 301 is not UTF-8 (invalid start byte); re-encode the file as UTF-8\n"
    )
    assert _validate("-j", "2", str(path)) == one


def test_a_truncated_gzip_fails_alike(tmp_path: Path) -> None:
    data = gzip.compress(("\n".join(_capture(2)) + "\n").encode(), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    one = _validate("-j", "1", str(path))
    assert one[0] == 2 and "cannot decompress" in one[2]
    assert _validate("-j", "2", str(path)) == one


@pytest.mark.parametrize("name", ["capture-2.0.1.jsonl", "capture-1.6.jsonl"])
def test_examples(name: str) -> None:
    path = str(ROOT / "examples" / name)
    assert _validate("-j", "2", path) == _validate("-j", "1", path)


def test_inputs_that_cannot_be_split_are_read_by_one_process(tmp_path: Path) -> None:
    """A log, a capture whose first record names no version: one process, the same output."""
    log = tmp_path / "c.log"
    log.write_text('2026-11-22 10:00:00 CP1 >> [2,"1","Heartbeat",{}]\n', encoding="utf-8")
    assert _validate("-j", "2", str(log)) == _validate("-j", "1", str(log))
    bare = tmp_path / "bare.jsonl"
    bare.write_text(
        "\n".join(line.replace('"ocpp":"2.0.1",', "") for line in _capture(1, 200)) + "\n", encoding="utf-8"
    )
    assert _validate("-j", "2", str(bare)) == _validate("-j", "1", str(bare))


def test_a_capture_of_records_is_really_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ocppctl.io import parallel

    calls: list[int] = []
    real = parallel.check_parallel

    def spy(path: str, name: str, options: object, report: object, jobs: int) -> None:
        calls.append(jobs)
        real(path, name, options, report, jobs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "check_parallel", spy)
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(_capture(0, 300)) + "\n", encoding="utf-8")
    _validate("-j", "2", str(path))
    assert calls == [2]
    calls.clear()
    _validate("-j", "1", str(path))
    assert calls == []


def test_many_calls_left_open_stream_back_in_order(tmp_path: Path) -> None:
    """A one-sided capture: thousands of unanswered-call findings at the end of input, sent in
    batches by each worker and merged by the connection each call belongs to."""
    lines = [_record(i, f"CP{i % 7}", "station", f'[2,"u{i}","Heartbeat",{{}}]') for i in range(3000)]
    path = tmp_path / "one-sided.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = _validate("--json", "-j", "1", str(path))
    assert one[1].count('"code":"unanswered-call"') == 3000
    assert _validate("--json", "-j", "2", str(path)) == one
    assert _validate("--json", "-j", "3", str(path)) == one
