"""What `send` does once its options are read: build the payload, connect, call, print."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import orjson

from ocppctl.cli.env import Env
from ocppctl.cli.send import read_payload
from ocppctl.cli.status import ExitCode
from ocppctl.core.rpc import Event, Refused, RpcSession, Sent
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import OcppctlError, UsageFailure
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape, paint, wants_color


class ConnectionFailure(OcppctlError):
    exit_code = int(ExitCode.CONNECTION)


class NoAnswer(OcppctlError):
    exit_code = int(ExitCode.TIMEOUT)


def run_send(
    env: Env,
    action: str,
    args: tuple[str, ...],
    url: str,
    ocpp: list[str],
    template: bool,
    uid: str | None,
    check: bool,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
) -> int:
    versions = [VERSIONS[name] for name in ocpp]
    registry = default_registry()
    first = versions[0]
    if action not in first.actions and all(action not in v.actions for v in versions):
        from ocppctl.core.checks import action_hint

        raise UsageFailure(f'"{action}" is not an OCPP {first.name} action ({action_hint(first, action)})')
    base: dict[str, Any] | None = None
    if template:
        from ocppctl.core.payloads import template as build

        kind = "send" if action in first.send_actions else "request"
        schema = registry.get(first, action, kind)
        base = build(schema.document) if schema is not None else {}
    payload = read_payload(args, base, lambda: (env.stdin.read() if env.stdin else b"").decode("utf-8-sig"))
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    printer = _Printer(env, color, as_json)
    try:
        if check and len(versions) == 1:  # one version offered: check the call before connecting
            RpcSession(registry, first, "station", lambda: "preflight").call(action, payload, 0.0, timeout, uid=uid)
        return asyncio.run(
            _exchange(url, versions, registry, action, payload, uid, check, timeout, connect_timeout, printer)
        )
    except Refused as refused:
        for finding in refused.findings:
            env.stderr.write(finding_text(finding, color) + "\n")
        env.stderr.write("ocppctl: the call was not sent (--no-validate sends it anyway)\n")
        return int(ExitCode.FINDINGS)


async def _exchange(
    url: str,
    versions: list[Any],
    registry: Any,
    action: str,
    payload: Any,
    uid: str | None,
    check: bool,
    timeout: float,
    connect_timeout: float,
    printer: _Printer,
) -> int:
    from ocppctl.transport.client import LinkError, TimedOut, call_and_wait, connect_station

    try:
        link = await connect_station(url, versions, registry, lambda: str(uuid.uuid4()), connect_timeout)
    except LinkError as exc:
        raise ConnectionFailure(exc.message) from None
    try:
        sent = link.session.call(action, payload, time.monotonic(), timeout, uid=uid, check=check)
        printer.sent(sent, link.version.name)
        try:
            answer = await call_and_wait(link, sent, timeout, printer.aside)
        except TimedOut as exc:
            raise NoAnswer(str(exc)) from None
        except LinkError as exc:
            raise ConnectionFailure(exc.message) from None
        printer.answer(answer)
        if answer.kind == "error":
            return int(ExitCode.CALLERROR)
        return int(ExitCode.FINDINGS) if any(f.severity == "error" for f in answer.findings) else 0
    finally:
        await link.socket.close()


class _Printer:
    """Frames as they go: arrows, pretty JSON, findings beside them; --json: the answer only."""

    def __init__(self, env: Env, color: bool, as_json: bool) -> None:
        self.env = env
        self.color = color
        self.as_json = as_json

    def _pretty(self, value: Any) -> str:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
        if self.color:
            from ocppctl.render.highlight import highlight_json

            return highlight_json(text)
        return escape(text)

    def _findings(self, findings: list[Any]) -> None:
        for finding in findings:
            self.env.stdout.write(finding_text(finding, self.color) + "\n")

    def sent(self, sent: Sent, version: str) -> None:
        if self.as_json:
            return
        frame = sent.frame
        head = f"→ CALL {escape(frame.action or '')} {escape(frame.id)} (OCPP {version})"
        self.env.stdout.write(paint("bold", head, self.color) + "\n" + self._pretty(frame.payload) + "\n")
        self._findings(sent.findings)

    def aside(self, event: Event) -> None:
        """A frame of the peer's that is not the answer (its own call, a late answer)."""
        if self.as_json or event.text is None:
            return
        self.env.stdout.write(paint("yellow", f"← {event.kind}: ", self.color) + escape(event.text) + "\n")
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
            self.env.stdout.write(orjson.dumps(body).decode() + "\n")
            return
        name = "CALLERROR" if event.kind == "error" else "CALLRESULT"
        rtt = f" in {event.rtt_ms:.1f} ms" if event.rtt_ms is not None else ""
        colour = "brightred" if event.kind == "error" else "green"
        self.env.stdout.write(paint(colour, f"← {name}{rtt}", self.color) + "\n" + self._pretty(body) + "\n")
        self._findings(event.findings)
