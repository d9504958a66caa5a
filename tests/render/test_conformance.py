"""check's outputs (render/conformance.py): the table row, JSON and JUnit XML."""

from __future__ import annotations

from xml.etree import ElementTree

from ocppctl.core.conformance import Outcome, Result, Seen
from ocppctl.core.conformance_station import station_checks
from ocppctl.core.frames import CALL, CALLERROR, Frame
from ocppctl.render.conformance import as_json, junit, row

CHECK = next(c for c in station_checks("2.0.1") if c.id == "data-transfer-unknown-vendor")
FRAMES = [
    Seen("csms", Frame(CALL, "1", "DataTransfer", {"vendorId": "x"})),
    Seen("station", Frame(CALLERROR, "1", None, None, "InternalError", "bad \x1b[31m\x00"), answers="DataTransfer"),
]
FAILED = Result(CHECK, Outcome("fail", "DataTransfer: CALLERROR InternalError bad \x1b[31m\x00"), FRAMES)


def test_a_row_escapes_what_the_peer_said() -> None:
    assert row(FAILED, False) == (
        "FAIL    data-transfer-unknown-vendor             P01            "
        "DataTransfer: CALLERROR InternalError bad \\x1b[31m\\x00"
    )


def test_json_carries_every_key_and_the_frames() -> None:
    assert as_json(FAILED) == {
        "check": "data-transfer-unknown-vendor",
        "title": "DataTransfer for an unknown vendor",
        "ocpp": "2.0.1",
        "use_case": "P01",
        "requirement": "P01.FR.06: status UnknownVendorId",
        "status": "fail",
        "why": "DataTransfer: CALLERROR InternalError bad \x1b[31m\x00",
        "frames": [
            {"from": "csms", "type": "CALL", "id": "1", "action": "DataTransfer", "payload": {"vendorId": "x"}},
            {
                "from": "station",
                "type": "CALLERROR",
                "id": "1",
                "action": "DataTransfer",
                "errorCode": "InternalError",
                "errorDescription": "bad \x1b[31m\x00",
            },
        ],
    }


def test_junit_is_valid_xml_whatever_the_peer_said() -> None:
    skipped = Result(CHECK, Outcome("skipped", "DataTransfer: the station answered NotImplemented"), [])
    text = junit([FAILED, skipped], "station", {"checks": 2, "pass": 0, "fail": 1, "skipped": 1})
    suite = ElementTree.fromstring(text.split("?>", 1)[1])
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("message") == "DataTransfer: CALLERROR InternalError bad \\x1b[31m\\x00"
    assert failure.text == "P01.FR.06: status UnknownVendorId"
    assert suite.findall("testcase")[1].find("skipped") is not None
