"""What `send` does once its options are read: build the payload, connect, call, print."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.status import ExitCode
from ocppctl.core.jsontext import dumps
from ocppctl.core.rpc import Event, Refused, RpcSession, Sent
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import OcppctlError, UsageFailure
from ocppctl.io.payload_args import read_payload
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape, escape_line, paint, wants_color


class ConnectionFailure(OcppctlError):
    exit_code = int(ExitCode.CONNECTION)


class NoAnswer(OcppctlError):
    exit_code = int(ExitCode.TIMEOUT)


def run_send(
    env: Env,
    action: str,
    args: tuple[str, ...],
    role: tuple[str, str],
    station: str | None,
    ocpp: list[str],
    template: bool,
    uid: str | None,
    check: bool,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    """`options` holds the link, security and --wait options, by their click names."""
    versions = [VERSIONS[name] for name in ocpp]
    registry = default_registry()
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
        if role[0] == "via":
            return _via(role[1], station or "", action, payload, uid, check, timeout, printer, as_json)
        if check and len(versions) == 1:  # one version offered: check the call before connecting
            RpcSession(registry, first, role[0], lambda: "preflight").call(action, payload, 0.0, timeout, uid=uid)
        exchange = _Exchange(registry, action, payload, uid, check, timeout, connect_timeout, printer)
        exchange.wait = options.pop("wait", (None, None, False))
        exchange.link_options = build_link_options(options)
        if role[0] == "station":
            exchange.client = client_security(env, role[1], options)
        else:
            exchange.server = server_security(env, options)
        return asyncio.run(exchange.run(role, station, versions))
    except Refused as refused:
        for finding in refused.findings:
            env.stderr.write(finding_text(finding, color) + "\n")
        env.stderr.write("ocppctl: the call was not sent (--no-validate sends it anyway)\n")
        return int(ExitCode.FINDINGS)


def client_security(env: Env, url: str, options: dict[str, Any]) -> Any:
    """The station side's TLS and basic auth from the command line (password never printed)."""
    import click

    from ocppctl.transport.client import station_id
    from ocppctl.transport.security import ClientSecurity, read_password

    user = options.get("user")

    def prompt() -> str:
        return str(click.prompt(f"password for {user}", hide_input=True, err=True))

    password = read_password(options.get("password_file"), env.environ, prompt if user and env.stdin_isatty else None)
    if user and password is None:
        raise UsageFailure("--user needs a password: --password-file, OCPPCTL_PASSWORD, or a terminal to ask on")
    return ClientSecurity(
        cacert=options.get("cacert"),
        cert=options.get("cert"),
        key=options.get("key"),
        insecure=bool(options.get("insecure")),
        user=(user or station_id(url)) if password is not None else None,
        password=password,
    )


def server_security(env: Env, options: dict[str, Any]) -> Any:
    """The CSMS side's TLS, client certificates and basic auth from the command line."""
    from ocppctl.transport.security import ServerSecurity, parse_auth

    credentials: dict[str, str] = {}
    for value in options.get("auth") or ():
        user, password = parse_auth(value, env.environ)
        if user in credentials:
            raise UsageFailure(f"--auth names the user {user!r} twice")
        credentials[user] = password
    if options.get("any_identity") and not credentials:
        raise UsageFailure("--any-identity goes with --auth")
    return ServerSecurity(
        tls_cert=options.get("tls_cert"),
        tls_key=options.get("tls_key"),
        client_ca=options.get("client_ca"),
        credentials=credentials,
        any_identity=bool(options.get("any_identity")),
    )


def _via(
    path: str,
    station: str,
    action: str,
    payload: Any,
    uid: str | None,
    check: bool,
    timeout: float,
    printer: Any,
    as_json: bool,
) -> int:
    """The call made by a running hub, through its control socket; printed as send prints."""
    request = {"op": "call", "station": station, "action": action, "payload": payload, "id": uid, "check": check}
    request["timeout"] = timeout

    from ocppctl.transport.client import LinkError
    from ocppctl.transport.control import control_request, hub_answer, no_hub

    try:
        reply = asyncio.run(control_request(path, request, no_hub(path), timeout + 5))
    except LinkError as exc:
        raise ConnectionFailure(exc.message) from None

    sent, event = hub_answer(reply)
    if sent is not None:
        printer.sent(sent, reply.get("version", "?"))
    if event is None:
        error = OcppctlError(str(reply.get("error", "the hub failed")))
        error.exit_code = int(reply.get("exit", 5))
        raise error
    printer.answer(event)
    if event.kind == "error":
        return int(ExitCode.CALLERROR)
    return int(ExitCode.FINDINGS) if any(f.severity == "error" for f in event.findings) else 0


class _Exchange:
    """One call over one link, in either role."""

    def __init__(
        self,
        registry: Any,
        action: str,
        payload: Any,
        uid: str | None,
        check: bool,
        timeout: float,
        connect_timeout: float,
        printer: _Printer,
    ) -> None:
        self.registry = registry
        self.action = action
        self.payload = payload
        self.uid = uid
        self.check = check
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.printer = printer
        self.client: Any = None
        self.server: Any = None
        self.link_options: Any = None
        self.wait: tuple[str | None, int | None, bool] = (None, None, False)

    async def run(self, role: tuple[str, str], station: str | None, versions: list[Any]) -> int:
        from ocppctl.transport.client import LinkError, connect_station

        def new_id() -> str:
            return str(uuid.uuid4())

        try:
            if role[0] == "station":
                link = await connect_station(
                    role[1],
                    versions,
                    self.registry,
                    new_id,
                    self.connect_timeout,
                    security=self.client,
                    options=self.link_options,
                )
                try:
                    return await self._call(link, None)
                finally:
                    await link.socket.close()
            from ocppctl.handlers.defaults import CsmsState
            from ocppctl.transport.server import await_station, parse_listen

            try:
                host, port = parse_listen(role[1])
            except ValueError:
                raise UsageFailure(f"--listen takes [HOST:]PORT, not {role[1]!r}") from None
            async with await_station(
                host,
                port,
                versions,
                self.registry,
                new_id,
                station,
                self.connect_timeout,
                self.printer.listening,
                security=self.server,
                options=self.link_options,
            ) as link:
                return await self._call(link, CsmsState())
        except LinkError as exc:
            raise ConnectionFailure(exc.message) from None

    async def _call(self, link: Any, state: Any) -> int:
        from ocppctl.transport.client import LinkError, TimedOut, call_and_wait, not_implemented

        sent = link.session.call(
            self.action, self.payload, time.monotonic(), self.timeout, uid=self.uid, check=self.check
        )
        self.printer.sent(sent, link.version.name)
        answer = not_implemented if state is None else _csms_defaults(self.registry, state)
        try:
            event = await call_and_wait(link, sent, self.timeout, self.printer.aside, answer)
        except TimedOut as exc:
            raise NoAnswer(str(exc)) from None
        except LinkError as exc:
            raise ConnectionFailure(exc.message) from None
        self.printer.answer(event)
        if event.kind == "error":
            return int(ExitCode.CALLERROR)
        failed = any(f.severity == "error" for f in event.findings)
        action, count, until_done = self.wait
        if action is not None:
            from ocppctl.transport.client import wait_for_calls

            try:
                calls = await wait_for_calls(
                    link, action, count, until_done, self.timeout, self.printer.aside, answer, self.printer.follow_up
                )
            except TimedOut as exc:
                raise NoAnswer(str(exc)) from None
            except LinkError as exc:
                raise ConnectionFailure(exc.message) from None
            failed = failed or any(f.severity == "error" for call in calls for f in call.findings)
        return int(ExitCode.FINDINGS) if failed else 0


def _csms_defaults(registry: Any, state: Any) -> Any:
    """Answer a station's calls as a CSMS does by default (handlers/defaults.py)."""
    from ocppctl.handlers.defaults import csms_answerer
    from ocppctl.io.recorder import utc_stamp

    verdict = csms_answerer(registry, state, utc_stamp)

    def answer(session: RpcSession, event: Event, now: float) -> Sent:
        frame = event.frame
        assert frame is not None
        return session.respond(frame.id, verdict(session.version, frame.action or "", frame.payload), now)

    return answer


class _Printer:
    """Frames as they go: arrows, pretty JSON, findings beside them; --json: the answer only."""

    def __init__(self, env: Env, color: bool, as_json: bool) -> None:
        self.env = env
        self.color = color
        self.as_json = as_json

    def _pretty(self, value: Any) -> str:
        text = dumps(value, indent=True)
        if self.color:
            from ocppctl.render.highlight import highlight_json

            return highlight_json(text)
        return escape(text)

    def _findings(self, findings: list[Any]) -> None:
        for finding in findings:
            self.env.stdout.write(finding_text(finding, self.color) + "\n")

    def listening(self, host: str, port: int) -> None:
        self.env.stderr.write(f"ocppctl: listening on {host}:{port}, waiting for a station\n")
        self.env.stderr.flush()

    def sent(self, sent: Sent, version: str) -> None:
        if self.as_json:
            return
        frame = sent.frame
        head = f"→ CALL {escape_line(frame.action or '')} {escape_line(frame.id)} (OCPP {version})"
        self.env.stdout.write(paint("bold", head, self.color) + "\n" + self._pretty(frame.payload) + "\n")
        self._findings(sent.findings)

    def aside(self, event: Event) -> None:
        """A frame of the peer's that is not the answer (its own call, a late answer)."""
        if self.as_json or event.text is None:
            return
        self.env.stdout.write(paint("yellow", f"← {event.kind}: ", self.color) + escape(event.text) + "\n")
        self._findings(event.findings)

    def follow_up(self, event: Event) -> None:
        """A call of the peer's that --wait waited for."""
        frame = event.frame
        assert frame is not None
        if self.as_json:
            self.env.stdout.write(dumps(frame.payload) + "\n")
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
            self.env.stdout.write(dumps(body) + "\n")
            return
        name = "CALLERROR" if event.kind == "error" else "CALLRESULT"
        rtt = f" in {event.rtt_ms:.1f} ms" if event.rtt_ms is not None else ""
        colour = "brightred" if event.kind == "error" else "green"
        self.env.stdout.write(paint(colour, f"← {name}{rtt}", self.color) + "\n" + self._pretty(body) + "\n")
        self._findings(event.findings)
