"""`ocppctl repl` end to end in a real terminal: tmux runs it, keys go in with send-keys, the
screen comes back with capture-pane. A station of the `ocpp` package is the peer.

Without tmux the test is skipped on a developer's machine and fails in CI (OCPPCTL_REQUIRE_TMUX=1): `.ci/run`
installs tmux when it is missing."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from transport.peers import ocpp_station
from transport.test_send import _free_port


def _tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        if os.environ.get("OCPPCTL_REQUIRE_TMUX"):
            pytest.fail("tmux is needed for the terminal test (.ci/run installs it)")
        pytest.skip("tmux is not installed")
    return found


class Terminal:
    """One tmux server of our own (-L), one window running one command."""

    def __init__(self, tmux: str, name: str) -> None:
        self.tmux = tmux
        self.name = name

    def run(self, *args: str) -> str:
        done = subprocess.run([self.tmux, "-L", self.name, *args], capture_output=True, text=True, timeout=10)
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "repl")

    def keys(self, text: str, *special: str) -> None:
        if text:
            self.run("send-keys", "-t", "repl", "-l", text)
        for key in special:
            self.run("send-keys", "-t", "repl", key)

    def until(self, check: Callable[[str], bool], what: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"the screen never showed {what}:\n{screen}")
            time.sleep(0.05)


@contextmanager
def terminal(command: list[str], env: dict[str, str]) -> Iterator[Terminal]:
    term = Terminal(_tmux(), f"ocppctl-test-{uuid.uuid4().hex[:8]}")
    exports = [shlex.quote(f"{key}={value}") for key, value in env.items()]
    line = " ".join(["env", *exports, *map(shlex.quote, command)]) + '; echo "exit status $?"'

    term.run("-f", "/dev/null", "new-session", "-d", "-s", "repl", "-x", "120", "-y", "40", line)
    term.run("set-option", "-t", "repl", "remain-on-exit", "on")
    try:
        yield term
    finally:
        term.run("kill-server")


def _last_line(screen: str) -> str:
    lines = [line for line in screen.splitlines() if line.strip()]
    prompt = [line for line in lines if line.startswith(("->", "CP1>"))]  # capture-pane drops trailing blanks
    return prompt[-1] if prompt else ""


def test_a_session_in_a_real_terminal(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "ocppctl", "repl", "--listen", f"127.0.0.1:{port}"]
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"), "NO_COLOR": "1"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    with terminal(command, env) as term:
        term.until(lambda s: _last_line(s) == "->" and "listening on" in s, "the prompt")
        # a line half typed when the station's traffic arrives stays on the prompt, below it
        term.keys("GetVar")
        with ocpp_station(port, "CP1", "ocpp2.0.1"):
            screen = term.until(lambda s: "→ CALLRESULT BootNotification" in s, "the boot answered")
            assert _last_line(term.until(lambda s: "GetVar" in _last_line(s), "the half line")).endswith("GetVar")
            screen = term.screen()
            assert screen.index("← CALL BootNotification") < screen.rindex("GetVar"), screen

            term.keys("iables getVariableData[0].component.name=FiscalMetering")
            term.until(lambda s: 'required property "variable" is missing at /getVariableData/0' in s, "a finding")
            term.keys(" getVariableData[0].variable.name=Enabled")
            term.until(lambda s: "✓ valid" in s and "csms · OCPP 2.0.1 · CP1 · connected · auto on" in s, "valid")
            term.keys("", "Enter")
            screen = term.until(lambda s: "← CALLRESULT GetVariables" in s, "the answer")
            assert '"attributeValue": "true"' in screen

            term.keys("Reset type=Imm")
            # Tab once the completions are there (typed ones come while typing, computed aside)
            term.until(lambda s: "Immediate" in s.replace("type=Imm", ""), "the enum offered")
            term.keys("", "Tab")
            term.until(lambda s: _last_line(s).endswith("Reset type=Immediate"), "the completed enum")
            term.keys("", "C-c")  # clears the line
            term.until(lambda s: _last_line(s) == "CP1>", "a cleared line")
            term.keys(":stations", "Enter")
            term.until(lambda s: "* CP1  OCPP 2.0.1" in s, ":stations")
            term.keys("", "C-d")
            term.until(lambda s: "exit status 0" in s, "the REPL leaving on Ctrl-D")
    history = tmp_path / "state" / "ocppctl" / "history"
    assert "GetVariables getVariableData[0]" in history.read_text()
    assert history.stat().st_mode & 0o777 == 0o600
