"""`ocppctl probe`: what a CSMS endpoint accepts, and why a handshake fails."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    Seconds,
    client_security_options,
    color_option,
    connect_timeout_option,
    env_of,
    link_options,
    ocpp_versions,
    ws_url,
)


@click.command()
@click.option(
    "--url",
    required=True,
    metavar="URL",
    callback=ws_url,
    help="The CSMS endpoint: ws[s]://host[:port]/path/STATIONID.",
)
@click.option(
    "--ocpp",
    "ocpp",
    callback=ocpp_versions,
    default="2.1,2.0.1,1.6",
    show_default=True,
    metavar="V[,V...]",
    help="Versions to offer, first preferred.",
)
@click.option("--each-version", is_flag=True, help="Also try each version alone: which does the server accept?")
@click.option(
    "--boot/--no-boot",
    default=False,
    help="Also send a BootNotification and time its answer (the CSMS may register the station: off by default).",
)
@click.option(
    "--timeout", type=Seconds(min=0.001), default=30.0, show_default=True, help="Seconds for the boot answer."
)
@connect_timeout_option()
@click.option("--json", "as_json", is_flag=True, help="One JSON object with every fact.")
@color_option()
@client_security_options
@link_options
@click.pass_context
def probe(
    ctx: click.Context,
    url: str,
    ocpp: list[str],
    each_version: bool,
    boot: bool,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color: str,
    **options: Any,
) -> int:
    """Connect to a CSMS and report: the subprotocol it picks (and, with --each-version, which
    versions it accepts), TLS version, cipher and certificate, whether it asks for auth,
    compression, handshake time; with --boot, a BootNotification round trip. Without --boot
    nothing is sent: the probe leaves no trace at the CSMS beyond a connection.

    Exit status: 0 all went well, 1 a boot answer that breaks its schema, 3 a CALLERROR to the
    boot, 4 no boot answer in time, 5 no connection or a refused handshake.
    """
    from ocppctl.cli.probe_run import run_probe

    return run_probe(env_of(ctx), url, ocpp, each_version, not boot, timeout, connect_timeout, as_json, color, options)
