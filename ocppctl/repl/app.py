"""The REPL session: lines in, calls and meta-commands out, traffic printed as it flows.

Repl holds what a session remembers (the link, the recording, the last answer, folded
payloads) and turns each line into an action; it prints through `echo`, which the terminal
front end (repl/prompt.py) points above the prompt and tests point at a list. Nothing here
ends the session but :quit and Ctrl-D: every failure is one line and the prompt comes back.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import IO, Any

from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT
from ocppctl.core.rpc import Refused
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.errors import OcppctlError, UsageFailure
from ocppctl.render.findings import finding_text
from ocppctl.repl import commands
from ocppctl.repl.config import Settings
from ocppctl.repl.lines import CallLine, MetaLine, parse_line
from ocppctl.transport.client import LinkError, TimedOut
from ocppctl.transport.flow import Flow
from ocppctl.transport.links import Links

FOLDED_KEPT = 200  # folded payloads :show can still print


class Repl:
    """One interactive session over one set of links (transport/links.py)."""

    def __init__(
        self,
        links: Links,
        registry: SchemaRegistry,
        settings: Settings,
        echo: Callable[[str], None],
        color: bool = False,
        timeout: float = 30.0,
        check: bool = True,
    ) -> None:
        self.links = links
        self.registry = registry
        self.settings = settings
        self.echo = echo
        self.color = color
        self.timeout = timeout
        self.check = check
        self.done = False
        self.last: Any = None
        self.folded: dict[str, str] = {}
        self.record_path: str | None = None
        self._record: IO[str] | None = None
        self._waiting: dict[str, list[asyncio.Future[Flow]]] = {}
        self.failures: set[int] = set()  # exit codes of what went wrong (a piped script's status)
        links.auto = settings.auto_answer
        links.observe = self.observe

    # --- traffic -------------------------------------------------------------------------------

    def observe(self, flow: Flow) -> None:
        """Every frame and connection event of the links: recorded, printed, remembered. It is
        called from the links' readers, so it never raises: a failure is one line."""
        try:
            self._keep(flow)
            self._show(flow)
        except Exception as exc:  # noqa: BLE001 - a reader must outlive a bad frame or a full disk
            self._error(f"cannot show a frame of {flow.station}: {type(exc).__name__}: {exc}")

    def _keep(self, flow: Flow) -> None:
        from ocppctl.io.recorder import Recorder

        if self._record is None:
            return
        recorder = Recorder(self._record)
        try:
            if flow.event in ("connect", "close"):
                recorder.event(flow.ts, flow.station, flow.conn, flow.event, **flow.detail)
            elif flow.side is not None and flow.text is not None:
                recorder.frame(flow.ts, flow.station, flow.conn, flow.side, flow.version.name, flow.text)
        except OSError as exc:
            self._error(f"recording to {self.record_path} stopped: {exc.strerror or exc}")
            self._record = self.record_path = None

    def _show(self, flow: Flow) -> None:
        from ocppctl.render.style import escape, paint

        if flow.event is not None:
            detail = " ".join(f"{k}={v}" for k, v in flow.detail.items() if v not in (None, ""))
            self.echo(
                paint("faint", f"{flow.ts[11:23]} {escape(flow.station)} {flow.event} {escape(detail)}", self.color)
            )
            return
        self._print_frame(flow)
        frame = flow.frame
        if frame is None or flow.side == self.links.side:
            return
        if frame.type in (CALLRESULT, CALLERROR):
            self.last = frame.payload if frame.type == CALLRESULT else _error_body(frame)
        if frame.type == CALL:
            for future in self._waiting.pop(frame.action or "", []):
                if not future.done():
                    future.set_result(flow)
            if not self.links.auto:
                hint = "waiting for your answer: :reply ID {...} or :error ID CODE (Tab completes the ID)"
                self.echo(paint("yellow", "    " + escape(hint), self.color))

    def _print_frame(self, flow: Flow) -> None:
        """The frame, folded past fold_lines; a folded one is kept whole for :show."""
        from ocppctl.render.traffic import traffic_text

        frame = flow.frame
        render = functools.partial(
            traffic_text,
            ts=flow.ts,
            station=flow.station,
            outgoing=flow.side == self.links.side,
            frame=frame,
            text=flow.text or "",
            action=flow.answers,
            color=self.color,
        )
        shown = render(findings=flow.findings, rtt_ms=flow.rtt_ms, max_lines=self.settings.fold_lines)
        self.echo(shown.text)
        if shown.folded and frame is not None:
            self.folded[frame.id] = render(max_lines=1 << 30).text
            while len(self.folded) > FOLDED_KEPT:
                del self.folded[next(iter(self.folded))]

    async def wait_for(self, action: str, seconds: float) -> Flow:
        """The peer's next call of `action`; TimedOut after `seconds`."""
        future: asyncio.Future[Flow] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(action, []).append(future)
        try:
            return await asyncio.wait_for(future, seconds)
        except TimeoutError:
            raise TimedOut(f"no {action} call within {seconds:g} s") from None
        finally:
            if future in self._waiting.get(action, []):
                self._waiting[action].remove(future)

    def record(self, path: str | None) -> None:
        """Start appending the traffic to `path` (capture format), or stop (None)."""
        if self._record is not None:
            self._record.close()
            self.echo(f"recording to {self.record_path} stopped")
            self._record = self.record_path = None
        if path is None:
            return
        from ocppctl.io.recorder import open_record

        try:
            self._record = open_record(path)  # 0600; closed by :record off / close()
        except OSError as exc:
            raise UsageFailure(f"{path}: cannot record there: {exc.strerror or exc}") from None
        self.record_path = path
        self.echo(f"recording to {path}")

    # --- lines ---------------------------------------------------------------------------------

    async def execute(self, text: str) -> None:
        """Do what one line says; every failure becomes one line and the session goes on."""
        try:
            line = parse_line(text)
            if isinstance(line, MetaLine):
                await commands.find(line.name).run(self, line.argument)
            elif isinstance(line, CallLine):
                event = await self.links.call(line.action, line.payload, self.timeout, check=self.check)
                if event.kind == "error":
                    self.failures.add(3)
                elif any(f.severity == "error" for f in event.findings):
                    self.failures.add(1)
        except Refused as refused:
            self.failures.add(1)
            for finding in refused.findings:
                self.echo(finding_text(finding, self.color))
            self.echo("not sent (start with --no-validate to send it anyway)")
        except (OcppctlError, LinkError, TimedOut) as exc:
            self.failures.add(
                exc.exit_code if isinstance(exc, OcppctlError) else 5 if isinstance(exc, LinkError) else 4
            )
            self._error(getattr(exc, "message", None) or str(exc))

    def _error(self, message: str) -> None:
        from ocppctl.render.style import escape, paint

        self.echo(paint("brightred", "error:", self.color) + " " + escape(message))  # may quote the peer

    async def close(self) -> None:
        """Close the links, then the recording: it ends with their close events."""
        await self.links.close()
        self.record(None)


def _error_body(frame: Any) -> dict[str, Any]:
    return {
        "errorCode": frame.error_code,
        "errorDescription": frame.error_description,
        "errorDetails": frame.error_details,
    }
