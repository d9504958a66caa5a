"""Options every command shares, defined once (DESIGN.md: conventions of every command)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import click

from ocppctl.cli.completion import complete_station

VERSION_CHOICES = ("1.6", "2.0.1", "2.1")
DEFAULT_VERSION = "2.0.1"  # of the schema tools, when no --ocpp is given


def ocpp_option(help_text: str = "OCPP version: 1.6, 2.0.1 or 2.1.") -> Callable[[Any], Any]:
    # is_eager: parsed first, so completing an action name later on the line knows the version
    return click.option(
        "--ocpp", "ocpp", type=click.Choice(VERSION_CHOICES), default=None, help=help_text, is_eager=True
    )


def ocpp_versions(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str]:
    """--ocpp V[,V...] of the live commands: the versions to offer or accept, first preferred."""
    names = [v.strip() for v in (value or DEFAULT_VERSION).split(",") if v.strip()]
    if not names:
        raise click.BadParameter(f"{value!r} names no version; one or more of {', '.join(VERSION_CHOICES)}")
    for name in names:
        if name not in VERSION_CHOICES:
            raise click.BadParameter(f"{name!r} is not one of {', '.join(VERSION_CHOICES)}")
    return names


class Seconds(click.FloatRange):
    """A number of seconds at least `min`: a FloatRange that also refuses nan (which passes
    every range check: each comparison with it is false) and inf (which JSON cannot carry to a
    hub, and no wait needs)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return number


def color_option() -> Callable[[Any], Any]:
    return click.option(
        "--color",
        type=click.Choice(("auto", "always", "never")),
        default="auto",
        show_default=True,
        help="Colour the output; auto means on a terminal unless NO_COLOR is set.",
    )


def complete_action(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of an action name: those of the --ocpp already on the line (the
    default version for schema and template, every version for validate --action)."""
    from click.shell_completion import CompletionItem

    from ocppctl.core.versions import VERSIONS

    chosen = ctx.params.get("ocpp")
    if isinstance(chosen, str):  # --ocpp of the schema tools names one version
        chosen = [chosen]
    if chosen:  # the live commands' --ocpp V[,V...] is a list: the actions of any of them
        names = {name for version in chosen for name in VERSIONS[version].actions}
    elif ctx.command.name == "validate":
        names = {name for version in VERSIONS.values() for name in version.actions}
    else:
        names = set(VERSIONS[DEFAULT_VERSION].actions)
    lowered = incomplete.lower()
    return [CompletionItem(name) for name in sorted(names) if name.lower().startswith(lowered)]


STATION_URL = "ws[s]://host[:port]/path/STATIONID"


def ws_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A --url must be ws:// or wss:// with a host and a station id: said at once, as a usage
    error (quoting the URL with its password, if any, shown as ***)."""
    checked = _websocket_url(value, STATION_URL)
    if checked is not None and not _station_of(checked):
        from ocppctl.transport.security import redact

        raise click.BadParameter(f"{redact(checked)!r} names no station id ({STATION_URL})")
    return checked


def ws_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A WebSocket URL with a host, a station id to be added to it (`proxy --upstream`)."""
    return _websocket_url(value, "ws[s]://host[:port]/path")


def _station_of(url: str) -> str:
    from ocppctl.transport.client import station_id

    return station_id(url)


def _websocket_url(value: str | None, shape: str) -> str | None:
    """`value` when it is ws:// or wss:// with a host and a valid port; BadParameter showing
    `shape` otherwise."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    from ocppctl.transport.security import redact

    shown = repr(redact(value))
    try:
        parts = urlsplit(value)
    except ValueError:  # an IPv6 host with no closing bracket
        raise click.BadParameter(f"{shown} is not a WebSocket URL (a bad [IPv6] host; {shape})") from None
    try:
        port = parts.port
    except ValueError:  # 99999, abc
        port = 0
    if parts.scheme.lower() not in ("ws", "wss") or not parts.hostname:
        raise click.BadParameter(f"{shown} is not a WebSocket URL ({shape})")
    if port == 0:
        raise click.BadParameter(f"{shown}: the port must be a number from 1 to 65535")
    return value


def view_options(command: Any) -> Any:
    """--full/-v and --pretty: how `listen` and `sim station` show each frame (render/flows.py)."""
    return _stacked(
        command,
        [
            click.option(
                "-v",
                "--full",
                is_flag=True,
                help="Each frame whole on its line (default: cut to the terminal's width).",
            ),
            click.option("--pretty", is_flag=True, help="Each frame pretty-printed over several lines."),
        ],
    )


def view_of(full: bool, pretty: bool, as_json: bool) -> str:
    """The FlowPrinter view the flags of view_options and --json ask for; one at most."""
    if full + pretty + as_json > 1:
        raise click.UsageError("give one of --full, --pretty and --json")
    return "full" if full else "pretty" if pretty else "json" if as_json else "compact"


def connect_timeout_option() -> Callable[[Any], Any]:
    """--connect-timeout, the same for every command that dials or waits for a peer."""
    return click.option(
        "--connect-timeout", type=Seconds(min=0.001), default=30.0, show_default=True, help="Seconds to connect."
    )


def peer_options(listen_help: str, station_help: str, timeout_help: str, url: bool = True) -> Callable[[Any], Any]:
    """How a command reaches its peer, the same for `send` and `repl`: --url (as a station;
    left out with `url` False, for commands that speak only as a CSMS), --listen (as a CSMS),
    --via (a running hub), --station, --ocpp V[,V...], --timeout and --connect-timeout.
    choose_role() reads them."""
    decorators = [
        click.option(
            "--url",
            metavar="URL",
            callback=ws_url,
            help="As a station, connect to this CSMS: ws[s]://host[:port]/path/STATIONID.",
        ),
        click.option("--listen", metavar="[HOST:]PORT", help=listen_help),
        click.option("--station", metavar="ID", help=station_help, shell_complete=complete_station),
        click.option(
            "--via",
            metavar="PATH",
            help="Reach the stations through a running `ocppctl listen` (its control socket); the default "
            "when neither --url nor --listen is given.",
        ),
        click.option(
            "--ocpp",
            "ocpp",
            callback=ocpp_versions,
            is_eager=True,
            metavar="V[,V...]",
            help=f"OCPP version(s) to offer or accept, first preferred: 1.6, 2.0.1, 2.1 (default {DEFAULT_VERSION}).",
        ),
        click.option("--timeout", type=Seconds(min=0.001), default=30.0, show_default=True, help=timeout_help),
        connect_timeout_option(),
    ]
    if not url:
        decorators.pop(0)
    return lambda command: _stacked(command, decorators)


def choose_role(url: str | None, listen: str | None, via: str | None, station: str | None) -> tuple[str, str]:
    """("station", URL), ("csms", [HOST:]PORT) or ("via", control socket path) from the
    options of peer_options; a usage error when they contradict each other."""
    if sum(x is not None for x in (url, listen, via)) > 1:
        raise click.UsageError("give one of --url (as a station), --listen (as a CSMS) or --via (a running hub)")
    if station is not None and url is not None:
        raise click.UsageError("--station goes with --listen or --via")
    if url is not None:
        return "station", url
    if listen is not None:
        return "csms", listen
    from ocppctl.transport.control import default_control_path

    return "via", via or default_control_path()


def asked_versions(
    ctx: click.Context, role: tuple[str, str], ocpp: list[str], default: list[str] | None = None
) -> list[str] | None:
    """The versions to speak: --ocpp's when given; else, through a hub, None (the station's own
    version, which the hub knows); else `default`, or --ocpp's default."""
    if ctx.get_parameter_source("ocpp") is not click.core.ParameterSource.DEFAULT:
        return ocpp
    if role[0] == "via":
        return None
    return default if default is not None else ocpp


def _stacked(command: Any, decorators: list[Callable[[Any], Any]]) -> Any:
    """`command` with the option decorators applied, shown in --help in the order listed."""
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def env_of(ctx: click.Context) -> Any:
    """The Env object the run was started with."""
    from ocppctl.cli.env import Env

    return ctx.find_object(Env)


def client_security_options(command: Any) -> Any:
    """--cacert, --insecure, --cert, --key, --user, --password-file (security profiles 1-3)."""
    return _stacked(
        command,
        [
            click.option(
                "--cacert", type=click.Path(dir_okay=False), help="CA certificate(s) to verify the server (wss://)."
            ),
            click.option("--insecure", is_flag=True, help="Do not verify the server's TLS certificate."),
            click.option("--cert", type=click.Path(dir_okay=False), help="Client certificate (security profile 3)."),
            click.option("--key", type=click.Path(dir_okay=False), help="Key of the client certificate."),
            click.option(
                "--user", metavar="NAME", help="Basic-auth user (default: the station id when a password is given)."
            ),
            click.option(
                "--password-file",
                type=click.Path(dir_okay=False),
                help="File holding the basic-auth password (else OCPPCTL_PASSWORD, else a prompt).",
            ),
        ],
    )


def server_security_options(command: Any) -> Any:
    """--tls-cert, --tls-key, --client-ca, --auth (the CSMS side of security profiles 1-3)."""
    return _stacked(
        command,
        [
            click.option("--tls-cert", type=click.Path(dir_okay=False), help="Serve wss:// with this certificate."),
            click.option("--tls-key", type=click.Path(dir_okay=False), help="Key of the --tls-cert certificate."),
            click.option(
                "--client-ca", type=click.Path(dir_okay=False), help="Require client certificates signed by this CA."
            ),
            click.option(
                "--auth",
                metavar="USER:PASSWORD-FILE",
                multiple=True,
                help="Require basic auth (401 otherwise); the user must be the station id. Repeat for more stations.",
            ),
            click.option(
                "--any-identity",
                is_flag=True,
                help="With --auth: let a basic-auth user connect under any station id (bench work).",
            ),
        ],
    )


def link_options(command: Any) -> Any:
    """--ping-interval, --ping-timeout, --no-compression, --max-size, and how the peer engine
    behaves: --answer-invalid, --boot-wait (every live link)."""
    return _stacked(
        command,
        [
            click.option(
                "--ping-interval",
                type=Seconds(min=0),
                default=20.0,
                show_default=True,
                help="Seconds between pings (0: none).",
            ),
            click.option(
                "--ping-timeout",
                type=Seconds(min=0),
                default=20.0,
                show_default=True,
                help="Seconds a pong may take.",
            ),
            click.option("--no-compression", is_flag=True, help="Do not offer permessage-deflate."),
            click.option(
                "--max-size",
                type=click.IntRange(min=1),
                default=1 << 20,
                show_default=True,
                metavar="BYTES",
                help="Largest message accepted.",
            ),
            click.option(
                "--answer-invalid",
                is_flag=True,
                help="Answer the peer's calls that break their schema as if valid (the default is the CALLERROR "
                "OCPP-J names: FormatViolation, TypeConstraintViolation, ...): bench work with quirky peers.",
            ),
            click.option(
                "--boot-wait",
                type=Seconds(min=0),
                default=10.0,
                show_default=True,
                help="As a CSMS, hold calls until the station's BootNotification was answered, at most this long "
                "after it connected (0: call at once).",
            ),
        ],
    )


def build_link_options(values: dict[str, Any]) -> Any:
    """LinkOptions from the values of link_options (taken out of `values`)."""
    from ocppctl.transport.client import LinkOptions

    interval = values.pop("ping_interval", 20.0)
    timeout = values.pop("ping_timeout", 20.0)
    return LinkOptions(
        ping_interval=interval or None,
        ping_timeout=timeout or None,
        compression=not values.pop("no_compression", False),
        max_size=values.pop("max_size", 1 << 20),
        answer_invalid=values.pop("answer_invalid", False),
        boot_grace=values.pop("boot_wait", 10.0) or None,
    )


def csms_command_options(json_help: str, timeout_help: str, no_validate: str | None = None) -> Callable[[Any], Any]:
    """The options of the commands that ask a station as its CSMS (vars, config, monitor,
    customizations, report): how to reach it (--listen, --via, --station, --ocpp, the
    timeouts), --no-validate when the command sends what the user wrote, --json, --color, the
    CSMS side's security and link options, and the click context."""
    decorators = [
        peer_options(
            listen_help="Listen here as a CSMS (HOST defaults to 127.0.0.1) and ask the station that connects.",
            station_help="With --listen: wait for this station; with --via: the station to ask.",
            timeout_help=timeout_help,
            url=False,
        ),
        *([click.option("--no-validate", is_flag=True, help=no_validate)] if no_validate else []),
        click.option("--json", "as_json", is_flag=True, help=json_help),
        color_option(),
        server_security_options,
        link_options,
        click.pass_context,
    ]
    return lambda command: _stacked(command, decorators)
