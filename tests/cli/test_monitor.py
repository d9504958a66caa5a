"""`ocppctl monitor` on 127.0.0.1 against `ocppctl sim station`, as its CSMS and through a hub."""

from __future__ import annotations

import io
import json
import re

import pytest
from transport.peers import as_csms_of_sim, hub_with_sim

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

SET_TEMPERATURE = ["monitor", "set", "ChargingStation/Temperature", "--upper", "60", "--severity", "4"]


def _run(*argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(list(argv), env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def test_set_prints_the_result_as_a_table() -> None:
    code, out, _ = as_csms_of_sim([*SET_TEMPERATURE, "--color", "never"])
    assert code == 0
    assert out == (
        "ID  COMPONENT        VARIABLE     TYPE            SEVERITY  STATUS    REASON\n"
        "1   ChargingStation  Temperature  UpperThreshold  4         Accepted\n"
    )


def test_set_on_an_unknown_variable_exits_1_with_its_status() -> None:
    argv = ["monitor", "set", "ChargingStation/Nope", "--periodic", "60", "--severity", "9", "--json", "--ocpp", "2.1"]
    code, out, _ = as_csms_of_sim(argv, ocpp="2.1", station="CP2")
    assert code == 1
    assert json.loads(out) == {
        "id": None,
        "component": "ChargingStation",
        "variable": "Nope",
        "type": "Periodic",
        "severity": 9,
        "status": "UnknownVariable",
        "reason": "",
    }


def test_level_is_one_line() -> None:
    code, out, _ = as_csms_of_sim(["monitor", "level", "3", "--ocpp", "2.1"], ocpp="2.1")
    assert (code, out) == (0, "SetMonitoringLevel: Accepted\n")


def test_set_list_clear_and_base_through_a_hub() -> None:
    with hub_with_sim("CP5") as control:
        assert _run(*SET_TEMPERATURE, "--via", control)[0] == 0
        argv = ["monitor", "set", "ChargingSoundCtrlr/Volume", "--delta", "2.5", "--severity", "7", "--id", "8"]
        assert _run(*argv, "--via", control)[0] == 0
        code, out, err = _run("monitor", "list", "--via", control)
        assert (code, err) == (0, "")
        assert out == (
            "ID  COMPONENT           VARIABLE     TYPE            VALUE  SEVERITY\n"
            "1   ChargingStation     Temperature  UpperThreshold  60     4\n"
            "8   ChargingSoundCtrlr  Volume       Delta           2.5    7\n"
        )
        code, out, _ = _run("monitor", "clear", "1", "9", "--via", control)
        assert (code, out) == (1, "ID  STATUS    REASON\n1   Accepted\n9   NotFound\n")
        code, out, _ = _run("monitor", "list", "--via", control, "--json")
        assert [json.loads(line)["id"] for line in out.splitlines()] == [8]
        assert _run("monitor", "base", "All", "--via", control)[:2] == (0, "SetMonitoringBase: Accepted\n")
        assert _run("monitor", "list", "--via", control, "--json")[1].count("\n") == 1  # All keeps it
        assert _run("monitor", "base", "FactoryDefault", "--via", control)[0] == 0
        code, out, err = _run("monitor", "list", "--via", control)
        assert (code, out, err) == (0, "", "ocppctl: the station has no monitors to report (EmptyResultSet)\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["set", "A/B", "--severity", "3"], "give one of --upper, --lower, --delta and --periodic"),
        (["set", "A/B", "--upper", "1", "--lower", "0", "--severity", "3"], "give one of --upper"),
        (["set", "A/B", "--upper", "1", "--clock-aligned", "--severity", "3"], "--clock-aligned goes with --periodic"),
        (["set", "A/B:Target", "--upper", "1", "--severity", "3"], "not its Target attribute: drop :Target"),
        (["set", "A/B", "--upper", "1", "--severity", "10"], "10 is not in the range 0<=x<=9"),
        (["clear"], "Missing argument 'ID...'"),
        (["base", "Some"], "'Some' is not one of 'All', 'FactoryDefault', 'HardWiredOnly'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv: list[str], message: str) -> None:
    code, out, err = _run("monitor", *argv, "--listen", "0")
    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1


def test_16_has_no_monitors() -> None:
    code, _, err = _run("monitor", "list", "--listen", "0", "--ocpp", "1.6")
    assert code == 2
    assert (
        err
        == "ocppctl: error: OCPP 1.6 has no variable monitors (they came with 2.0.1's device model) (see 'ocppctl monitor list --help')\n"
    )


def test_watch_prints_the_events_the_monitor_raises() -> None:
    def cross(control: str) -> None:  # until the monitor is set, a crossing raises nothing: again each time
        for value in ("40", "61"):
            run(
                ["sim", "set", "--via", control, f"ChargingStation/Temperature={value}"],
                Env(io.StringIO(), io.StringIO(), None, {}),
            )

    code, out, err = as_csms_of_sim([*SET_TEMPERATURE, "--watch", "--color", "never"], timeout="2", poke=cross)
    assert code == 0, err
    table, events = out.splitlines()[:2], out.splitlines()[2:]
    assert table[1].startswith("1   ChargingStation  Temperature  UpperThreshold  4         Accepted")
    assert events, err
    for line in events:
        assert re.fullmatch(
            r"\S+Z  monitor 1  ChargingStation/Temperature  Alerting  actual=61 \(CustomMonitor\)", line
        ), line
    assert err.endswith("ocppctl: watching NotifyEvent for 2 s\n")


def test_watch_through_a_hub_is_refused_before_asking_it() -> None:
    code, out, err = _run(*SET_TEMPERATURE, "--watch", "--via", "/nonexistent/hub.sock")
    assert (code, out) == (2, "")
    assert (
        err
        == "ocppctl: error: --watch goes with --listen (a hub prints its stations' NotifyEvents itself) (see 'ocppctl monitor set --help')\n"
    )
