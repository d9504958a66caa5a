"""`ocppctl validate` options and exit codes: --ocpp, --quiet, --max-findings, --strict,
--select/--ignore, --color (and NO_COLOR), --debug."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")

BOOT_16 = (
    '[2,"1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]\n'
    '[3,"1",{"currentTime":"2026-11-22T10:00:00Z","interval":300,"status":"Accepted"}]\n'
)
BOOT_TABLE = "  action              calls  results  CALLERRORs\n  BootNotification        1        1           0\n"
SESSION_TABLE = """\
  action                calls  results  CALLERRORs    p50 ms    p95 ms    max ms
  Authorize                 1        0           0         -         -         -
  BootNotification          1        1           0      50.0      50.0      50.0
  DataTransfer              1        0           1     100.0     100.0     100.0
  GetVariables              1        0           0         -         -         -
  Heartbeat                 1        1           0      20.0      20.0      20.0
  StatusNotification        1        1           0      10.0      10.0      10.0
"""
AVAIL = (
    'session.jsonl:5:110: error: StatusNotification request: "Avail" is not an allowed value [schema] '
    "at /connectorStatus\n"
    '    hint: did you mean "Available"? allowed: Available, Occupied, Reserved, Unavailable, Faulted\n'
)
ACME = (
    'session.jsonl:7:110: warning: DataTransfer vendorId "acme" is not a dotted reverse-DNS name '
    "(P01.FR.02, P02.FR.03) [vendor-id] at /vendorId\n"
    '    hint: use the vendor\'s reversed domain, e.g. "com.example.feature"\n'
)
UNANSWERED_HINT = "    hint: the connection closed or the input ended before its CALLRESULT/CALLERROR\n"
SESSION_FINDINGS = (
    AVAIL + ACME + "session.jsonl:9:110: error: GetVariables is sent by the CSMS, not by the station [direction]\n"
    "    hint: check the record's 'from', or which side of the link sent it\n"
    "session.jsonl:10:107: error: CALLRESULT 'zz' answers no open CALL [orphan-response]\n"
    "    hint: the unique id must echo that of a CALL not yet answered\n"
    f"session.jsonl:9:110: warning: GetVariables call 'g1' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
    f"session.jsonl:11:110: warning: Authorize call 'a1' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
)
SESSION_TOTALS = "1 file: 11 frames, 6 calls, 4 results, 1 CALLERROR; 3 errors, 3 warnings\n"


# --- --ocpp ---------------------------------------------------------------------------------


def test_ocpp_forces_the_version_of_bare_frames(ocppctl) -> None:
    as_16 = ocppctl("validate", "--ocpp", "1.6", "-", stdin=BOOT_16.encode())
    assert (as_16.code, as_16.out) == (
        0,
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings\n" + BOOT_TABLE,
    )
    as_201 = ocppctl("validate", "--ocpp", "2.0.1", "-", stdin=BOOT_16.encode())
    assert as_201.code == 1
    assert as_201.out == (
        '<stdin>:1:1: error: BootNotification request: required property "reason" is missing [schema]\n'
        '<stdin>:1:1: error: BootNotification request: required property "chargingStation" is missing [schema]\n'
        '<stdin>:1:1: error: BootNotification request: property "chargePointVendor" is not allowed here [schema] '
        "at /chargePointVendor\n"
        "    hint: allowed here: chargingStation, customData, reason\n"
        '<stdin>:1:1: error: BootNotification request: property "chargePointModel" is not allowed here [schema] '
        "at /chargePointModel\n"
        "    hint: allowed here: chargingStation, customData, reason\n"
        "\n"
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 4 errors, 0 warnings\n" + BOOT_TABLE
    )


def test_ocpp_overrides_the_version_records_name(ocppctl, record) -> None:
    capture = (
        record(0, "station", BOOT_16.splitlines()[0], ocpp="2.0.1")
        + "\n"
        + record(1, "csms", BOOT_16.splitlines()[1], ocpp="2.0.1")
        + "\n"
    )
    assert ocppctl("validate", "-", stdin=capture.encode()).code == 1
    forced = ocppctl("validate", "--ocpp", "1.6", "-q", "-", stdin=capture.encode())
    assert (forced.code, forced.out) == (
        0,
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings\n",
    )


def test_version_is_inferred_with_an_info_finding_and_exit_0(ocppctl) -> None:
    result = ocppctl("validate", "--json", "-", stdin=BOOT_16.encode())
    assert result.code == 0
    info, summary = result.json_lines()
    assert (info["severity"], info["code"], info["line"], info["column"]) == ("info", "version", 1, 1)
    assert info["message"].startswith("read as OCPP 1.6 ")
    assert (summary["summary"]["infos"], summary["summary"]["errors"]) == (1, 0)


def test_unknown_ocpp_version_is_a_usage_error(ocppctl) -> None:
    result = ocppctl("validate", "--ocpp", "2.0", "-", stdin=b"")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: Invalid value for '--ocpp': '2.0' is not one of '1.6', '2.0.1', '2.1'. "
        "(see 'ocppctl validate --help')\n"
    )


# --- --quiet, --max-findings ---------------------------------------------------------------


def test_quiet_prints_only_the_totals_line(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--quiet", "session.jsonl")
    assert (result.code, result.out, result.err) == (1, SESSION_TOTALS, "")
    assert ocppctl("validate", "-q", "session.jsonl") == result


def test_quiet_json_prints_only_the_summary_line(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--quiet", "--json", "session.jsonl")
    lines = result.json_lines()
    assert result.code == 1
    assert [list(line) for line in lines] == [["summary"]]
    assert (lines[0]["summary"]["errors"], lines[0]["summary"]["warnings"]) == (3, 3)


def test_max_findings_prints_n_keeps_counting_and_says_how_many_were_held_back(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--max-findings", "2", "session.jsonl")
    assert result.code == 1
    assert result.out == (
        AVAIL + ACME + "… 4 more findings not shown (--max-findings 2)\n\n" + SESSION_TOTALS + SESSION_TABLE
    )


def test_max_findings_says_finding_for_one_held_back(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--max-findings", "5", "session.jsonl")
    assert result.code == 1
    assert result.out.endswith("… 1 more finding not shown (--max-findings 5)\n\n" + SESSION_TOTALS + SESSION_TABLE)
    assert ocppctl("validate", "--max-findings", "6", "session.jsonl").out == ocppctl("validate", "session.jsonl").out


def test_max_findings_zero_still_fails_on_errors(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--max-findings", "0", "session.jsonl")
    assert result.code == 1
    assert result.out == "… 6 more findings not shown (--max-findings 0)\n\n" + SESSION_TOTALS + SESSION_TABLE


def test_max_findings_in_json_prints_n_lines_and_the_full_summary(ocppctl, in_data: Path) -> None:
    """No "held back" line in JSON: the summary's `not_shown` (just before `exit_code`) says it."""
    found = ocppctl("validate", "--json", "--max-findings", "1", "session.jsonl").json_lines()
    assert [f.get("code") for f in found[:-1]] == ["schema"]
    summary = found[-1]["summary"]
    assert (summary["errors"], summary["warnings"], summary["not_shown"]) == (3, 3, 5)
    assert list(summary)[-2:] == ["not_shown", "exit_code"]
    every = ocppctl("validate", "--json", "session.jsonl").json_lines()[-1]["summary"]
    assert every["not_shown"] == 0


def test_negative_max_findings_is_a_usage_error(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--max-findings", "-1", "session.jsonl")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: Invalid value for '--max-findings': -1 is not in the range x>=0. "
        "(see 'ocppctl validate --help')\n"
    )


# --- exit codes and --strict ----------------------------------------------------------------


def test_only_warnings_exit_0(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "warnings.jsonl")
    assert result.code == 0
    assert result.out == (
        'warnings.jsonl:1:110: warning: DataTransfer vendorId "acme" is not a dotted reverse-DNS name '
        "(P01.FR.02, P02.FR.03) [vendor-id] at /vendorId\n"
        '    hint: use the vendor\'s reversed domain, e.g. "com.example.feature"\n'
        "\n"
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 1 warning\n"
        "  action          calls  results  CALLERRORs    p50 ms    p95 ms    max ms\n"
        "  DataTransfer        1        1           0     250.0     250.0     250.0\n"
    )


def test_strict_makes_warnings_fail(ocppctl, in_data: Path) -> None:
    plain = ocppctl("validate", "warnings.jsonl")
    strict = ocppctl("validate", "--strict", "warnings.jsonl")
    assert strict.code == 1
    assert strict.out == plain.out
    assert ocppctl("validate", "--strict", "--json", "warnings.jsonl").json_lines()[-1]["summary"]["exit_code"] == 1


def test_strict_with_no_warnings_exits_0(ocppctl) -> None:
    result = ocppctl("validate", "--strict", "--ocpp", "1.6", "-", stdin=BOOT_16.encode())
    assert result.code == 0


def test_errors_exit_1(ocppctl, in_data: Path) -> None:
    assert ocppctl("validate", "session.jsonl").code == 1


def test_unreadable_input_wins_over_errors(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "session.jsonl", "missing.jsonl")
    assert result.code == 2
    assert result.err == "ocppctl: error: missing.jsonl: no such file\n"
    assert result.out == SESSION_FINDINGS + "\n" + SESSION_TOTALS + SESSION_TABLE


# --- --select / --ignore --------------------------------------------------------------------


def test_select_reports_only_those_codes_and_counts_only_them(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--select", "schema", "session.jsonl")
    assert result.code == 1
    assert result.out == (
        AVAIL + "\n1 file: 11 frames, 6 calls, 4 results, 1 CALLERROR; 1 error, 0 warnings\n" + SESSION_TABLE
    )


def test_select_filters_the_version_info_too(ocppctl) -> None:
    """The `version` info is shown only when selected, and counted only when shown."""
    plain = ocppctl("validate", "--json", "-", stdin=BOOT_16.encode()).json_lines()
    assert [line.get("code") for line in plain] == ["version", None]
    selected = ocppctl("validate", "--json", "--select", "schema", "-", stdin=BOOT_16.encode()).json_lines()
    assert [line.get("code") for line in selected] == [None]
    assert (selected[0]["summary"]["infos"], selected[0]["summary"]["codes"]) == (0, {})
    result = ocppctl("validate", "--select", "schema,version", "-", stdin=BOOT_16.encode())
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "<stdin>:1:1: info: read as OCPP 1.6 from 1 call (1.6: 1 valid, 1 known, 2.0.1: 0 valid, 1 known, "
        "2.1: 0 valid, 1 known) [version]\n"
        "\n"
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings\n" + BOOT_TABLE
    )
    ignored = ocppctl("validate", "--ignore", "version", "-", stdin=BOOT_16.encode())
    assert ignored.out == "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings\n" + BOOT_TABLE


def test_select_only_warnings_exits_0(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--select", "vendor-id", "--select", "unanswered-call", "-q", "session.jsonl")
    assert (result.code, result.out) == (
        0,
        "1 file: 11 frames, 6 calls, 4 results, 1 CALLERROR; 0 errors, 3 warnings\n",
    )


def test_select_and_ignore_take_repeats_and_comma_lists(ocppctl, in_data: Path) -> None:
    def codes(*options: str) -> dict[str, int]:
        return ocppctl("validate", "--json", *options, "session.jsonl").json_lines()[-1]["summary"]["codes"]

    assert codes("--select", "schema,direction") == {"direction": 1, "schema": 1}
    assert codes("--select", "schema", "--select", "direction") == {"direction": 1, "schema": 1}
    assert codes("--select", " schema , direction ,") == {"direction": 1, "schema": 1}
    assert codes("--ignore", "schema,direction", "--ignore", "unanswered-call") == {
        "orphan-response": 1,
        "vendor-id": 1,
    }


def test_ignoring_every_error_code_exits_0(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--ignore", "schema,direction,orphan-response", "session.jsonl")
    assert result.code == 0
    assert result.out == (
        ACME
        + "session.jsonl:9:110: warning: GetVariables call 'g1' was never answered [unanswered-call]\n"
        + UNANSWERED_HINT
        + "session.jsonl:11:110: warning: Authorize call 'a1' was never answered [unanswered-call]\n"
        + UNANSWERED_HINT
        + "\n1 file: 11 frames, 6 calls, 4 results, 1 CALLERROR; 0 errors, 3 warnings\n"
        + SESSION_TABLE
    )


def test_a_code_both_selected_and_ignored_is_a_usage_error(ocppctl, in_data: Path) -> None:
    """It reported nothing and exited 0: surely not what was meant."""
    result = ocppctl("validate", "--select", "schema,direction", "--ignore", "vendor-id,schema", "session.jsonl")
    assert (result.code, result.out) == (2, "")
    assert result.err == "ocppctl: error: schema: both selected and ignored (see 'ocppctl validate --help')\n"


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_code_is_exit_2_with_did_you_mean(ocppctl, in_data: Path, option: str) -> None:
    result = ocppctl("validate", option, "schema,vendorid", "session.jsonl")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"ocppctl: error: Invalid value for '{option}': unknown finding code 'vendorid' (did you mean \"vendor-id\"?) "
        "(see 'ocppctl validate --help')\n"
    )


def test_unknown_code_without_a_near_miss_points_at_help(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--ignore", "nonsense", "session.jsonl")
    assert (result.code, result.out) == (2, "")
    assert result.err == "ocppctl: error: Invalid value for '--ignore': unknown finding code 'nonsense'; see --help\n"


# --- colour ---------------------------------------------------------------------------------


def test_color_always_puts_ansi_codes_and_only_adds_them(ocppctl, in_data: Path) -> None:
    plain = ocppctl("validate", "session.jsonl")
    colored = ocppctl("validate", "--color", "always", "session.jsonl")
    assert colored.code == plain.code == 1
    assert "\x1b[" in colored.out
    assert colored.out.startswith("\x1b[01msession.jsonl:5:110:\x1b[39;49;00m \x1b[91merror:\x1b[39;49;00m ")
    assert ANSI.sub("", colored.out) == plain.out


def test_color_never_on_a_terminal_has_no_ansi(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--color", "never", "session.jsonl", stdout_isatty=True)
    assert "\x1b" not in result.out


def test_color_auto_colours_a_terminal_only(ocppctl, in_data: Path) -> None:
    assert "\x1b[" in ocppctl("validate", "session.jsonl", stdout_isatty=True).out
    assert "\x1b" not in ocppctl("validate", "session.jsonl", stdout_isatty=False).out


@pytest.mark.parametrize("environ", [{"NO_COLOR": "1"}, {"NO_COLOR": "yes"}, {"TERM": "dumb"}])
def test_color_auto_respects_no_color_and_dumb_terminals(ocppctl, in_data: Path, environ: dict[str, str]) -> None:
    result = ocppctl("validate", "session.jsonl", stdout_isatty=True, environ=environ)
    assert "\x1b" not in result.out


def test_empty_no_color_does_not_disable_colour(ocppctl, in_data: Path) -> None:
    """no-color.org: NO_COLOR counts when it is present and not empty."""
    assert "\x1b[" in ocppctl("validate", "session.jsonl", stdout_isatty=True, environ={"NO_COLOR": ""}).out


def test_color_always_beats_no_color(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--color", "always", "session.jsonl", environ={"NO_COLOR": "1"})
    assert "\x1b[" in result.out


def test_json_is_never_coloured(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--json", "--color", "always", "session.jsonl", stdout_isatty=True)
    assert "\x1b" not in result.out


def test_quiet_totals_line_is_coloured_on_request(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "-q", "--color", "always", "session.jsonl")
    assert result.out.startswith(
        "1 file: 11 frames, 6 calls, 4 results, 1 CALLERROR; \x1b[91m3 errors\x1b[39;49;00m, "
        "\x1b[33m3 warnings\x1b[39;49;00m"
    )
    assert ANSI.sub("", result.out) == SESSION_TOTALS


def test_invalid_color_choice_is_a_usage_error(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--color", "sometimes", "session.jsonl")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: Invalid value for '--color': 'sometimes' is not one of 'auto', 'always', 'never'. "
        "(see 'ocppctl validate --help')\n"
    )
