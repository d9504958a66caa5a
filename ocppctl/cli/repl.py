"""`ocppctl repl`: the interactive session, with the connection options of `send`."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    choose_role,
    client_security_options,
    color_option,
    env_of,
    link_options,
    peer_options,
    server_security_options,
)


@click.command()
@peer_options(
    listen_help="As a CSMS, listen here (HOST defaults to 127.0.0.1); any number of stations may connect.",
    station_help="With --listen or --via: the station to use first.",
    timeout_help="Seconds to wait for an answer (and for :wait).",
)
@click.option("--no-validate", is_flag=True, help="Send calls and answers even if they break their schema.")
@click.option("--record", metavar="FILE", type=click.Path(dir_okay=False), help="Record the traffic from the start.")
@click.option("--no-history", is_flag=True, help="Neither read nor write the history file.")
@color_option()
@client_security_options
@server_security_options
@link_options
@click.pass_context
def repl(
    ctx: click.Context,
    url: str | None,
    listen: str | None,
    via: str | None,
    station: str | None,
    ocpp: list[str],
    no_validate: bool,
    timeout: float,
    connect_timeout: float,
    record: str | None,
    no_history: bool,
    color: str,
    **options: Any,
) -> int:
    """An interactive session with a CSMS (--url, as a station), with stations (--listen, as a
    CSMS), or through a running hub (--via).

    Type `ACTION {json}` or `ACTION path=value path:=json` to send a call; Tab completes
    actions, property names, enum values and meta-commands (:help lists them). The toolbar
    checks the line as you type. Traffic is printed above the prompt as it flows; the peer's
    calls get default answers until `:auto off`, then wait for `:reply ID {...}` or `:error`.
    Ctrl-C clears the line (or stops waiting for an answer), Ctrl-D leaves.

    Lines piped in (not a terminal) run one by one with no prompt, as a script.

    Settings: $XDG_CONFIG_HOME/ocppctl/config; history: $XDG_STATE_HOME/ocppctl/history.
    Exit status: 0, or 2 usage, 5 when the first connection or the listening port fails; a
    script's status is the first of 2, 5, 4, 3, 1 that happened in it.
    """
    from ocppctl.cli.repl_run import run_repl

    role = choose_role(url, listen, via, station)
    options.update(record=record, no_history=no_history, station=station)
    return run_repl(env_of(ctx), role, ocpp, not no_validate, timeout, connect_timeout, color, options)
