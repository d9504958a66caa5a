"""Arbitrary text and arbitrary frames never break validate beyond its documented findings and
exit codes: the stream checker never raises, every finding has a known code and severity, and
`ocppctl validate` exits 0, 1 or 2 without a traceback."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.core.findings import CODES, SEVERITIES, Finding
from ocppctl.core.payloads import template
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V21, V201, VERSIONS

CheckLines = Callable[..., list[Finding]]  # the check_lines fixture of tests/conftest.py

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ACTIONS = sorted({action for version in (V16, V201, V21) for action in version.actions})
ERROR_CODES = sorted(V16.error_codes | V201.error_codes)

# --- strategies ----------------------------------------------------------------------------------

no_newline = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")
text_line = st.text(alphabet=no_newline, max_size=80)
json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01 00:00:00", "com.example", "ACME", "Accepted", "PowerUp"])
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["vendorId", "customData", "status", "idTag", "a"]) | st.text(max_size=6), inner, max_size=3
        )
    ),
    max_leaves=12,
)
action_name = (
    st.sampled_from(ACTIONS) | st.sampled_from(["heartbeat", "Hartbeat", "", "DataTransfer"]) | st.text(max_size=12)
)
unique_id = st.sampled_from(["1", "2", "3", "x" * 36, "x" * 37, ""]) | st.integers(0, 3) | json_value


@st.composite
def payload(draw: st.DrawFn, registry: SchemaRegistry) -> Any:
    """A template of some action, perhaps with a property changed, or any JSON value."""
    if draw(st.booleans()):
        return draw(json_value)
    version = draw(st.sampled_from([V16, V201, V21]))
    action = draw(st.sampled_from(sorted(version.actions)))
    kind = "send" if action in version.send_actions else draw(st.sampled_from(["request", "response"]))
    schema = registry.get(version, action, kind)
    assert schema is not None
    value = template(schema.document)
    if value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        value[key] = draw(json_value)
    if draw(st.booleans()):
        value[draw(st.sampled_from(["customData", "readOnly", "vendorId"]))] = draw(json_value)
    return value


@st.composite
def frame(draw: st.DrawFn, registry: SchemaRegistry) -> list[Any]:
    """A list starting with a message type 0..7, then plausible or random elements."""
    mtype = draw(st.integers(0, 7))
    rest: list[Any] = [draw(unique_id)]
    shape = draw(st.sampled_from(["call", "result", "error", "random"]))
    if shape == "call":
        rest += [draw(action_name), draw(payload(registry))]
    elif shape == "result":
        rest += [draw(payload(registry))]
    elif shape == "error":
        rest += [
            draw(st.sampled_from(ERROR_CODES) | st.text(max_size=10)),
            draw(st.text(max_size=10)),
            draw(json_value),
        ]
    else:
        rest += draw(st.lists(json_value, max_size=4))
    return [mtype, *rest]


_STANDALONE_ZERO = re.compile(r"(?<=[\[,:] )0(?=[,\]}])|(?<=[\[,:])0(?=[,\]}])")


@st.composite
def capture_line(draw: st.DrawFn, registry: SchemaRegistry) -> str:
    """A frame as wire text: bare, in a capture record, in a log line, or damaged."""
    value = draw(frame(registry))
    text = json.dumps(value, separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])))
    damage = draw(st.sampled_from(["none", "none", "none", "truncate", "nan", "duplicate", "bigint", "float"]))
    if damage == "truncate" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif damage == "nan":
        text = text.replace("{}", '{"x": NaN}', 1).replace("null", "Infinity", 1)
    elif damage == "duplicate":
        text = text.replace("{", '{"a": 1, "a": 2, ', 1).replace(", }", "}")
    elif damage == "bigint":
        text = _STANDALONE_ZERO.sub("123456789012345678901234567890", text, count=1)
    elif damage == "float":
        text = _STANDALONE_ZERO.sub("20000.0", text, count=1)
    form = draw(st.sampled_from(["bare", "record", "frame-record", "log", "event"]))
    if form == "bare":
        return text
    if form == "log":
        return f"2026-11-22 10:00:01 {draw(st.sampled_from(['CP1', 'CP2']))} << {text}"
    record: dict[str, Any] = {}
    for key, values in [
        ("station", st.sampled_from(["CP1", "CP2"]) | json_leaf),
        ("conn", st.integers(1, 2) | json_leaf),
        ("from", st.sampled_from(["station", "csms", "evse"]) | json_value),
        ("ocpp", st.sampled_from(["1.6", "2.0.1", "2.1", "3.0"]) | json_value),
        ("ts", st.sampled_from(["2026-11-22T10:00:00.123Z", "2026-11-22T10:00:01.000Z", "bad"]) | json_value),
    ]:
        if draw(st.booleans()):
            record[key] = draw(values)
    if form == "event":
        record["event"] = draw(st.sampled_from(["connect", "close", "open"]) | json_value)
        record["subprotocol"] = draw(st.sampled_from(["ocpp1.6", "ocpp2.0.1", "ocpp2.1", "ocpp9"]) | json_value)
    elif form == "frame-record":
        record["frame"] = value
    else:
        record["raw"] = text if draw(st.integers(0, 9)) else draw(json_value)
    return json.dumps(record)


def _assert_documented(findings: list[Finding]) -> None:
    for finding in findings:
        assert finding.code in CODES, finding
        assert finding.severity in SEVERITIES, finding
        assert isinstance(finding.message, str) and finding.message
        assert finding.path is None or finding.path == "" or finding.path.startswith("/")
        assert finding.line is None or finding.line >= 1


# --- the stream checker --------------------------------------------------------------------------

version_name = st.sampled_from([None, *sorted(VERSIONS)])


@SETTINGS
@given(lines=st.lists(text_line, max_size=8), ocpp=version_name)
def test_arbitrary_text_lines(check_lines: CheckLines, lines: list[str], ocpp: str | None) -> None:
    _assert_documented(check_lines(lines, ocpp=ocpp))


@SETTINGS
@given(data=st.data(), ocpp=version_name)
def test_arbitrary_frames(
    registry: SchemaRegistry, check_lines: CheckLines, data: st.DataObject, ocpp: str | None
) -> None:
    lines = data.draw(st.lists(capture_line(registry), max_size=8))
    _assert_documented(check_lines(lines, ocpp=ocpp))


@SETTINGS
@given(data=st.data(), ocpp=version_name)
def test_arbitrary_frames_read_as_json_lines_text(
    registry: SchemaRegistry, check_lines: CheckLines, data: st.DataObject, ocpp: str | None
) -> None:
    """Frames mixed with junk text lines; the first line decides json or log mode."""
    lines = data.draw(st.lists(capture_line(registry) | text_line, max_size=8))
    _assert_documented(check_lines(lines, ocpp=ocpp))


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(
    token=st.sampled_from(
        ["1e400", "-1E400", "123456789012345678901234567890", '"\\ud800"', '"\\udfff"', "9" * 5000, "-" + "1" * 4301]
    ),
    action=st.sampled_from(["DataTransfer", "Heartbeat", "Authorize"]),
    ocpp=version_name,
)
def test_exactly_parsed_numbers_and_strings(check_lines: CheckLines, token: str, action: str, ocpp: str | None) -> None:
    line = f'[2,"1","{action}",{{"vendorId":"com.example","data":{token}}}]'
    _assert_documented(check_lines([line], ocpp=ocpp))


@pytest.mark.parametrize(
    "line",
    [
        '{"station": [], "raw": "[2,\\"1\\",\\"Heartbeat\\",{}]"}',
        '{"station": "CP1", "conn": {"n": 1}, "frame": [2, "1", "Heartbeat", {}]}',
        '{"station": "CP1", "conn": [1], "event": "connect", "subprotocol": "ocpp1.6"}',
    ],
)
@pytest.mark.parametrize("ocpp", [None, "1.6"])
def test_records_with_unhashable_station_or_conn(check_lines: CheckLines, line: str, ocpp: str | None) -> None:
    _assert_documented(check_lines([line], ocpp=ocpp))


# --- the CLI -------------------------------------------------------------------------------------

flags = st.lists(
    st.sampled_from(
        [
            ["--json"],
            ["--strict"],
            ["--quiet"],
            ["--ocpp", "1.6"],
            ["--ocpp", "2.0.1"],
            ["--ocpp", "2.1"],
            ["--max-findings", "1"],
            ["--ignore", "schema"],
            ["--select", "unanswered-call"],
            ["--color", "always"],
        ]
    ),
    max_size=3,
)


def _run_cli(argv: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Env(
        stdout=out,
        stderr=err,
        stdin=io.BytesIO(stdin) if stdin is not None else None,
        environ={},
        stdout_isatty=False,
        stdin_isatty=False,
    )
    code = run(argv, env)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def scratch() -> Any:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _check_cli(code: int, out: str, err: str, argv: list[str]) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        assert err.startswith("ocppctl: "), err
        assert err.count("\n") <= 2, err
    elif "--json" in argv:
        summary = json.loads(out.rstrip("\n").split("\n")[-1])  # not splitlines(): U+0085 is no line end here
        assert set(summary) == {"summary"}


@SETTINGS
@given(data=st.data(), options=flags)
def test_cli_on_arbitrary_captures(
    registry: SchemaRegistry, scratch: Path, data: st.DataObject, options: list[list[str]]
) -> None:
    lines = data.draw(st.lists(capture_line(registry) | text_line, max_size=6))
    ending = data.draw(st.sampled_from(["\n", "\r\n"]))
    bom = data.draw(st.sampled_from(["", "\ufeff"]))
    path = scratch / data.draw(st.sampled_from(["capture.jsonl", "capture.json", "capture.log"]))
    path.write_text(bom + ending.join(lines) + ending, encoding="utf-8")
    argv = ["validate", str(path), *[part for option in options for part in option]]
    _check_cli(*_run_cli(argv), argv)


@SETTINGS
@given(blob=st.binary(max_size=200), gz=st.booleans(), options=flags)
def test_cli_on_arbitrary_bytes_from_stdin(blob: bytes, gz: bool, options: list[list[str]]) -> None:
    data = (b"\x1f\x8b" + blob) if gz else blob
    argv = ["validate", "-", *[part for option in options for part in option]]
    _check_cli(*_run_cli(argv, stdin=data), argv)


@SETTINGS
@given(
    text=st.text(max_size=200),
    response=st.booleans(),
    action=action_name.filter(lambda name: not name.startswith("-")),  # "--debug" as a value turns tracebacks on
    ocpp=st.sampled_from(sorted(VERSIONS)),
)
def test_cli_on_arbitrary_bare_payloads(scratch: Path, text: str, response: bool, action: str, ocpp: str) -> None:
    path = scratch / "payload.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    argv = ["validate", "--action", action, "--ocpp", ocpp, str(path), *(["--response"] if response else [])]
    _check_cli(*_run_cli(argv), argv)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('[2,"1","Heartbeat",{"x":1e400}]', 1),
        ('[2,"1","DataTransfer",{"vendorId":"com.example","data":"\\ud800"}]', 0),
        ('{"station": ["CP1"], "frame": [2, "1", "Heartbeat", {}]}', 0),
        # beyond any range a Decimal holds: a json-syntax finding, not a crash
        ('[2,"1","DataTransfer",{"vendorId":"com.example","data":1e99999999999999999999}]', 1),
    ],
)
def test_cli_exit_code_on_exactly_parsed_and_odd_inputs(scratch: Path, line: str, expected: int) -> None:
    path = scratch / "crash.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    argv = ["validate", "--ocpp", "2.0.1", "--ignore", "unanswered-call", str(path)]
    code, out, err = _run_cli(argv)
    _check_cli(code, out, err, argv)
    assert code == expected


def test_huge_exponent_in_a_frame(check_lines: CheckLines) -> None:
    _assert_documented(check_lines(['[2,"1","Heartbeat",{"x":1e99999999999999999999}]'], ocpp="2.0.1"))


def test_scratch_is_usable(scratch: Path) -> None:
    assert scratch.is_dir() and os.access(scratch, os.W_OK)
