"""What `listen` does: serve until interrupted, printing and recording each flow."""

from __future__ import annotations

import asyncio
from typing import IO, Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.send_run import server_security
from ocppctl.cli.serving import run_until_stopped
from ocppctl.core.frames import TYPE_NAMES
from ocppctl.core.jsontext import dumps
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import UsageFailure
from ocppctl.io.recorder import Recorder
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape, escape_line, paint, wants_color
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
            handle = open(record, "a", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UsageFailure(f"{record}: cannot record there: {exc.strerror or exc}") from None
    recorder = Recorder(handle) if handle is not None else None
    printer = _FlowPrinter(env, wants_color(color_choice, env.stdout_isatty, env.environ), as_json)
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
        from ocppctl.io.recorder import utc_stamp
        from ocppctl.transport.csms import Csms

        registry = default_registry()
        csms = Csms(
            registry,
            versions,
            observe,
            csms_answerer(registry, state, utc_stamp),
            security=server_security(env, security),
            options=link,
        )
        await Hub(csms, control).serve(host, port, printer.listening, stop)

    try:
        return run_until_stopped(serve)
    finally:
        if handle is not None:
            handle.close()


class _FlowPrinter:
    """A line per frame: time, station, arrow, the frame (escaped), findings below."""

    def __init__(self, env: Env, color: bool, as_json: bool, local: str = "csms") -> None:
        self.env = env
        self.color = color
        self.as_json = as_json
        self.local = local  # frames this side sends get →, the peer's ←
        self.control: str | None = None

    def listening(self, host: str, port: int) -> None:
        self.env.stderr.write(f"ocppctl: listening on {host}:{port} (Ctrl-C stops)\n")
        if self.control:
            self.env.stderr.write(f"ocppctl: control socket {self.control} (send --via)\n")
        self.env.stderr.flush()

    def _frame(self, flow: Flow) -> str:
        """`CALL BootNotification 19223201 {...}`: the type, action and id, then the payload."""
        frame = flow.frame
        if frame is None:
            return escape(flow.text or "")
        label = " ".join(x for x in (TYPE_NAMES.get(frame.type, "?"), frame.action, frame.id) if x)
        if frame.error_code is not None:
            body = f"{frame.error_code} {dumps(frame.error_description)}"
        else:
            body = dumps(frame.payload)
        return f"{paint('cyan', escape_line(label), self.color)} {escape(body)}"

    def flow(self, flow: Flow) -> None:
        out = self.env.stdout
        if self.as_json:
            out.write(dumps(flow.as_record()) + "\n")
        else:
            when = flow.ts[11:23]
            who = escape_line(flow.station)
            if flow.event is not None:
                detail = " ".join(f"{k}={v}" for k, v in flow.detail.items() if v not in (None, ""))
                out.write(paint("faint", f"{when} {who} {flow.event} {escape(detail)}", self.color) + "\n")
            else:
                arrow = "→" if flow.side == self.local else "←"
                out.write(f"{when} {paint('bold', who, self.color)} {arrow} {self._frame(flow)}\n")
                for finding in flow.findings:
                    out.write("    " + finding_text(finding, self.color).replace("\n", "\n    ") + "\n")
        out.flush()
