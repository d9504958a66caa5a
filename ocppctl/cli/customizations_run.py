"""What `customizations` does: gather a FullInventory report, list the CustomizationCtrlr
instances; enable/disable one by SetVariables after checking its Enabled is writable."""

from __future__ import annotations

import random
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.reach import Calls, answered, reach_of, run_calls
from ocppctl.cli.status import ExitCode
from ocppctl.core.addressing import Address
from ocppctl.core.customizations import CONTROLLER, Customization, customizations
from ocppctl.core.jsontext import dumps
from ocppctl.core.variables import rows_of
from ocppctl.errors import OcppctlError, UsageFailure
from ocppctl.render.style import escape_line, wants_color
from ocppctl.render.table import table_text


def run_customizations(
    env: Env,
    change: tuple[str, str] | None,
    role: tuple[str, str],
    station: str | None,
    ocpp: list[str] | None,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    """List the customizations, or `change` (enable|disable, vendorId) one of them."""
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    reach = reach_of(role, station, ocpp, connect_timeout)
    _device_model(reach.version)

    async def work(calls: Calls) -> int:
        _device_model(calls.version)
        request = {"requestId": random.randint(1, 2**31 - 1), "reportBase": "FullInventory"}
        event, parts = await calls.gather("GetBaseReport", request, timeout, "NotifyReport")
        answer = answered("GetBaseReport", event)
        status = answer.get("status") if isinstance(answer, dict) else None
        if status != "Accepted":
            raise _error(f"GetBaseReport answered {escape_line(str(status))}: the station sends no report")
        found = customizations([p.frame.payload for p in parts if p.frame is not None])
        if change is None:
            _print(env, found, as_json)
            return 0
        return await _change(env, calls, found, change, timeout, as_json)

    return run_calls(env, reach, options, color, work)


async def _change(
    env: Env, calls: Calls, found: list[Customization], change: tuple[str, str], timeout: float, as_json: bool
) -> int:
    verb, vendor = change
    known = next((c for c in found if c.vendor_id == vendor), None)
    if known is None:
        names = ", ".join(c.vendor_id for c in found) or "none"
        raise _error(f"the station reports no {CONTROLLER}[{escape_line(vendor)}] (it has: {escape_line(names)})")
    if known.mutability not in ("ReadWrite", "WriteOnly"):
        raise _error(f"{CONTROLLER}[{escape_line(vendor)}]/Enabled is {known.mutability}: it cannot be set")
    address = Address(CONTROLLER, "Enabled", component_instance=vendor)
    item = address.set_item("true" if verb == "enable" else "false")
    event = await calls.call("SetVariables", {"setVariableData": [item]}, timeout)
    rows = rows_of("SetVariables", answered("SetVariables", event), [item])
    for row in rows:
        if as_json:
            env.stdout.write(dumps(row.as_dict()) + "\n")
        else:
            reason = f" ({row.reason})" if row.reason else ""
            env.stdout.write(escape_line(f"{row.address.component_text()}/Enabled: {row.status}{reason}") + "\n")
    return 0 if rows and all(row.status == "Accepted" for row in rows) else int(ExitCode.FINDINGS)


def _print(env: Env, found: list[Customization], as_json: bool) -> None:
    if as_json:
        for c in found:
            env.stdout.write(dumps(c.as_dict()) + "\n")
        return
    if not found:
        env.stderr.write(f"ocppctl: the station reports no {CONTROLLER} instance\n")
        return
    cells = [(c.vendor_id, c.enabled or "", c.mutability or "") for c in found]
    env.stdout.write(table_text(("VENDORID", "ENABLED", "MUTABILITY"), cells))


def _device_model(version: str) -> None:
    if version == "1.6":
        raise UsageFailure("OCPP 1.6 has no CustomizationCtrlr (its customizations are DataTransfer)")


def _error(message: str) -> OcppctlError:
    error = OcppctlError(message)
    error.exit_code = int(ExitCode.FINDINGS)
    return error
