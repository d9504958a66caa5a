"""Live traffic as the REPL prints it: header, pretty payload, folding, decoded DataTransfer
data, customData marks, findings, and escaping of everything the peer sent."""

from __future__ import annotations

import re
from typing import Any

import orjson

from ocppctl.core.findings import ERROR, WARNING, Finding
from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT, Frame
from ocppctl.render.traffic import Rendered, traffic_text

TS = "2026-11-30T10:00:01.123Z"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def render(frame: Frame | None, text: str = "", **options: Any) -> Rendered:
    options.setdefault("outgoing", False)
    return traffic_text(ts=TS, station="CS-1", frame=frame, text=text, **options)


def test_call_header_and_payload() -> None:
    frame = Frame(CALL, "19223201", "BootNotification", {"reason": "PowerUp", "chargingStation": {"model": "M"}})
    out = render(frame)
    assert out.text == (
        "10:00:01.123 CS-1 ← CALL BootNotification 19223201\n"
        "  {\n"
        '    "reason": "PowerUp",\n'
        '    "chargingStation": {\n'
        '      "model": "M"\n'
        "    }\n"
        "  }"
    )
    assert out.folded is False


def test_callresult_with_rtt_and_action_argument() -> None:
    frame = Frame(CALLRESULT, "19223201", None, {"status": "Accepted"})
    out = render(frame, outgoing=True, action="BootNotification", rtt_ms=12.345)
    assert out.text == (
        '10:00:01.123 CS-1 → CALLRESULT BootNotification 19223201 (12.3 ms)\n  {\n    "status": "Accepted"\n  }'
    )


def test_callresult_without_any_action() -> None:
    out = render(Frame(CALLRESULT, "7", None, {}))
    assert out.text == "10:00:01.123 CS-1 ← CALLRESULT 7\n  {}"


def test_callerror_with_details() -> None:
    frame = Frame(CALLERROR, "g1", None, None, "NotSupported", "no such action", {"action": "Foo"})
    out = render(frame, action="GetVariables")
    assert out.text == (
        '10:00:01.123 CS-1 ← CALLERROR GetVariables g1\n  NotSupported: "no such action"\n  {\n    "action": "Foo"\n  }'
    )


def test_callerror_with_empty_details_is_one_line() -> None:
    frame = Frame(CALLERROR, "g1", None, None, "InternalError", "", {})
    assert render(frame).text == '10:00:01.123 CS-1 ← CALLERROR g1\n  InternalError: ""'


def test_folds_beyond_max_lines() -> None:
    frame = Frame(CALL, "m1", "MeterValues", {f"k{i}": i for i in range(10)})  # 12 lines pretty
    out = render(frame, max_lines=5)
    lines = out.text.split("\n")
    assert lines[1:] == ["  {", '    "k0": 0,', '    "k1": 1,', '    "k2": 2,', "  … 8 more lines (:show m1)"]
    assert out.folded is True


def test_no_folding_at_exactly_max_lines() -> None:
    frame = Frame(CALL, "m1", "MeterValues", {f"k{i}": i for i in range(10)})
    out = render(frame, max_lines=12)
    assert out.text.split("\n")[-1] == "  }"
    assert len(out.text.split("\n")) == 13
    assert out.folded is False


def test_datatransfer_json_data_decoded() -> None:
    frame = Frame(CALL, "d1", "DataTransfer", {"vendorId": "com.acme", "data": '{"a":[1,2]}'})
    out = render(frame)
    assert out.text == (
        "10:00:01.123 CS-1 ← CALL DataTransfer d1\n"
        "  {\n"
        '    "vendorId": "com.acme",\n'
        '    "data": "{\\"a\\":[1,2]}"\n'
        "  }\n"
        "  data, decoded:\n"
        "    {\n"
        '      "a": [\n'
        "        1,\n"
        "        2\n"
        "      ]\n"
        "    }"
    )


def test_datatransfer_decoded_data_folds_too() -> None:
    frame = Frame(CALL, "d1", "DataTransfer", {"vendorId": "com.acme", "data": "[1,2,3,4,5,6]"})
    out = render(frame, max_lines=4)
    assert out.text.split("\n")[-5:] == [
        "  data, decoded:",
        "    [",
        "      1,",
        "      2,",
        "    … 5 more lines (:show d1)",
    ]
    assert out.folded is True


def test_datatransfer_result_decoded_by_action_argument() -> None:
    frame = Frame(CALLRESULT, "d1", None, {"status": "Accepted", "data": "[true]"})
    out = render(frame, action="DataTransfer")
    assert out.text.endswith("  data, decoded:\n    [\n      true\n    ]")


def test_datatransfer_non_json_data_adds_nothing() -> None:
    frame = Frame(CALL, "d1", "DataTransfer", {"vendorId": "com.acme", "data": "{not json"})
    assert "decoded" not in render(frame).text


def test_datatransfer_json_scalar_string_adds_nothing() -> None:
    for data in ('"just a string"', "42", "null", "NaN"):
        frame = Frame(CALL, "d1", "DataTransfer", {"vendorId": "com.acme", "data": data})
        assert "decoded" not in render(frame).text


def test_datatransfer_odd_payloads_never_raise() -> None:
    for payload in ({"data": 3}, {"data": None}, {}, [1], "x"):
        render(Frame(CALL, "d1", "DataTransfer", payload))
    render(Frame(CALL, "d1", "DataTransfer", {"data": "[" * 5000 + "]" * 5000}))


def test_custom_data_at_top_level() -> None:
    payload = {"status": "Accepted", "customData": {"vendorId": "com.acme", "x": 1, "y": 2, "z": 3}}
    out = render(Frame(CALLRESULT, "b1", None, payload), action="BootNotification")
    assert out.text.split("\n")[-1] == '  ★ customData at /customData: vendorId "com.acme", 3 more keys'


def test_custom_data_nested_in_an_array() -> None:
    payload = {
        "setVariableData": [
            {
                "component": {"name": "C", "customData": {"vendorId": "com.acme"}},
                "variable": {"name": "V", "customData": {"vendorId": "org.other", "n": 1}},
            }
        ]
    }
    lines = render(Frame(CALL, "s1", "SetVariables", payload)).text.split("\n")
    assert lines[-2:] == [
        '  ★ customData at /setVariableData/0/component/customData: vendorId "com.acme"',
        '  ★ customData at /setVariableData/0/variable/customData: vendorId "org.other", 1 more key',
    ]


def test_custom_data_under_a_key_holding_a_line_break_stays_on_its_line() -> None:
    payload = {"a\nb": {"customData": {"vendorId": "com.acme"}}}
    lines = render(Frame(CALL, "s1", "DataTransfer", payload)).text.split("\n")
    assert lines[-1] == '  ★ customData at /a\\nb/customData: vendorId "com.acme"'


def test_raw_text_not_a_frame_is_escaped() -> None:
    out = render(None, text='[2, "x\x1b[2J"', outgoing=False)
    assert out.text == '10:00:01.123 CS-1 ← [2, "x\\x1b[2J"'
    assert "\x1b" not in out.text
    assert out.folded is False


def test_peer_text_in_header_and_error_is_escaped() -> None:
    frame = Frame(CALLERROR, "i\x07d", None, None, "Code\x1b[31m", "d\x9b", {})
    out = traffic_text(ts=TS, station="CS\x1b]0;x", outgoing=False, frame=frame, text="", action="A\x00")
    assert out.text == '10:00:01.123 CS\\x1b]0;x ← CALLERROR A\\x00 i\\x07d\n  Code\\x1b[31m: "d\\x9b"'


def test_findings_under_the_frame() -> None:
    findings = [
        Finding(ERROR, "schema", '"Avail" is not an allowed value', 'did you mean "Available"?', "/connectorStatus"),
        Finding(WARNING, "vendor-id", "vendorId is odd"),
    ]
    out = render(Frame(CALL, "n1", "StatusNotification", {"connectorStatus": "Avail"}), findings=findings)
    assert out.text.split("\n")[-3:] == [
        '    error: "Avail" is not an allowed value [schema] at /connectorStatus',
        '        hint: did you mean "Available"?',
        "    warning: vendorId is odd [vendor-id]",
    ]


def test_findings_under_raw_text() -> None:
    out = render(None, text="hello", findings=[Finding(ERROR, "json-syntax", "not JSON")])
    assert out.text == "10:00:01.123 CS-1 ← hello\n    error: not JSON [json-syntax]"


def test_color_adds_ansi_and_nothing_else() -> None:
    payload = {
        "vendorId": "com.acme",
        "data": orjson.dumps({"a": [1, 2, 3], "b": "x"}).decode(),
        "customData": {"vendorId": "com.acme"},
    }
    cases: list[tuple[Frame | None, dict[str, Any]]] = [
        (Frame(CALL, "d1", "DataTransfer", payload), {"findings": [Finding(ERROR, "schema", "bad", "fix it", "/x")]}),
        (Frame(CALLRESULT, "r1", None, {f"k{i}": i for i in range(30)}), {"action": "Heartbeat", "rtt_ms": 3.0}),
        (Frame(CALLERROR, "e1", None, None, "GenericError", "oops", {"why": [1]}), {}),
        (None, {"text": "not \x1b json"}),
    ]
    for frame, options in cases:
        plain = render(frame, **options)
        painted = render(frame, color=True, **options)
        assert "\x1b[" in painted.text
        assert ANSI.sub("", painted.text) == plain.text
        assert painted.folded == plain.folded


EVIL = "\x1b[2J\x1b]0;pwned\x07...\nFAKE \u202e"
EVIL_SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07...\\nFAKE \\u202e"


def test_hostile_text_stays_on_its_line_escaped_in_every_part() -> None:
    raw = render(None, text=EVIL, outgoing=False)
    assert raw.text == f"10:00:01.123 CS-1 ← {EVIL_SHOWN}"
    frame = Frame(CALLERROR, EVIL, None, None, EVIL, EVIL, {"k": EVIL})
    shown = traffic_text(ts=TS, station=EVIL, outgoing=False, frame=frame, text="", action=EVIL)
    assert shown.text.split("\n") == [
        f"10:00:01.123 {EVIL_SHOWN} ← CALLERROR {EVIL_SHOWN} {EVIL_SHOWN}",
        f'  {EVIL_SHOWN}: "\\u001b[2J\\u001b]0;pwned\\u0007...\\nFAKE \\u202e"',
        "  {",
        '    "k": "\\u001b[2J\\u001b]0;pwned\\u0007...\\nFAKE \\u202e"',
        "  }",
    ]
    painted = traffic_text(ts=TS, station="CS", outgoing=False, frame=frame, text="", action="A", color=True)
    assert "\u202e" not in painted.text and "\x07" not in painted.text and "\x1b]" not in painted.text
