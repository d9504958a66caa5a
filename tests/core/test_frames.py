"""Frame shapes: what each message type holds, in which version, and the unique id rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ocppctl.core.findings import Finding
from ocppctl.core.frames import Frame, encode, from_value
from ocppctl.core.jsontext import loads
from ocppctl.core.versions import V16, V21, V201, Version

ALL = [V16, V201, V21]


def _codes(findings: list[Finding]) -> list[tuple[str, str, str, str | None]]:
    return [(f.severity, f.code, f.message, f.hint) for f in findings]


@pytest.mark.parametrize("version", [*ALL, None], ids=lambda v: v.name if v else "unknown")
def test_call_result_and_error_in_every_version(version: Version | None) -> None:
    frame, findings = from_value([2, "19223201", "BootNotification", {"reason": "PowerUp"}], version)
    assert findings == []
    assert frame == Frame(2, "19223201", "BootNotification", {"reason": "PowerUp"})
    assert not frame.is_response

    frame, findings = from_value([3, "19223201", {"status": "Accepted"}], version)
    assert findings == []
    assert frame == Frame(3, "19223201", None, {"status": "Accepted"})
    assert frame.is_response

    frame, findings = from_value([4, "19223201", "GenericError", "boom", {"why": 1}], version)
    assert findings == []
    assert frame == Frame(4, "19223201", None, None, "GenericError", "boom", {"why": 1})
    assert frame.is_response


@pytest.mark.parametrize("version", [V21, None], ids=["2.1", "unknown"])
def test_callresulterror_and_send_in_21(version: Version | None) -> None:
    frame, findings = from_value([5, "7", "InternalError", "could not", {}], version)
    assert findings == []
    assert frame == Frame(5, "7", None, None, "InternalError", "could not", {})
    assert not frame.is_response  # it refers to a CALLRESULT; it does not answer a CALL

    frame, findings = from_value([6, "8", "NotifyPeriodicEventStream", {"id": 1}], version)
    assert findings == []
    assert frame == Frame(6, "8", "NotifyPeriodicEventStream", {"id": 1})


@pytest.mark.parametrize("version", [V16, V201], ids=lambda v: v.name)
@pytest.mark.parametrize(
    ("value", "name"),
    [
        ([5, "7", "InternalError", "x", {}], "CALLRESULTERROR (5)"),
        ([6, "8", "NotifyPeriodicEventStream", {}], "SEND (6)"),
    ],
)
def test_types_5_and_6_exist_only_in_21(version: Version, value: list[Any], name: str) -> None:
    frame, findings = from_value(value, version)
    assert frame is None
    assert _codes(findings) == [
        (
            "error",
            "message-type",
            f"{name} is not a message type of OCPP {version.name}",
            f"OCPP {version.name} message types: 2 CALL, 3 CALLRESULT, 4 CALLERROR",
        )
    ]


@pytest.mark.parametrize("mtype", [0, 1, 7, 99, -2])
def test_unknown_message_types(mtype: int) -> None:
    frame, findings = from_value([mtype, "1", "Heartbeat", {}], V21)
    assert frame is None
    assert _codes(findings) == [
        (
            "error",
            "message-type",
            f"unknown message type {mtype}",
            "OCPP 2.1 message types: 2 CALL, 3 CALLRESULT, 4 CALLERROR, 5 CALLRESULTERROR, 6 SEND",
        )
    ]
    _, findings = from_value([mtype, "1", {}], None)
    assert (
        findings[0].hint == "message types are 2 CALL, 3 CALLRESULT, 4 CALLERROR (2.1 adds 5 CALLRESULTERROR, 6 SEND)"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": 1}, "a frame is a JSON array, got an object"),
        ("[2]", "a frame is a JSON array, got a string"),
        (2, "a frame is a JSON array, got a number"),
        (None, "a frame is a JSON array, got null"),
        ([], "a frame starts with its message type number"),
        (["2", "1", "Heartbeat", {}], "a frame starts with its message type number"),
        ([2.0, "1", "Heartbeat", {}], "a frame starts with its message type number"),
        ([True, "1", "Heartbeat", {}], "a frame starts with its message type number"),
    ],
)
def test_not_a_frame(value: Any, message: str) -> None:
    frame, findings = from_value(value, V201)
    assert frame is None
    assert [(f.severity, f.code, f.message) for f in findings] == [("error", "frame-shape", message)]


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ('[2,"1","Heartbeat"]', "a CALL has 4 elements, this one has 3", '[2, "<uniqueId>", "<Action>", {payload}]'),
        (
            '[2,"1","Heartbeat",{},{}]',
            "a CALL has 4 elements, this one has 5",
            '[2, "<uniqueId>", "<Action>", {payload}]',
        ),
        ('[3,"1"]', "a CALLRESULT has 3 elements, this one has 2", '[3, "<uniqueId>", {payload}]'),
        ('[3,"1","Heartbeat",{}]', "a CALLRESULT has 3 elements, this one has 4", '[3, "<uniqueId>", {payload}]'),
        (
            '[4,"1","GenericError",{}]',
            "a CALLERROR has 5 elements, this one has 4",
            '[4, "<uniqueId>", "<errorCode>", "<errorDescription>", {errorDetails}]',
        ),
        ("[2]", "a CALL has 4 elements, this one has 1", '[2, "<uniqueId>", "<Action>", {payload}]'),
        (
            '[2,"1",5,{}]',
            "CALL element 2 (action) must be a string, got a number",
            '[2, "<uniqueId>", "<Action>", {payload}]',
        ),
        ('[2,"1","Heartbeat",[]]', "CALL element 3 (payload) must be an object, got an array", None),
        ('[2,"1","Heartbeat",null]', "CALL element 3 (payload) must be an object, got null", None),
        ('[3,"1","ok"]', "CALLRESULT element 2 (payload) must be an object, got a string", None),
        ('[4,"1",null,"",{}]', "CALLERROR element 2 (errorCode) must be a string, got null", None),
        ('[4,"1","GenericError",null,{}]', "CALLERROR element 3 (errorDescription) must be a string, got null", None),
        ('[4,"1","GenericError","",null]', "CALLERROR element 4 (errorDetails) must be an object, got null", None),
        ('[4,"1","GenericError","",[]]', "CALLERROR element 4 (errorDetails) must be an object, got an array", None),
    ],
)
def test_frame_shape(text: str, message: str, hint: str | None) -> None:
    frame, findings = from_value(loads(text), V201)
    assert frame is None
    assert [(f.code, f.message) for f in findings] == [("frame-shape", message)]
    if hint is not None:
        assert findings[0].hint == hint


def test_send_and_callresulterror_shapes_in_21() -> None:
    _, findings = from_value([6, "1", "NotifyPeriodicEventStream"], V21)
    assert [(f.code, f.message) for f in findings] == [("frame-shape", "a SEND has 4 elements, this one has 3")]
    assert findings[0].hint == '[6, "<uniqueId>", "<Action>", {payload}]'
    _, findings = from_value([5, "1", "InternalError", "x"], V21)
    assert [(f.code, f.message) for f in findings] == [
        ("frame-shape", "a CALLRESULTERROR has 5 elements, this one has 4")
    ]


# --- unique ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize("uid", ["1", "x" * 36, "\U0001f600" * 36, "19223201", " ", "a b"])
def test_unique_id_of_1_to_36_characters(uid: str) -> None:
    frame, findings = from_value([2, uid, "Heartbeat", {}], V201)
    assert findings == []
    assert frame is not None and frame.id == uid


@pytest.mark.parametrize(("uid", "length"), [("", 0), ("x" * 37, 37), ("\U0001f600" * 37, 37), ("a" * 100, 100)])
def test_unique_id_too_short_or_long(uid: str, length: int) -> None:
    frame, findings = from_value([3, uid, {}], V16)
    assert _codes(findings) == [
        (
            "error",
            "unique-id",
            f"unique id must be 1 to 36 characters long, this one has {length}",
            "a UUID in its 36-character text form fits",
        )
    ]
    assert frame is not None and frame.id == uid  # still correlated, so one mistake is one finding


@pytest.mark.parametrize(
    ("uid", "message", "hint", "as_text"),
    [
        (1, "unique id must be a string, got a number", 'quote it: "1"', "1"),
        (1.5, "unique id must be a string, got a number", 'quote it: "1.5"', "1.5"),
        (None, "unique id must be a string, got null", None, "null"),
        (["1"], "unique id must be a string, got an array", None, '["1"]'),
        ({"id": 1}, "unique id must be a string, got an object", None, '{"id":1}'),
    ],
)
def test_unique_id_must_be_a_string(uid: Any, message: str, hint: str | None, as_text: str) -> None:
    frame, findings = from_value([2, uid, "Heartbeat", {}], V201)
    assert _codes(findings) == [("error", "unique-id", message, hint)]
    assert frame is not None and str(frame.id) == as_text and repr(frame.id) == as_text  # shown as JSON


def test_boolean_unique_id() -> None:
    frame, findings = from_value([2, True, "Heartbeat", {}], V201)
    assert [(f.code, f.message) for f in findings] == [("unique-id", "unique id must be a string, got a boolean")]
    assert "True" not in (findings[0].hint or "")
    assert frame is not None and str(frame.id) == "true"


def test_bad_id_and_bad_shape_both_reported() -> None:
    frame, findings = from_value([2, 5, 6, {}], V201)
    assert frame is None
    assert [f.code for f in findings] == ["unique-id", "frame-shape"]


# --- encoding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '[2,"1","Heartbeat",{}]',
        '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
        '[4,"1","GenericError","",{}]',
        '[5,"1","InternalError","x",{"a":1}]',
        '[6,"1","NotifyPeriodicEventStream",{"id":1}]',
    ],
)
def test_encode_round_trips(text: str) -> None:
    frame, findings = from_value(loads(text), V21)
    assert findings == [] and frame is not None
    assert encode(frame) == text


def test_a_number_id_and_the_string_of_its_digits_are_different_ids(check_lines: Callable[..., list[Finding]]) -> None:
    """123 and "123" were one id: the string's CALLRESULT answered the number's CALL; a null id
    was shown as the string 'null'."""
    lines = ['[2,123,"Heartbeat",{}]', '[3,"123",{"currentTime":"2026-11-22T10:00:01Z"}]', "[3,null,{}]"]
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.code, f.line, f.message) for f in findings] == [
        ("unique-id", 1, "unique id must be a string, got a number"),
        ("orphan-response", 2, "CALLRESULT '123' answers no open CALL"),
        ("unique-id", 3, "unique id must be a string, got null"),
        ("orphan-response", 3, "CALLRESULT null answers no open CALL"),
        ("unanswered-call", 1, "Heartbeat call 123 was never answered"),
    ]


def test_a_number_id_still_matches_the_same_number() -> None:
    call, _ = from_value([2, 7, "Heartbeat", {}], None)
    result, _ = from_value([3, 7, {}], None)
    assert call is not None and result is not None
    assert call.id == result.id and hash(call.id) == hash(result.id)
    assert call.id != "7" and ("7" == call.id) is False and {call.id: 1}.get("7") is None  # noqa: SIM300
