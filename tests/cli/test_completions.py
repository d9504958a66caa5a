"""Shell completions: the shipped scripts are what the click app generates, and what they
complete (commands, options, action names of the --ocpp on the line, files)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import BashComplete

from ocppctl.cli.completion_scripts import SHELLS, VARIABLE, script
from ocppctl.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("shell", SHELLS)
def test_shipped_scripts_are_current(shell: str) -> None:
    shipped = (ROOT / "completions" / f"ocppctl.{shell}").read_text(encoding="utf-8")
    assert shipped == script(shell), "run: python -m ocppctl.cli.completion_scripts"


def _complete(args: list[str], incomplete: str) -> list[tuple[str, str]]:
    items = BashComplete(cli, {}, "ocppctl", VARIABLE).get_completions(args, incomplete)
    return [(item.type, item.value) for item in items]


@pytest.mark.parametrize(
    ("args", "incomplete", "expected"),
    [
        ([], "va", [("plain", "validate"), ("plain", "vars")]),
        (["vars"], "", [("plain", "get"), ("plain", "set")]),
        ([], "con", [("plain", "config")]),
        ([], "datat", [("plain", "datatransfer")]),
        (["report", "--base"], "C", [("plain", "ConfigurationInventory")]),
        (["report"], "di", [("plain", "diff")]),
        (["customizations"], "", [("plain", "enable"), ("plain", "disable")]),
        ([], "t", [("plain", "template")]),
        (["template", "--ocpp", "1.6"], "Boo", [("plain", "BootNotification")]),
        (
            ["schema", "--ocpp", "1.6"],
            "remotest",
            [("plain", "RemoteStartTransaction"), ("plain", "RemoteStopTransaction")],
        ),
        (["template", "--ocpp", "2.1"], "BatterySw", [("plain", "BatterySwap")]),
        (["template"], "BatterySw", []),  # the default version, 2.0.1, has none
        (["validate", "--action"], "GetVariabl", [("plain", "GetVariables")]),
        (["validate", "--ocpp", "1.6", "--action"], "GetConf", [("plain", "GetConfiguration")]),
        (["validate"], "--st", [("plain", "--strict")]),
        (["validate", "--format"], "j", [("plain", "json")]),
        (["validate", "--ocpp"], "2", [("plain", "2.0.1"), ("plain", "2.1")]),
        (["actions", "--from"], "c", [("plain", "csms")]),
    ],
)
def test_what_completes(args: list[str], incomplete: str, expected: list[tuple[str, str]]) -> None:
    assert _complete(args, incomplete) == expected


def test_files_complete_as_files() -> None:
    assert _complete(["validate"], "capt") == [("file", "capt")]


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash on this machine")
def test_bash_completes_through_the_shipped_script() -> None:
    """A real bash sources completions/ocppctl.bash and asks it, as a user's Tab does."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "ocppctl").exists():
        pytest.skip("the ocppctl script is not installed beside this Python")
    program = (
        f"source {ROOT / 'completions' / 'ocppctl.bash'}; "
        "COMP_WORDS=(ocppctl template --ocpp 1.6 StartT); COMP_CWORD=4; "
        '_ocppctl_completion ocppctl; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "StartTransaction\n", "")
