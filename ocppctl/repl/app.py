"""The REPL session: lines in, calls and meta-commands out, traffic printed as it flows.

Repl holds what a session remembers (the link, the recording, the last answer, folded
payloads) and turns each line into an action; it prints through `echo`, which the terminal
front end (repl/prompt.py) points above the prompt and tests point at a list. Nothing here
ends the session but :quit and Ctrl-D: every failure is one line and the prompt comes back.
"""

from __future__ import annotations

import asyncio
import collections
import functools
from collections.abc import Callable
from typing import IO, Any

from ocppctl import errors
from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT
from ocppctl.core.rpc import Refused
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.errors import OcppctlError, TimedOut, UsageFailure
from ocppctl.io.payload_args import item_hints
from ocppctl.render.findings import finding_text
from ocppctl.repl import commands
from ocppctl.repl.config import Settings
from ocppctl.repl.lines import CallLine, MetaLine, line_items, parse_line
from ocppctl.transport.flow import Flow
from ocppctl.transport.links import Links

FOLDED_KEPT = 200  # folded payloads :show can still print
ARRIVED_KEPT = 1000  # the peer's calls kept for a :wait
OPEN_KEPT = 10_000  # open calls kept for a new recording (calls never answered are let go)


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
        self.warn = echo  # errors and refusals; a piped script sends them to stderr
        self.color = color
        self.timeout = timeout
        self.check = check
        self.done = False
        self.last: Any = None
        self.folded: dict[str, str] = {}
        self.record_path: str | None = None
        self._record: IO[str] | None = None
        self._waiting: dict[str, list[asyncio.Future[Flow]]] = {}
        self._arrived: collections.deque[tuple[int, Flow]] = collections.deque(maxlen=ARRIVED_KEPT)
        self._open: dict[tuple[str, int, str], Flow] = {}  # calls not answered yet, both ways
        self._seen = 0  # the peer's calls so far: each arrived call's number
        self._lines = (0, 0)  # the number of the next call when the previous and this line began
        self.failures: set[int] = set()  # exit codes of what went wrong (a piped script's status)
        links.auto = settings.auto_answer
        links.observe = self.observe
        links.notice = self._notice

    # --- traffic -------------------------------------------------------------------------------

    def observe(self, flow: Flow) -> None:
        """Every frame and connection event of the links: recorded, printed, remembered. It is
        called from the links' readers, so it never raises: a failure is one line."""
        try:
            self._follow(flow)
            self._keep(flow)
            self._show(flow)
        except Exception as exc:  # noqa: BLE001 - a reader must outlive a bad frame or a full disk
            self._error(f"cannot show a frame of {flow.station}: {type(exc).__name__}: {exc}")

    def _follow(self, flow: Flow) -> None:
        """Keep the calls still open, either way, so a new recording can start with them."""
        frame = flow.frame
        if flow.event == "close":
            for key in [k for k in self._open if k[:2] == (flow.station, flow.conn)]:
                del self._open[key]
        elif frame is not None and frame.type == CALL:
            self._open[(flow.station, flow.conn, frame.id)] = flow
            while len(self._open) > OPEN_KEPT:
                del self._open[next(iter(self._open))]
        elif frame is not None and frame.type in (CALLRESULT, CALLERROR):
            self._open.pop((flow.station, flow.conn, frame.id), None)

    def _keep(self, flow: Flow) -> None:
        from ocppctl.io.recorder import Recorder

        if self._record is None:
            return
        recorder = Recorder(self._record)
        try:
            recorder.write(flow.capture())
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
            self._arrive(flow)
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

    def _arrive(self, flow: Flow) -> None:
        """A call of the peer's: to the first :wait for its action, else kept for a later one."""
        self._seen += 1
        action = flow.frame.action if flow.frame is not None else None
        for future in self._waiting.get(action or "", []):
            if not future.done():
                future.set_result(flow)
                return
        self._arrived.append((self._seen, flow))

    def _taken(self, action: str) -> Flow | None:
        """The earliest call of `action` that arrived since the previous line began and that no
        :wait took yet (a StopTransaction 1 ms after the RemoteStop's answer, before :wait ran)."""
        since = self._lines[0]
        for entry in self._arrived:
            number, flow = entry
            if number > since and flow.frame is not None and flow.frame.action == action:
                self._arrived.remove(entry)
                return flow
        return None

    def _notice(self, text: str) -> None:
        from ocppctl.render.style import paint

        self.echo(paint("faint", text, self.color))

    async def wait_for(self, action: str, seconds: float) -> Flow:
        """The peer's call of `action` that came since the previous line, or its next one;
        TimedOut after `seconds`."""
        kept = self._taken(action)
        if kept is not None:
            return kept
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
        """Start appending the traffic to `path` (capture format), or stop (None). A recording
        begins with the calls still open, so that their answers are not orphans in it: each
        recording validates on its own."""
        if self._record is not None:
            self._record.close()
            self.echo(f"recording to {self.record_path} stopped")
            self._record = self.record_path = None
        if path is None:
            return
        try:
            self._record = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by :record off / close()
        except OSError as exc:
            raise UsageFailure(f"{path}: cannot record there: {exc.strerror or exc}") from None
        self.record_path = path
        self.echo(f"recording to {path}")
        for flow in list(self._open.values()):  # the calls still open: the answers will follow here
            self._keep(flow)

    # --- lines ---------------------------------------------------------------------------------

    async def execute(self, text: str) -> None:
        """Do what one line says; every failure becomes one line and the session goes on."""
        self._lines = (self._lines[1], self._seen)
        try:
            line = parse_line(text)
            if isinstance(line, MetaLine):
                await commands.find(line.name).run(self, line.argument)
            elif isinstance(line, CallLine):
                event = await self.links.call(line.action, line.payload, self.timeout, check=self.check)
                if event.kind == "error":
                    self.failures.add(errors.CALLERROR)
                elif any(f.severity == "error" for f in event.findings):
                    self.failures.add(errors.FINDINGS)
        except Refused as refused:
            self.failures.add(errors.FINDINGS)
            for finding in item_hints(refused.findings, line_items(text)):
                self.warn(finding_text(finding, self.color))
            self.warn("not sent (start with --no-validate to send it anyway)")
        except OcppctlError as exc:  # LinkError and TimedOut among them
            self.failures.add(exc.exit_code)
            self._error(exc.message)

    def _error(self, message: str) -> None:
        from ocppctl.render.style import escape, paint

        self.warn(paint("brightred", "error:", self.color) + " " + escape(message))  # may quote the peer

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
