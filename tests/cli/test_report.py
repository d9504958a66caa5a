"""`ocppctl report` on 127.0.0.1 against `ocppctl sim station`: every part gathered, a model saved
that the simulated station loads again."""

from __future__ import annotations

import json
from pathlib import Path

from transport.peers import as_csms_of_sim, free_port, ocpp_station


def test_a_full_inventory_in_parts_is_one_table() -> None:
    code, out, err = as_csms_of_sim(["report", "--color", "never"])  # 8 variables: two NotifyReport parts
    assert (code, err.count("\n")) == (0, 1)
    assert out == (
        "COMPONENT                                  VARIABLE           ATTRIBUTES             TYPE     UNIT  RANGE  VALUES\n"
        "ChargingStation                            Model              Actual=ocppctl-sim RO  string\n"
        "ChargingStation                            VendorName         Actual=ocppctl RO      string\n"
        "ChargingStation                            Temperature        Actual=40 RO           decimal\n"
        "OCPPCommCtrlr                              HeartbeatInterval  Actual=300 RW          integer\n"
        "FiscalMetering                             Enabled            Actual=true RW         boolean\n"
        "ChargingSoundCtrlr                         Enabled            Actual=true RW         boolean\n"
        "ChargingSoundCtrlr                         Volume             Actual=5 RW            integer\n"
        "CustomizationCtrlr[com.mycompany.txcount]  Enabled            Actual=true RW         boolean\n"
    )


def test_a_saved_report_is_a_model_the_simulated_station_loads(tmp_path: Path) -> None:
    saved = tmp_path / "model.json"
    code, out, err = as_csms_of_sim(["report", "--base", "ConfigurationInventory", "--json", "--save", str(saved)])
    assert code == 0
    assert err.splitlines()[-1] == f"ocppctl: 5 variables saved to {saved} (sim station --model)"
    assert len(out.splitlines()) == 5
    model = json.loads(saved.read_text(encoding="utf-8"))
    volume = next(v for v in model["variables"] if (v["component"], v["variable"]) == ("ChargingSoundCtrlr", "Volume"))
    assert volume == {
        "component": "ChargingSoundCtrlr",
        "variable": "Volume",
        "value": "5",
        "mutability": "ReadWrite",
        "dataType": "integer",
    }
    volume["value"] = "9"
    saved.write_text(json.dumps(model), encoding="utf-8")
    code, out, err = as_csms_of_sim(["vars", "get", "ChargingSoundCtrlr/Volume", "--json"], model=str(saved))
    assert (code, json.loads(out)["value"]) == (0, "9")


def _run(*argv: str) -> tuple[int, str, str]:
    import io

    from ocppctl.cli.env import Env
    from ocppctl.cli.main import run

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(list(argv), env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def test_diff_of_a_saved_model_and_a_json_report(tmp_path: Path) -> None:
    model = {
        "variables": [
            {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "300", "dataType": "integer"},
            {"component": "Gone", "variable": "V", "value": "1"},
        ]
    }
    item = {
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
        "variableAttribute": [{"type": "Actual", "value": "60", "mutability": "ReadWrite"}],
        "variableCharacteristics": {"dataType": "integer"},
    }
    before, after = tmp_path / "a.json", tmp_path / "b.jsonl"
    before.write_text(json.dumps(model), encoding="utf-8")
    after.write_text(json.dumps(item) + "\n", encoding="utf-8")
    assert _run("report", "diff", str(before), str(after)) == (
        1,
        "- Gone/V:Actual '1' ReadWrite string\n"
        "~ OCPPCommCtrlr/HeartbeatInterval:Actual: '300' ReadWrite integer -> '60' ReadWrite integer\n",
        "",
    )
    code, out, err = _run("report", "diff", str(after), str(after), "--json")
    assert (code, out, err) == (0, "", "")
    after.write_text("[1]\n", encoding="utf-8")
    code, out, err = _run("report", "diff", str(before), str(after))
    assert (code, out) == (2, "")
    assert err.startswith(f"ocppctl: error: {after}:1: not a reported item (component, variable, variableAttribute)")


def test_a_selective_report_of_components_from_a_station_of_the_ocpp_package() -> None:
    port = free_port()
    common = ["--listen", str(port), "--station", "CP7", "--timeout", "10", "--connect-timeout", "10"]
    with ocpp_station(port, "CP7", "ocpp2.0.1"):
        code, out, err = _run(
            "report",
            "--component",
            "EVSE@1",
            "--component",
            "CustomizationCtrlr[a/b]/Enabled",
            "--color",
            "never",
            *common,
        )
    assert (code, err.count("\n")) == (0, 1)
    assert out == (
        "COMPONENT                VARIABLE  ATTRIBUTES      TYPE  UNIT  RANGE  VALUES\n"
        "EVSE@1                   Enabled   Actual=true RO\n"
        "CustomizationCtrlr[a/b]  Enabled   Actual=true RO\n"
    )
    port = free_port()
    common[1] = str(port)
    with ocpp_station(port, "CP7", "ocpp2.0.1"):
        code, out, err = _run("report", "--criteria", "Problem", *common)
    assert (code, out) == (0, "")
    assert err.splitlines()[-1] == "ocppctl: the station has nothing to report for this GetReport (EmptyResultSet)"


def test_report_options_that_do_not_go_together() -> None:
    code, out, err = _run("report", "--base", "FullInventory", "--criteria", "Problem", "--listen", "1")
    assert (code, out) == (2, "")
    assert err.startswith(
        "ocppctl: error: --base asks for a base report; --component and --criteria for a selective one"
    )
    code, out, err = _run("report", "--component", "EVSE@x", "--listen", "1")
    assert err.startswith("ocppctl: error: --component 'EVSE@x' at column 6: expected an EVSE id (a number), not 'x'")
