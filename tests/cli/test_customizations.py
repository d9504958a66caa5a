"""`ocppctl customizations` on 127.0.0.1 against `ocppctl sim station`, as its CSMS."""

from __future__ import annotations

import json
from pathlib import Path

from transport.peers import as_csms_of_sim, hub_with_sim

from ocppctl.handlers.sim import DEFAULT_MODEL


def _model(tmp_path: Path) -> str:
    """The default model (com.mycompany.txcount) plus a read-only customization, over three report parts."""
    model = json.loads(json.dumps(DEFAULT_MODEL))
    fixed = {"component": "CustomizationCtrlr", "instance": "com.acme.fixed", "variable": "Enabled", "value": "false"}
    certificate = {"component": "FiscalMetering", "variable": "Certificate", "value": "-----BEGIN"}
    model["variables"] += [{**fixed, "mutability": "ReadOnly", "dataType": "boolean"}, certificate]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    return str(path)


def test_the_instances_a_full_report_holds(tmp_path: Path) -> None:
    code, out, err = as_csms_of_sim(["customizations", "--color", "never"], model=_model(tmp_path))
    assert (code, err.count("\n")) == (0, 1)
    assert out == (
        "VENDORID               ENABLED  MUTABILITY\n"
        "com.acme.fixed         false    ReadOnly\n"
        "com.mycompany.txcount  true     ReadWrite\n"
    )


def test_disable_one_that_is_writable() -> None:
    code, out, err = as_csms_of_sim(["customizations", "disable", "com.mycompany.txcount", "--json"])
    assert code == 0
    assert json.loads(out)["status"] == "Accepted"
    assert json.loads(out)["address"] == "CustomizationCtrlr[com.mycompany.txcount]/Enabled"


def test_a_read_only_or_missing_instance_is_not_set(tmp_path: Path) -> None:
    code, out, err = as_csms_of_sim(["customizations", "enable", "com.acme.fixed"], model=_model(tmp_path))
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == (
        "ocppctl: error: CustomizationCtrlr[com.acme.fixed]/Enabled is ReadOnly: it cannot be set"
    )
    code, out, err = as_csms_of_sim(["customizations", "enable", "com.other"])
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == (
        "ocppctl: error: the station reports no CustomizationCtrlr[com.other] (it has: com.mycompany.txcount)"
    )


def test_through_a_hub_the_parts_come_back_with_the_answer() -> None:
    import io

    from ocppctl.cli.env import Env
    from ocppctl.cli.main import run

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    with hub_with_sim() as control:
        code = run(["customizations", "--via", control, "--json", "--timeout", "10"], env)
    assert (code, env.stderr.getvalue()) == (0, "")
    assert json.loads(env.stdout.getvalue()) == {
        "vendorId": "com.mycompany.txcount",
        "enabled": "true",
        "mutability": "ReadWrite",
    }
