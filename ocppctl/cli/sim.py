"""`ocppctl sim station`: a simulated station, the peer for the quick start and for tests."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.completion import complete_sim_station
from ocppctl.cli.options import (
    Seconds,
    client_security_options,
    color_option,
    connect_timeout_option,
    env_of,
    link_options,
    ocpp_versions,
    view_of,
    view_options,
    ws_url,
)


@click.group()
def sim() -> None:
    """Simulated peers."""


@sim.command()
@click.option(
    "--url", required=True, metavar="URL", callback=ws_url, help="The CSMS: ws[s]://host[:port]/path/STATIONID."
)
@click.option(
    "--ocpp",
    "ocpp",
    callback=ocpp_versions,
    default="2.0.1",
    show_default=True,
    metavar="V[,V...]",
    help="Versions to offer.",
)
@click.option(
    "--model", type=click.Path(dir_okay=False), help="Device model JSON (variables, 1.6 configuration, vendors)."
)
@click.option("--heartbeat", type=Seconds(min=0.1), help="Seconds between heartbeats (default: the boot answer's).")
@click.option(
    "--exit-on-close",
    is_flag=True,
    help="End when the CSMS closes the link (exit 0 for a normal close, 5 otherwise) instead of reconnecting.",
)
@connect_timeout_option()
@click.option(
    "--control",
    metavar="PATH",
    help="Control socket for `ocppctl sim set` (default: ocppctl/sim-STATIONID.sock beside the hub's).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per frame.")
@view_options
@color_option()
@client_security_options
@link_options
@click.pass_context
def station(
    ctx: click.Context,
    url: str,
    ocpp: list[str],
    model: str | None,
    heartbeat: float | None,
    exit_on_close: bool,
    connect_timeout: float,
    control: str | None,
    as_json: bool,
    full: bool,
    pretty: bool,
    color: str,
    **options: Any,
) -> int:
    """Connect to a CSMS as a simulated station: boot, heartbeat, and answer GetVariables,
    SetVariables, GetBaseReport (NotifyReport in parts), DataTransfer, TriggerMessage, Reset,
    ChangeAvailability; for 1.6 GetConfiguration, ChangeConfiguration, RemoteStart/StopTransaction.
    It does what it accepts (a remote start starts a transaction, Reset reboots, TriggerMessage
    sends the message), and when the link drops it reconnects after the back-off a station uses
    (2.0.1 OCPPCommCtrlr RetryBackOff*), keeping its transaction messages until then.
    Stop with Ctrl-C (exit 130) or SIGTERM (exit 0)."""
    from ocppctl.cli.sim_run import run_station

    options["control"] = control
    options["view"] = view_of(full, pretty, as_json)
    options["exit_on_close"] = exit_on_close
    return run_station(env_of(ctx), url, ocpp, model, heartbeat, connect_timeout, as_json, color, options)


@sim.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="COMPONENT/VARIABLE=VALUE...")
@click.option(
    "--station",
    metavar="ID",
    shell_complete=complete_sim_station,
    help="The simulated station (its default control socket).",
)
@click.option("--via", metavar="PATH", help="The simulated station's control socket.")
@click.pass_context
def set_value(ctx: click.Context, assignments: tuple[str, ...], station: str | None, via: str | None) -> int:
    """Change values of a running simulated station, as its sensors would: a monitor whose
    threshold is crossed sends NotifyEvent (ChargingStation/Temperature=61)."""
    from ocppctl.cli.sim_run import run_set

    if (station is None) == (via is None):
        raise click.UsageError("give --station ID or --via PATH")
    return run_set(env_of(ctx), assignments, station, via)
