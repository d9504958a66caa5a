"""Shared fixtures: one schema registry per test session, and a way to run a stream check.

The registry compiles each validator on first use, so sharing it keeps the suite fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from ocppctl.core.findings import Finding
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.stream import CheckOptions, StreamChecker
from ocppctl.core.summary import Report, Summary
from ocppctl.core.versions import get_version
from ocppctl.io.schemafiles import file_loader

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

CheckLines = Callable[..., list[Finding]]


@pytest.fixture(scope="session")
def schemas_root() -> Path:
    """The repository's schemas/ folder (v16/, v201/, v21/, SHA256SUMS)."""
    return SCHEMAS


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    """A registry over the repository's schema files, as `ocppctl validate` builds it."""
    return SchemaRegistry(file_loader(SCHEMAS))


def run_checker(
    registry: SchemaRegistry,
    lines: Iterable[str],
    ocpp: str | None = None,
    file: str = "capture.jsonl",
    pattern: str | None = None,
    summary: Summary | None = None,
) -> list[Finding]:
    """Feed `lines` (numbered from 1) to a StreamChecker, finish it, return every finding in order."""
    version = None
    if ocpp is not None:
        version = get_version(ocpp)
        assert version is not None, ocpp
    found: list[Finding] = []
    report = Report(summary if summary is not None else Summary(), found.append)
    options = CheckOptions(version, re.compile(pattern) if pattern is not None else None)
    checker = StreamChecker(registry, report, file, options)
    for lineno, line in enumerate(lines, start=1):
        checker.feed_line(line, lineno)
    checker.finish()
    return found


@pytest.fixture(scope="session")
def check_lines(registry: SchemaRegistry) -> CheckLines:
    """`check_lines(lines, ocpp=None, file=..., pattern=None, summary=None)` -> findings."""

    def check(lines: Iterable[str], **kwargs: object) -> list[Finding]:
        return run_checker(registry, lines, **kwargs)  # type: ignore[arg-type]

    return check


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Certificates made with trustme for security profiles 2-3: `ca` signed `server`
    (127.0.0.1), `clients` signed `client` (CP1), `other` signed `stranger` (CP1); and two
    password files, `password` (s3cret) and `wrong` (guess)."""
    import trustme

    folder = tmp_path_factory.mktemp("pki")
    ca, other, clients = trustme.CA(), trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = clients.issue_cert("CP1", common_name="CP1")
    stranger = other.issue_cert("CP1")
    paths = {
        "ca": folder / "ca.pem",
        "other": folder / "other.pem",
        "clients": folder / "clients.pem",
        "server": folder / "server.pem",
        "client": folder / "client.pem",
        "stranger": folder / "stranger.pem",
        "password": folder / "password",
        "wrong": folder / "wrong",
    }
    ca.cert_pem.write_to_path(str(paths["ca"]))
    other.cert_pem.write_to_path(str(paths["other"]))
    clients.cert_pem.write_to_path(str(paths["clients"]))
    server.private_key_and_cert_chain_pem.write_to_path(str(paths["server"]))
    client.private_key_and_cert_chain_pem.write_to_path(str(paths["client"]))
    stranger.private_key_and_cert_chain_pem.write_to_path(str(paths["stranger"]))
    paths["password"].write_text("s3cret\n", encoding="utf-8")
    paths["wrong"].write_text("guess\n", encoding="utf-8")
    return paths


# --- a Hypothesis strategy for whole captures (validate's fast path and -j are proven on it) --

_PAYLOADS = {  # action -> payloads: valid in some version, broken in others
    "Heartbeat": ["{}", '{"x":1}'],
    "BootNotification": [
        '{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}',
        '{"chargePointVendor":"V","chargePointModel":"M"}',
        "{}",
    ],
    "StatusNotification": [
        '{"timestamp":"2026-11-22T10:00:00Z","connectorStatus":"Available","evseId":1,"connectorId":1}',
        '{"connectorId":1,"errorCode":"NoError","status":"Available"}',
    ],
    "DataTransfer": ['{"vendorId":"com.example"}', '{"vendorId":"ACME","data":"x"}'],
    "Authorize": ['{"idToken":{"idToken":"04A2","type":"ISO14443"}}', '{"idTag":"04A2"}'],
}
_RESULTS = [
    "{}",
    '{"currentTime":"2026-11-22T10:00:00Z"}',
    '{"status":"Accepted"}',
    '{"idTagInfo":{"status":"Accepted"}}',
]


def _frame_texts(draw: Any, uid: str) -> str:
    from hypothesis import strategies as st

    kind = draw(st.sampled_from(["call", "call", "call", "result", "result", "error", "resulterror", "odd"]))
    if kind == "call":
        action = draw(st.sampled_from(sorted(_PAYLOADS)))
        return f'[2,"{uid}","{action}",{draw(st.sampled_from(_PAYLOADS[action]))}]'
    if kind == "result":
        return f'[3,"{uid}",{draw(st.sampled_from(_RESULTS))}]'
    if kind == "error":
        code = draw(st.sampled_from(["InternalError", "FormationViolation", "FormatViolation"]))
        return f'[4,"{uid}","{code}","",{{}}]'
    if kind == "resulterror":
        return f'[5,"{uid}","InternalError","",{{}}]'
    return draw(
        st.sampled_from(
            [
                f'[2.0,"{uid}","Heartbeat",{{}}]',
                f'[2,"{uid}","Heartbeat",{{}},1]',
                f'[2,"{uid}","Heartbeat",{{"a":1,"a":2}}]',
                f'[2,"{uid}","Heartbeet",{{}}]',
                f'[6,"{uid}","NotifyPeriodicEventStream",{{"id":1,"pending":0,"basetime":"2026-11-22T10:00:00Z","data":[]}}]',
                f'[3,"{uid}",{{"currentTime":"2026-11-22T10:00:00Z",}}]',
                f'[2,{len(uid)},"Heartbeat",{{}}]',
            ]
        )
    )


_LOG_LINES = [  # log lines mixed in: a frame inside one, one spread over lines, one cut short
    '2026-11-22 10:00:00 CP1 >> [2,"9","Heartbeat",{}]\n',
    '[ocpp  ] DEBUG receive message [3,"9",\n',
    '{ "currentTime": "2026-11-22T10:00:00Z" }]\n',
    "[ABL_10022482] TRACE timer armed\n",
    'websockets DEBUG > TEXT \'[2,"8","Heart...beat",{}]\' [60 bytes]\n',
    '<< [2,"7","Heartbeat",{\n',
]


def capture_lines(logs: bool = False) -> Any:
    """Hypothesis strategy: the lines of a capture (records and bare frames, three stations, two
    connections, versions changing midway, events, invalid frames; with `logs`, log lines too,
    some spread over lines), line ends on."""
    from hypothesis import strategies as st

    @st.composite
    def line(draw: Any) -> str:
        uid = draw(st.sampled_from(["1", "2", "3", "a-4"]))
        station = draw(st.sampled_from(["A", "B", "C"]))
        form = draw(st.sampled_from(["record"] * 6 + ["bare", "event", "noise"] + (["log"] if logs else [])))
        if form == "log":
            return draw(st.sampled_from(_LOG_LINES))
        if form == "event":
            event = draw(st.sampled_from(["connect", "close"]))
            record: dict[str, Any] = {"station": station, "conn": draw(st.sampled_from([1, 2])), "event": event}
            if event == "connect":
                record["subprotocol"] = draw(st.sampled_from(["ocpp1.6", "ocpp2.0.1", "ocpp2.1"]))
            return json.dumps(record, separators=(",", ":")) + "\n"
        if form == "noise":
            return draw(st.sampled_from(["\n", "not json at all\n", '{"station":"A","raw":"[2,\\"1\\",{,}]"}\n']))
        text = _frame_texts(draw, uid)
        if form == "bare":
            return text + "\n"
        record = {"ts": f"2026-11-22T10:00:0{draw(st.integers(0, 9))}.000Z", "station": station}
        if draw(st.booleans()):
            record["conn"] = draw(st.sampled_from([1, 2]))
        side = draw(st.sampled_from(["station", "csms", None]))
        if side is not None:
            record["from"] = side
        ocpp = draw(st.sampled_from(["2.0.1", "2.0.1", "2.1", "1.6", None]))
        if ocpp is not None:
            record["ocpp"] = ocpp
        record["raw"] = text
        return json.dumps(record, separators=(",", ":")) + "\n"

    return st.lists(line(), min_size=1, max_size=40)
