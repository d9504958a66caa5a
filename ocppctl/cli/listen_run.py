"""What `listen` does: serve until interrupted, printing and recording each flow."""

from __future__ import annotations

import asyncio
from typing import IO, Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.reach import server_security
from ocppctl.cli.serving import run_until_stopped
from ocppctl.cli.terminal_out import TerminalOut
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import UsageFailure
from ocppctl.io.recorder import Recorder, open_record
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.flows import FlowPrinter
from ocppctl.render.style import wants_color
from ocppctl.transport.flow import Flow


def run_listen(
    env: Env,
    where: str,
    ocpp: list[str],
    record: str | None,
    heartbeat_interval: int,
    boot_status: str,
    as_json: bool,
    color_choice: str,
    security: dict[str, Any],
) -> int:
    from ocppctl.handlers.defaults import CsmsState
    from ocppctl.transport.hub import Hub
    from ocppctl.transport.server import parse_listen

    try:
        host, port = parse_listen(where)
    except ValueError:
        raise UsageFailure(f"--listen takes [HOST:]PORT, not {where!r}") from None
    handle: IO[str] | None = None
    if record is not None:
        try:
            handle = open_record(record)  # 0600: closed below
        except OSError as exc:
            raise UsageFailure(f"{record}: cannot record there: {exc.strerror or exc}") from None
    recorder = Recorder(handle) if handle is not None else None
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    out = TerminalOut(env.stdout, as_json)  # printing never blocks the hub
    printer = FlowPrinter(
        out,
        env.stderr,
        color=color,
        view=security.pop("view", "json" if as_json else "compact"),
        width=env.columns,
    )
    state = CsmsState(heartbeat_interval=heartbeat_interval, boot_status=boot_status)
    versions = [VERSIONS[name] for name in ocpp]
    from ocppctl.transport.control import default_control_path

    control = security.pop("control", None) or default_control_path()
    printer.control = control
    link = build_link_options(security)

    def observe(flow: Flow) -> None:
        if recorder is not None:
            recorder.write(flow.capture())
        printer.flow(flow)

    async def serve(stop: asyncio.Event) -> None:
        from ocppctl.handlers.defaults import csms_answerer
        from ocppctl.io.recorder import ocpp_time
        from ocppctl.transport.csms import Csms

        registry = default_registry()
        csms = Csms(
            registry,
            versions,
            observe,
            csms_answerer(registry, state, ocpp_time),
            security=server_security(env, security),
            options=link,
        )
        await Hub(csms, control).serve(host, port, printer.listening, stop)

    try:
        return run_until_stopped(serve, handle.close if handle is not None else None)
    finally:
        out.close()
        if handle is not None:
            handle.close()
