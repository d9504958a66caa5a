"""`ocppctl listen`: a CSMS for any number of stations; frames printed and recorded as they flow."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    color_option,
    env_of,
    link_options,
    ocpp_versions,
    server_security_options,
    view_of,
    view_options,
)


@click.command()
@click.option(
    "--listen", "where", default="127.0.0.1:9000", show_default=True, metavar="[HOST:]PORT", help="Where to listen."
)
@click.option(
    "--ocpp",
    "ocpp",
    callback=ocpp_versions,
    default="2.0.1,1.6,2.1",
    show_default=True,
    metavar="V[,V...]",
    help="OCPP versions to accept, first preferred.",
)
@click.option(
    "--record",
    "record",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Append every frame to FILE as capture records.",
)
@click.option(
    "--heartbeat-interval",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="Interval in BootNotification answers.",
)
@click.option(
    "--boot-status",
    type=click.Choice(("Accepted", "Pending", "Rejected")),
    default="Accepted",
    show_default=True,
    help="Status of BootNotification answers.",
)
@click.option(
    "--control",
    metavar="PATH",
    help="The control socket other commands reach stations through (send --via); "
    "default: ocppctl/hub.sock under XDG_RUNTIME_DIR, else a per-user temp folder.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per frame or connection event.")
@view_options
@color_option()
@server_security_options
@link_options
@click.pass_context
def listen(
    ctx: click.Context,
    where: str,
    ocpp: list[str],
    record: str | None,
    heartbeat_interval: int,
    boot_status: str,
    control: str | None,
    as_json: bool,
    full: bool,
    pretty: bool,
    color: str,
    **security: Any,
) -> int:
    """Act as a CSMS: accept stations (the last segment of the path is the station id), answer
    their calls with default answers, print every frame with its findings, record with --record.

    Stop with Ctrl-C (exit 130) or SIGTERM (exit 0); a recording loses nothing either way.
    """
    from ocppctl.cli.listen_run import run_listen

    security["control"] = control
    security["view"] = view_of(full, pretty, as_json)
    return run_listen(env_of(ctx), where, ocpp, record, heartbeat_interval, boot_status, as_json, color, security)
