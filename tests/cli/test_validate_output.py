"""`ocppctl validate` output as users see it: the text lines, the summary table, JSON lines.

tests/data/cli/session.jsonl is a 2.0.1 capture of one station with timestamps: a valid boot
and heartbeat, a bad enum, a vendorId lint, a CALLERROR, a call sent by the wrong side, an
orphan result and two calls never answered.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ocppctl.core.findings import CODES

SESSION_FINDINGS = """\
session.jsonl:5:110: error: StatusNotification request: "Avail" is not an allowed value [schema] at /connectorStatus
    hint: did you mean "Available"? allowed: Available, Occupied, Reserved, Unavailable, Faulted
session.jsonl:7:110: warning: DataTransfer vendorId "acme" is not a dotted reverse-DNS name (P01.FR.02, P02.FR.03) [vendor-id] at /vendorId
    hint: use the vendor's reversed domain, e.g. "com.example.feature"
session.jsonl:9:110: error: GetVariables is sent by the CSMS, not by the station [direction]
    hint: check the record's 'from', or which side of the link sent it
session.jsonl:10:107: error: CALLRESULT 'zz' answers no open CALL [orphan-response]
    hint: the unique id must echo that of a CALL not yet answered
session.jsonl:9:110: warning: GetVariables call 'g1' was never answered [unanswered-call]
    hint: the connection closed or the input ended before its CALLRESULT/CALLERROR
session.jsonl:11:110: warning: Authorize call 'a1' was never answered [unanswered-call]
    hint: the connection closed or the input ended before its CALLRESULT/CALLERROR
"""

SESSION_SUMMARY = """\
1 file: 11 frames, 6 calls, 4 results, 1 CALLERROR; 3 errors, 3 warnings
  action                calls  results  CALLERRORs    p50 ms    p95 ms    max ms
  Authorize                 1        0           0         -         -         -
  BootNotification          1        1           0      50.0      50.0      50.0
  DataTransfer              1        0           1     100.0     100.0     100.0
  GetVariables              1        0           0         -         -         -
  Heartbeat                 1        1           0      20.0      20.0      20.0
  StatusNotification        1        1           0      10.0      10.0      10.0
"""


def test_text_findings_then_blank_line_then_summary_with_latency(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "session.jsonl")
    assert result.code == 1
    assert result.out == SESSION_FINDINGS + "\n" + SESSION_SUMMARY
    assert result.err == ""


def test_column_is_where_the_records_raw_value_starts(in_data: Path) -> None:
    """The COL of a record's finding points at its raw value, so an editor lands on the frame."""
    lines = (in_data / "session.jsonl").read_text().splitlines()
    assert lines[4].index('"raw": ') + len('"raw": ') + 1 == 110
    assert lines[9].index('"raw": ') + len('"raw": ') + 1 == 107


def test_no_latency_columns_without_timestamps(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "bare.jsonl").write_text(
        '[2,"1","Heartbeat",{}]\n[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\n[2,"2","Heartbeat",{}]\n'
        '[3,"2",{"currentTime":"2026-11-22T10:00:02Z"}]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(tmp_path / "bare.jsonl"))
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "1 file: 4 frames, 2 calls, 2 results, 0 CALLERRORs; 0 errors, 0 warnings\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        2        2           0\n"
    )


def test_clean_capture_prints_no_blank_line_before_the_summary(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text('{"station":"CP1","conn":1,"event":"connect"}\n')
    result = ocppctl("validate", str(tmp_path / "events.jsonl"))
    assert result.code == 0
    assert result.out == "1 file: 0 frames, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n"


def test_json_one_finding_per_line_every_key_then_summary(ocppctl, in_data: Path, finding) -> None:
    result = ocppctl("validate", "--format", "json", "session.jsonl")
    assert (result.code, result.err) == (1, "")
    common = {"file": "session.jsonl", "station": "CP001"}
    assert result.json_lines() == [
        finding(
            severity="error",
            code="schema",
            line=5,
            column=110,
            id="s1",
            action="StatusNotification",
            path="/connectorStatus",
            message='StatusNotification request: "Avail" is not an allowed value',
            hint='did you mean "Available"? allowed: Available, Occupied, Reserved, Unavailable, Faulted',
            **common,
        ),
        finding(
            severity="warning",
            code="vendor-id",
            line=7,
            column=110,
            id="d1",
            action="DataTransfer",
            path="/vendorId",
            message='DataTransfer vendorId "acme" is not a dotted reverse-DNS name (P01.FR.02, P02.FR.03)',
            hint='use the vendor\'s reversed domain, e.g. "com.example.feature"',
            **common,
        ),
        finding(
            severity="error",
            code="direction",
            line=9,
            column=110,
            id="g1",
            action="GetVariables",
            message="GetVariables is sent by the CSMS, not by the station",
            hint="check the record's 'from', or which side of the link sent it",
            **common,
        ),
        finding(
            severity="error",
            code="orphan-response",
            line=10,
            column=107,
            id="zz",
            message="CALLRESULT 'zz' answers no open CALL",
            hint="the unique id must echo that of a CALL not yet answered",
            **common,
        ),
        finding(
            severity="warning",
            code="unanswered-call",
            line=9,
            column=110,
            id="g1",
            action="GetVariables",
            message="GetVariables call 'g1' was never answered",
            hint="the connection closed or the input ended before its CALLRESULT/CALLERROR",
            **common,
        ),
        finding(
            severity="warning",
            code="unanswered-call",
            line=11,
            column=110,
            id="a1",
            action="Authorize",
            message="Authorize call 'a1' was never answered",
            hint="the connection closed or the input ended before its CALLRESULT/CALLERROR",
            **common,
        ),
        {
            "summary": {
                "files": 1,
                "frames": 11,
                "calls": 6,
                "results": 4,
                "callerrors": 1,
                "callresulterrors": 0,
                "sends": 0,
                "events": 0,
                "skipped_lines": 0,
                "errors": 3,
                "warnings": 3,
                "infos": 0,
                "codes": {"direction": 1, "orphan-response": 1, "schema": 1, "unanswered-call": 2, "vendor-id": 1},
                "actions": {
                    "Authorize": {"calls": 1, "results": 0, "callerrors": 0, "latency": None},
                    "BootNotification": {
                        "calls": 1,
                        "results": 1,
                        "callerrors": 0,
                        "latency": {"count": 1, "mean_ms": 50.0, "p50_ms": 50.0, "p95_ms": 50.0, "max_ms": 50.0},
                    },
                    "DataTransfer": {
                        "calls": 1,
                        "results": 0,
                        "callerrors": 1,
                        "latency": {"count": 1, "mean_ms": 100.0, "p50_ms": 100.0, "p95_ms": 100.0, "max_ms": 100.0},
                    },
                    "GetVariables": {"calls": 1, "results": 0, "callerrors": 0, "latency": None},
                    "Heartbeat": {
                        "calls": 1,
                        "results": 1,
                        "callerrors": 0,
                        "latency": {"count": 1, "mean_ms": 20.0, "p50_ms": 20.0, "p95_ms": 20.0, "max_ms": 20.0},
                    },
                    "StatusNotification": {
                        "calls": 1,
                        "results": 1,
                        "callerrors": 0,
                        "latency": {"count": 1, "mean_ms": 10.0, "p50_ms": 10.0, "p95_ms": 10.0, "max_ms": 10.0},
                    },
                },
                "not_shown": 0,
                "exit_code": 1,
            }
        },
    ]


def test_json_shorthand_prints_the_same_lines(ocppctl, in_data: Path) -> None:
    assert ocppctl("validate", "--json", "session.jsonl") == ocppctl("validate", "--format", "json", "session.jsonl")


def test_json_lines_are_compact_single_lines_with_keys_in_documented_order(ocppctl, in_data: Path) -> None:
    lines = ocppctl("validate", "--json", "session.jsonl").out.splitlines()
    first = lines[0]
    assert first.startswith('{"severity":"error","code":"schema","file":"session.jsonl","line":5,"column":110,')
    keys = list(ocppctl("validate", "--json", "session.jsonl").json_lines()[0])
    assert keys == ["severity", "code", "file", "line", "column", "station", "id", "action", "path", "message", "hint"]


def test_json_path_is_an_rfc6901_pointer(ocppctl, tmp_path: Path, finding) -> None:
    """Array indexes are path segments; '/' and '~' in a key are escaped as ~1 and ~0."""
    capture = tmp_path / "ptr.jsonl"
    capture.write_text(
        '[2,"1","Heartbeat",{"a/b~c":1}]\n'
        '[3,"1",{"currentTime":"2026-11-22T10:00:00Z"}]\n'
        '[2,"2","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"2026-11-22T10:00:00Z",'
        '"sampledValue":[{"value":1.5},{"value":2,"measurand":"Volts"}]}]}]\n'
        '[3,"2",{}]\n'
    )
    found = ocppctl("validate", "--ocpp", "2.0.1", "--json", str(capture)).json_lines()
    assert [f.get("path") for f in found[:-1]] == ["/a~1b~0c", "/meterValue/0/sampledValue/1/measurand"]
    assert found[0] == finding(
        severity="error",
        code="schema",
        file=str(capture),
        line=1,
        column=1,
        id="1",
        action="Heartbeat",
        path="/a~1b~0c",
        message='Heartbeat request: property "a/b~c" is not allowed here',
        hint="allowed here: customData",
    )


def test_json_syntax_finding_has_line_and_column_of_the_error(ocppctl, tmp_path: Path, finding) -> None:
    capture = tmp_path / "syntax.jsonl"
    capture.write_text('[2,"1","Heartbeat",{}]\n[2,"2","Heartbeat",{]\n[2,"3","Heartbeat",{"a":NaN}]\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", "--json", "--select", "json-syntax", str(capture))
    hint = "OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)"
    assert result.json_lines()[:-1] == [
        finding(
            severity="error",
            code="json-syntax",
            file=str(capture),
            line=2,
            column=21,
            message="not JSON: Expecting property name enclosed in double quotes",
            hint=hint,
        ),
        finding(
            severity="error",
            code="json-syntax",
            file=str(capture),
            line=3,
            column=25,
            message="not JSON: NaN is not JSON",
            hint=hint,
        ),
    ]
    assert result.code == 1


def test_json_syntax_column_inside_a_records_raw_points_at_the_bad_character(ocppctl, tmp_path: Path) -> None:
    """The column is in the line as written: the raw value's opening quote and every escape count."""
    lines = ['{"raw": "[2, {,}]"}', '{"station":"CP1","raw":"[2,\\"4\\",\\"Heartbeat\\",{,}]"}']
    capture = tmp_path / "raw.jsonl"
    capture.write_text("\n".join(lines) + "\n")
    found = ocppctl("validate", "--ocpp", "2.0.1", "--json", str(capture)).json_lines()[:-1]
    bad_comma = [line.index("{,") + 2 for line in lines]
    assert bad_comma == [15, 49]
    assert [(f["line"], f["column"]) for f in found] == [(1, 15), (2, 49)]


def test_json_syntax_column_counts_unicode_escapes_and_non_ascii_in_a_raw(ocppctl, tmp_path: Path) -> None:
    r"""A \u00fc escape is six characters in the line, ü one: the column is where the error is in the line."""
    line = '{"station":"CP1","raw":"[2,\\"\\u00fc\\",\\"ü\\",{,}]"}'
    capture = tmp_path / "uraw.jsonl"
    capture.write_text(line + "\n", encoding="utf-8")
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert result.code == 1
    column = line.index("{,") + 2
    assert result.out.startswith(
        f"{capture}:1:{column}: error: not JSON: Expecting property name enclosed in double quotes [json-syntax]\n"
    )


def test_unanswered_call_has_the_column_of_its_call(ocppctl, in_data: Path) -> None:
    """For a record that is where its raw value's quote is, so editors' FILE:LINE:COL matchers land on it."""
    found = ocppctl("validate", "--json", "--select", "unanswered-call", "session.jsonl").json_lines()[:-1]
    assert [(f["line"], f["column"]) for f in found] == [(9, 110), (11, 110)]


def test_findings_come_in_line_order_while_the_version_is_inferred(ocppctl, tmp_path: Path, finding) -> None:
    """No --ocpp and no record says: the version info comes first, then every finding in line order (a
    json-syntax line is not jumped ahead of the frames held back for inference), and a CALLERROR's
    error-code finding names the action of the CALL it answers."""
    capture = tmp_path / "infer.jsonl"
    capture.write_text(
        '[2,"1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]\n'
        '[4,"1","FormatViolation","bad",{}]\n'
        '[2,"2","Heartbeat",{"x":1}]\n'
        '[2,"3","Heartbeat",{]\n'
        '[3,"2",{"currentTime":"2026-11-22T10:00:00Z"}]\n'
    )
    result = ocppctl("validate", "--json", str(capture))
    assert (result.code, result.err) == (1, "")
    found = result.json_lines()
    common = {"file": str(capture)}
    assert found[:-1] == [
        finding(
            severity="info",
            code="version",
            line=1,
            column=1,
            message="read as OCPP 1.6 from 2 calls (1.6: 1 valid, 2 known, 2.0.1: 0 valid, 2 known, "
            "2.1: 0 valid, 2 known)",
            **common,
        ),
        finding(
            severity="error",
            code="error-code",
            line=2,
            column=1,
            id="1",
            action="BootNotification",
            message='"FormatViolation" is not an OCPP 1.6 CALLERROR code',
            hint='OCPP 1.6 spells it "FormationViolation"',
            **common,
        ),
        finding(
            severity="error",
            code="schema",
            line=3,
            column=1,
            id="2",
            action="Heartbeat",
            path="/x",
            message='Heartbeat request: property "x" is not allowed here',
            **common,
        ),
        finding(
            severity="error",
            code="json-syntax",
            line=4,
            column=21,
            message="not JSON: Expecting property name enclosed in double quotes",
            hint="OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)",
            **common,
        ),
    ]


def test_json_summary_carries_exit_code_2_for_unreadable_input(ocppctl, tmp_path: Path) -> None:
    result = ocppctl("validate", "--json", str(tmp_path / "missing.jsonl"))
    assert result.code == 2
    assert result.json_lines() == [
        {
            "summary": {
                "files": 0,
                "frames": 0,
                "calls": 0,
                "results": 0,
                "callerrors": 0,
                "callresulterrors": 0,
                "sends": 0,
                "events": 0,
                "skipped_lines": 0,
                "errors": 0,
                "warnings": 0,
                "infos": 0,
                "codes": {},
                "actions": {},
                "not_shown": 0,
                "exit_code": 2,
            }
        }
    ]
    assert result.err == f"ocppctl: error: {tmp_path / 'missing.jsonl'}: no such file\n"


def test_every_finding_code_is_listed_in_validate_help(ocppctl) -> None:
    """Users --select/--ignore codes by name: --help must show all of them."""
    help_text = ocppctl("validate", "--help").out
    assert "Finding codes:" in help_text
    for code, meaning in CODES.items():
        assert f"  {code:<16} {meaning}\n" in help_text + "\n", code


@pytest.mark.parametrize(
    ("vendor_id", "problem", "example"),
    [
        ("ACME", "is not a dotted reverse-DNS name", "com.example.feature"),
        ("com", "is not a dotted reverse-DNS name", "com.example.feature"),
        ("example.com", "looks like a forward DNS name", "com.example"),
        ("acme.example", "does not start with a top-level domain", "com.example.feature"),
    ],
)
def test_vendor_id_lint_says_what_is_wrong_with_the_name(ocppctl, vendor_id: str, problem: str, example: str) -> None:
    """OCPP 2.0.1 P01.FR.02 / P02.FR.03: vendorId is a reverse-DNS name; a forward name gets its reversal."""
    frame = f'[2,"d1","DataTransfer",{{"vendorId":"{vendor_id}"}}]\n'
    result = ocppctl("validate", "--ocpp", "2.0.1", "--select", "vendor-id", "-", stdin=frame.encode())
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f'<stdin>:1:1: warning: DataTransfer vendorId "{vendor_id}" {problem} (P01.FR.02, P02.FR.03) [vendor-id] '
        "at /vendorId\n"
        f'    hint: use the vendor\'s reversed domain, e.g. "{example}"\n'
        "\n"
        "1 file: 1 frame, 1 call, 0 results, 0 CALLERRORs; 0 errors, 1 warning\n"
        "  action          calls  results  CALLERRORs\n"
        "  DataTransfer        1        0           0\n"
    )


@pytest.mark.parametrize("vendor_id", ["com.example", "org.openchargealliance.costmsg", "de.acme", "COM.Example"])
def test_reverse_dns_vendor_ids_pass(ocppctl, vendor_id: str) -> None:
    frame = f'[2,"d1","DataTransfer",{{"vendorId":"{vendor_id}"}}]\n'
    result = ocppctl("validate", "--ocpp", "2.0.1", "--select", "vendor-id", "-q", "-", stdin=frame.encode())
    assert (result.code, result.out) == (0, "1 file: 1 frame, 1 call, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n")


def test_custom_data_vendor_id_is_linted_with_its_pointer(ocppctl) -> None:
    frame = (
        '[2,"a1","Authorize",{"idToken":{"idToken":"04A2C91A6B5E80","type":"ISO14443",'
        '"customData":{"vendorId":"acme.com"}}}]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", "--select", "vendor-id", "-", stdin=frame.encode())
    assert result.out.startswith(
        '<stdin>:1:1: warning: customData vendorId "acme.com" looks like a forward DNS name (P01.FR.02, P02.FR.03) '
        "[vendor-id] at /idToken/customData/vendorId\n"
        '    hint: use the vendor\'s reversed domain, e.g. "com.acme"\n'
        "\n"
    )


def test_escape_sequences_from_a_capture_never_reach_the_terminal(ocppctl, tmp_path: Path) -> None:
    """A payload may carry ANSI escapes; text output shows them as \\xNN, JSON keeps the value."""
    capture = tmp_path / "esc.jsonl"
    capture.write_text('[2,"1","Heartbeat",{"\\u001b[31mred":1}]\n[3,"1",{"currentTime":"2026-11-22T10:00:00Z"}]\n')
    text = ocppctl("validate", "--ocpp", "2.0.1", "--color", "never", str(capture)).out
    assert "\x1b" not in text
    assert 'property "\\x1b[31mred" is not allowed here [schema] at /\\x1b[31mred' in text
    found = ocppctl("validate", "--ocpp", "2.0.1", "--json", str(capture)).json_lines()
    assert found[0]["path"] == "/\x1b[31mred"


# --- a reader that goes away (`| head -1`, `| true`) ------------------------------------------


def _validate_into_closed_pipe(capture: Path, read_lines: int) -> tuple[int, str, str]:
    """Run `ocppctl validate CAPTURE | head -N` for real: read N lines, then close the pipe."""
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "NO_COLOR"))}
    env["PYTHONUNBUFFERED"] = "1"  # each write reaches the pipe during the run, as a long run's do
    with subprocess.Popen(
        [sys.executable, "-m", "ocppctl", "validate", "--color", "never", str(capture)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        read = [proc.stdout.readline().decode() for _ in range(read_lines)]
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
    return code, "".join(read), err


def test_a_clean_capture_into_a_closed_pipe_exits_0_quietly(tmp_path: Path) -> None:
    """`validate clean.jsonl | true` exited 1 with no message: click's answer to EPIPE."""
    capture = tmp_path / "clean.jsonl"
    capture.write_text('[2,"1","Heartbeat",{}]\n[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\n' * 3000)
    assert _validate_into_closed_pipe(capture, 0) == (0, "", "")


def test_head_of_many_findings_stops_at_once_with_exit_1(tmp_path: Path) -> None:
    capture = tmp_path / "bad.jsonl"
    capture.write_text("".join(f'[2,"{i}","Heartbeat",{{"x":1}}]\n' for i in range(30000)))
    code, out, err = _validate_into_closed_pipe(capture, 1)
    assert (code, err) == (1, "")
    assert out.startswith(f"{capture}:1:1: info: read as OCPP")


def test_output_closed_midway_stops_the_check() -> None:
    """In-process: the stream raises BrokenPipeError on its third write; nothing more is written
    nor read, no error is printed, and the exit status covers what was found until then."""
    from ocppctl.cli.env import Env
    from ocppctl.cli.main import run

    lines = b"".join(b'[2,"%d","Heartbeat",{"x":1}]\n' % i for i in range(50))
    stdin = io.BytesIO(lines)
    env = Env(stdout=_ClosingStream(2), stderr=io.StringIO(), stdin=stdin, environ={})
    code = run(["validate", "--ocpp", "2.0.1", "--color", "never", "-"], env)
    assert (code, env.stdout.writes, env.stderr.getvalue()) == (1, 2, "")  # type: ignore[attr-defined]


class _ClosingStream(io.StringIO):
    def __init__(self, writes: int) -> None:
        super().__init__()
        self.left = writes
        self.writes = 0

    def write(self, text: str) -> int:
        if self.left == 0:
            raise BrokenPipeError(32, "Broken pipe")
        self.left -= 1
        self.writes += 1
        return super().write(text)
