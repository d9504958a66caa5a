"""A REPL line as data (repl/lines.py): what parse_line reads, when Enter continues the line
(unbalanced), and the first problem the toolbar shows as you type (first_problem)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ocppctl.core.findings import ERROR, Finding
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V201
from ocppctl.errors import UsageFailure
from ocppctl.repl.lines import CallLine, MetaLine, first_problem, parse_line, payload_of, starts_command, unbalanced

# --- parse_line ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":use CP1", MetaLine(":use", "CP1")),
        (":quit", MetaLine(":quit", "")),
        ('  :reply  7 {"status": "Accepted"}  ', MetaLine(":reply", '7 {"status": "Accepted"}')),
        (":help   use  x", MetaLine(":help", "use  x")),
    ],
)
def test_a_meta_line_is_its_name_and_the_rest_of_the_line(text: str, expected: MetaLine) -> None:
    assert parse_line(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\t\n  "])
def test_a_blank_line_asks_for_nothing(text: str) -> None:
    assert parse_line(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Reset {"type": "Immediate"}', CallLine("Reset", {"type": "Immediate"})),
        ('  Reset   {"type": "OnIdle", "evseId": 1}  ', CallLine("Reset", {"type": "OnIdle", "evseId": 1})),
        # a JSON payload typed over several lines (Enter continues an open object)
        ('Reset {"type":\n"Immediate"\n}', CallLine("Reset", {"type": "Immediate"})),
        ("Heartbeat {}", CallLine("Heartbeat", {})),
    ],
)
def test_an_action_with_json(text: str, expected: CallLine) -> None:
    assert parse_line(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reset type=Immediate", CallLine("Reset", {"type": "Immediate"})),
        # path:=json keeps the JSON type
        (
            "X n:=5 flag:=true list:=[1,2] big:=1.5e3 none:=null",
            CallLine("X", {"n": 5, "flag": True, "list": [1, 2], "big": 1500.0, "none": None}),
        ),
        ("X obj:='{\"k\": null}'", CallLine("X", {"obj": {"k": None}})),
        # nested paths and array indexes
        (
            "GetVariables getVariableData[0].component.name=A getVariableData[0].variable.name=B "
            "getVariableData[1].component.name=C getVariableData[1].variable.name=D",
            CallLine(
                "GetVariables",
                {
                    "getVariableData": [
                        {"component": {"name": "A"}, "variable": {"name": "B"}},
                        {"component": {"name": "C"}, "variable": {"name": "D"}},
                    ]
                },
            ),
        ),
        ("X a.b.c=deep", CallLine("X", {"a": {"b": {"c": "deep"}}})),
        # path=value is always a string, even when it looks like a number
        ("X a=1", CallLine("X", {"a": "1"})),
        ("X a=", CallLine("X", {"a": ""})),
        # the later item wins
        ("X a.b=1 a.b=2", CallLine("X", {"a": {"b": "2"}})),
    ],
)
def test_an_action_with_items(text: str, expected: CallLine) -> None:
    assert parse_line(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('X a.b="two words"', "two words"),
        ("X 'a.b=two words'", "two words"),
        ("X a.b=two\\ words", "two words"),
        # as in a shell, single quotes keep the double quotes inside them
        ("X 'a.b=\"two words\"'", '"two words"'),
        ("X a.b='it''s'", "its"),
    ],
)
def test_items_are_split_with_shell_style_quoting(text: str, value: str) -> None:
    assert parse_line(text) == CallLine("X", {"a": {"b": value}})


@pytest.mark.parametrize("text", ["Heartbeat", "  Heartbeat  "])
def test_an_action_with_no_payload_has_an_empty_object(text: str) -> None:
    assert parse_line(text) == CallLine("Heartbeat", {})


def test_payload_of_reads_json_items_or_nothing() -> None:
    assert payload_of("   ") == {}
    assert payload_of(' {"a": [1]} ') == {"a": [1]}
    assert payload_of("a[0]=x a[1]=y") == {"a": ["x", "y"]}


def test_an_at_file_payload_is_read_from_the_file(tmp_path: Path) -> None:
    source = tmp_path / "reset.json"
    source.write_text('{"type": "OnIdle"}', encoding="utf-8")
    assert parse_line(f"Reset @{source}") == CallLine("Reset", {"type": "OnIdle"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Reset {bad",
            "the payload argument is not JSON: Expecting property name enclosed in double quotes (line 1, column 2)",
        ),
        ('Reset {"type":1', "the payload argument is not JSON: Expecting ',' delimiter (line 1, column 10)"),
        ('Reset {"type": "Immediate"} extra', "the payload argument is not JSON: Extra data (line 1, column 23)"),
        # bad items
        ("X a", "item 'a': an item is path=value (a string) or path:=json (at column 2)"),
        ("X [1]", "item '[1]': an item is path=value (a string) or path:=json (at column 4)"),
        ("X =1", "item '=1': the path before '=' is empty (at column 1)"),
        ("X a[x]=1", "item 'a[x]=1': an index is a number in brackets, e.g. [0] (at column 2)"),
        ("X a[1]=x", "item 'a[1]=x': index 1 skips past the end (the array has 0 items) (at column 2)"),
        ("X a:=nope", "item 'a:=nope': not JSON after ':=': Expecting value (at column 4)"),
        ("X a=1 a.b=2", "item 'a.b=2': \"b\" needs an object here, but this is a string (at column 3)"),
        ("X a=1 'b", "cannot split the items: No closing quotation"),
        ("X @/nonexistent-dir/p.json", "/nonexistent-dir/p.json: cannot read: No such file or directory"),
    ],
)
def test_a_payload_that_cannot_be_read_is_a_usage_failure(text: str, message: str) -> None:
    with pytest.raises(UsageFailure) as caught:
        parse_line(text)
    assert caught.value.message == message


def test_standard_input_cannot_be_the_payload_in_the_repl() -> None:
    with pytest.raises(UsageFailure) as caught:
        parse_line("Reset -")
    assert caught.value.message == "- (standard input) cannot be read in the REPL: give the payload on the line"


# --- unbalanced ----------------------------------------------------------------------------------

UNBALANCED: list[tuple[str, bool]] = [
    ("", False),
    (":help", False),
    ("Heartbeat", False),
    ('Reset {"type":', True),
    ('Reset {"type": "Immediate"}', False),
    ('Reset {"type":\n"Immediate"\n}', False),
    ('X {"a": [1, 2', True),
    ('X {"a": [1, 2]', True),
    ('X {"a": [1, 2]}', False),
    ("X a:=[1,", False),  # items never hold a line open: only a JSON payload does
    ("X a:=[1,2]", False),
    ("GetVariables getVariableData[0].component.name=A", False),
    # braces and brackets inside a string do not count
    ('X {"a": "}"', True),
    ('X {"a": "}"}', False),
    ('X {"a": "{["}', False),
    # an escaped quote does not end the string; an escaped backslash does not escape the quote
    ('X {"a": "\\"}', True),
    ('X {"a": "\\"}"}', False),
    ('X {"a": "\\\\"}', False),
    ('X {"a": "\\\\"', True),
    # a quote still open: whatever follows is inside it
    ('X {"a": "x}', True),
    ('X "{', False),
    # more closed than opened is not open
    ("X }", False),
    ("X ]]", False),
]


@pytest.mark.parametrize(("text", "expected"), UNBALANCED)
def test_unbalanced(text: str, expected: bool) -> None:
    assert unbalanced(text) is expected


def test_a_brace_in_a_single_quoted_item_value_does_not_hold_the_line_open(registry: SchemaRegistry) -> None:
    text = "DataTransfer vendorId=com.example 'data={'"
    assert parse_line(text) == CallLine("DataTransfer", {"vendorId": "com.example", "data": "{"})
    assert first_problem(text, registry, V201, "csms") is None
    assert unbalanced(text) is False
    assert unbalanced("DataTransfer vendorId=com.example data={") is False
    assert unbalanced(':reply 42 {"status": "Accepted",') is True
    assert unbalanced(":reply 42 status=Accepted") is False


# --- first_problem -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "GetVariables getVariableData[0].component.name=A getVariableData[0].variable.name=B",
        'Reset {"type": "Immediate"}',
        "Reset type=OnIdle evseId:=1",
    ],
)
def test_no_problem_for_a_valid_call(registry: SchemaRegistry, text: str) -> None:
    assert first_problem(text, registry, V201, "csms") is None


def test_now_in_an_item_is_the_time_of_the_line() -> None:
    """`timestamp:=now-1m` in the REPL: the time the line was read, shifted, as RFC 3339 UTC."""
    from datetime import datetime, timedelta, timezone

    before = datetime.now(timezone.utc) - timedelta(minutes=1)
    line = parse_line("StatusNotification timestamp:=now-1m connectorStatus=Available evseId:=1 connectorId:=1")
    after = datetime.now(timezone.utc) - timedelta(minutes=1)
    assert isinstance(line, CallLine)
    stamp = line.payload["timestamp"]
    assert stamp.endswith("Z") and len(stamp) == len("2026-11-22T10:00:00.123Z")
    assert before - timedelta(milliseconds=1) <= datetime.fromisoformat(stamp.replace("Z", "+00:00")) <= after


def test_a_call_with_now_is_valid_as_typed(registry: SchemaRegistry) -> None:
    text = "StatusNotification timestamp:=now connectorStatus=Available evseId:=1 connectorId:=1"
    assert first_problem(text, registry, V201, "station") is None


@pytest.mark.parametrize("text", ["", "   ", ":use CP1", ":nosuch at all", ':reply 1 {"bad'])
def test_no_problem_for_a_blank_or_meta_line(registry: SchemaRegistry, text: str) -> None:
    assert first_problem(text, registry, V201, "csms") is None


@pytest.mark.parametrize(
    ("text", "version", "expected"),
    [
        (
            "GetVariablez",
            V201,
            Finding(
                ERROR,
                "unknown-action",
                '"GetVariablez" is not an OCPP 2.0.1 action',
                hint='did you mean "GetVariables"?',
                action="GetVariablez",
            ),
        ),
        (
            "Fooo",
            V201,
            Finding(
                ERROR,
                "unknown-action",
                '"Fooo" is not an OCPP 2.0.1 action',
                hint="`ocppctl actions --ocpp 2.0.1` lists them",
                action="Fooo",
            ),
        ),
        (
            "GetConfiguration",
            V201,
            Finding(
                ERROR,
                "unknown-action",
                '"GetConfiguration" is not an OCPP 2.0.1 action',
                hint="OCPP 2.0.1 does this with GetVariables",
                action="GetConfiguration",
            ),
        ),
        (
            "GetVariables",
            V16,
            Finding(
                ERROR,
                "unknown-action",
                '"GetVariables" is not an OCPP 1.6 action',
                hint="OCPP 1.6 does this with GetConfiguration",
                action="GetVariables",
            ),
        ),
    ],
)
def test_an_unknown_action(registry: SchemaRegistry, text: str, version: Any, expected: Finding) -> None:
    assert first_problem(text, registry, version, "csms") == expected


def test_an_action_the_side_may_not_send(registry: SchemaRegistry) -> None:
    assert first_problem("Heartbeat", registry, V201, "csms") == Finding(
        ERROR,
        "direction",
        "Heartbeat is sent by the station, not by the CSMS",
        hint="ocppctl is the CSMS on this link (--no-validate sends it anyway)",
        action="Heartbeat",
    )
    assert first_problem("Heartbeat", registry, V201, "station") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Reset type=Later",
            Finding(
                ERROR,
                "schema",
                'Reset request: "Later" is not an allowed value',
                hint="allowed: Immediate, OnIdle",
                path="/type",
            ),
        ),
        ("Reset", Finding(ERROR, "schema", 'Reset request: required property "type" is missing', path="")),
        (
            "Reset type=Immediate evseId=2",  # the hint says how to write the item, not the JSON
            Finding(
                ERROR,
                "schema",
                'Reset request: expected integer, got string "2"',
                hint="evseId=2 sets a string: write evseId:=2 for a number",
                path="/evseId",
            ),
        ),
        (
            "ReserveNow id:=1 expiryDateTime=tomorrow idToken.idToken=X idToken.type=Central",
            Finding(
                ERROR,
                "format",
                'ReserveNow request: "tomorrow" is not a valid date-time',
                hint="RFC 3339 with a time zone offset, e.g. 2026-11-22T10:00:00Z or 2026-11-22T11:00:00.5+01:00; "
                "expiryDateTime:=now (or now-5m) writes the current time",
                path="/expiryDateTime",
            ),
        ),
        (
            'Reset {"type": "Immediate", "evseId": "2"}',  # JSON: there the quotes are the user's
            Finding(
                ERROR,
                "schema",
                'Reset request: expected integer, got string "2"',
                hint="a number in quotes is a string: write 2 without quotes",
                path="/evseId",
            ),
        ),
        (
            "GetVariables getVariableData:=[]",
            Finding(
                ERROR, "schema", "GetVariables request: array of 0 items, at least 1 allowed", path="/getVariableData"
            ),
        ),
    ],
)
def test_a_payload_that_breaks_the_schema(registry: SchemaRegistry, text: str, expected: Finding) -> None:
    assert first_problem(text, registry, V201, "csms") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Reset {bad",
            "the payload argument is not JSON: Expecting property name enclosed in double quotes (line 1, column 2)",
        ),
        ("Reset -", "- (standard input) cannot be read in the REPL: give the payload on the line"),
        ("Reset type", "item 'type': an item is path=value (a string) or path:=json (at column 5)"),
    ],
)
def test_a_payload_that_cannot_be_read(registry: SchemaRegistry, text: str, message: str) -> None:
    assert first_problem(text, registry, V201, "csms") == Finding(ERROR, "payload", message)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (":template Heartbeat\n", True),
        ("Heartbeat\n", True),
        ("DataTransfer vendorId=com.example\n", True),
        ('  "vendorId": "com.example",\n', False),
        ("  true\n", False),
        ("null,\n", False),
        ("  1.5]}\n", False),
        ("}\n", False),
        ("\n", False),
    ],
)
def test_starts_command(line: str, expected: bool) -> None:
    """A script's unclosed payload ends before a line that starts a command, never before a
    line a JSON payload can hold."""
    assert starts_command(line) is expected


def test_a_payload_file_that_is_not_utf8_is_a_usage_failure(tmp_path: Path) -> None:
    """`send X @file` and the REPL's `X @file`: it was an internal error (UnicodeDecodeError)."""
    bad = tmp_path / "p.json"
    bad.write_bytes(b'{"data": "\xff"}')
    with pytest.raises(UsageFailure) as caught:
        parse_line(f"DataTransfer @{bad}")
    assert caught.value.message == f"{bad}: not UTF-8 at byte 10 (invalid start byte); re-encode the file as UTF-8"
