"""validate's fast path (StreamChecker.feed_lines) must give exactly what the general path
(feed_line, one line at a time) gives: the same findings in the same order, the same summary."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import capture_lines  # tests/conftest.py: the strategy tests/io/test_parallel.py uses too
from hypothesis import HealthCheck, example, given, settings

from ocppctl.core.stream import CheckOptions, StreamChecker
from ocppctl.core.summary import Report, Summary
from ocppctl.core.versions import V16, V201, Version
from ocppctl.io.schemafiles import default_registry

ROOT = Path(__file__).resolve().parents[2]


def _run(lines: list[str], fast: bool, version: Version | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    found: list[dict[str, Any]] = []
    summary = Summary()
    checker = StreamChecker(
        default_registry(), Report(summary, lambda f: found.append(f.as_dict())), "x", CheckOptions(version)
    )
    if fast:
        checker.feed_lines(lines)
    else:
        for lineno, line in enumerate(lines, 1):
            checker.feed_line(line.rstrip("\r\n"), lineno)
    checker.finish()
    return found, summary.as_dict()


def _record(
    raw: str, station: str = "CP1", side: str | None = "station", ocpp: str | None = "2.0.1", **extra: Any
) -> str:
    rec: dict[str, Any] = {"ts": "2026-11-22T10:00:00.000Z", "station": station, "raw": raw, **extra}
    if side is not None:
        rec["from"] = side
    if ocpp is not None:
        rec["ocpp"] = ocpp
    return json.dumps(rec, separators=(",", ":")) + "\n"


BOOT = '{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}'
BOOT_RESULT = '{"currentTime":"2026-11-22T10:00:00Z","interval":300,"status":"Accepted"}'


def _mixed_corpus(seed: int) -> list[str]:
    """Valid traffic with every kind of irregularity the fast path must hand over."""
    rnd = random.Random(seed)
    lines: list[str] = []
    for i in range(300):
        station = f"CP{rnd.randint(1, 3)}"
        uid = f"id-{i}"
        pick = rnd.random()
        if pick < 0.5:
            lines.append(_record(f'[2,"{uid}","BootNotification",{BOOT}]', station))
            lines.append(_record(f'[3,"{uid}",{BOOT_RESULT}]', station, "csms"))
        elif pick < 0.51:  # payloads that break their schema, explained by the fast path itself
            bad = '{"reason":"PowerUp","chargingStation":{"model":"M","vendorname":"V"},"customData":{"vendorId":"x"}}'
            lines.append(_record(f'[2,"{uid}","BootNotification",{bad}]', station))
            lines.append(
                _record(
                    f'[3,"{uid}",{{"currentTime":"2026-11-22 10:00:00","interval":1.5,"status":"Maybe"}}]',
                    station,
                    "csms",
                )
            )
        elif pick < 0.52:  # an integer beyond 64 bits: the reference engine judges it
            big = '{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"},"x":123456789012345678901234}'
            lines.append(_record(f'[2,"{uid}","BootNotification",{big}]', station))
        elif pick < 0.53:
            lines.append(_record(f'[2,"{uid}","BootNotification",{{"reason":"PowerUp"}}]', station))
        elif pick < 0.55:  # an empty payload the schema refuses, and its empty (refused) result
            lines.append(_record(f'[2,"{uid}","BootNotification",{{}}]', station))
            lines.append(_record(f'[3,"{uid}",{{}}]', station, "csms"))
        elif pick < 0.6:
            lines.append(_record(f'[2,"{uid}","Heartbeat",{{}},1]', station))
        elif pick < 0.65:
            lines.append(_record(f'[3,"nope-{i}",{{}}]', station, "csms"))
        elif pick < 0.7:
            lines.append(_record(f'[2,"{uid}","GetVariables",{{"getVariableData":[]}}]', station))
        elif pick < 0.75:
            lines.append(_record(f'[2,"{uid}","Heartbeat",{{"a":1,"a":2}}]', station))
        elif pick < 0.8:
            lines.append(_record(f'[2,"{uid}","DataTransfer",{{"vendorId":"ACME"}}]', station))
        elif pick < 0.83:
            lines.append(_record('[2,"dup","Heartbeat",{}]', station))
        elif pick < 0.86:
            lines.append(_record(f'[2,"{uid}","Heartbeat",{{}}]', station, ocpp="9.9"))
        elif pick < 0.9:
            lines.append(_record(f'[2,"{uid}","Heartbeat",{{}}]', station, side=None))
            lines.append(_record(f'[3,"{uid}",{{"currentTime":"2026-11-22T10:00:00Z"}}]', station, side=None))
        elif pick < 0.93:
            lines.append('{"ts":"2026-11-22T10:00:00Z","station":"CP1","event":"close"}\n')
        elif pick < 0.96:
            lines.append(_record(f'[4,"{uid}","FormationViolation","",{{}}]', station, "csms"))
        elif pick < 0.99:  # CALLERRORs answering a call: plain, a bad code, odd shapes, repeated keys
            lines.append(_record(f'[2,"{uid}","Heartbeat",{{}}]', station, ts=f"2026-11-22T10:00:0{i % 10}Z"))
            error = rnd.choice(
                [
                    '"InternalError","boom",{}',
                    '"NotImplemented","",{"reason":"no","more":[1,2]}',
                    '"FormationViolation","",{}',
                    '"InternalError",7,{}',
                    '"InternalError","",[]',
                    '"InternalError","",{"a":1,"a":2}',
                    '"InternalError", "spaced", {}',
                ]
            )
            lines.append(_record(f'[4,"{uid}",{error}]', station, "csms", ts="2026-11-22T10:00:09.5Z"))
        else:
            lines.append("not json at all\n")
    return lines


@pytest.mark.parametrize("seed", range(6))
def test_fast_and_general_paths_agree_on_mixed_traffic(seed: int) -> None:
    lines = _mixed_corpus(seed)
    assert _run(lines, fast=True) == _run(lines, fast=False)


@pytest.mark.parametrize("version", [None, V201, V16])
def test_fast_and_general_paths_agree_without_ocpp_in_records(version: Version | None) -> None:
    lines = [line.replace(',"ocpp":"2.0.1"', "") for line in _mixed_corpus(99)]
    assert _run(lines, fast=True, version=version) == _run(lines, fast=False, version=version)


@pytest.mark.parametrize("name", ["capture-2.0.1.jsonl", "capture-1.6.jsonl"])
def test_fast_and_general_paths_agree_on_examples(name: str) -> None:
    path = ROOT / "examples" / name
    if not path.exists():
        pytest.skip(f"{name} not shipped")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fast = _run(lines, fast=True)
    assert fast == _run(lines, fast=False)
    assert fast[1]["frames"] > 0


def test_fast_and_general_paths_agree_on_2_1_answers_and_the_callresulterrors_after_them() -> None:
    """A CALLRESULTERROR looks back at answered ids (the last 256, CALLERRORs included): the
    fast path must note each answer it settles as the general path does."""
    rnd = random.Random(7)
    lines: list[str] = []
    for i in range(400):
        uid = f"id-{i}"
        lines.append(_record(f'[2,"{uid}","Heartbeat",{{}}]', ocpp="2.1"))
        if i % 3 == 0:
            lines.append(_record(f'[4,"{uid}","InternalError","",{{}}]', side="csms", ocpp="2.1"))
        else:
            lines.append(_record(f'[3,"{uid}",{{"currentTime":"2026-11-22T10:00:00Z"}}]', side="csms", ocpp="2.1"))
        if i % 7 == 0:  # refers to the answer just given, to one long out of those kept, or to none
            ref = rnd.choice([uid, "id-0", "never"])
            lines.append(_record(f'[5,"{ref}","InternalError","",{{}}]', side="station", ocpp="2.1"))
    fast = _run(lines, fast=True)
    assert fast == _run(lines, fast=False)
    assert fast[1]["callerrors"] == 134 and fast[1]["callresulterrors"] == 58
    assert 0 < fast[1]["codes"]["orphan-response"] < 58


def test_a_range_checked_midway_settles_records_naming_no_version_on_the_fast_path() -> None:
    """validate -j: a connection that may have begun before the range has the capture's
    version, noted as assumed; the fast path takes its records, as it does for one checker."""
    from ocppctl.core.settle import Midway

    lines = [
        _record(f'[2,"id-{i}","Heartbeat",{{}}]', f"CP{i % 3}", ocpp=None)
        + _record(f'[3,"id-{i}",{{"currentTime":"2026-11-22T10:00:00Z"}}]', f"CP{i % 3}", "csms", ocpp=None)
        for i in range(300)
    ]
    found: list[dict[str, Any]] = []
    checker = StreamChecker(
        default_registry(), Report(Summary(), lambda f: found.append(f.as_dict())), "x", CheckOptions(None, None, V201)
    )
    checker.midway = Midway(lambda step: None, first=1001)
    general = checker.feed_general
    slow: list[int] = []

    def counted(line: Any, lineno: int) -> bool:
        slow.append(lineno)
        return general(line, lineno)

    checker.feed_general = counted  # type: ignore[method-assign]
    checker.feed_lines("".join(lines).splitlines(keepends=True), 1001)
    assert slow == [1001, 1003, 1005]  # the first line of each connection
    assert checker.midway.guessed == {("CP0", None), ("CP1", None), ("CP2", None)}
    assert found == [] and checker.summary.frames == 600


# --- the contract, as a property (issue 12 item 9) ---------------------------------------------


_B_HEARTBEAT_THEN_21_RESULTERROR = [
    '{"station":"B","from":"station","ocpp":"2.0.1","raw":"[2,\\"1\\",\\"Heartbeat\\",{}]"}\n',
    '{"station":"B","from":"csms","ocpp":"2.0.1","raw":"[3,\\"1\\",{\\"currentTime\\":\\"2026-11-22T10:00:00Z\\"}]"}\n',
    '{"station":"B","from":"station","ocpp":"2.1","raw":"[5,\\"1\\",\\"InternalError\\",\\"\\",{}]"}\n',
]
_FLOAT_TYPE = ['{"station":"A","from":"station","ocpp":"2.0.1","raw":"[2.0,\\"1\\",\\"Heartbeat\\",{}]"}\n']


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(capture_lines(logs=True))
@example(_B_HEARTBEAT_THEN_21_RESULTERROR)  # the fast path warned orphan-response, the general path not
@example(_FLOAT_TYPE)  # [2.0, ...] passed the fast path; the general path says frame-shape
def test_the_fast_path_gives_what_the_general_path_gives(lines: list[str]) -> None:
    assert _run(lines, fast=True) == _run(lines, fast=False)


def test_bare_frames_take_the_fast_path() -> None:
    """Every bare frame went down the general path, parsed twice. Only the first (the
    connection is new) and the lines the fast path cannot settle take it now."""
    lines = []
    for i in range(200):
        lines.append(f'[2,"id-{i}","BootNotification",{BOOT}]\n'.encode())
        lines.append(f'[3,"id-{i}",{BOOT_RESULT}]\n'.encode())
    lines[11] = b'[3,"id-5",{"currentTime":"2026-11-22T10:00:00Z","interval":300,"status":"Maybe"}]\n'
    lines[21] = b'[3,"id-10", {"currentTime":"2026-11-22T10:00:00Z","interval":300,"status":"Accepted"}]\r\n'
    found: list[dict[str, Any]] = []
    checker = StreamChecker(
        default_registry(), Report(Summary(), lambda f: found.append(f.as_dict())), "x", CheckOptions(V201)
    )
    general = checker.feed_general
    slow: list[int] = []

    def counted(line: Any, lineno: int) -> bool:
        slow.append(lineno)
        return general(line, lineno)

    checker.feed_general = counted  # type: ignore[method-assign]
    checker.feed_lines(lines)
    checker.finish()
    assert slow == [1, 22]  # the new connection; a line not in compact form (CRLF, a space)
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (12, 1, 'BootNotification response: "Maybe" is not an allowed value')
    ]
    assert checker.summary.frames == 400
