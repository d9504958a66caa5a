"""Shell completions: the shipped scripts are what the click app generates (and what
`ocppctl completion SHELL` prints), and what they complete (commands, options, action names of
the --ocpp on the line, finding codes, the station ids of a running hub, files)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.shell_completion import BashComplete

from ocppctl.cli import completion_scripts
from ocppctl.cli.completion_scripts import SHELLS, VARIABLE, script
from ocppctl.cli.main import cli

from .conftest import Result

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
        # send's --ocpp is a list (it was a TypeError): the actions of every version named
        (["send", "--ocpp", "1.6"], "StartT", [("plain", "StartTransaction")]),
        (["send", "--ocpp", "2.1,1.6"], "BatterySw", [("plain", "BatterySwap")]),
        (["send"], "Heartb", [("plain", "Heartbeat")]),
        (["send", "--wait"], "NotifyRep", [("plain", "NotifyReport")]),
        (["validate", "--select"], "dup", [("plain", "duplicate-id"), ("plain", "duplicate-key")]),
        (["validate", "--ignore"], "schema,vend", [("plain", "schema,vendor-id")]),
        (["validate", "--select"], "nothing", []),
        (["completion"], "", [("plain", "bash"), ("plain", "zsh"), ("plain", "fish")]),
    ],
)
def test_what_completes(args: list[str], incomplete: str, expected: list[tuple[str, str]]) -> None:
    assert _complete(args, incomplete) == expected


def test_completing_a_command_line_is_never_an_error() -> None:
    """A Tab on send's action went through the process as `internal error: TypeError`."""
    environ = {**os.environ, VARIABLE: "bash_complete", "COMP_WORDS": "ocppctl send --ocpp 1.6 Sta", "COMP_CWORD": "4"}
    done = subprocess.run(
        [sys.executable, "-m", "ocppctl"], capture_output=True, text=True, env=environ, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "plain,StartTransaction\nplain,StatusNotification\n", "")


@pytest.mark.parametrize("shell", SHELLS)
def test_the_completion_command_prints_the_shipped_script(ocppctl: Any, shell: str) -> None:
    shipped = (ROOT / "completions" / f"ocppctl.{shell}").read_text(encoding="utf-8")
    assert ocppctl("completion", shell) == Result(0, shipped, "")


def test_the_completion_command_names_the_shells(ocppctl: Any) -> None:
    done = ocppctl("completion", "tcsh")
    assert (done.code, done.out) == (2, "")
    assert done.err.startswith("ocppctl: error: Invalid value for '{bash|zsh|fish}': 'tcsh' is not one of")


def test_the_generator_writes_nothing_outside_a_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Installed, the package has no completions/ beside it: it must not make one in site-packages."""
    monkeypatch.setattr(completion_scripts, "source_completions", lambda: None)
    assert completion_scripts.main([]) == 2
    assert capsys.readouterr().err == (
        "ocppctl: error: not in a source tree: give a folder to write to, or print one script "
        "with `ocppctl completion bash|zsh|fish`\n"
    )
    assert completion_scripts.main([str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ocppctl.bash", "ocppctl.fish", "ocppctl.zsh"]


def test_a_hub_that_does_not_answer_completes_nothing_at_once(tmp_path: Path) -> None:
    """No socket, or one that accepts and stays silent: no candidates, within the completion's timeout."""
    assert _complete(["send", "--via", str(tmp_path / "none.sock"), "--station"], "") == []
    path = str(tmp_path / "mute.sock")
    with socket.socket(socket.AF_UNIX) as mute:
        mute.bind(path)
        mute.listen()
        started = time.monotonic()
        assert _complete(["send", "--via", path, "--station"], "") == []
        assert time.monotonic() - started < 2


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


def test_sim_set_completes_the_simulated_stations_running_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By their control sockets in the default folder (XDG_RUNTIME_DIR/ocppctl/sim-ID.sock)."""
    folder = tmp_path / "ocppctl"
    folder.mkdir()
    for name in ("sim-CP001.sock", "sim-CP002.sock", "sim-X9.sock", "hub.sock", "notes.txt"):
        (folder / name).touch()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert _complete(["sim", "set", "--station"], "") == [("plain", "CP001"), ("plain", "CP002"), ("plain", "X9")]
    assert _complete(["sim", "set", "--station"], "CP") == [("plain", "CP001"), ("plain", "CP002")]
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "none"))
    assert _complete(["sim", "set", "--station"], "") == []
