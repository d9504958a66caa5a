"""`ocppctl sim station` as a real process, driven by `ocppctl send --listen` on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

from .peers import ocpp_csms, socket_path
from .test_send import _free_port


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def _as_csms(port: int, station: str, *argv: str, poke: Callable[[str], None] | None = None) -> tuple[int, str, str]:
    """`send --listen` in a thread while a simulated station connects from a process; `poke`
    gets the station's control socket and is called until the send is done."""
    result: list[tuple[int, str, str]] = []

    def serve() -> None:
        env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
        common = ["--listen", str(port), "--station", station, "--json", "--timeout", "10", "--connect-timeout", "15"]
        code = run(["send", *argv, *common], env)
        result.append((code, env.stdout.getvalue(), env.stderr.getvalue()))

    thread = threading.Thread(target=serve)
    thread.start()
    sim = None
    try:
        _wait_listening(port)  # the listener first: the simulated station connects once
        ocpp = "1.6" if "--ocpp" in argv and argv[argv.index("--ocpp") + 1] == "1.6" else "2.0.1"
        control = socket_path("sim.sock")
        url = f"ws://127.0.0.1:{port}/{station}"
        sim = subprocess.Popen(
            [sys.executable, "-m", "ocppctl", "sim", "station", "--url", url, "--ocpp", ocpp, "--control", control],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while thread.is_alive() and time.monotonic() < deadline:
            if poke is not None and os.path.exists(control):
                poke(control)
            thread.join(0.3)
    finally:
        if sim is not None:
            sim.send_signal(signal.SIGTERM)
            sim.communicate(timeout=15)
    thread.join(15)
    assert result, "send --listen did not finish"
    return result[0]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            ["getVariableData[0].component.name=FiscalMetering", "getVariableData[0].variable.name=Enabled"],
            [{"attributeStatus": "Accepted", "attributeValue": "true"}],
        ),
        (
            ["getVariableData[0].component.name=Nope", "getVariableData[0].variable.name=Enabled"],
            [{"attributeStatus": "UnknownComponent"}],
        ),
        (
            ["getVariableData[0].component.name=ChargingSoundCtrlr", "getVariableData[0].variable.name=Pitch"],
            [{"attributeStatus": "UnknownVariable"}],
        ),
    ],
)
def test_get_variables_from_the_device_model(items: list[str], expected: list[dict[str, str]]) -> None:
    code, out, err = _as_csms(_free_port(), "SIM1", "GetVariables", *items)
    assert code == 0, err
    got = [
        {k: v for k, v in r.items() if k in ("attributeStatus", "attributeValue")}
        for r in json.loads(out)["getVariableResult"]
    ]
    assert got == expected


def test_set_variables_refuses_read_only() -> None:
    items = [
        "setVariableData[0].component.name=ChargingStation",
        "setVariableData[0].variable.name=Model",
        "setVariableData[0].attributeValue=X",
        "setVariableData[1].component.name=ChargingSoundCtrlr",
        "setVariableData[1].variable.name=Volume",
        "setVariableData[1].attributeValue=7",
    ]
    code, out, err = _as_csms(_free_port(), "SIM2", "SetVariables", *items)
    assert code == 0, err
    assert [r["attributeStatus"] for r in json.loads(out)["setVariableResult"]] == ["Rejected", "Accepted"]


def test_get_base_report_in_parts() -> None:
    code, out, err = _as_csms(
        _free_port(),
        "SIM3",
        "GetBaseReport",
        "requestId:=3",
        "reportBase=FullInventory",
        "--wait",
        "NotifyReport",
        "--until-done",
    )
    assert code == 0, err
    parts = [json.loads(line) for line in out.splitlines()[1:]]
    assert [(p["seqNo"], p["tbc"]) for p in parts] == [(0, True), (1, False)]
    names = [item["component"]["name"] for p in parts for item in p["reportData"]]
    assert {"FiscalMetering", "ChargingSoundCtrlr", "CustomizationCtrlr"} <= set(names)


def test_ocpp_16_configuration() -> None:
    code, out, err = _as_csms(
        _free_port(), "SIM4", "GetConfiguration", "--ocpp", "1.6", 'key:=["HeartbeatInterval","Nope"]'
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["configurationKey"][0]["key"] == "HeartbeatInterval" and answer["unknownKey"] == ["Nope"]


def test_a_model_file_that_is_not_json_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "model.json"
    bad.write_text("{nope", encoding="utf-8")
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["sim", "station", "--url", "ws://127.0.0.1:9/CP1", "--model", str(bad)], env)
    assert code == 2 and env.stderr.getvalue().startswith(f"ocppctl: error: {bad}: not JSON: ")


@pytest.mark.parametrize(
    ("model", "why"),
    [
        ("[1, 2]", "a device model is a JSON object holding variables, configuration and vendors"),
        ('{"variables": 5}', '"variables" must be a JSON array [...], not 5'),  # not "is a JSON array"
        ('{"variables": [{"component": 1}]}', 'variables[0] needs "component" and "variable", both strings'),
        ('{"configuration": [1]}', 'configuration[0] needs a "key" string'),
        ('{"vendors": "com.x"}', '"vendors" must be a JSON array [...], not "com.x"'),
    ],
)
def test_a_model_file_of_another_shape_says_which_part(tmp_path: Path, model: str, why: str) -> None:
    """It said "not of the expected shape: 'variable'" (a Python KeyError) or worse."""
    bad = tmp_path / "model.json"
    bad.write_text(model, encoding="utf-8")
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["sim", "station", "--url", "ws://127.0.0.1:9/CP1", "--model", str(bad)], env)
    assert code == 2
    assert env.stderr.getvalue().startswith(f"ocppctl: error: {bad}: {why} (docs/sim.md shows the shape)")


def test_a_monitor_crossed_sends_notify_event() -> None:
    def warm_up(control: str) -> None:
        for value in ("40", "61"):
            env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
            run(["sim", "set", "--via", control, f"ChargingStation/Temperature={value}"], env)

    items = [
        "setMonitoringData[0].value:=60",
        "setMonitoringData[0].type=UpperThreshold",
        "setMonitoringData[0].severity:=5",
        "setMonitoringData[0].component.name=ChargingStation",
        "setMonitoringData[0].variable.name=Temperature",
    ]
    code, out, err = _as_csms(
        _free_port(), "SIM5", "SetVariableMonitoring", *items, "--wait", "NotifyEvent", poke=warm_up
    )
    assert code == 0, err
    answer, event = (json.loads(line) for line in out.splitlines()[:2])
    assert answer["setMonitoringResult"][0]["status"] == "Accepted"
    data = event["eventData"][0]
    assert (data["trigger"], data["actualValue"], data["variableMonitoringId"], data["variable"]["name"]) == (
        "Alerting",
        "61",
        answer["setMonitoringResult"][0]["id"],
        "Temperature",
    )


def test_sim_set_needs_a_running_station(tmp_path: Path) -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    path = tmp_path / "none.sock"
    assert run(["sim", "set", "--via", str(path), "ChargingStation/Temperature=61"], env) == 5
    assert env.stderr.getvalue() == f"ocppctl: error: no simulated station at {path}: start `ocppctl sim station`\n"
    bad = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(["sim", "set", "--via", str(path), "Temperature"], bad) == 2
    # the message shows the form; "see 'ocppctl sim --help'" pointed at the wrong page anyway
    assert bad.stderr.getvalue() == (
        "ocppctl: error: 'Temperature': an assignment is COMPONENT/VARIABLE=VALUE (ChargingStation/Temperature=61)\n"
    )


def test_sim_set_of_a_variable_the_model_lacks_says_so() -> None:
    control = socket_path("sim.sock")
    with ocpp_csms(["ocpp2.0.1"]) as port:
        sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ocppctl",
                "sim",
                "station",
                "--url",
                f"ws://127.0.0.1:{port}/S1",
                "--control",
                control,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 15
            while True:  # until the station is up and connected: then the model answers
                env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
                code = run(["sim", "set", "--via", control, "Nope/Thing=1"], env)
                if "in the model" in env.stderr.getvalue() or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        finally:
            sim.terminate()
            sim.wait(15)
    assert (code, env.stdout.getvalue(), env.stderr.getvalue()) == (
        2,
        "",
        "ocppctl: error: no Nope/Thing in the model\n",
    )


@pytest.mark.parametrize(
    ("ocpp", "code"), [("2.0.1", "OccurrenceConstraintViolation"), ("1.6", "OccurenceConstraintViolation")]
)
def test_a_call_that_breaks_its_schema_gets_the_spec_callerror_and_the_station_stays(ocpp: str, code: str) -> None:
    action, item = (
        ("GetVariables", "getVariableData[0].variable.name=X") if ocpp == "2.0.1" else ("ChangeConfiguration", "key:=5")
    )
    status, out, err = _as_csms(_free_port(), "SIM9", action, item, "--no-validate", "--ocpp", ocpp)
    assert status == 3, err  # a CALLERROR, not a link the station dropped
    answer = json.loads(out.splitlines()[0])  # then the findings of the call (--no-validate sent it)
    assert answer["errorCode"] == code
    assert answer["errorDescription"].startswith(f"{action} request: ")


def test_a_model_file_that_is_not_utf8_is_exit_2(tmp_path: Path) -> None:
    """It was an internal error (UnicodeDecodeError)."""
    bad = tmp_path / "model.json"
    bad.write_bytes(b'{"vendors": ["\xff"]}')
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["sim", "station", "--url", "ws://127.0.0.1:9/CP1", "--model", str(bad)], env)
    assert (code, env.stderr.getvalue()) == (
        2,
        f"ocppctl: error: {bad}: not UTF-8 at byte 14 (invalid start byte); re-encode the file as UTF-8\n",
    )
