"""`ocppctl datatransfer`: one vendor-specific DataTransfer, either way, in any version."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    asked_versions,
    choose_role,
    client_security_options,
    color_option,
    env_of,
    link_options,
    peer_options,
    server_security_options,
)


@click.command("datatransfer")
@click.argument("vendor_id", metavar="VENDORID")
@click.option("--message-id", metavar="ID", help="The messageId: which of the vendor's messages.")
@click.option(
    "--data",
    metavar="JSON|@FILE|-",
    help="The data: a JSON value, @FILE holding one, or - (standard input). In OCPP 1.6 data is a string: "
    "a JSON value other than a string is sent as its JSON text.",
)
@peer_options(
    listen_help="As a CSMS, listen here (HOST defaults to 127.0.0.1) and send to the station that connects.",
    station_help="With --listen: wait for this station; with --via: the station to send to.",
    timeout_help="Seconds to wait for the answer.",
)
@click.option("--no-validate", is_flag=True, help="Send the call even if it breaks its schema.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: status, meaning, data, decoded.")
@color_option()
@client_security_options
@server_security_options
@link_options
@click.pass_context
def datatransfer(ctx: click.Context, vendor_id: str, message_id: str | None, data: str | None, **options: Any) -> int:
    """Send a DataTransfer of VENDORID to a CSMS as a station (--url), or to a station as a CSMS
    (--listen, --via); print its status, what it means, and its data (a string holding JSON
    shown decoded).

    \b
    ocppctl datatransfer com.vendor.x --message-id GetStats --data '{"period":60}' --listen 9000
    ocppctl datatransfer com.vendor.x --data @payload.json --url ws://localhost:9000/CP1

    Statuses: Accepted; Rejected; UnknownVendorId, the peer has no implementation for the
    vendorId (P01.FR.05); UnknownMessageId, it knows the vendorId but not the messageId
    (P01.FR.06).

    Exit status: 0 Accepted, 1 another status or an answer that breaks its schema, 2 usage,
    3 CALLERROR, 4 no answer in time, 5 connection failure.
    """
    from ocppctl.cli.datatransfer_run import read_data, run_datatransfer

    env = env_of(ctx)
    role = choose_role(options.pop("url"), options.pop("listen"), options.pop("via"), options["station"])
    value = read_data(data, lambda: env.stdin.read() if env.stdin else b"")
    ocpp = options.pop("ocpp")
    return run_datatransfer(
        env,
        vendor_id,
        message_id,
        value,
        role,
        options.pop("station"),
        asked_versions(ctx, role, ocpp),
        not options.pop("no_validate"),
        options.pop("timeout"),
        options.pop("connect_timeout"),
        options.pop("as_json"),
        options.pop("color"),
        options,
    )
