"""`ocppctl sim station` as a real process, driven by `ocppctl send --listen` on 127.0.0.1."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

from .test_send import _free_port


def _as_csms(port: int, station: str, *argv: str) -> tuple[int, str, str]:
    """`send --listen` in a thread while a simulated station connects from a process."""
    result: list[tuple[int, str, str]] = []

    def serve() -> None:
        env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
        full = [
            "send",
            *argv,
            "--listen",
            str(port),
            "--station",
            station,
            "--json",
            "--timeout",
            "10",
            "--connect-timeout",
            "15",
        ]
        code = run(full, env)
        result.append((code, env.stdout.getvalue(), env.stderr.getvalue()))

    thread = threading.Thread(target=serve)
    thread.start()
    sim = None
    try:
        time.sleep(0.3)  # the listener first
        ocpp = "1.6" if "--ocpp" in argv and argv[argv.index("--ocpp") + 1] == "1.6" else "2.0.1"
        sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ocppctl",
                "sim",
                "station",
                "--url",
                f"ws://127.0.0.1:{port}/{station}",
                "--ocpp",
                ocpp,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        thread.join(30)
    finally:
        if sim is not None:
            sim.send_signal(signal.SIGTERM)
            sim.communicate(timeout=15)
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
