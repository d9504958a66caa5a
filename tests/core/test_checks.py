"""Every finding code, through StreamChecker over capture lines: a frame that triggers it, and a
close frame that does not. Plus correlation: responses judged by their CALL's action, ids scoped
per station connection and per calling side, and 2.1's CALLRESULTERROR and SEND."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ocppctl.core.findings import Finding
from ocppctl.core.summary import Summary

CheckLines = Callable[..., list[Finding]]  # the check_lines fixture of tests/conftest.py

SYNTAX_HINT = "OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)"
UNANSWERED_HINT = "the connection closed or the input ended before its CALLRESULT/CALLERROR"
ORPHAN_HINT = "the unique id must echo that of a CALL not yet answered"
DIRECTION_HINT = "check the record's 'from', or which side of the link sent it"

HEARTBEAT_16_RESULT = '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]'


def rec(raw: str, station: str = "CP1", conn: Any = 1, **fields: Any) -> str:
    """A capture record line holding `raw`, fields in the documented order."""
    record: dict[str, Any] = {"ts": None, "station": station, "conn": conn}
    record.update(fields)
    record["raw"] = raw
    if record["ts"] is None:
        del record["ts"]
    return json.dumps(record)


def raw_column(line: str) -> int:
    """1-based column where a record's raw value starts."""
    return line.index('"raw": ') + len('"raw": ') + 1


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def without(findings: list[Finding], *drop: str) -> list[Finding]:
    return [f for f in findings if f.code not in drop]


def one(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [f.as_dict() for f in findings]
    return found[0]


# --- json-syntax ---------------------------------------------------------------------------------


def test_json_syntax_has_line_and_column_and_the_run_goes_on(check_lines: CheckLines) -> None:
    lines = ['[2,"1","Heartbeat",{}]', '[2,"2","Heartbeat",{} ', '[2,"3","Heartbeat",NaN]', HEARTBEAT_16_RESULT]
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.severity, f.code, f.line, f.column, f.message, f.hint) for f in findings] == [
        ("error", "json-syntax", 2, 23, "not JSON: Expecting ',' delimiter", None),
        ("error", "json-syntax", 3, 20, "not JSON: NaN is not JSON", SYNTAX_HINT),
    ]
    assert findings[0].file == "capture.jsonl"


def test_json_syntax_column_in_a_log_line(check_lines: CheckLines) -> None:
    lines = ['2026-11-22 10:00:01 CP001 << [2,"1","Heartbeat",{]', "2026-11-22 10:00:02 INFO nothing here"]
    finding = one(check_lines(lines, ocpp="1.6"), "json-syntax")
    assert (finding.line, finding.column) == (1, 50)  # the "]" where a key should be
    assert finding.message == "not JSON: Expecting property name enclosed in double quotes"


@pytest.mark.parametrize(
    ("raw", "at"),
    [
        ('[2,"1","Heartbeat",{"x":Infinity}]', "Infinity"),
        ('[2,"1","Heartbeat",{"é":"a\\"b\\\\","x":Infinity}]', "Infinity"),
        ('[2,"1","Heartbeat",{"\U0001f600\t":1}]', "\\t"),
    ],
    ids=["plain", "escapes", "astral-and-control"],
)
@pytest.mark.parametrize("ascii_only", [True, False], ids=["ascii", "utf8"])
def test_json_syntax_inside_a_record_raw(check_lines: CheckLines, raw: str, at: str, ascii_only: bool) -> None:
    """The column is where the bad character sits in the line, escapes counted as written."""
    line = json.dumps({"station": "CP1", "conn": 1, "from": "station", "raw": raw}, ensure_ascii=ascii_only)
    findings = check_lines([line], ocpp="2.0.1")
    assert [(f.code, f.line, f.column, f.station) for f in findings] == [("json-syntax", 1, line.index(at) + 1, "CP1")]
    assert findings[0].message in ("not JSON: Infinity is not JSON", "not JSON: Invalid control character at")


def test_json_syntax_of_a_record_line(check_lines: CheckLines) -> None:
    findings = check_lines(['{"station": "CP1", "raw": "[2]"', rec('[2,"1","Heartbeat",{}]')], ocpp="1.6")
    assert [(f.code, f.line, f.column) for f in findings][0] == ("json-syntax", 1, 32)


def test_no_json_syntax_for_strict_json(check_lines: CheckLines) -> None:
    lines = ['[2,"1","DataTransfer",{"vendorId":"com.example","data":"NaN Infinity"}]', '[3,"1",{"status":"Accepted"}]']
    assert check_lines(lines, ocpp="1.6") == []


# --- frame-shape, message-type, unique-id --------------------------------------------------------


def test_frame_shape(check_lines: CheckLines) -> None:
    findings = check_lines(['[2,"1","Heartbeat"]', "[]", '[4,"1","GenericError",{}]'], ocpp="2.0.1")
    assert [(f.severity, f.code, f.line, f.column, f.message) for f in findings] == [
        ("error", "frame-shape", 1, 1, "a CALL has 4 elements, this one has 3"),
        ("error", "frame-shape", 2, 1, "a frame starts with its message type number"),
        ("error", "frame-shape", 3, 1, "a CALLERROR has 5 elements, this one has 4"),
    ]
    assert findings[0].hint == '[2, "<uniqueId>", "<Action>", {payload}]'


def test_no_frame_shape_for_a_well_formed_frame(check_lines: CheckLines) -> None:
    assert check_lines(['[2,"1","Heartbeat",{}]', '[4,"1","GenericError","",{}]'], ocpp="2.0.1") == []


def test_message_type(check_lines: CheckLines) -> None:
    findings = check_lines(
        ['[9,"1",{}]', '[5,"1","InternalError","",{}]', '[6,"2","NotifyPeriodicEventStream",{}]'], ocpp="2.0.1"
    )
    assert [(f.severity, f.code, f.line, f.message) for f in findings] == [
        ("error", "message-type", 1, "unknown message type 9"),
        ("error", "message-type", 2, "CALLRESULTERROR (5) is not a message type of OCPP 2.0.1"),
        ("error", "message-type", 3, "SEND (6) is not a message type of OCPP 2.0.1"),
    ]
    assert findings[0].hint == "OCPP 2.0.1 message types: 2 CALL, 3 CALLRESULT, 4 CALLERROR"


def test_no_message_type_in_21(check_lines: CheckLines) -> None:
    send = '[6,"2","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2024-01-01T00:00:00Z","data":[{"t":0,"v":"1"}]}]'
    assert check_lines([send], ocpp="2.1") == []


def test_unique_id(check_lines: CheckLines) -> None:
    long_id = "x" * 37
    findings = check_lines(
        [f'[2,"{long_id}","Heartbeat",{{}}]', f'[3,"{long_id}",{{}}]', '[2,1,"Heartbeat",{}]'], ocpp="2.0.1"
    )
    assert [(f.severity, f.code, f.line, f.id, f.message) for f in without(findings, "schema", "unanswered-call")] == [
        ("error", "unique-id", 1, long_id, "unique id must be 1 to 36 characters long, this one has 37"),
        ("error", "unique-id", 2, long_id, "unique id must be 1 to 36 characters long, this one has 37"),
        ("error", "unique-id", 3, "1", "unique id must be a string, got a number"),
    ]
    assert [f.hint for f in findings if f.code == "unique-id" and f.line == 3] == ['quote it: "1"']
    # the long id still correlates: its result is no orphan
    assert "orphan-response" not in codes(findings)


def test_no_unique_id_for_36_characters(check_lines: CheckLines) -> None:
    uid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert (
        check_lines(
            [f'[2,"{uid}","Heartbeat",{{}}]', f'[3,"{uid}",{{"currentTime":"2024-01-01T00:00:00Z"}}]'], ocpp="2.0.1"
        )
        == []
    )


# --- unknown-action ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "hint"),
    [
        ("heartbeat", 'did you mean "Heartbeat"?'),
        ("HEARTBEAT", 'did you mean "Heartbeat"?'),
        ("Hartbeat", 'did you mean "Heartbeat"?'),
        ("bootnotification", 'did you mean "BootNotification"?'),
        ("Zzzzq", "`ocppctl actions --ocpp 1.6` lists them"),
    ],
)
def test_unknown_action_with_the_closest_action(check_lines: CheckLines, action: str, hint: str) -> None:
    findings = check_lines([f'[2,"1","{action}",{{}}]'], ocpp="1.6")
    finding = one(findings, "unknown-action")
    assert (finding.severity, finding.line, finding.column, finding.id, finding.action) == ("error", 1, 1, "1", action)
    assert finding.message == f'"{action}" is not an OCPP 1.6 action'
    assert finding.hint == hint


def test_an_action_of_another_version_is_unknown(check_lines: CheckLines) -> None:
    finding = one(check_lines(['[2,"1","TransactionEvent",{}]'], ocpp="1.6"), "unknown-action")
    assert finding.message == '"TransactionEvent" is not an OCPP 1.6 action'
    finding = one(check_lines(['[2,"1","StartTransaction",{}]'], ocpp="2.0.1"), "unknown-action")
    assert finding.message == '"StartTransaction" is not an OCPP 2.0.1 action'


def test_no_unknown_action_for_a_known_one(check_lines: CheckLines) -> None:
    assert "unknown-action" not in codes(check_lines(['[2,"1","Heartbeat",{}]'], ocpp="1.6"))
    assert "unknown-action" not in codes(check_lines(['[2,"1","TransactionEvent",{}]'], ocpp="2.0.1"))


# --- schema --------------------------------------------------------------------------------------


def test_schema_enum_lists_the_allowed_values(check_lines: CheckLines) -> None:
    call = '[2,"1","BootNotification",{"reason":"Powerup","chargingStation":{"model":"m","vendorName":"v"}}]'
    findings = without(check_lines([call], ocpp="2.0.1"), "unanswered-call")
    assert [(f.severity, f.code, f.line, f.column, f.id, f.action, f.path) for f in findings] == [
        ("error", "schema", 1, 1, "1", "BootNotification", "/reason")
    ]
    assert findings[0].message == 'BootNotification request: "Powerup" is not an allowed value'
    assert findings[0].hint == (
        'did you mean "PowerUp"? allowed: ApplicationReset, FirmwareUpdate, LocalReset, PowerUp, RemoteReset, '
        "ScheduledReset, Triggered, Unknown, Watchdog"
    )


def test_schema_json_pointer_into_nested_arrays(check_lines: CheckLines) -> None:
    lines = ['[2,"1","Authorize",{"idTag":"a"}]', '[3,"1",{"idTagInfo":{"status":"Acepted"}}]']
    finding = one(check_lines(lines, ocpp="1.6"), "schema")
    assert (finding.line, finding.path) == (2, "/idTagInfo/status")
    lines = [
        '[2,"1","GetVariables",{"getVariableData":[{"component":{"name":"a"},"variable":{"name":"b"}},'
        '{"component":{"name":"a/b~c"},"variable":{"name":7}}]}]'
    ]
    finding = one(check_lines(lines, ocpp="2.0.1"), "schema")
    assert finding.path == "/getVariableData/1/variable/name"
    assert finding.message == "GetVariables request: expected string, got integer 7"
    assert finding.hint == 'write it as a string: "7"'


def test_schema_pointer_escapes_slash_and_tilde(check_lines: CheckLines) -> None:
    finding = one(check_lines(['[2,"1","Heartbeat",{"a/b~c":1}]'], ocpp="2.0.1"), "schema")
    assert finding.path == "/a~1b~0c"


def test_schema_near_miss_property_readonly(check_lines: CheckLines) -> None:
    lines = ['[2,"1","GetConfiguration",{}]', '[3,"1",{"configurationKey":[{"key":"a","readOnly":true}]}]']
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.code, f.line, f.path, f.message, f.hint) for f in findings] == [
        (
            "schema",
            2,
            "/configurationKey/0",
            'GetConfiguration response: required property "readonly" is missing',
            '"readOnly" is here: did you mean "readonly"?',
        ),
        (
            "schema",
            2,
            "/configurationKey/0/readOnly",
            'GetConfiguration response: property "readOnly" is not allowed here',
            'did you mean "readonly"?',
        ),
    ]


def test_schema_near_miss_behind_a_ref(check_lines: CheckLines) -> None:
    call = '[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"m","vendorName":"v","serialnumber":"1"}}]'
    finding = one(check_lines([call], ocpp="2.0.1"), "schema")
    assert (finding.path, finding.hint) == ("/chargingStation/serialnumber", 'did you mean "serialNumber"?')


def test_schema_near_miss_behind_a_ref_when_the_reference_explains(check_lines: CheckLines) -> None:
    call = (
        '[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":'
        '{"model":"m","vendorName":"v","serialnumber":"12345678901234567890123"}}]'
    )
    findings = check_lines(
        [call, '[3,"1",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":1}]'], ocpp="2.0.1"
    )
    finding = one(findings, "schema")
    assert (finding.path, finding.hint) == ("/chargingStation/serialnumber", 'did you mean "serialNumber"?')


def test_schema_type_hints(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","BootNotification",{"chargePointVendor":"v","chargePointModel":"m"}]',
        '[3,"1",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":20000.0}]',
        '[2,"2","BootNotification",{"chargePointVendor":"v","chargePointModel":"m"}]',
        '[3,"2",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":"300"}]',
        '[2,"3","BootNotification",{"chargePointVendor":"v","chargePointModel":"m"}]',
        '[3,"3",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":true}]',
    ]
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.line, f.path, f.message, f.hint) for f in findings] == [
        (
            2,
            "/interval",
            "BootNotification response: expected integer, got number 20000.0",
            "OCPP 1.6 schemas are draft-04: 20000.0 is not an integer there, write 20000",
        ),
        (
            4,
            "/interval",
            'BootNotification response: expected integer, got string "300"',
            "a number in quotes is a string: write 300 without quotes",
        ),
        (
            6,
            "/interval",
            "BootNotification response: expected integer, got boolean true",
            "booleans are not numbers in JSON Schema",
        ),
    ]


def test_schema_lengths_and_bounds(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","Authorize",{"idTag":"%s"}]' % ("\U0001f600" * 21),
        '[3,"1",{"idTagInfo":{"status":"Accepted"}}]',
    ]
    finding = one(check_lines(lines, ocpp="1.6"), "schema")
    assert (finding.path, finding.message) == (
        "/idTag",
        "Authorize request: string of 21 characters, at most 20 allowed",
    )
    lines = ['[2,"1","GetVariables",{"getVariableData":[]}]']
    finding = one(check_lines(lines, ocpp="2.0.1"), "schema")
    assert (finding.path, finding.message) == (
        "/getVariableData",
        "GetVariables request: array of 0 items, at least 1 allowed",
    )


def test_schema_required_at_the_root_has_the_empty_pointer(check_lines: CheckLines) -> None:
    findings = check_lines(['[2,"1","Authorize",{}]'], ocpp="1.6")
    finding = one(findings, "schema")
    assert (finding.path, finding.message) == ("", 'Authorize request: required property "idTag" is missing')


def test_no_schema_finding_for_a_valid_payload(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"m","vendorName":"v","serialNumber":"1"}}]',
        '[3,"1",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":20000.0}]',
    ]
    assert check_lines(lines, ocpp="2.0.1") == []
    lines = ['[2,"1","GetConfiguration",{}]', '[3,"1",{"configurationKey":[{"key":"a","readonly":true}]}]']
    assert check_lines(lines, ocpp="1.6") == []


# --- format --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-01-01T00:00:00", "2024-01-01 00:00:00Z", "2024-02-30T00:00:00Z"])
def test_format_date_time(check_lines: CheckLines, value: str) -> None:
    lines = ['[2,"1","Heartbeat",{}]', '[3,"1",{"currentTime":"' + value + '"}]']
    findings = check_lines(lines, ocpp="2.0.1")
    assert [(f.severity, f.code, f.line, f.path, f.action) for f in findings] == [
        ("error", "format", 2, "/currentTime", "Heartbeat")
    ]
    assert findings[0].message == f'Heartbeat response: "{value}" is not a valid date-time'
    assert (
        findings[0].hint == "RFC 3339 with a time zone offset, e.g. 2026-11-22T10:00:00Z or 2026-11-22T11:00:00.5+01:00"
    )


def test_format_uri(check_lines: CheckLines) -> None:
    findings = check_lines(['[2,"1","GetDiagnostics",{"location":"not a uri"}]', '[3,"1",{}]'], ocpp="1.6")
    finding = one(findings, "format")
    assert (finding.path, finding.message) == ("/location", 'GetDiagnostics request: "not a uri" is not a valid uri')
    assert finding.hint == "an absolute URI (RFC 3986), e.g. https://host.example/path"


def test_no_format_finding_for_rfc3339_and_uri(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","Heartbeat",{}]',
        '[3,"1",{"currentTime":"2024-02-29T23:59:59.999+05:30"}]',
        '[2,"2","GetDiagnostics",{"location":"ftp://user@example.com/diag"}]',
        '[3,"2",{}]',
    ]
    assert check_lines(lines[:2], ocpp="2.0.1") == []
    assert check_lines(lines[2:], ocpp="1.6") == []


# --- error-code ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ocpp", "code", "hint"),
    [
        ("1.6", "FormatViolation", 'OCPP 1.6 spells it "FormationViolation"'),
        ("1.6", "OccurrenceConstraintViolation", 'OCPP 1.6 spells it "OccurenceConstraintViolation"'),
        ("2.0.1", "FormationViolation", 'OCPP 2.0.1 spells it "FormatViolation"'),
        ("2.0.1", "OccurenceConstraintViolation", 'OCPP 2.0.1 spells it "OccurrenceConstraintViolation"'),
        ("2.1", "genericerror", 'OCPP 2.1 spells it "GenericError"'),
    ],
)
def test_error_code(check_lines: CheckLines, ocpp: str, code: str, hint: str) -> None:
    findings = check_lines(['[2,"1","Heartbeat",{}]', f'[4,"1","{code}","",{{}}]'], ocpp=ocpp)
    assert [(f.severity, f.code, f.line, f.id, f.message, f.hint) for f in findings] == [
        ("error", "error-code", 2, "1", f'"{code}" is not an OCPP {ocpp} CALLERROR code', hint)
    ]


def test_error_code_far_from_any_lists_them(check_lines: CheckLines) -> None:
    findings = check_lines(['[2,"1","Heartbeat",{}]', '[4,"1","Bogus","",{}]'], ocpp="1.6")
    assert one(findings, "error-code").hint == (
        "codes: FormationViolation, GenericError, InternalError, NotImplemented, NotSupported, "
        "OccurenceConstraintViolation, PropertyConstraintViolation, ProtocolError, SecurityError, TypeConstraintViolation"
    )


@pytest.mark.parametrize(
    ("ocpp", "code"),
    [
        ("1.6", "FormationViolation"),
        ("1.6", "OccurenceConstraintViolation"),
        ("2.0.1", "FormatViolation"),
        ("2.1", "RpcFrameworkError"),
    ],
)
def test_no_error_code_finding_for_the_version_spelling(check_lines: CheckLines, ocpp: str, code: str) -> None:
    assert check_lines(['[2,"1","Heartbeat",{}]', f'[4,"1","{code}","",{{}}]'], ocpp=ocpp) == []


# --- direction -----------------------------------------------------------------------------------


def test_direction(check_lines: CheckLines) -> None:
    get_variables = '[2,"1","GetVariables",{"getVariableData":[{"component":{"name":"a"},"variable":{"name":"b"}}]}]'
    lines = [rec(get_variables, **{"from": "station"}), rec('[2,"2","Heartbeat",{}]', **{"from": "csms"})]
    findings = without(check_lines(lines, ocpp="2.0.1"), "unanswered-call")
    assert [(f.severity, f.code, f.line, f.column, f.station, f.id, f.action, f.message, f.hint) for f in findings] == [
        (
            "error",
            "direction",
            1,
            raw_column(lines[0]),
            "CP1",
            "1",
            "GetVariables",
            "GetVariables is sent by the CSMS, not by the station",
            DIRECTION_HINT,
        ),
        (
            "error",
            "direction",
            2,
            raw_column(lines[1]),
            "CP1",
            "2",
            "Heartbeat",
            "Heartbeat is sent by the station, not by the CSMS",
            DIRECTION_HINT,
        ),
    ]


def test_no_direction_when_the_side_may_send_it_or_is_unknown(check_lines: CheckLines) -> None:
    lines = [
        rec('[2,"1","Heartbeat",{}]', **{"from": "station"}),
        rec('[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]', **{"from": "csms"}),
        rec('[2,"2","DataTransfer",{"vendorId":"com.example"}]', **{"from": "csms"}),
        rec('[3,"2",{"status":"Accepted"}]', **{"from": "station"}),
        rec('[2,"3","DataTransfer",{"vendorId":"com.example"}]', **{"from": "station"}),
        rec('[3,"3",{"status":"Accepted"}]', **{"from": "csms"}),
        '[2,"4","GetVariables",{"getVariableData":[{"component":{"name":"a"},"variable":{"name":"b"}}]}]',
        '[3,"4",{"getVariableResult":[{"attributeStatus":"Accepted","component":{"name":"a"},"variable":{"name":"b"}}]}]',
    ]
    assert check_lines(lines, ocpp="2.0.1") == []


# --- responses, orphans, unanswered calls, duplicate ids -----------------------------------------


def test_response_is_checked_against_its_calls_action(check_lines: CheckLines) -> None:
    lines = ['[2,"1","Heartbeat",{}]', '[3,"1",{"status":"Accepted"}]']
    findings = check_lines(lines, ocpp="2.0.1")
    assert [(f.code, f.line, f.action, f.path, f.message) for f in findings] == [
        ("schema", 2, "Heartbeat", "/status", 'Heartbeat response: property "status" is not allowed here'),
        ("schema", 2, "Heartbeat", "", 'Heartbeat response: required property "currentTime" is missing'),
    ]
    assert findings[0].hint == "allowed here: currentTime, customData"


def test_the_same_response_fits_another_call(check_lines: CheckLines) -> None:
    lines = ['[2,"1","ClearCache",{}]', '[3,"1",{"status":"Accepted"}]']
    assert check_lines(lines, ocpp="2.0.1") == []


def test_orphan_response(check_lines: CheckLines) -> None:
    findings = check_lines(['[3,"1",{}]', '[4,"2","GenericError","",{}]'], ocpp="2.0.1")
    assert [(f.severity, f.code, f.line, f.id, f.message, f.hint) for f in findings] == [
        ("error", "orphan-response", 1, "1", "CALLRESULT '1' answers no open CALL", ORPHAN_HINT),
        ("error", "orphan-response", 2, "2", "CALLERROR '2' answers no open CALL", ORPHAN_HINT),
    ]


def test_a_call_answered_twice_makes_the_second_answer_an_orphan(check_lines: CheckLines) -> None:
    lines = ['[2,"1","Heartbeat",{}]', HEARTBEAT_16_RESULT, HEARTBEAT_16_RESULT]
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.code, f.line) for f in findings] == [("orphan-response", 3)]


def test_unanswered_call(check_lines: CheckLines) -> None:
    lines = [rec('[2,"7","Heartbeat",{}]', ts="2026-11-22T10:00:00.123Z", **{"from": "station"})]
    findings = check_lines(lines, ocpp="2.0.1")
    assert [(f.severity, f.code, f.line, f.column, f.station, f.id, f.action, f.message, f.hint) for f in findings] == [
        (
            "warning",
            "unanswered-call",
            1,
            raw_column(lines[0]),
            "CP1",
            "7",
            "Heartbeat",
            "Heartbeat call '7' was never answered",
            UNANSWERED_HINT,
        )
    ]


def test_unanswered_call_reported_when_its_connection_closes(check_lines: CheckLines) -> None:
    lines = [
        json.dumps({"station": "CP1", "conn": 1, "event": "connect", "subprotocol": "ocpp2.0.1"}),
        rec('[2,"7","Heartbeat",{}]', **{"from": "station"}),
        json.dumps({"station": "CP1", "conn": 1, "event": "close", "code": 1006}),
        rec('[2,"8","Heartbeat",{}]', station="CP2", **{"from": "station"}),
        rec('[3,"8",{"currentTime":"2024-01-01T00:00:00Z"}]', station="CP2", **{"from": "csms"}),
    ]
    findings = check_lines(lines, ocpp="2.0.1")
    assert [(f.code, f.line, f.station, f.id) for f in findings] == [("unanswered-call", 2, "CP1", "7")]


def test_no_unanswered_call_when_answered_by_result_or_error(check_lines: CheckLines) -> None:
    lines = ['[2,"1","Heartbeat",{}]', HEARTBEAT_16_RESULT, '[2,"2","Heartbeat",{}]', '[4,"2","InternalError","",{}]']
    assert check_lines(lines, ocpp="1.6") == []


def test_duplicate_id(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","Heartbeat",{}]',
        '[2,"1","Authorize",{"idTag":"a"}]',
        '[3,"1",{"idTagInfo":{"status":"Accepted"}}]',
    ]
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.severity, f.code, f.line, f.id, f.action, f.message, f.hint) for f in findings] == [
        (
            "error",
            "duplicate-id",
            2,
            "1",
            "Authorize",
            "unique id '1' reused while the Heartbeat call of line 1 is open",
            "each CALL needs a fresh unique id (a UUID)",
        )
    ]


def test_no_duplicate_id_once_the_call_is_answered(check_lines: CheckLines) -> None:
    lines = ['[2,"1","Heartbeat",{}]', HEARTBEAT_16_RESULT, '[2,"1","Heartbeat",{}]', HEARTBEAT_16_RESULT]
    assert check_lines(lines, ocpp="1.6") == []


def test_ids_are_scoped_per_station(check_lines: CheckLines) -> None:
    lines = [
        rec('[2,"1","Heartbeat",{}]', station="CP1"),
        rec('[2,"1","Heartbeat",{}]', station="CP2"),
        rec(HEARTBEAT_16_RESULT, station="CP2"),
        rec(HEARTBEAT_16_RESULT, station="CP1"),
    ]
    assert check_lines(lines, ocpp="1.6") == []


def test_ids_are_scoped_per_connection(check_lines: CheckLines) -> None:
    """A reconnect starts afresh: the old call is unanswered, the new one is no duplicate."""
    lines = [
        rec('[2,"1","Heartbeat",{}]', conn=1),
        rec('[2,"1","Heartbeat",{}]', conn=2),
        rec(HEARTBEAT_16_RESULT, conn=2),
    ]
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.code, f.line, f.station) for f in findings] == [("unanswered-call", 1, "CP1")]


def test_a_response_on_another_connection_is_an_orphan(check_lines: CheckLines) -> None:
    lines = [rec('[2,"1","Heartbeat",{}]', conn=1), rec(HEARTBEAT_16_RESULT, conn=2)]
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.code, f.line) for f in findings] == [("orphan-response", 2), ("unanswered-call", 1)]


def test_ids_are_keyed_by_the_calling_side(check_lines: CheckLines) -> None:
    """Both sides of a link counting from "1" is no clash when `from` says who sent what."""
    lines = [
        rec('[2,"1","Heartbeat",{}]', **{"from": "station"}),
        rec('[2,"1","Reset",{"type":"Immediate"}]', **{"from": "csms"}),
        rec('[3,"1",{"status":"Accepted"}]', **{"from": "station"}),
        rec('[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]', **{"from": "csms"}),
    ]
    assert check_lines(lines, ocpp="2.0.1") == []


def test_without_from_the_id_alone_matches(check_lines: CheckLines) -> None:
    lines = [
        rec('[2,"1","Heartbeat",{}]'),
        rec('[2,"1","Reset",{"type":"Immediate"}]'),
        rec('[3,"1",{"status":"Accepted"}]'),
    ]
    findings = check_lines(lines, ocpp="2.0.1")
    assert [(f.code, f.line) for f in findings] == [("duplicate-id", 2)]


# --- duplicate-key -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    ['[2,"1","Authorize",{"idTag":"a","idTag":"b"}]', '[2, "1", "Authorize", {"idTag": "a", "idTag": "b"}]'],
    ids=["compact", "spaced"],
)
def test_duplicate_key(check_lines: CheckLines, call: str) -> None:
    findings = check_lines([call, '[3,"1",{"idTagInfo":{"status":"Accepted"}}]'], ocpp="1.6")
    assert [(f.severity, f.code, f.line, f.column, f.id, f.action, f.message, f.hint) for f in findings] == [
        (
            "warning",
            "duplicate-key",
            1,
            1,
            "1",
            "Authorize",
            'key "idTag" occurs twice in one object; receivers keep one of them',
            "remove the repeated key",
        )
    ]


def test_duplicate_key_in_a_record_with_a_frame_value(check_lines: CheckLines) -> None:
    findings = check_lines(['{"station":"CP1","station":"CP2","frame":[2,"1","Heartbeat",{}]}'], ocpp="1.6")
    finding = one(findings, "duplicate-key")
    assert (finding.severity, finding.line, finding.message) == (
        "warning",
        1,
        'key "station" occurs twice in one object; receivers keep one of them',
    )


def test_no_duplicate_key_for_the_same_key_in_two_objects(check_lines: CheckLines) -> None:
    lines = [
        '[2, "1", "DataTransfer", {"vendorId": "com.example", "data": {"vendorId": "x"}}]',
        '[3,"1",{"status":"Accepted"}]',
    ]
    assert check_lines(lines, ocpp="2.0.1") == []


# --- vendor-id -----------------------------------------------------------------------------------

VENDOR_HINT = 'use the vendor\'s reversed domain, e.g. "com.example.feature"'


def test_vendor_id_of_data_transfer(check_lines: CheckLines) -> None:
    lines = ['[2,"1","DataTransfer",{"vendorId":"ACME"}]', '[3,"1",{"status":"Accepted"}]']
    findings = check_lines(lines, ocpp="1.6")
    assert [(f.severity, f.code, f.line, f.id, f.action, f.path, f.message, f.hint) for f in findings] == [
        (
            "warning",
            "vendor-id",
            1,
            "1",
            "DataTransfer",
            "/vendorId",
            'DataTransfer vendorId "ACME" is not a dotted reverse-DNS name (P01.FR.02, P02.FR.03)',
            VENDOR_HINT,
        )
    ]


def test_vendor_id_forward_dns_suggests_the_reverse(check_lines: CheckLines) -> None:
    lines = ['[2,"1","DataTransfer",{"vendorId":"example.com"}]', '[3,"1",{"status":"Accepted"}]']
    finding = one(check_lines(lines, ocpp="2.0.1"), "vendor-id")
    assert finding.hint == 'use the vendor\'s reversed domain, e.g. "com.example"'
    assert "forward DNS name" in finding.message


@pytest.mark.parametrize(
    ("vendor", "message"),
    [
        ("example.com", 'DataTransfer vendorId "example.com" looks like a forward DNS name (P01.FR.02, P02.FR.03)'),
        (
            "acme.charging",
            'DataTransfer vendorId "acme.charging" does not start with a top-level domain (P01.FR.02, P02.FR.03)',
        ),
    ],
)
def test_vendor_id_message_grammar(check_lines: CheckLines, vendor: str, message: str) -> None:
    finding = one(check_lines([f'[2,"1","DataTransfer",{{"vendorId":"{vendor}"}}]'], ocpp="2.0.1"), "vendor-id")
    assert finding.message == message


def test_vendor_id_in_nested_custom_data(check_lines: CheckLines) -> None:
    call = (
        '[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"m","vendorName":"v",'
        '"customData":{"vendorId":"acme","x":1}},"customData":{"vendorId":"org.example"}}]'
    )
    result = '[3,"1",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":1,"customData":{"vendorId":"ACME"}}]'
    findings = check_lines([call, result], ocpp="2.0.1")
    assert [(f.severity, f.code, f.line, f.path, f.message) for f in findings] == [
        (
            "warning",
            "vendor-id",
            1,
            "/chargingStation/customData/vendorId",
            'customData vendorId "acme" is not a dotted reverse-DNS name (P01.FR.02, P02.FR.03)',
        ),
        (
            "warning",
            "vendor-id",
            2,
            "/customData/vendorId",
            'customData vendorId "ACME" is not a dotted reverse-DNS name (P01.FR.02, P02.FR.03)',
        ),
    ]


@pytest.mark.parametrize("vendor", ["com.example", "org.openchargealliance.costmsg", "de.example-energy.ocpp", "io.x"])
def test_no_vendor_id_finding_for_reverse_dns(check_lines: CheckLines, vendor: str) -> None:
    lines = [
        f'[2,"1","DataTransfer",{{"vendorId":"{vendor}","customData":{{"vendorId":"{vendor}"}}}}]',
        '[3,"1",{"status":"Accepted"}]',
    ]
    assert check_lines(lines, ocpp="2.0.1") == []


def test_vendor_id_elsewhere_is_not_linted(check_lines: CheckLines) -> None:
    """Only DataTransfer's and customData's vendorId name a vendor extension."""
    lines = [
        '[2,"1","DataTransfer",{"vendorId":"com.example","data":{"vendorId":"ACME"}}]',
        '[3,"1",{"status":"Accepted"}]',
    ]
    assert check_lines(lines, ocpp="2.0.1") == []


# --- record --------------------------------------------------------------------------------------


def test_record_findings(check_lines: CheckLines) -> None:
    lines = [
        '{"station":"CP1","from":"evse","raw":"[2,\\"1\\",\\"Heartbeat\\",{}]"}',
        '{"station":"CP1","ocpp":"3.0","raw":"[2,\\"2\\",\\"Heartbeat\\",{}]"}',
        '{"station":"CP1","raw":5}',
        '{"station":"CP1","event":"open"}',
        '{"station":"CP1","event":"connect","subprotocol":"ocpp9"}',
        '{"station":"CP1"}',
    ]
    findings = without(check_lines(lines, ocpp="1.6"), "unanswered-call")
    assert [(f.severity, f.code, f.line, f.station, f.message, f.hint) for f in findings] == [
        ("warning", "record", 1, "CP1", '"from" must be "station" or "csms", got \'evse\'', None),
        ("error", "record", 3, "CP1", '"raw" must hold the frame\'s text as a string', None),
        ("warning", "record", 4, "CP1", "unknown event 'open'", '"connect" or "close"'),
        ("warning", "record", 5, "CP1", "unknown subprotocol 'ocpp9'", "ocpp1.6, ocpp2.0.1 or ocpp2.1"),
        ("error", "record", 6, "CP1", 'a capture record holds "raw", "frame" or "event"', "see docs/capture-format.md"),
    ]


def test_record_with_an_unknown_ocpp_version(check_lines: CheckLines) -> None:
    findings = check_lines(['{"station":"CP1","ocpp":"3.0","raw":"[2,\\"2\\",\\"Heartbeat\\",{}]"}'])
    finding = one(findings, "record")
    assert (finding.severity, finding.line, finding.message, finding.hint) == (
        "warning",
        1,
        "unknown ocpp version '3.0'",
        "1.6, 2.0.1 or 2.1",
    )


def test_no_record_finding_for_good_records(check_lines: CheckLines) -> None:
    lines = [
        json.dumps(
            {
                "ts": "2026-11-22T10:00:00.000Z",
                "station": "CP1",
                "conn": 1,
                "event": "connect",
                "subprotocol": "ocpp1.6",
                "remote": "10.0.0.1",
            }
        ),
        rec(
            '[2,"1","Heartbeat",{}]', ts="2026-11-22T10:00:00.123Z", ocpp="1.6", extra="ignored", **{"from": "station"}
        ),
        json.dumps(
            {
                "station": "CP1",
                "conn": 1,
                "ocpp": "1.6",
                "from": "csms",
                "frame": [3, "1", {"currentTime": "2024-01-01T00:00:00Z"}],
            }
        ),
        json.dumps({"station": "CP1", "conn": 1, "event": "close", "code": 1000, "reason": "bye"}),
    ]
    assert check_lines(lines) == []


# --- version (info) ------------------------------------------------------------------------------


def test_version_inferred_and_why(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","BootNotification",{"chargePointVendor":"v","chargePointModel":"m"}]',
        '[3,"1",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":300}]',
    ]
    findings = check_lines(lines)
    assert [(f.severity, f.code, f.line, f.message) for f in findings] == [
        (
            "info",
            "version",
            1,
            "read as OCPP 1.6 from 1 call (1.6: 1 valid, 1 known, 2.0.1: 0 valid, 1 known, 2.1: 0 valid, 1 known)",
        )
    ]


def test_version_inferred_findings_follow_the_inferred_version(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","BootNotification",{"chargePointVendor":"v","chargePointModel":"m"}]',
        '[3,"1",{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":300}]',
        '[2,"2","Heartbeat",{}]',
        '[4,"2","FormatViolation","",{}]',
    ]
    findings = check_lines(lines)
    assert [(f.code, f.line) for f in findings] == [("version", 1), ("error-code", 4)]


def test_version_ambiguous(check_lines: CheckLines) -> None:
    lines = ['[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"m","vendorName":"v"}}]']
    finding = one(check_lines(lines), "version")
    assert finding.severity == "info"
    assert finding.message == (
        "read as OCPP 2.0.1, but 2.0.1 and 2.1 fit the 1 call equally "
        "(1.6: 0 valid, 1 known, 2.0.1: 1 valid, 1 known, 2.1: 1 valid, 1 known); pass --ocpp to choose"
    )


def test_version_from_message_types_5_and_6(check_lines: CheckLines) -> None:
    lines = [
        '[6,"1","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2024-01-01T00:00:00Z","data":[{"t":0,"v":"1"}]}]'
    ]
    findings = check_lines(lines)
    assert [(f.code, f.message) for f in findings] == [
        ("version", "message types 5/6 (CALLRESULTERROR, SEND) exist only in OCPP 2.1")
    ]


def test_version_cannot_be_told(check_lines: CheckLines) -> None:
    findings = check_lines(['[3,"1",{}]'])
    assert [(f.severity, f.code, f.message) for f in findings][0] == (
        "warning",
        "version",
        "no CALL frame to tell the version by, so no schema was checked; pass --ocpp",
    )
    findings = check_lines(['[2,"1","Frobnicate",{}]'])
    assert one(findings, "version").message == "the call is not a known action, so no schema was checked; pass --ocpp"
    assert one(findings, "version").severity == "warning"
    findings = check_lines(['[2,"1","Frobnicate",{}]', '[2,"2","Frob",{}]'])
    assert one(findings, "version").message == (
        "none of the 2 calls is a known action, so no schema was checked; pass --ocpp"
    )


def test_no_version_finding_when_the_version_is_given(check_lines: CheckLines) -> None:
    assert check_lines(['[2,"1","Heartbeat",{}]', HEARTBEAT_16_RESULT], ocpp="1.6") == []
    assert check_lines([rec('[2,"1","Heartbeat",{}]', ocpp="1.6"), rec(HEARTBEAT_16_RESULT, ocpp="1.6")]) == []
    connect = json.dumps({"station": "CP1", "conn": 1, "event": "connect", "subprotocol": "ocpp1.6"})
    assert check_lines([connect, rec('[2,"1","Heartbeat",{}]'), rec(HEARTBEAT_16_RESULT)]) == []


# --- OCPP 2.1: CALLRESULTERROR and SEND ----------------------------------------------------------

NOTIFY_STREAM = '[6,"9","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2024-01-01T00:00:00Z","data":[{"t":0,"v":"1"}]}]'


def test_callresulterror_after_a_callresult(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","Heartbeat",{}]',
        '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
        '[5,"1","InternalError","could not",{}]',
    ]
    summary = Summary()
    assert check_lines(lines, ocpp="2.1", summary=summary) == []
    assert (summary.calls, summary.results, summary.callresulterrors) == (1, 1, 1)


def test_callresulterror_without_a_callresult(check_lines: CheckLines) -> None:
    findings = check_lines(
        ['[2,"1","Heartbeat",{}]', '[5,"1","InternalError","x",{}]', '[4,"1","InternalError","",{}]'], ocpp="2.1"
    )
    assert [(f.severity, f.code, f.line, f.id, f.message) for f in findings] == [
        ("warning", "orphan-response", 2, "1", "CALLRESULTERROR '1' refers to no CALLRESULT seen")
    ]


def test_callresulterror_error_code(check_lines: CheckLines) -> None:
    lines = [
        '[2,"1","Heartbeat",{}]',
        '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
        '[5,"1","FormationViolation","x",{}]',
    ]
    findings = check_lines(lines, ocpp="2.1")
    assert [(f.code, f.line, f.message, f.hint) for f in findings] == [
        (
            "error-code",
            3,
            '"FormationViolation" is not an OCPP 2.1 CALLRESULTERROR code',
            'OCPP 2.1 spells it "FormatViolation"',
        )
    ]


def test_send_is_checked_against_its_schema_and_never_answered(check_lines: CheckLines) -> None:
    summary = Summary()
    assert check_lines([NOTIFY_STREAM], ocpp="2.1", summary=summary) == []
    assert (summary.sends, summary.calls) == (1, 0)
    bad = NOTIFY_STREAM.replace('"data":[{"t":0,"v":"1"}]', '"data":[]')
    findings = check_lines([bad], ocpp="2.1")
    assert [(f.code, f.path, f.message) for f in findings] == [
        ("schema", "/data", "NotifyPeriodicEventStream send: array of 0 items, at least 1 allowed")
    ]


def test_send_and_call_are_not_interchangeable(check_lines: CheckLines) -> None:
    lines = ['[2,"2","NotifyPeriodicEventStream",{}]', '[6,"3","Heartbeat",{}]']
    findings = check_lines(lines, ocpp="2.1")
    assert [(f.severity, f.code, f.line, f.action, f.message) for f in findings] == [
        (
            "error",
            "message-type",
            1,
            "NotifyPeriodicEventStream",
            "NotifyPeriodicEventStream travels as SEND (6) in OCPP 2.1",
        ),
        ("error", "message-type", 2, "Heartbeat", "Heartbeat travels as CALL (2) in OCPP 2.1"),
    ]


def test_send_direction(check_lines: CheckLines) -> None:
    findings = check_lines([rec(NOTIFY_STREAM, **{"from": "csms"})], ocpp="2.1")
    assert [(f.code, f.message) for f in findings] == [
        ("direction", "NotifyPeriodicEventStream is sent by the station, not by the CSMS")
    ]
    assert check_lines([rec(NOTIFY_STREAM, **{"from": "station"})], ocpp="2.1") == []


# --- the inputs the whole run survives -----------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ('[2,"1","DataTransfer",{"vendorId":"com.example","data":1e400}]', []),
        ('[2,"1","Authorize",{"idToken":{"idToken":"\\ud800","type":"Central"}}]', []),
        ('[2,"1","Authorize",{"idToken":{"idToken":"\\ud800","type":"Centrl"}}]', [("schema", "/idToken/type")]),
    ],
)
def test_exactly_parsed_frames_are_checked(
    check_lines: CheckLines, frame: str, expected: list[tuple[str, str]]
) -> None:
    findings = without(check_lines([frame], ocpp="2.0.1"), "unanswered-call")
    assert [(f.code, f.path) for f in findings] == expected


def test_summary_counts(check_lines: CheckLines) -> None:
    summary = Summary()
    lines = [
        "",
        '[2,"1","Heartbeat",{}]',
        HEARTBEAT_16_RESULT,
        '[2,"2","Heartbeat",{}]',
        '[4,"2","InternalError","",{}]',
        "   ",
        '[2,"3","Heartbeat",{}',
    ]
    findings = check_lines(lines, ocpp="1.6", summary=summary)
    assert codes(findings) == ["json-syntax"]
    assert (summary.frames, summary.calls, summary.results, summary.callerrors, summary.errors) == (5, 2, 1, 1, 1)
    assert summary.codes == {"json-syntax": 1}
    stats = summary.actions["Heartbeat"]
    assert (stats.calls, stats.results, stats.callerrors) == (2, 1, 1)


@pytest.mark.parametrize("conn", ["true", "[1]", '{"n":1}'])
def test_conn_that_is_not_a_number_or_string_is_a_record_warning(check_lines: CheckLines, conn: str) -> None:
    line = '{"station":"5","conn":' + conn + ',"from":"station","ocpp":"1.6","frame":[2,"2","Heartbeat",{}]}'
    found = one(check_lines([line]), "record")
    assert (found.severity, found.message) == ("warning", '"station" must be a string and "conn" a number or string')


def test_null_where_a_string_belongs_reads_once(check_lines: CheckLines) -> None:
    """It read "expected string, got null null"."""
    findings = check_lines(['[2,"9","Authorize",{"idTag":null}]'], ocpp="1.6")
    assert [(f.code, f.message) for f in findings if f.code == "schema"] == [
        ("schema", "Authorize request: expected string, got null")
    ]
