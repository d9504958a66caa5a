"""`ocppctl customizations`: which vendor customizations a station has, and switching them."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    asked_versions,
    choose_role,
    csms_command_options,
    env_of,
)


@click.command("customizations")
@click.argument("verb", required=False, type=click.Choice(("enable", "disable")), metavar="[enable|disable VENDORID]")
@click.argument("vendor_id", required=False, metavar="")
@csms_command_options(
    "One JSON object per customization (or per result).",
    "Seconds to wait for the answer and for each report part.",
)
def customizations(ctx: click.Context, verb: str | None, vendor_id: str | None, **options: Any) -> int:
    """The CustomizationCtrlr instances a station reports (one per vendorId) and whether each is
    Enabled, from a FullInventory report (GetBaseReport, every NotifyReport part); or enable or
    disable one (SetVariables of CustomizationCtrlr[VENDORID]/Enabled, after checking the
    report says it is writable). OCPP 2.0.1 and 2.1.

    \b
    ocppctl customizations --listen 9000
    ocppctl customizations disable com.mycompany.txcount --via /run/user/1000/ocppctl/hub.sock

    Exit status: 0 listed, or set and Accepted; 1 not Accepted, no such instance, or its Enabled
    is not writable; 2 usage; 3 CALLERROR; 4 no answer or report part in time; 5 connection failure.
    """
    from ocppctl.cli.customizations_run import run_customizations

    if (verb is None) != (vendor_id is None):
        raise click.UsageError("enable and disable name a VENDORID: customizations enable|disable VENDORID")
    role = choose_role(None, options.pop("listen"), options.pop("via"), options["station"])
    ocpp = options.pop("ocpp")
    return run_customizations(
        env_of(ctx),
        (verb, vendor_id) if verb is not None and vendor_id is not None else None,
        role,
        options.pop("station"),
        asked_versions(ctx, role, ocpp),
        options.pop("timeout"),
        options.pop("connect_timeout"),
        options.pop("as_json"),
        options.pop("color"),
        options,
    )
