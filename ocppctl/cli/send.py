"""`ocppctl send`: one action to a live CSMS, as a station; the answer, checked and timed."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    asked_versions,
    choose_role,
    client_security_options,
    color_option,
    complete_action,
    env_of,
    link_options,
    peer_options,
    server_security_options,
)


@click.command()
@click.argument("action", shell_complete=complete_action)
@click.argument("payload", nargs=-1)
@peer_options(
    listen_help="As a CSMS, listen here (HOST defaults to 127.0.0.1) and send to the station that connects.",
    station_help="With --listen: wait for this station; with --via: the station to call.",
    timeout_help="Seconds to wait for the answer.",
)
@click.option("--template", is_flag=True, help="Start the payload from the action's template.")
@click.option("--id", "uid", metavar="ID", help="Use this unique id instead of a fresh UUID.")
@click.option("--no-validate", is_flag=True, help="Send the call even if it breaks its schema or direction.")
@click.option(
    "--wait",
    "wait_for",
    metavar="ACTION",
    shell_complete=complete_action,
    help="After the answer, wait for the peer's calls of ACTION and print them (NotifyReport after GetBaseReport).",
)
@click.option("--count", type=click.IntRange(min=1), help="With --wait: this many calls.")
@click.option("--until-done", is_flag=True, help="With --wait: until a call whose tbc is not true (the last part).")
@click.option("--json", "as_json", is_flag=True, help="Print only the answer's payload (a CALLERROR as an object).")
@color_option()
@client_security_options
@server_security_options
@link_options
@click.pass_context
def send(
    ctx: click.Context,
    action: str,
    payload: tuple[str, ...],
    url: str | None,
    listen: str | None,
    station: str | None,
    via: str | None,
    ocpp: list[str],
    template: bool,
    uid: str | None,
    no_validate: bool,
    timeout: float,
    connect_timeout: float,
    wait_for: str | None,
    count: int | None,
    until_done: bool,
    as_json: bool,
    color: str,
    **options: Any,
) -> int:
    """Send ACTION to a CSMS as a station (--url), or to a station as a CSMS (--listen); print
    the answer, check both ways.

    PAYLOAD is a JSON object, @FILE, - (standard input), or items: path=value sets a string,
    path:=json any JSON value; paths walk objects and arrays (chargingStation.model=X,
    getVariableData[0].component.name=FiscalMetering).

    Exit status: 0 a valid answer, 1 an answer (or the call) that breaks its schema, 2 usage,
    3 CALLERROR, 4 no answer in time, 5 connection or handshake failure.
    """
    from ocppctl.cli.send_run import run_send

    env = env_of(ctx)
    role = choose_role(url, listen, via, station)
    if (count is not None or until_done) and wait_for is None:
        raise click.UsageError("--count and --until-done go with --wait ACTION")
    options["wait"] = (wait_for, count, until_done)
    return run_send(
        env,
        action,
        payload,
        role,
        station,
        asked_versions(ctx, role, ocpp),
        template,
        uid,
        not no_validate,
        timeout,
        connect_timeout,
        as_json,
        color,
        options,
    )
