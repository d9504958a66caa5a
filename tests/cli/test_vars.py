"""`ocppctl vars get|set` on 127.0.0.1 against `ocppctl sim station`, as its CSMS and through a hub."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from transport.peers import as_csms_of_sim, hub_with_sim

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.handlers.sim import DEFAULT_MODEL

GET_SIX = [
    "OCPPCommCtrlr/HeartbeatInterval",
    "ChargingStation/Model",
    "ChargingSoundCtrlr/Volume",
    "CustomizationCtrlr[com.mycompany.txcount]/Enabled",
    "Nope/X",
    "ChargingStation/Temperature:Target",
]


def _model(tmp_path: Path, items_per_message: str, mutability: str = "ReadOnly") -> str:
    """The default model with DeviceDataCtrlr ItemsPerMessage, which the simulated station enforces."""
    model = json.loads(json.dumps(DEFAULT_MODEL))
    limit = {"component": "DeviceDataCtrlr", "variable": "ItemsPerMessage", "value": items_per_message}
    model["variables"].append({**limit, "mutability": mutability, "dataType": "integer"})
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    return str(path)


def _run(*argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.BytesIO(stdin), environ={})
    code = run(list(argv), env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def test_get_reads_the_limit_first_and_prints_one_table(tmp_path: Path) -> None:
    code, out, err = as_csms_of_sim(["vars", "get", *GET_SIX, "--color", "never"], model=_model(tmp_path, "2"))
    assert err == "ocppctl: listening on 127.0.0.1:" + err.split(":", 2)[2]  # no retry note: the limit was read
    assert err.count("\n") == 1
    assert code == 1  # UnknownComponent and NotSupportedAttributeType are not Accepted
    assert out == (
        "COMPONENT                                  VARIABLE           ATTRIBUTE  STATUS                     VALUE\n"
        "OCPPCommCtrlr                              HeartbeatInterval  Actual     Accepted                   300\n"
        "ChargingStation                            Model              Actual     Accepted                   ocppctl-sim\n"
        "ChargingSoundCtrlr                         Volume             Actual     Accepted                   5\n"
        "CustomizationCtrlr[com.mycompany.txcount]  Enabled            Actual     Accepted                   true\n"
        "Nope                                       X                  Actual     UnknownComponent\n"
        "ChargingStation                            Temperature        Target     NotSupportedAttributeType\n"
    ).replace("VALUE\n", "VALUE        REASON\n", 1)


def test_a_limit_the_station_does_not_say_is_learnt_from_its_callerror(tmp_path: Path) -> None:
    model = _model(tmp_path, "2", mutability="WriteOnly")  # never read back: the limit stays unknown
    code, out, err = as_csms_of_sim(["vars", "get", *GET_SIX[:5], "--json"], model=model)
    assert code == 1
    assert err.splitlines()[1:] == [
        "ocppctl: 5 items in one GetVariables refused (OccurrenceConstraintViolation): sending 2 at a time"
    ]
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(row["address"], row["status"], row["value"]) for row in rows] == [
        ("OCPPCommCtrlr/HeartbeatInterval", "Accepted", "300"),
        ("ChargingStation/Model", "Accepted", "ocppctl-sim"),
        ("ChargingSoundCtrlr/Volume", "Accepted", "5"),
        ("CustomizationCtrlr[com.mycompany.txcount]/Enabled", "Accepted", "true"),
        ("Nope/X", "UnknownComponent", None),
    ]


def test_set_says_why_each_item_was_refused(tmp_path: Path) -> None:
    source = tmp_path / "items.txt"
    source.write_text("# from a file\nChargingSoundCtrlr/Volume=loud\n", encoding="utf-8")
    argv = ["vars", "set", "OCPPCommCtrlr/HeartbeatInterval=60", "ChargingStation/Model=x", "--from-file", str(source)]
    code, out, err = as_csms_of_sim([*argv, "--json"])
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(row["address"], row["status"], row["reason"], row["additionalInfo"]) for row in rows] == [
        ("OCPPCommCtrlr/HeartbeatInterval", "Accepted", None, None),
        ("ChargingStation/Model", "Rejected", "ReadOnly", None),
        ("ChargingSoundCtrlr/Volume", "Rejected", "InvalidValue", "'loud' is not an integer"),
    ]
    assert rows[0] == {
        "address": "OCPPCommCtrlr/HeartbeatInterval",
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
        "attributeType": "Actual",
        "status": "Accepted",
        "value": None,
        "reason": None,
        "additionalInfo": None,
    }


@pytest.mark.parametrize("ocpp", ["2.0.1", "2.1"])
def test_every_item_accepted_is_exit_0(ocpp: str) -> None:
    argv = ["vars", "set", "ChargingSoundCtrlr/Volume=3", "--color", "never", "--ocpp", ocpp]
    code, out, err = as_csms_of_sim(argv, ocpp=ocpp)
    assert (code, out) == (
        0,
        "COMPONENT           VARIABLE  ATTRIBUTE  STATUS    VALUE  REASON\n"
        "ChargingSoundCtrlr  Volume    Actual     Accepted\n",
    )


def test_a_16_station_has_no_device_model() -> None:
    code, out, err = _run("vars", "get", "A/B", "--ocpp", "1.6", "--listen", "1")
    assert (code, out) == (2, "")
    assert err == (
        "ocppctl: error: OCPP 1.6 has configuration keys, not a device model: use `ocppctl config` "
        "(see 'ocppctl vars get --help')\n"
    )


def test_a_bad_address_points_at_the_character() -> None:
    code, out, err = _run("vars", "get", "FiscalMetering/Enabled", "Fiscal Metering/Enabled", "--listen", "1")
    assert (code, out) == (2, "")
    assert err == (
        "ocppctl: error: argument 2: 'Fiscal Metering/Enabled' at column 7: expected '/' before the variable name "
        "(COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]/VARIABLE[INSTANCE][:ATTRIBUTE]) (see 'ocppctl vars get --help')\n"
    )
    code, out, err = _run("vars", "set", "--listen", "1")
    assert (code, err) == (
        2,
        "ocppctl: error: name at least one ADDR=VALUE (or --from-file) (see 'ocppctl vars set --help')\n",
    )


def test_get_through_a_hub(tmp_path: Path) -> None:
    with hub_with_sim("CP5", model=_model(tmp_path, "1")) as control:
        code, out, err = _run("vars", "get", *GET_SIX[:3], "--via", control, "--json", "--timeout", "10")
    assert (code, err) == (0, "")  # ItemsPerMessage 1: its own two-item read was refused, so one at a time
    assert [json.loads(line)["value"] for line in out.splitlines()] == ["300", "ocppctl-sim", "5"]


def test_a_value_that_breaks_the_schema_is_refused_before_any_station_connects() -> None:
    code, out, err = _run("vars", "set", "A/B=1", "ChargingStation/Model=" + "x" * 1001, "--listen", "1")
    assert (code, out) == (1, "")
    assert err == (
        "error: SetVariables request: string of 1001 characters, at most 1000 allowed [schema] "
        "at /setVariableData/1/attributeValue\n"
        "ocppctl: the call was not sent (--no-validate sends it anyway)\n"
    )


def test_a_callerror_is_exit_3_in_one_line() -> None:
    argv = ["vars", "set", "ChargingStation/Model=" + "x" * 1001, "--no-validate", "--color", "never"]
    code, out, err = as_csms_of_sim(argv)
    assert (code, out) == (3, "")
    assert err.splitlines()[-1] == (
        "ocppctl: error: SetVariables answered with CALLERROR PropertyConstraintViolation: SetVariables request: "
        "string of 1001 characters, at most 1000 allowed at /setVariableData/0/attributeValue"
    )


def test_from_file_reads_standard_input_and_says_what_it_cannot_read(tmp_path: Path) -> None:
    code, out, err = _run("vars", "get", "--from-file", "-", "--listen", "1", stdin=b'["A/B", "A B/C"]')
    assert (code, out) == (2, "")
    assert err.startswith("ocppctl: error: item 1: 'A B/C' at column 2: expected '/' before the variable name")
    code, out, err = _run("vars", "get", "--from-file", "-", "--listen", "1", stdin=b"\xff")
    assert err.startswith("ocppctl: error: --from-file -: not UTF-8 at byte 0")
    code, out, err = _run("vars", "get", "--from-file", str(tmp_path / "none"), "--listen", "1")
    assert err.startswith(f"ocppctl: error: --from-file {tmp_path / 'none'}: cannot read: No such file or directory")
