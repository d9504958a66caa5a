"""What `proxy` does: relay until stopped, printing (filtered) and recording each flow."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import IO, Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.reach import server_security
from ocppctl.cli.serving import run_until_stopped
from ocppctl.cli.terminal_out import TerminalOut
from ocppctl.errors import UsageFailure
from ocppctl.io.recorder import Recorder, open_record
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.flows import FlowPrinter
from ocppctl.render.style import escape_line, wants_color
from ocppctl.transport.flow import Flow


def run_proxy(env: Env, options: dict[str, Any]) -> int:
    from ocppctl.transport.control import default_control_path
    from ocppctl.transport.hub import Hub
    from ocppctl.transport.proxy import Proxy
    from ocppctl.transport.server import parse_listen

    where = options.pop("where")
    try:
        host, port = parse_listen(where)
    except ValueError:
        raise UsageFailure(f"--listen takes [HOST:]PORT, not {where!r}") from None
    upstream = str(options.pop("upstream"))
    upstream_security = _upstream_security(env, upstream, options)
    shown = _view(options.pop("only_station"), options.pop("only_action"), options.pop("quiet"))
    view = options.pop("view")
    out = TerminalOut(env.stdout, view == "json")  # printing never holds up the relay
    color = wants_color(options.pop("color"), env.stdout_isatty, env.environ)
    control = options.pop("control") or default_control_path()
    printer = FlowPrinter(out, env.stderr, color=color, view=view, width=env.columns, local="station", control=control)
    connect_timeout = float(options.pop("connect_timeout"))
    link = build_link_options(options)
    security = server_security(env, options)
    record = options.pop("record")
    handle: IO[str] | None = None
    if record is not None:
        try:
            handle = open_record(record)  # 0600: closed below
        except OSError as exc:
            raise UsageFailure(f"{record}: cannot record there: {exc.strerror or exc}") from None
    recorder = Recorder(handle) if handle is not None else None

    def observe(flow: Flow) -> None:
        if recorder is not None:
            recorder.write(flow.capture())
        if shown(flow):
            printer.flow(flow)

    def log(line: str) -> None:
        env.stderr.write(f"ocppctl: {escape_line(line)}\n")
        env.stderr.flush()

    def listening(at: str, bound: int) -> None:
        printer.listening(at, bound)
        log(f"relaying to {upstream}/STATIONID")

    async def serve(stop: asyncio.Event) -> None:
        relay = Proxy(
            default_registry(),
            upstream,
            observe,
            log=log,
            security=security,
            upstream_security=upstream_security,
            options=link,
            connect_timeout=connect_timeout,
        )
        await Hub(relay, control).serve(host, port, listening, stop)

    try:
        return run_until_stopped(serve, handle.close if handle is not None else None)
    finally:
        out.close()
        if handle is not None:
            handle.close()


def _view(station: str | None, action: str | None, quiet: bool) -> Callable[[Flow], bool]:
    """Which flows the live view shows (the recording keeps them all)."""

    def shown(flow: Flow) -> bool:
        if station is not None and flow.station != station:
            return False
        if flow.event is not None:
            return action is None
        if action is not None:
            named = flow.frame.action if flow.frame is not None and flow.frame.action else flow.answers
            if named != action:
                return False
        return not quiet or bool(flow.findings)

    return shown


def _upstream_security(env: Env, upstream: str, options: dict[str, Any]) -> Any:
    """TLS and basic auth toward the CSMS; with --upstream-user, its password (never printed)."""
    import click

    from ocppctl.transport.security import ClientSecurity, read_password

    user = options.pop("upstream_user")
    file = options.pop("upstream_password_file")
    password = None
    if user is not None or file is not None:

        def prompt() -> str:
            return str(click.prompt(f"password for {user}", hide_input=True, err=True))

        password = read_password(file, env.environ, prompt if env.stdin_isatty else None)
        if user is None or password is None:
            raise UsageFailure(
                "--upstream-user needs a password (--upstream-password-file, OCPPCTL_PASSWORD or a terminal), "
                "and --upstream-password-file a user"
            )
    return ClientSecurity(
        cacert=options.pop("upstream_cacert"),
        cert=options.pop("upstream_cert"),
        key=options.pop("upstream_key"),
        insecure=bool(options.pop("upstream_insecure")),
        user=user,
        password=password,
    )
