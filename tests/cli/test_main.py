"""The `ocppctl` group: --help, --version, unknown commands, --debug, the last line of defence,
and the installed command run from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ocppctl as package
from ocppctl.io.schemafiles import schema_dir

REPO = Path(__file__).resolve().parent.parent.parent

EXIT_CODES = """\
  Exit codes:
    0    success, no errors
    1    errors found (with --strict, warnings too)
    2    usage error, or an input that cannot be opened, decompressed or decoded
    3    the peer answered with a CALLERROR
    4    timeout
    5    connection, TLS or handshake failure
    70   internal error (a bug: --debug shows the traceback)
    130  interrupted
  When several apply, the first of 2, 5, 4, 3, 1 wins.
"""

COMMANDS = """\
Commands:
  validate        Check captured OCPP-J frames against the OCA schemas.
  actions         List the actions of a version and who sends them.
  schema          Print the JSON schema of an action.
  template        Print a minimal valid payload for an action.
"""


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_commands_and_exit_codes(ocppctl, flag: str) -> None:
    result = ocppctl(flag)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("Usage: ocppctl [OPTIONS] COMMAND [ARGS]...\n")
    assert COMMANDS in result.out
    assert result.out.endswith(EXIT_CODES)
    assert "--version" in result.out and "--debug" in result.out


@pytest.mark.parametrize("command", ["validate", "actions", "schema", "template"])
def test_every_command_has_help(ocppctl, command: str) -> None:
    result = ocppctl(command, "--help")
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"Usage: ocppctl {command} [OPTIONS]")


def test_no_command_prints_the_help_on_stdout_and_exits_0(ocppctl) -> None:
    """A bare `ocppctl` is a request for help, not a mistake: the same text as --help, no error."""
    result = ocppctl()
    assert (result.code, result.err) == (0, "")
    assert result.out == ocppctl("--help").out
    assert result.out.startswith("Usage: ocppctl [OPTIONS] COMMAND [ARGS]...\n")
    assert COMMANDS in result.out


def test_version_names_the_schema_provenance_and_path(ocppctl) -> None:
    result = ocppctl("--version")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"ocppctl {package.__version__}\n"
        "schemas: OCA JSON schemas as shipped by the PyPI package ocpp 2.1.0 (sha256 manifest in SHA256SUMS)\n"
        f"  at {REPO / 'schemas'}\n"
    )
    assert Path(schema_dir()) == REPO / "schemas"


def test_unknown_command_is_exit_2_with_did_you_mean(ocppctl) -> None:
    """The message already points at --help, so nothing is appended to it."""
    result = ocppctl("validat", "x.jsonl")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: no command 'validat' (did you mean \"validate\"?); `ocppctl --help` lists them\n"
    )


def test_unknown_command_without_a_near_miss(ocppctl) -> None:
    result = ocppctl("frobnicate")
    assert (result.code, result.out) == (2, "")
    assert result.err == "ocppctl: error: no command 'frobnicate'; `ocppctl --help` lists them\n"


def test_unknown_option_is_one_line_naming_the_commands_help(ocppctl) -> None:
    result = ocppctl("validate", "--fast", "x.jsonl")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: No such option '--fast'. Did you mean '--format'? (see 'ocppctl validate --help')\n"
    )


def test_debug_shows_the_traceback_of_a_failure(ocppctl) -> None:
    plain = ocppctl("schema", "Xyzzy")
    assert plain.err == (
        'ocppctl: error: "Xyzzy" is not an OCPP 2.0.1 action (`ocppctl actions --ocpp 2.0.1` lists them) '
        "(see 'ocppctl schema --help')\n"
    )
    debug = ocppctl("--debug", "schema", "Xyzzy")
    assert debug.code == plain.code == 2
    assert debug.err.startswith("Traceback (most recent call last):\n")
    assert debug.err.endswith(plain.err)


def test_internal_error_is_one_line_and_exit_70(ocppctl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A bug in ocppctl still ends in one line; --debug shows where it happened."""
    import ocppctl.cli.validate_run as validate_run

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(validate_run, "check_files", broken)
    (tmp_path / "c.jsonl").write_text("")
    result = ocppctl("validate", str(tmp_path / "c.jsonl"))
    assert result.code == 70
    assert result.err == "ocppctl: internal error: RuntimeError: boom (run with --debug for details)\n"
    debug = ocppctl("--debug", "validate", str(tmp_path / "c.jsonl"))
    assert debug.code == 70
    assert debug.err.startswith("Traceback (most recent call last):\n")
    assert 'raise RuntimeError("boom")' in debug.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["validate", "--ocpp", "9", "-"],
            "Invalid value for '--ocpp': '9' is not one of '1.6', '2.0.1', '2.1'. (see 'ocppctl validate --help')",
        ),
        (
            ["validate", "--max-findings", "many", "-"],
            "Invalid value for '--max-findings': 'many' is not a valid integer range. (see 'ocppctl validate --help')",
        ),
        (
            ["validate", "--pattern", "(", "-"],
            "Invalid value for '--pattern': not a regular expression: missing ), unterminated subpattern at "
            "position 0 (see 'ocppctl validate --help')",
        ),
        (["schema"], "Missing argument 'ACTION'. (see 'ocppctl schema --help')"),
        (
            ["template", "Nope", "--ocpp", "1.6"],
            '"Nope" is not an OCPP 1.6 action (`ocppctl actions --ocpp 1.6` lists them) '
            "(see 'ocppctl template --help')",
        ),
        (
            ["actions", "--from", "nobody"],
            "Invalid value for '--from': 'nobody' is not one of 'station', 'csms'. (see 'ocppctl actions --help')",
        ),
        (["--nope"], "No such option '--nope'. (see 'ocppctl --help')"),
    ],
)
def test_usage_errors_are_one_line_exit_2_without_traceback(ocppctl, argv: list[str], message: str) -> None:
    """Click's own messages too are one line, pointing at the help of the command that was run."""
    result = ocppctl(*argv, stdin=b"")
    assert (result.code, result.out, result.err) == (2, "", f"ocppctl: error: {message}\n")


def test_option_missing_its_value_names_the_commands_help(ocppctl) -> None:
    """Click raises this one without a context: the command is taken from the line."""
    result = ocppctl("validate", "--ocpp")
    assert (result.code, result.out) == (2, "")
    assert result.err == ("ocppctl: error: Option '--ocpp' requires an argument. (see 'ocppctl validate --help')\n")


def _subprocess_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "NO_COLOR"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_installed_command_works_from_any_directory(tmp_path: Path) -> None:
    """`python -m ocppctl validate FILE` from a directory far from the source tree finds the schemas."""
    capture = REPO / "tests" / "data" / "cli" / "warnings.jsonl"
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "c.jsonl").write_bytes(capture.read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "ocppctl", "validate", "c.jsonl"],
        cwd=work,
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        'c.jsonl:1:110: warning: DataTransfer vendorId "acme" is not a dotted reverse-DNS name '
        "(P01.FR.02, P02.FR.03) [vendor-id] at /vendorId\n"
        '    hint: use the vendor\'s reversed domain, e.g. "com.example.feature"\n'
        "\n"
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 1 warning\n"
        "  action          calls  results  CALLERRORs    p50 ms    p95 ms    max ms\n"
        "  DataTransfer        1        1           0     250.0     250.0     250.0\n"
    )


def test_console_script_reads_a_pipe_and_exits_1_on_errors(tmp_path: Path) -> None:
    """The `ocppctl` console script: stdin is a pipe (not a tty), so no FILE means standard input."""
    script = Path(sys.executable).parent / "ocppctl"
    if not script.exists():
        pytest.skip("no ocppctl console script beside this interpreter")
    done = subprocess.run(
        [str(script), "validate", "--ocpp", "2.0.1", "-q"],
        input='[2,"1","Heartbeat",{"x":1}]\n',
        cwd=tmp_path,
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "1 file: 1 frame, 1 call, 0 results, 0 CALLERRORs; 1 error, 1 warning\n",
        "",
    )


def test_a_usage_failure_in_a_group_points_at_its_subcommands_help(ocppctl) -> None:
    """It said "see 'ocppctl sim --help'", a page that does not list station's options."""
    result = ocppctl("sim", "station", "--url", "ws://127.0.0.1:9/CP1", "--user", "u")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: --user needs a password: --password-file, OCPPCTL_PASSWORD, or a terminal to ask on "
        "(see 'ocppctl sim station --help')\n"
    )
