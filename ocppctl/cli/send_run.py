"""What `send` does once its options are read: build the payload, connect, call, print."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.reach import Reach, ViaHub, reach_of, refusals, waiting
from ocppctl.cli.status import ExitCode
from ocppctl.core.frames import TYPE_NAMES
from ocppctl.core.jsontext import dumps
from ocppctl.core.rpc import Event, Refused, RpcSession, Sent
from ocppctl.errors import UsageFailure
from ocppctl.io.payload_args import item_hints, read_payload
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape, escape_json, escape_line, escape_lines, paint, wants_color
from ocppctl.transport.flow import Flow


def run_send(
    env: Env,
    action: str,
    args: tuple[str, ...],
    role: tuple[str, str],
    station: str | None,
    ocpp: list[str] | None,
    template: bool,
    uid: str | None,
    check: bool,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    """`options` holds the link, security and --wait options, by their click names. Through a
    hub, `ocpp` is None unless --ocpp was given: the station's own version is used."""
    reach = reach_of(role, station, ocpp, connect_timeout)
    registry, hub, versions = reach.registry, reach.hub, reach.versions
    first = versions[0]
    if action not in first.actions and all(action not in v.actions for v in versions):
        from ocppctl.core.checks import action_hint, quote

        raise UsageFailure(f"{quote(action)} is not an OCPP {first.name} action ({action_hint(first, action)})")
    base: dict[str, Any] | None = None
    if template:
        from ocppctl.core.payloads import template as build

        kind = "send" if action in first.send_actions else "request"
        schema = registry.get(first, action, kind)
        base = build(schema.document) if schema is not None else {}
    payload = read_payload(args, base, lambda: env.stdin.read() if env.stdin else b"")
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    printer = _Printer(env, color, as_json)
    try:
        wait = options.pop("wait", (None, None, False))
        if hub is not None:
            return _through_hub(hub, action, payload, uid, check, timeout, wait, printer)
        if check and len(versions) == 1:  # one version offered: check the call before connecting
            RpcSession(registry, first, role[0], lambda: "preflight").call(action, payload, 0.0, timeout, uid=uid)
        reach.secure(env, options)
        exchange = _Exchange(reach, action, payload, uid, check, timeout, printer)
        exchange.wait = wait
        return asyncio.run(exchange.run())
    except Refused as refused:
        for finding in item_hints(refused.findings, list(args)):
            env.stderr.write(finding_text(finding, color) + "\n")
        env.stderr.write("ocppctl: the call was not sent (--no-validate sends it anyway)\n")
        return int(ExitCode.FINDINGS)


def _through_hub(
    hub: ViaHub,
    action: str,
    payload: Any,
    uid: str | None,
    check: bool,
    timeout: float,
    wait: tuple[str | None, int | None, bool],
    printer: _Printer,
) -> int:
    """The call made by a running hub (--via), printed as send prints its own."""
    from ocppctl.transport.control import hub_calls

    reply = asyncio.run(hub.request(action, payload, uid, check, timeout, wait))
    event = hub.event_of(reply, lambda sent, queued: printer.sent(sent, hub.version, queued))
    printer.answer(event)
    if event.kind == "error":
        return int(ExitCode.CALLERROR)
    failed = any(f.severity == "error" for f in event.findings)
    for call in hub_calls(reply):
        printer.follow_up(call)
        failed = failed or any(f.severity == "error" for f in call.findings)
    return int(ExitCode.FINDINGS) if failed else 0


NOTE_AFTER = 0.5  # seconds a call may wait for its turn (or the boot) before send says why


class _Exchange:
    """One call over one link, in either role, on the peer engine (transport/peer.py)."""

    def __init__(
        self,
        reach: Reach,
        action: str,
        payload: Any,
        uid: str | None,
        check: bool,
        timeout: float,
        printer: _Printer,
    ) -> None:
        self.reach = reach
        self.action = action
        self.payload = payload
        self.uid = uid
        self.check = check
        self.timeout = timeout
        self.printer = printer
        self.wait: tuple[str | None, int | None, bool] = (None, None, False)

    async def run(self) -> int:
        async with self.reach.peer(self.printer.listening, self.printer.refusal) as peer:
            return await self._call(peer)

    async def _call(self, peer: Any) -> int:
        from ocppctl.transport.peer import FollowUps

        action, count, until_done = self.wait
        follow = FollowUps(peer, action, count, until_done) if action is not None else None
        peer.observe = functools.partial(self.printer.aside, peer.session.peer, follow)

        def say_why() -> None:  # only when the wait is long enough to wonder about
            waiting = peer.holding()
            if waiting is not None:
                self.printer.note(waiting)

        note = asyncio.get_running_loop().call_later(NOTE_AFTER, say_why)

        def sent(frame: Sent, queued: float) -> None:
            note.cancel()
            self.printer.sent(frame, peer.version.name, queued)

        try:
            event = await peer.call(
                self.action, self.payload, self.timeout, uid=self.uid, check=self.check, on_sent=sent
            )
        finally:
            note.cancel()
        self.printer.answer(event)
        if event.kind == "error":
            return int(ExitCode.CALLERROR)
        failed = any(f.severity == "error" for f in event.findings)
        if follow is not None:
            calls = await follow.collect(self.timeout, self.printer.follow_up)
            failed = failed or any(f.severity == "error" for call in calls for f in call.findings)
        return int(ExitCode.FINDINGS) if failed else 0


class _Printer:
    """Frames as they go: arrows, pretty JSON, findings beside them. --json: the answer's payload
    on one line, then each finding of the call and of the answer on a line of its own
    (`{"finding": {...}, "of": "call"|"answer"}`), then each --wait call's payload and findings."""

    def __init__(self, env: Env, color: bool, as_json: bool) -> None:
        self.env = env
        self.color = color
        self.as_json = as_json
        self._call_findings: list[Any] = []  # --json: said after the answer's payload

    def _json_findings(self, findings: list[Any], of: str) -> None:
        for finding in findings:
            self.env.stdout.write(escape_json(dumps({"finding": finding.as_dict(), "of": of})) + "\n")

    def _pretty(self, value: Any) -> str:
        text = dumps(value, indent=True)
        if self.color:
            from ocppctl.render.highlight import highlight_json

            return highlight_json(text)
        return escape_lines(text)

    def _findings(self, findings: list[Any]) -> None:
        for finding in findings:
            self.env.stdout.write(finding_text(finding, self.color) + "\n")

    def refusal(self, flow: Flow) -> None:
        refusals(self.env)(flow)

    def listening(self, host: str, port: int) -> None:
        waiting(self.env)(host, port)

    def sent(self, sent: Sent, version: str, queued: float = 0.0) -> None:
        if self.as_json:
            self._call_findings = list(sent.findings)
        else:
            frame = sent.frame
            waited = f", queued {queued:.1f} s" if queued >= 0.05 else ""
            head = f"→ CALL {escape_line(frame.action or '')} {escape_line(frame.id)} (OCPP {version}{waited})"
            self.env.stdout.write(paint("bold", head, self.color) + "\n" + self._pretty(frame.payload) + "\n")
            self._findings(sent.findings)
        self._say_ctrl_c()

    def _say_ctrl_c(self) -> None:
        """On a terminal, one line while the answer is awaited: how to stop waiting."""
        if self.env.stderr.isatty():
            self.env.stdout.flush()
            self.env.stderr.write("waiting for the answer (Ctrl-C cancels)\n")
            self.env.stderr.flush()

    def note(self, text: str) -> None:
        """Why the call has not left yet (stderr: not part of the exchange's output)."""
        self.env.stderr.write(f"ocppctl: {text}\n")
        self.env.stderr.flush()

    def aside(self, peer: str, follow: Any, flow: Flow) -> None:
        """A frame of the peer's that is not the answer (its own call, a late answer); the
        calls --wait gathers are shown by follow_up, the answer by answer()."""
        if self.as_json or flow.side != peer or flow.text is None or flow.answers is not None:
            return
        if follow is not None and follow.taken(flow.frame):
            return
        kind = TYPE_NAMES.get(flow.frame.type, "frame").lower() if flow.frame is not None else "malformed"
        self.env.stdout.write(paint("yellow", f"← {kind}: ", self.color) + escape(flow.text) + "\n")
        self._findings(flow.findings)

    def follow_up(self, event: Event) -> None:
        """A call of the peer's that --wait waited for."""
        frame = event.frame
        assert frame is not None
        if self.as_json:
            self.env.stdout.write(escape_json(dumps(frame.payload)) + "\n")
            self._json_findings(event.findings, "follow-up")
            return
        head = f"← CALL {escape_line(frame.action or '')} {escape_line(frame.id)}"
        self.env.stdout.write(paint("cyan", head, self.color) + "\n" + self._pretty(frame.payload) + "\n")
        self._findings(event.findings)

    def answer(self, event: Event) -> None:
        frame = event.frame
        assert frame is not None
        if event.kind == "error":
            body: Any = {
                "errorCode": frame.error_code,
                "errorDescription": frame.error_description,
                "errorDetails": frame.error_details,
            }
        else:
            body = frame.payload
        if self.as_json:
            self.env.stdout.write(escape_json(dumps(body)) + "\n")
            self._json_findings(self._call_findings, "call")
            self._json_findings(event.findings, "answer")
            return
        name = "CALLERROR" if event.kind == "error" else "CALLRESULT"
        rtt = f" in {event.rtt_ms:.1f} ms" if event.rtt_ms is not None else ""
        colour = "brightred" if event.kind == "error" else "green"
        self.env.stdout.write(paint(colour, f"← {name}{rtt}", self.color) + "\n" + self._pretty(body) + "\n")
        self._findings(event.findings)
