"""validate -j N gives exactly the output of one process: same findings in the same order, same
summary, same exit code, same one-line errors, whatever the input throws at it."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import random
from pathlib import Path

import pytest
from conftest import capture_lines  # tests/conftest.py: the strategy tests/core/test_fast_path.py uses too
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize("at", [30, 300, 390])
def test_a_line_that_is_not_utf8_stops_the_run_at_that_line(tmp_path: Path, at: int) -> None:
    """Whichever range holds it: the findings before it, then the error; the ranges after it
    are not waited for."""
    lines = _capture(5, 400)
    lines.insert(at, _record(1, "CP9", "station", '[2,"x","Heartbeat",{}]').replace("CP9", "CP\udcfc"))
    path = tmp_path / "c.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
    one = _validate("-j", "1", str(path))
    assert (
        one[0] == 2
        and one[2]
        == f"ocppctl: error: {path}: line {at + 1} is not UTF-8 (invalid start byte); re-encode the file as UTF-8\n"
    )
    assert _validate("-j", "2", str(path)) == one
    assert _validate("-j", "4", str(path)) == one


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
    from ocppctl.cli import validate_jobs as parallel

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
    packed = tmp_path / "c.jsonl.gz"  # decompressed to a temporary file, then cut
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert _validate("-j", "2", str(packed)) == _validate("-j", "1", str(packed))
    assert calls == [2]


def test_ranges_start_at_line_starts_and_shrink_at_the_end(tmp_path: Path) -> None:
    """A few ranges per worker, the last ones smaller so the workers finish together; a file
    too small for that gets fewer equal ranges, none under the smallest size."""
    from ocppctl.cli.validate_jobs import cut_points

    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(_capture(1, 1500)) + "\n", encoding="utf-8")
    data = path.read_bytes()
    points = cut_points(str(path), 2)
    assert points[0] == 0 and points[-1] == len(data) and points == sorted(set(points))
    assert all(data[at - 1 : at] == b"\n" for at in points[1:-1])
    sizes = [end - start for start, end in zip(points, points[1:], strict=False)]
    assert len(sizes) == 16
    assert max(sizes[-2:]) < min(sizes[:12]) / 3 and max(sizes[-4:-2]) < min(sizes[:12]) / 1.5
    few = cut_points(str(path), 2, smallest=len(data) // 5)
    assert len(few) - 1 == 5 and all(
        end - start >= len(data) // 5 - 1000 for start, end in zip(few, few[1:], strict=False)
    )
    assert cut_points(str(path), 2, smallest=len(data) * 2) == [0, len(data)]


def test_a_gzip_capture_with_no_room_to_decompress_is_read_by_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    packed = tmp_path / "c.jsonl.gz"
    packed.write_bytes(gzip.compress(("\n".join(_capture(4, 300)) + "\n").encode()))
    one = _validate("-j", "1", str(packed))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    assert _validate("-j", "2", str(packed)) == one


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


# --- every cut: a range that starts midway settles into exactly the output of one checker ----


def _tricky() -> list[str]:
    """A short capture where the state before a cut matters on nearly every line: calls
    answered after the cut (a broken answer, a CALLERROR, answers with no side), connections
    closed and reopened with calls still open, ids reused across the cut, a connect whose
    subprotocol disagrees with the capture, records that name no version, broken lines."""
    lines = ['\ufeff{"station":"A","conn":1,"event":"connect","subprotocol":"ocpp2.0.1"}']
    lines += [
        _record(1, "A", "station", '[2,"a1","Heartbeat",{}]'),
        _record(2, "B", "station", '[2,"b1","BootNotification",{"reason":"PowerUp"}]'),
        _record(3, "A", "csms", '[2,"a2","Reset",{"type":"Immediate"}]'),
        _record(4, "A", "csms", '[3,"a1",{"currentTime":"2026-11-22T10:00:00Z"}]'),
        _record(5, "B", "csms", '[3,"b1",{"currentTime":"yesterday","interval":1,"status":"Accepted"}]'),
        _record(6, "A", "station", '[4,"a2","FormationViolation","no",{}]'),
        _record(7, "C", "station", '[2,"1","Heartbeat",{}]'),
        _record(8, "C", "csms", '[2,"1","GetVariables",{"getVariableData":[]}]'),
        _record(9, "C", "csms", '[3,"1",{"currentTime":"2026-11-22T10:00:09Z"}]'),
        _record(10, "C", "station", '[3,"1",{"getVariableResult":[]}]'),
        _record(11, "B", "station", '[2,"b2","Heartbeat",{}]'),
        json.dumps({"station": "B", "conn": 1, "event": "close"}),
        _record(12, "B", "csms", '[3,"b2",{"currentTime":"2026-11-22T10:00:12Z"}]'),
        json.dumps({"station": "B", "conn": 1, "event": "connect", "subprotocol": "ocpp1.6"}),
        _record(13, "B", "station", '[2,"b3","Heartbeat",{}]').replace('"ocpp":"2.0.1",', ""),
        _record(14, "B", "csms", '[3,"b3",{"currentTime":"2026-11-22T10:00:14Z"}]').replace('"ocpp":"2.0.1",', ""),
        _record(15, "D", "station", '[2,"d1","Heartbeat",{}]').replace('"from":"station",', ""),
        _record(16, "D", "csms", '[3,"d1",{"currentTime":"2026-11-22T10:00:16Z"}]').replace('"from":"csms",', ""),
        _record(17, "A", "station", '[2,"dup","Heartbeat",{}]'),
        _record(18, "A", "station", '[2,"a3","StatusNotification",{}]'),
        "",
        _record(19, "A", "station", '[2,"dup","Heartbeat",{}]'),
        '{"station":"A","raw":"[2,\\"x\\",\\"Heartbeat\\",{,}]"}',
        _record(20, "A", "csms", '[3,"dup",{"currentTime":"2026-11-22T10:00:20Z"}]'),
        _record(21, "E", "station", '[2,"e1","Heartbeat",{}]'),
        _record(22, "A", "csms", '[3,"a3",{}]'),
        _record(23, "C", "station", '[2,"1","Heartbeat",{}]'),
        _record(24, "E", "csms", '[3,"zz",{}]'),
        json.dumps({"station": "E", "conn": 1, "event": "close"}),
        _record(25, "C", "csms", '[3,"1",{"currentTime":"2026-11-22T10:00:25Z"}]'),
        _record(26, "F", "station", '[2,"f1","Heartbeat",{}]'),
        _record(27, "A", "station", '[2,"a4","Heartbeat",{}]'),
        _record(28, "A", "station", '[2,"a5","Heartbeat",{}]').replace('"ocpp":"2.0.1",', ""),
    ]
    return lines


def _one_checker(path: Path, version: str = "2.0.1") -> tuple[list[dict[str, object]], dict[str, object]]:
    from ocppctl.core.stream import CheckOptions, StreamChecker
    from ocppctl.core.summary import Report, Summary
    from ocppctl.core.versions import get_version
    from ocppctl.io.inputs import open_input
    from ocppctl.io.schemafiles import default_registry

    found: list[dict[str, object]] = []
    report = Report(Summary(), lambda f: found.append(f.as_dict()))
    checker = StreamChecker(default_registry(), report, "c", CheckOptions(None, None, get_version(version)))
    source = open_input(str(path), None)
    with source.handle:
        checker.feed_lines(source.lines())
    checker.finish()
    return found, report.summary.as_dict()


def _cut_checker(
    path: Path, points: list[int], version: str = "2.0.1", jobs: int = 0
) -> tuple[list[dict[str, object]], dict[str, object]]:
    from ocppctl.cli.validate_jobs import check_parallel
    from ocppctl.core.stream import CheckOptions
    from ocppctl.core.summary import Report, Summary
    from ocppctl.core.versions import get_version

    found: list[dict[str, object]] = []
    report = Report(Summary(), lambda f: found.append(f.as_dict()))
    options = CheckOptions(None, None, get_version(version))
    check_parallel(str(path), "c", options, report, jobs or len(points) - 1, points)
    return found, report.summary.as_dict()


def _line_starts(path: Path) -> list[int]:
    data = path.read_bytes()
    return [i + 1 for i, byte in enumerate(data[:-1]) if byte == 10]


def test_every_single_cut_gives_the_output_of_one_checker(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(_tricky()) + "\n", encoding="utf-8")
    one = _one_checker(path)
    codes = {f["code"] for f in one[0]}
    assert {"orphan-response", "duplicate-id", "unanswered-call", "schema", "format", "error-code"} <= codes
    size = path.stat().st_size
    for at in _line_starts(path):
        assert _cut_checker(path, [0, at, size]) == one, at


def test_crlf_and_a_last_line_without_its_end_cut_anywhere(tmp_path: Path) -> None:
    """Each range is read by counting its lines (the first behind a BOM, as _tricky's is): the
    last line counts though no line end follows it."""
    path = tmp_path / "c.jsonl"
    path.write_bytes("\r\n".join(_tricky()).encode())
    one = _one_checker(path)
    assert one[1]["frames"] == sum(1 for line in _tricky() if '"raw"' in line)
    assert any(f["line"] == len(_tricky()) for f in one[0])  # the last line is checked
    size = path.stat().st_size
    for at in _line_starts(path):
        assert _cut_checker(path, [0, at, size]) == one, at


def test_three_ranges_cut_anywhere_give_the_output_of_one_checker(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(_tricky()) + "\n", encoding="utf-8")
    one = _one_checker(path)
    starts = _line_starts(path)
    rnd = random.Random(5)
    for turn in range(25):
        first, second = sorted(rnd.sample(starts, 2))
        points = [0, first, second, path.stat().st_size]
        assert _cut_checker(path, points, jobs=2 + turn % 2) == one, (first, second)


def test_a_range_at_every_line_taken_in_turn_by_two_workers(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(_tricky()) + "\n", encoding="utf-8")
    one = _one_checker(path)
    assert _cut_checker(path, [0, *_line_starts(path), path.stat().st_size], jobs=2) == one


def _capture_2_1(tmp_path: Path, *records: str) -> Path:
    """A capture of these records, each naming OCPP 2.1."""
    path = tmp_path / "c.jsonl"
    lines = [record.replace('"ocpp":"2.0.1"', '"ocpp":"2.1"') for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_2_1_capture_with_callresulterrors_cut_anywhere(tmp_path: Path) -> None:
    """A CALLRESULTERROR looks back at the ids answered before it: a range holding one is
    checked by the parent itself, after the first, and the output is still that of one."""
    path = _capture_2_1(
        tmp_path,
        _record(1, "A", "station", '[2,"a1","Heartbeat",{}]'),
        _record(2, "A", "csms", '[3,"a1",{"currentTime":"2026-11-22T10:00:00Z"}]'),
        _record(3, "A", "station", '[5,"a1","FormatViolation","bad result",{}]'),
        _record(4, "A", "station", '[5,"a9","FormatViolation","no such result",{}]'),
        _record(5, "A", "station", '[2,"a2","Heartbeat",{}]'),
        _record(6, "A", "csms", '[3,"a2",{"currentTime":"2026-11-22T10:00:00Z"}]'),
        _record(7, "A", "station", '[5,"a2","FormatViolation","bad result",{}]'),
    )
    one = _one_checker(path, "2.1")
    assert [f["code"] for f in one[0]] == ["orphan-response"]
    for at in _line_starts(path):
        assert _cut_checker(path, [0, at, path.stat().st_size], "2.1") == one, at


def test_a_callresulterror_after_settled_ranges_sees_the_ids_they_answered(tmp_path: Path) -> None:
    """Ranges before the first CALLRESULTERROR are settled from their workers' results (their
    findings stream out meanwhile); from that range on, the parent checks every range on the
    connections as one checker left them, ids answered inside earlier ranges included."""
    path = _capture_2_1(
        tmp_path,
        _record(1, "A", "station", '[2,"a1","Heartbeat",{}]'),
        _record(2, "A", "csms", '[3,"a1",{"currentTime":"2026-11-22T10:00:00Z"}]'),
        _record(3, "B", "station", '[2,"b1","Heartbeat",{}]'),
        _record(4, "B", "csms", '[3,"b1",{"currentTime":"2026-11-22T10:00:00Z"}]'),
        _record(5, "A", "station", '[2,"a2","Heartbeat",{"oops":1}]'),
        _record(6, "A", "csms", '[3,"a2",{"currentTime":"2026-11-22T10:00:00Z"}]'),
        _record(7, "B", "station", '[5,"b1","FormatViolation","bad result",{}]'),
        _record(8, "A", "station", '[5,"a2","FormatViolation","bad result",{}]'),
        _record(9, "A", "station", '[5,"a1","FormatViolation","bad result",{}]'),
        _record(10, "A", "station", '[5,"zz","FormatViolation","no such result",{}]'),
        _record(11, "A", "station", '[2,"a3","Heartbeat",{}]'),
    )
    one = _one_checker(path, "2.1")
    assert [f["code"] for f in one[0]] == ["schema", "orphan-response", "unanswered-call"]
    starts = _line_starts(path)
    size = path.stat().st_size
    for first, second in itertools.combinations(starts, 2):
        assert _cut_checker(path, [0, first, second, size], "2.1", jobs=2) == one, (first, second)
    assert _cut_checker(path, [0, *starts, size], "2.1", jobs=2) == one


def test_findings_of_a_range_print_while_later_ranges_are_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker of the last range waits until the parent has printed a finding of the middle
    range: it only goes on at once when ranges are printed as soon as those before are done."""
    import os
    import time

    from ocppctl.cli import validate_jobs as parallel
    from ocppctl.core.stream import CheckOptions
    from ocppctl.core.summary import Report, Summary
    from ocppctl.core.versions import get_version

    flag, waited = tmp_path / "printed", tmp_path / "waited"
    real = parallel._check_range

    def slow_last(*args: object) -> object:
        if args[5] == 2:  # the range index
            deadline = time.monotonic() + 10
            while not flag.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            waited.write_text("printed first" if flag.exists() else "timed out")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "_check_range", slow_last)
    lines = [
        _record(1, "A", "station", '[2,"a1","Heartbeat",{}]'),
        _record(2, "A", "station", '[2,"a2","Heartbeat",{"oops":1}]'),
        _record(3, "A", "station", '[2,"a3","Heartbeat",{}]'),
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found: list[int | None] = []

    def sink(finding: object) -> None:
        found.append(finding.line)  # type: ignore[attr-defined]
        if finding.line == 2:  # type: ignore[attr-defined]
            flag.touch()

    starts = _line_starts(path)
    report = Report(Summary(), sink)
    options = CheckOptions(None, None, get_version("2.0.1"))
    parallel.check_parallel(str(path), "c", options, report, 2, [0, *starts, os.path.getsize(path)])
    assert waited.read_text() == "printed first"
    assert found == [2, 1, 2, 3]  # the schema finding, then the three calls left unanswered


def test_the_parent_checks_a_range_itself_only_when_it_must(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls answered across the cut, a close with calls open from before it: settled from the
    ranges' own results. A unique id reused after the cut while a call with that id is open
    from before it (or a connect before the cut that set another version, or two sides
    counting ids from 1 with calls open across the cut): the parent checks that range again."""
    from ocppctl.core.stream import StreamChecker

    checked_again: list[int] = []
    real = StreamChecker.feed_lines

    def spy(self: StreamChecker, lines: object, start: int = 1) -> None:
        checked_again.append(1)
        real(self, lines, start)  # type: ignore[arg-type]

    plain = [line for line in _tricky() if not any(mark in line for mark in ("dup", "ocpp1.6", '"C"'))]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(plain) + "\n", encoding="utf-8")
    one = _one_checker(path)
    monkeypatch.setattr(StreamChecker, "feed_lines", spy)
    for at in _line_starts(path):
        assert _cut_checker(path, [0, at, path.stat().st_size]) == one, at
    assert checked_again == []
    path.write_text("\n".join(_tricky()) + "\n", encoding="utf-8")
    starts = _line_starts(path)
    cut = next(at for at in starts if b"dup" in path.read_bytes()[at - 200 : at])
    _cut_checker(path, [0, cut, path.stat().st_size])
    assert checked_again == [1]


def test_a_capture_of_answers_only_settles_every_answer_in_order(tmp_path: Path) -> None:
    """The other side of a one-sided capture: every response after the first range is set aside
    by its worker (it may answer a call from before the cut) and settled by the parent."""
    lines = [
        _record(i, f"CP{i % 7}", "csms", f'[3,"u{i}",{{"currentTime":"2026-11-22T10:00:00Z"}}]') for i in range(3000)
    ]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = _validate("--json", "-j", "1", str(path))
    assert one[1].count('"code":"orphan-response"') == 3000
    assert _validate("--json", "-j", "2", str(path)) == one
    assert _validate("--json", "-j", "3", str(path)) == one


def test_ids_open_before_the_cut_that_share_a_hash_are_each_suspects(monkeypatch: pytest.MonkeyPatch) -> None:
    """A range notes each call it opens by a 32-bit hash of its id. When two calls open before
    the cut share that hash, a call after the cut with it may reuse either: answering one of
    them in the range does not clear the other, and the parent checks the range itself."""
    from array import array

    from ocppctl.core import settle
    from ocppctl.core.checker import Conn, Item
    from ocppctl.core.frames import Frame
    from ocppctl.core.session import OpenCall
    from ocppctl.core.settle import DeferredAnswer
    from ocppctl.core.stream import CheckOptions, StreamChecker
    from ocppctl.core.summary import Report, Summary
    from ocppctl.core.versions import V201
    from ocppctl.io.schemafiles import default_registry

    monkeypatch.setattr(settle, "hash", lambda text: 7, raising=False)  # every id clashes
    checker = StreamChecker(default_registry(), Report(Summary()), "c", CheckOptions(None, None, V201))
    conn = checker.conns[("A", None)] = Conn()
    conn.correlator.call(OpenCall("a1", "Heartbeat", "station", 1))
    conn.correlator.call(OpenCall("a2", "Heartbeat", "station", 2))
    answer = Item(12, 0, None, None, False, "A", None, "csms", None, None)  # a2 answered in the range
    steps = [DeferredAnswer(("A", None), answer, Frame(3, "a2", None, {}), V201)]
    reuse = {("A", None): array("I", [7, 5])}  # then a call at line 10 + 5 whose id hashes to 7
    assert not checker.can_settle(10, reuse, steps, set())  # it may be a1, still open
    conn.correlator.answer("a1", "csms")
    assert checker.can_settle(10, reuse, steps, set())  # a2 alone, answered before line 15


def test_the_limit_on_ranges_is_only_ever_lowered() -> None:
    """The line counter (a read that fails) and the collector (a range's error) both stop the
    run; whichever comes second must not take back the other's lower limit."""
    import multiprocessing

    from ocppctl.cli.validate_jobs import _Stop

    stop = _Stop(multiprocessing.get_context("fork").Value("i", 16, lock=False))
    assert stop.before(0) and stop.limit.value == 0  # the counter failed
    assert not stop.before(5) and stop.limit.value == 0  # a range's error after it
    fresh = _Stop(multiprocessing.get_context("fork").Value("i", 16, lock=False))
    assert fresh.before(5) and not fresh.before(9) and fresh.limit.value == 5


# --- the contract, as a property (issue 12 item 9): -j N gives what -j 1 gives -----------------


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(capture_lines(), st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=3))
def test_cut_anywhere_a_capture_gives_what_one_checker_gives(
    tmp_path: Path, lines: list[str], picks: list[int]
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    starts = _line_starts(path)
    size = path.stat().st_size
    if not starts or not size:
        return
    cuts = sorted({starts[pick % len(starts)] for pick in picks})
    assert _cut_checker(path, [0, *cuts, size], jobs=2) == _one_checker(path)


def test_bare_frames_are_split_when_the_version_is_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12 item 8: with --ocpp nothing about bare frames needs one checker; without it their
    version is inferred from the first calls, so one process reads them."""
    from ocppctl.cli import validate_jobs as parallel

    calls: list[int] = []
    real = parallel.check_parallel

    def spy(path: str, name: str, options: object, report: object, jobs: int) -> None:
        calls.append(jobs)
        real(path, name, options, report, jobs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "check_parallel", spy)
    bare = tmp_path / "bare.jsonl"
    bare.write_text("\n".join(json.loads(line)["raw"] for line in _capture(2, 600) if '"raw"' in line) + "\n")
    one = _validate("--ocpp", "2.0.1", "-j", "1", str(bare))
    assert calls == []
    assert _validate("--ocpp", "2.0.1", "-j", "2", str(bare)) == one
    assert calls == [2]
    assert "orphan-response" in one[1] and "unanswered-call" in one[1]
    _validate("-j", "2", str(bare))
    assert calls == [2]
