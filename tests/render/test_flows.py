"""Live traffic as `listen` and `sim station` print it (render/flows.py): a line per frame cut to
the width, whole (--full), pretty (--pretty), JSON (--json); events, findings, escaping."""

from __future__ import annotations

import io
import json
import re

import pytest

from ocppctl.core.findings import WARNING, Finding
from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT, Frame
from ocppctl.core.jsontext import dumps
from ocppctl.core.versions import V201
from ocppctl.render.flows import FlowPrinter
from ocppctl.transport.flow import Flow

TS = "2026-11-30T10:00:01.123456Z"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOOT = {"reason": "PowerUp", "chargingStation": {"model": "VB-22", "vendorName": "VoltBay"}}


def _frame_flow(frame: Frame, side: str = "station", **extra: object) -> Flow:
    text = dumps(
        [frame.type, frame.id, frame.action, frame.payload]
        if frame.type == CALL
        else [frame.type, frame.id, frame.payload]
    )
    return Flow(TS, "CP001", 1, side, V201, text, frame=frame, **extra)  # type: ignore[arg-type]


def _printed(flows: list[Flow], **options: object) -> str:
    out = io.StringIO()
    printer = FlowPrinter(out, io.StringIO(), **options)  # type: ignore[arg-type]
    for flow in flows:
        printer.flow(flow)
    return out.getvalue()


BOOT_CALL = _frame_flow(Frame(CALL, "19223201", "BootNotification", BOOT))
BOOT_RESULT = _frame_flow(
    Frame(
        CALLRESULT, "19223201", None, {"currentTime": "2026-11-30T10:00:01.200Z", "interval": 300, "status": "Accepted"}
    ),
    side="csms",
    answers="BootNotification",
)


def test_compact_cuts_the_payload_to_the_width_with_a_marker() -> None:
    assert _printed([BOOT_CALL, BOOT_RESULT], width=80) == (
        '10:00:01.123 CP001 ← CALL BootNotification 19223201 {"reason":"PowerUp","chargi…\n'
        '10:00:01.123 CP001 → CALLRESULT BootNotification 19223201 {"currentTime":"2026-…\n'
    )
    for line in _printed([BOOT_CALL, BOOT_RESULT], width=80).splitlines():
        assert len(line) == 80


def test_a_payload_that_fits_is_not_cut() -> None:
    heartbeat = _frame_flow(Frame(CALL, "7", "Heartbeat", {}))
    assert _printed([heartbeat], width=80) == "10:00:01.123 CP001 ← CALL Heartbeat 7 {}\n"


def test_a_narrow_terminal_still_shows_the_start_of_the_payload() -> None:
    assert _printed([BOOT_CALL], width=20) == '10:00:01.123 CP001 ← CALL BootNotification 19223201 {"reason":"Powe…\n'


def test_full_and_a_pipe_show_the_whole_payload() -> None:
    whole = (
        '10:00:01.123 CP001 ← CALL BootNotification 19223201 {"reason":"PowerUp","chargingStation":'
        '{"model":"VB-22","vendorName":"VoltBay"}}\n'
    )
    assert _printed([BOOT_CALL], view="full", width=80) == whole
    assert _printed([BOOT_CALL], width=None) == whole  # not a terminal: nothing to fit


def test_pretty_prints_the_frame_over_several_lines() -> None:
    assert _printed([BOOT_CALL, BOOT_RESULT], view="pretty", width=80) == (
        "10:00:01.123 CP001 ← CALL BootNotification 19223201\n"
        "  {\n"
        '    "reason": "PowerUp",\n'
        '    "chargingStation": {\n'
        '      "model": "VB-22",\n'
        '      "vendorName": "VoltBay"\n'
        "    }\n"
        "  }\n"
        "10:00:01.123 CP001 → CALLRESULT BootNotification 19223201\n"
        "  {\n"
        '    "currentTime": "2026-11-30T10:00:01.200Z",\n'
        '    "interval": 300,\n'
        '    "status": "Accepted"\n'
        "  }\n"
    )


def test_a_station_prints_its_own_frames_with_the_outgoing_arrow() -> None:
    assert _printed([BOOT_CALL], local="station", width=60).startswith("10:00:01.123 CP001 → CALL BootNotification")


def test_findings_follow_their_frame_and_are_never_cut() -> None:
    finding = Finding(
        WARNING, "vendor-id", "vendorId is not in reverse-DNS form", hint="use com.example", path="/vendorId"
    )
    flow = _frame_flow(Frame(CALL, "1", "DataTransfer", {"vendorId": "ACME"}), findings=[finding])
    assert _printed([flow], width=60) == (
        '10:00:01.123 CP001 ← CALL DataTransfer 1 {"vendorId":"ACME"}\n'
        "    warning: vendorId is not in reverse-DNS form [vendor-id] at /vendorId\n"
        "        hint: use com.example\n"
    )


def test_a_callerror_shows_its_code_and_description() -> None:
    error = Frame(CALLERROR, "9", None, None, error_code="NotImplemented", error_description="no such action")
    flow = Flow(TS, "CP001", 1, "csms", V201, '[4,"9","NotImplemented","no such action",{}]', frame=error)
    assert _printed([flow], width=80) == '10:00:01.123 CP001 → CALLERROR 9 NotImplemented "no such action"\n'


def test_connection_events_are_one_line() -> None:
    connect = Flow(TS, "CP001", 1, None, V201, event="connect", detail={"subprotocol": "ocpp2.0.1", "remote": None})
    close = Flow(TS, "CP001", 1, None, V201, event="close", detail={"code": 1000, "reason": ""})
    assert _printed([connect, close], width=80) == (
        "10:00:01.123 CP001 connect subprotocol=ocpp2.0.1\n10:00:01.123 CP001 close code=1000\n"
    )


def test_what_the_peer_sent_is_escaped_and_stays_on_its_line() -> None:
    text = '[2,"1","Heartbeat",{}]\x1b[31m\nnot json'
    flow = Flow(TS, "CP\x1b1", 1, "station", V201, text)
    assert _printed([flow], view="full") == '10:00:01.123 CP\\x1b1 ← [2,"1","Heartbeat",{}]\\x1b[31m\\nnot json\n'


def test_json_is_the_record_of_each_flow() -> None:
    assert [json.loads(line) for line in _printed([BOOT_CALL], view="json", width=20).splitlines()] == [
        BOOT_CALL.as_record()
    ]


def test_colour_paints_but_does_not_change_the_text() -> None:
    plain = _printed([BOOT_CALL, BOOT_RESULT], width=80)
    painted = _printed([BOOT_CALL, BOOT_RESULT], width=80, color=True)
    assert painted != plain and ANSI.sub("", painted) == plain


def test_listening_is_said_on_stderr() -> None:
    out, err = io.StringIO(), io.StringIO()
    FlowPrinter(out, err, control="/run/ocppctl/hub.sock").listening("127.0.0.1", 9000)
    assert (out.getvalue(), err.getvalue()) == (
        "",
        "ocppctl: listening on 127.0.0.1:9000 (Ctrl-C stops)\nocppctl: control socket /run/ocppctl/hub.sock (send --via)\n",
    )


def test_an_unknown_view_is_refused() -> None:
    with pytest.raises(ValueError, match="no view 'wide'"):
        FlowPrinter(io.StringIO(), io.StringIO(), view="wide")
