"""How a command reaches its peer and makes its calls there: its link's security options, the
three ways to a station (--url as a station, --listen as a CSMS, --via a running hub: Reach), and
one call after another on that link (Calls). `send`, `vars`, `config`, `datatransfer`,
`customizations` and `report` all go through here; each says only what it calls and prints."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import DEFAULT_VERSION, build_link_options
from ocppctl.cli.status import ExitCode
from ocppctl.core.rpc import Event, Refused, RpcSession, Sent
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import LinkError, OcppctlError, UsageFailure
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape_line
from ocppctl.transport.control import Reply
from ocppctl.transport.flow import Flow


def waiting(env: Env) -> Callable[[str, int], None]:
    """Says where a CSMS listens while it waits for a station (stderr: stdout is the result)."""

    def listening(host: str, port: int) -> None:
        env.stderr.write(f"ocppctl: listening on {host}:{port}, waiting for a station\n")
        env.stderr.flush()

    return listening


def refusals(env: Env) -> Callable[[Flow], None]:
    """Says each station's handshake refused while a CSMS waits for one (never silent), one line
    on stderr: who and why."""

    def refused(flow: Flow) -> None:
        if flow.event == "refused":
            from ocppctl.transport.handshake import Refusal

            env.stderr.write(f"ocppctl: {escape_line(Refusal.from_detail(flow.detail).line())}\n")
            env.stderr.flush()

    return refused


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


Observer = Callable[[Flow], None]


@dataclass
class Reach:
    """How a command reaches its peer, from the peer options (--url, --listen, --via): the one
    place `send`, `vars`, `config` and `datatransfer` connect and call through. `hub` is set
    for --via; `client`/`server` and `link_options` by secure() for the other two."""

    registry: Any
    role: tuple[str, str]
    station: str | None
    versions: list[Any]
    connect_timeout: float
    hub: ViaHub | None = None
    client: Any = None
    server: Any = None
    link_options: Any = None

    @property
    def version(self) -> str:
        """The version the calls are made in (through a hub: the station's)."""
        return str(self.versions[0].name)

    def secure(self, env: Env, options: dict[str, Any]) -> None:
        """Read the link and security options (taken out of `options`); a hub keeps its own."""
        if self.hub is not None:
            return
        self.link_options = build_link_options(options)
        if self.role[0] == "station":
            self.client = client_security(env, self.role[1], options)
        else:
            self.server = server_security(env, options)

    @contextlib.asynccontextmanager
    async def calls(self, listening: Callable[[str, int], None], refused: Observer) -> AsyncIterator[Calls]:
        """The link, open for the block: a Calls to make one call after another on it."""
        if self.hub is not None:
            yield Calls(self.hub.version, hub=self.hub)
            return
        async with self.peer(listening, refused) as peer:
            yield Calls(peer.version.name, peer=peer)

    @contextlib.asynccontextmanager
    async def peer(self, listening: Callable[[str, int], None], refused: Observer) -> AsyncIterator[Any]:
        """The Peer of a link of our own (--url or --listen), closed when the block ends; as a
        CSMS, `refused` is told each station's handshake refused while it waits (11.9)."""
        if self.role[0] == "station":
            from ocppctl.transport.client import connect_peer

            peer = await connect_peer(
                self.role[1],
                self.versions,
                self.registry,
                self.connect_timeout,
                security=self.client,
                options=self.link_options,
            )
            reader = asyncio.ensure_future(peer.run())
            try:
                yield peer
            finally:
                await peer.close()
                await reader
            return
        from ocppctl.handlers.defaults import CsmsState, csms_answerer
        from ocppctl.io.recorder import ocpp_time
        from ocppctl.transport.csms import Csms
        from ocppctl.transport.server import await_station, parse_listen

        try:
            host, port = parse_listen(self.role[1])
        except ValueError:
            raise UsageFailure(f"--listen takes [HOST:]PORT, not {self.role[1]!r}") from None
        answer = csms_answerer(self.registry, CsmsState(), ocpp_time)
        csms = Csms(
            self.registry,
            self.versions,
            refused,
            answer,
            security=self.server,
            options=self.link_options,
            only=self.station,
        )
        async with await_station(csms, host, port, self.connect_timeout, listening) as peer:
            yield peer


def reach_of(role: tuple[str, str], station: str | None, ocpp: list[str] | None, connect_timeout: float) -> Reach:
    """The Reach of the peer options; through a hub, asks it which station and version (`ocpp`
    None: the station's own)."""
    hub: ViaHub | None = None
    if role[0] == "via":
        hub = ViaHub.ask(role[1], station, ocpp)
        ocpp = [hub.version]
    versions = [VERSIONS[name] for name in ocpp or [DEFAULT_VERSION]]
    return Reach(default_registry(), role, station, versions, connect_timeout, hub)


def run_calls(
    env: Env,
    reach: Reach,
    options: dict[str, Any],
    color: bool,
    work: Callable[[Calls], Awaitable[int]],
    preflight: Sequence[tuple[str, Any]] = (),
) -> int:
    """Open the link of `reach` and run `work` on its Calls; its exit code. A call refused
    before it left (it breaks its schema) is its findings on stderr and exit 1, as with send;
    the `preflight` calls (action, payload) are checked before connecting when the version is
    known (one offered, or the hub's station's), so nobody waits for a station in vain."""

    async def main() -> int:
        async with reach.calls(waiting(env), refusals(env)) as calls:
            return await work(calls)

    try:
        if len(reach.versions) == 1:
            local = "station" if reach.role[0] == "station" else "csms"
            session = RpcSession(reach.registry, reach.versions[0], local, lambda: "preflight")
            for action, payload in preflight:
                session.call(action, payload, 0.0, 1.0)
        reach.secure(env, options)
        return asyncio.run(main())
    except Refused as refused:
        for finding in refused.findings:
            env.stderr.write(finding_text(finding, color) + "\n")
        env.stderr.write("ocppctl: the call was not sent (--no-validate sends it anyway)\n")
        return int(ExitCode.FINDINGS)


class Answered(OcppctlError):
    """The peer answered a call with a CALLERROR: exit 3, in one line (escaped: it came from the peer)."""

    exit_code = int(ExitCode.CALLERROR)

    def __init__(self, action: str, frame: Any) -> None:
        description = f": {escape_line(frame.error_description)}" if frame.error_description else ""
        super().__init__(f"{action} answered with CALLERROR {escape_line(str(frame.error_code))}{description}")


def answered(action: str, event: Event) -> Any:
    """The payload of a CALLRESULT; Answered (exit 3) for a CALLERROR."""
    assert event.frame is not None
    if event.kind == "error":
        raise Answered(action, event.frame)
    return event.frame.payload


def report_refused(env: Env, action: str, event: Event, nothing: str) -> int | None:
    """The exit code of a report request (GetBaseReport, GetReport, GetMonitoringReport) whose
    answer means no report follows, said on stderr (EmptyResultSet: `nothing`, exit 0; another
    status: exit 1); None when it was Accepted."""
    answer = answered(action, event)
    status = str(answer.get("status", "")) if isinstance(answer, dict) else ""
    if status == "Accepted":
        return None
    if status == "EmptyResultSet":
        env.stderr.write(f"ocppctl: {nothing} (EmptyResultSet)\n")
        return 0
    env.stderr.write(f"ocppctl: {action} answered {escape_line(status)}: no report\n")
    return int(ExitCode.FINDINGS)


class Calls:
    """Calls one after another to the station (or CSMS) a Reach opened, on a Peer of ours or
    through a hub: the answering Event of each, as Peer.call gives it."""

    def __init__(self, version: str, peer: Any = None, hub: ViaHub | None = None) -> None:
        self.version = version
        self.peer = peer
        self.hub = hub

    async def call(
        self,
        action: str,
        payload: Any,
        timeout: float,
        uid: str | None = None,
        check: bool = True,
        on_sent: Callable[[Sent, float], None] | None = None,
    ) -> Event:
        """Refused when the call breaks its schema (`check`); TimedOut, LinkError as Peer.call."""
        if self.peer is not None:
            event: Event = await self.peer.call(action, payload, timeout, uid=uid, check=check, on_sent=on_sent)
            return event
        assert self.hub is not None
        reply = await self.hub.request(action, payload, uid, check, timeout, (None, None, False))
        return self.hub.event_of(reply, on_sent)

    async def gather(self, action: str, payload: Any, timeout: float, then: str) -> tuple[Event, list[Event]]:
        """A call, and the peer's calls of `then` that follow a result to it, up to the one
        whose tbc is not true (NotifyReport after GetBaseReport), each within `timeout`. Only
        an answer that says no other status than Accepted promises them (peer.follow_on:
        EmptyResultSet, Rejected: none come), here as through a hub."""
        if self.peer is not None:
            from ocppctl.transport.peer import FollowUps, follow_on

            follow = FollowUps(self.peer, then, None, True)  # made before the call: none is missed
            try:
                event: Event = await self.peer.call(action, payload, timeout)
                found = await follow.collect(timeout) if follow_on(event) else []
            finally:
                follow.stop()
            return event, found
        from ocppctl.transport.control import hub_calls

        assert self.hub is not None
        reply = await self.hub.request(action, payload, None, True, timeout, (then, None, True))
        return self.hub.event_of(reply, None), hub_calls(reply)


class ViaHub:
    """A running hub (`ocppctl listen`), reached through its control socket: which of its
    stations to call and the version it speaks, then the call, printed as send prints."""

    def __init__(self, path: str, station: str, version: str) -> None:
        self.path = path
        self.station = station
        self.version = version

    @classmethod
    def ask(cls, path: str, station: str | None, ocpp: list[str] | None) -> ViaHub:
        """The station named (or the one connected), and its version; LinkError when it is not
        connected, UsageFailure when --ocpp names another version than it speaks."""
        from ocppctl.transport.control import Request, ask_hub, no_hub

        reply = asyncio.run(ask_hub(path, Request("stations"), no_hub(path), 10))
        stations, versions = reply.stations or [], reply.versions
        connected = ", ".join(stations) or "none"
        if station is None:
            if len(stations) != 1:
                raise UsageFailure(f"--station ID: which station of the hub to call (connected: {connected})")
            station = stations[0]
        if station not in stations:
            raise LinkError(f"station {station} is not connected to the hub at {path} (connected: {connected})")
        version = versions.get(station) or (ocpp or [DEFAULT_VERSION])[0]
        if ocpp is not None and version not in ocpp:
            raise UsageFailure(f"station {station} speaks OCPP {version}, not {', '.join(ocpp)} (drop --ocpp)")
        return cls(path, station, version)

    async def request(
        self,
        action: str,
        payload: Any,
        uid: str | None,
        check: bool,
        timeout: float,
        wait: tuple[str | None, int | None, bool],
    ) -> Reply:
        """The hub's reply to a `call` op (typed and checked: transport/control_messages.py)."""
        from ocppctl.transport.control import Wait, ask_hub, call_request, no_hub

        follow = Wait(wait[0], wait[1], wait[2]) if wait[0] is not None else None
        request = call_request(self.station, action, payload, uid, check, timeout, follow)
        # the call may wait its turn (up to `timeout`), then its answer (`timeout`), then --wait's calls
        allowed = timeout * (3 if wait[0] is not None else 2) + 5
        return await ask_hub(self.path, request, no_hub(self.path), allowed)

    def event_of(self, reply: Reply, on_sent: Callable[[Sent, float], None] | None) -> Event:
        """The answer in a `call` reply (`on_sent` told of the call first); the hub's error
        (with its exit code) raised when there is none."""
        from ocppctl.transport.control import hub_answer

        sent, event = hub_answer(reply)
        if sent is not None and on_sent is not None:
            on_sent(sent, reply.queued_s or 0.0)
        if event is None:
            error = OcppctlError(reply.error or "the hub failed")  # escaped where printed (cli/main)
            error.exit_code = reply.exit
            raise error
        return event
