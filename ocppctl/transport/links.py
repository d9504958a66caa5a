"""The live links an interactive session drives, behind one interface: a station link to a CSMS
(--url), a CSMS that any number of stations connect to (--listen), or a running hub (--via).

Each frame goes through the link's RpcSession (the same checks as validate) and is handed to an
observer as a Flow, as the hub does. The peer's calls are answered by `answer` while `auto` is
on; with it off they wait in the session until reply() or fail() answers them. A link that is
lost is reported and the object stays usable: start() again reconnects.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from ocppctl.core.frames import CALL, Frame
from ocppctl.core.rpc import Event, RpcSession, Sent
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import BY_SUBPROTOCOL, VERSIONS, Version
from ocppctl.handlers.defaults import Answerer
from ocppctl.io.recorder import utc_stamp
from ocppctl.transport.client import LinkError, LinkOptions, TimedOut, closed_reason, station_id
from ocppctl.transport.flow import Flow
from ocppctl.transport.security import redact

# (version, action, payload) of a call answered with a result -> the calls to make after it
FollowUps = Callable[[Version, str, Any], list[tuple[str, Any]]]


def _unobserved(flow: Flow) -> None:
    """The observer until one is given (the REPL sets its own)."""


class Conn:
    """One open WebSocket to one station, and our calls on it waiting for their answers."""

    def __init__(self, socket: Any, session: RpcSession, number: int) -> None:
        self.socket = socket
        self.session = session
        self.number = number
        self.waiters: dict[str, asyncio.Future[Event]] = {}
        self.task: asyncio.Task[None] | None = None


class Links:
    """What the REPL needs of any link: stations, the one in use, calls, answers by hand."""

    side = "station"

    def __init__(
        self,
        registry: SchemaRegistry,
        versions: list[Version],
        *,
        answer: Answerer | None = None,
        then: FollowUps | None = None,
        security: Any = None,
        options: LinkOptions | None = None,
        observe: Callable[[Flow], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`answer` (and `then`, the calls after a result) answer the peer while `auto` is on;
        `security` is the side's ClientSecurity or ServerSecurity; `observe` sees every Flow."""
        self.registry = registry
        self.versions = versions
        self.answer = answer
        self.then = then
        self.security = security
        self.options = options
        self.observe = observe or _unobserved
        self.clock = clock
        self.auto = True
        self.current: str | None = None
        self.conns: dict[str, Conn] = {}
        self._numbers = 0

    # --- what the REPL shows -------------------------------------------------------------------

    @property
    def peer(self) -> str:
        return "csms" if self.side == "station" else "station"

    def version(self) -> Version:
        """The version of the link in use, else the first offered."""
        conn = self.conns.get(self.current or "")
        return conn.session.version if conn is not None else self.versions[0]

    def stations(self) -> list[str]:
        return sorted(self.conns)

    def versions_of(self) -> dict[str, Version]:
        """The version each connected station speaks."""
        return {name: conn.session.version for name, conn in self.conns.items()}

    def state(self) -> str:
        return "connected" if self.current in self.conns else "not connected"

    def pending(self) -> list[tuple[str, Frame]]:
        """The peer's calls waiting for an answer by hand, oldest first."""
        return [(name, frame) for name, conn in self.conns.items() for frame in conn.session.incoming.values()]

    def set_auto(self, on: bool) -> None:
        """Default answers on, or the peer's calls wait for reply()/fail()."""
        self.auto = on

    attached_to = ""  # how use() names the place a station is connected to

    def use(self, name: str) -> None:
        """Make `name` the station calls go to; LinkError naming those connected otherwise."""
        if name not in self.stations():
            connected = ", ".join(self.stations()) or "none"
            raise LinkError(f"station {name} is not connected{self.attached_to} (connected: {connected})")
        self.current = name

    # --- what the REPL does --------------------------------------------------------------------

    async def start(self) -> None:
        raise NotImplementedError

    def banner(self) -> str:
        """One line on what the links are, shown when the session starts."""
        raise NotImplementedError

    async def close(self) -> None:
        for conn in list(self.conns.values()):
            await conn.socket.close()
            if conn.task is not None:
                await asyncio.gather(conn.task, return_exceptions=True)

    async def call(
        self, action: str, payload: Any, timeout: float, check: bool = True, uid: str | None = None
    ) -> Event:
        """Send a call on the link in use and wait for its answer; Refused (nothing sent),
        TimedOut, or LinkError when there is no link or it closes first."""
        conn = self._conn(action, payload, check)
        sent = conn.session.call(action, payload, self.clock(), timeout, uid=uid, check=check)
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        conn.waiters[sent.frame.id] = future
        try:
            await self._send(conn, sent)
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimedOut(f"no answer to {action} within {timeout:g} s (--timeout)") from None
        finally:  # answered, timed out or given up (Ctrl-C): a later answer is shown as late
            conn.waiters.pop(sent.frame.id, None)
            conn.session.pending.pop(sent.frame.id, None)

    async def reply(self, call_id: str, payload: Any, check: bool = True) -> None:
        conn = self._holding(call_id)
        await self._send(conn, conn.session.reply(call_id, payload, self.clock(), check=check))

    async def fail(self, call_id: str, code: str, description: str, check: bool = True) -> None:
        conn = self._holding(call_id)
        await self._send(conn, conn.session.fail(call_id, code, description, {}, self.clock(), check=check))

    # --- the parts every kind of link shares ---------------------------------------------------

    def _conn(self, action: str, payload: Any, check: bool) -> Conn:
        """The link in use; with none, a call that would be refused is refused first."""
        conn = self.conns.get(self.current or "")
        if conn is None:
            self._preflight(action, payload, check)
            raise LinkError(self._not_connected())
        return conn

    def _preflight(self, action: str, payload: Any, check: bool) -> None:
        from ocppctl.core.rpc import Refused, call_errors

        errors = call_errors(self.registry, self.version(), self.side, action, payload) if check else []
        if errors:
            raise Refused(errors)

    def _not_connected(self) -> str:
        return "not connected (:connect)"

    def _holding(self, call_id: str) -> Conn:
        for conn in self.conns.values():
            if call_id in conn.session.incoming:
                return conn
        raise LinkError(f"no call {call_id!r} of the peer is waiting for an answer (:pending lists them)")

    async def _send(self, conn: Conn, sent: Sent) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            await conn.socket.send(sent.text)
        except ConnectionClosed as exc:
            raise LinkError(closed_reason(exc, waiting=False)) from None
        self._flow(conn, self.side, sent.text, sent.frame, sent.findings)

    def _flow(self, conn: Conn, side: str, text: str, frame: Frame | None, findings: list[Any], **extra: Any) -> None:
        session = conn.session
        station = session.station or ""
        self.observe(
            Flow(utc_stamp(), station, conn.number, side, session.version, text, findings, frame=frame, **extra)
        )

    def _event(self, conn: Conn, event: str, **detail: Any) -> None:
        session = conn.session
        self.observe(
            Flow(utc_stamp(), session.station or "", conn.number, None, session.version, event=event, detail=detail)
        )

    def _open(self, socket: Any, version: Version, name: str) -> Conn:
        self._numbers += 1
        session = RpcSession(self.registry, version, self.side, lambda: str(uuid.uuid4()), station=name)
        conn = Conn(socket, session, self._numbers)
        self.conns[name] = conn
        if self.current is None or self.current not in self.conns:
            self.current = name
        address = getattr(socket, "remote_address", None)
        remote = f"{address[0]}:{address[1]}" if address else None
        self._event(conn, "connect", subprotocol=version.subprotocol, remote=remote)
        return conn

    async def _serve(self, conn: Conn) -> None:
        """Read the peer's frames until the link closes: answers wake their callers, calls are
        answered (auto) or kept for :reply."""
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in conn.socket:
                event = conn.session.receive(message, self.clock())
                text = event.text or ""  # always set for a received message
                answers = event.call.action if event.call is not None else None
                self._flow(conn, self.peer, text, event.frame, event.findings, rtt_ms=event.rtt_ms, answers=answers)
                if event.kind in ("result", "error") and event.call is not None:
                    future = conn.waiters.get(event.call.id)
                    if future is not None and not future.done():
                        future.set_result(event)
                elif event.kind == "call" and event.frame is not None and self.auto:
                    await self._auto_answer(conn, event.frame, event.findings)
        except ConnectionClosed:
            pass
        finally:
            self._closed(conn)

    async def _auto_answer(self, conn: Conn, frame: Frame, findings: list[Any]) -> None:
        from ocppctl.handlers.guard import guarded

        session = conn.session
        version = session.version
        if self.answer is None:
            verdict: tuple[str, Any] = ("error", ("NotImplemented", "ocppctl answers no calls on this link"))
        else:
            verdict = guarded(version, findings, self.answer, version, frame.action or "", frame.payload)
        await self._send(conn, session.respond(frame.id, verdict, self.clock()))
        if verdict[0] == "result" and self.then is not None:  # NotifyReport parts after GetBaseReport, ...
            for action, payload in self.then(version, frame.action or "", frame.payload):
                await self._send(conn, session.call(action, payload, self.clock(), 30.0, check=False))

    def _closed(self, conn: Conn) -> None:
        name = conn.session.station or ""
        close_exc = getattr(getattr(conn.socket, "protocol", None), "close_exc", None)
        why = closed_reason(close_exc, waiting=False) if close_exc is not None else "the link was lost"
        for future in conn.waiters.values():
            if not future.done():
                future.set_exception(LinkError(f"{name}: {why}"))
        if self.conns.get(name) is conn:
            del self.conns[name]
        self._event(conn, "close", code=getattr(conn.socket, "close_code", None), reason=conn.socket.close_reason or "")


class StationLinks(Links):
    """The station role: one link to a CSMS (--url); :connect makes it again."""

    side = "station"

    def __init__(
        self, url: str, connect_timeout: float, registry: SchemaRegistry, versions: list[Version], **kwargs: Any
    ) -> None:
        super().__init__(registry, versions, **kwargs)
        self.url = url
        self.connect_timeout = connect_timeout
        self.current = station_id(url)

    def banner(self) -> str:
        return f"connected to {redact(self.url)} as station {self.current} (OCPP {self.version().name})"

    async def start(self) -> None:
        from ocppctl.transport.client import connect_station

        if self.current in self.conns:
            raise LinkError(f"already connected to {redact(self.url)}")
        link = await connect_station(
            self.url,
            self.versions,
            self.registry,
            lambda: str(uuid.uuid4()),
            self.connect_timeout,
            security=self.security,
            options=self.options,
        )
        conn = self._open(link.socket, link.version, station_id(self.url))
        conn.task = asyncio.create_task(self._serve(conn))


class CsmsLinks(Links):
    """The CSMS role: any number of stations connect (--listen); the first is in use until :use."""

    side = "csms"

    def __init__(self, host: str, port: int, registry: SchemaRegistry, versions: list[Version], **kwargs: Any) -> None:
        super().__init__(registry, versions, **kwargs)
        self.host = host
        self.port = port
        self.server: Any = None

    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def banner(self) -> str:
        offered = ", ".join(v.name for v in self.versions)
        return f"listening on {self.where()} as a CSMS (OCPP {offered}); stations connect to ws://{self.where()}/ID"

    def state(self) -> str:
        if self.server is None:
            return "not listening"
        return "connected" if self.current in self.conns else f"listening on {self.where()}"

    def _not_connected(self) -> str:
        if self.current is not None:
            return f"station {self.current} is not connected (:stations lists those that are)"
        return f"no station has connected to {self.where()} yet"

    async def start(self) -> None:
        from ocppctl.transport.server import open_server

        if self.server is not None:
            raise LinkError(f"already listening on {self.where()}")
        self.server = await open_server(self._handler, self.host, self.port, self.versions, self.security, self.options)
        if self.server.sockets:
            self.port = self.server.sockets[0].getsockname()[1]

    async def _handler(self, connection: Any) -> None:
        name = station_id(connection.request.path)
        version = BY_SUBPROTOCOL.get(str(connection.subprotocol))
        if version is None:
            await connection.close(1002, "no OCPP subprotocol")
            return
        old = self.conns.get(name)
        if old is not None:  # the station came back: its new link wins
            await old.socket.close(1000, "replaced by a new connection")
        conn = self._open(connection, version, name)
        await self._serve(conn)

    async def close(self) -> None:
        await super().close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None


class HubLinks(Links):
    """Attached to a running hub (`ocppctl listen`, --via): calls go through its control socket,
    its traffic comes from a watch of it. The hub answers its stations' calls itself."""

    attached_to = " to the hub"

    side = "csms"

    def __init__(self, path: str, registry: SchemaRegistry, versions: list[Version], **kwargs: Any) -> None:
        super().__init__(registry, versions, **kwargs)
        self.path = path
        self.hub_versions: dict[str, Version] = {}
        self._calls: dict[tuple[str, str], str] = {}  # (station, unique id) -> action, of open calls
        self._watch: Any = None
        self._task: asyncio.Task[None] | None = None

    def _missing(self) -> str:
        from ocppctl.transport.control import no_hub

        return no_hub(self.path)

    def banner(self) -> str:
        connected = ", ".join(self.stations()) or "none yet"
        return f"attached to the hub at {self.path} (stations: {connected})"

    def state(self) -> str:
        if self._task is None:
            return "detached (:connect)"
        return "connected" if self.current in self.hub_versions else "attached"

    def stations(self) -> list[str]:
        return sorted(self.hub_versions)

    def versions_of(self) -> dict[str, Version]:
        return dict(self.hub_versions)

    def version(self) -> Version:
        return self.hub_versions.get(self.current or "", self.versions[0])

    def pending(self) -> list[tuple[str, Frame]]:
        return []

    def set_auto(self, on: bool) -> None:
        if not on:
            raise LinkError("the hub answers its stations' calls itself: `ocppctl repl --listen` answers by hand")

    async def start(self) -> None:
        from ocppctl.transport.control import watch_hub

        if self._task is not None:
            raise LinkError(f"already attached to {self.path}")
        watch = watch_hub(self.path, self._missing(), timeout=10)
        feed = await watch.__aenter__()
        self._watch = watch
        self.hub_versions = {
            name: VERSIONS.get(feed.versions.get(name, ""), self.versions[0]) for name in feed.stations
        }
        if self.current is None and feed.stations:
            self.current = feed.stations[0]
        self._task = asyncio.create_task(self._follow(feed))

    async def _follow(self, feed: Any) -> None:
        why = "the hub stopped"
        try:
            async for record in feed:
                flow = Flow.from_record(record, self.versions[0])
                if flow.event == "connect":
                    self.hub_versions[flow.station] = flow.version
                    self.current = self.current or flow.station
                elif flow.event == "close":
                    self.hub_versions.pop(flow.station, None)
                self._name_answer(flow)
                self.observe(flow)
        except LinkError as exc:
            why = exc.message
        except asyncio.CancelledError:  # close(): we leave, nothing to report
            self.hub_versions.clear()
            self._task = None
            raise
        self.hub_versions.clear()
        self._task = None
        self.observe(Flow(utc_stamp(), "hub", 0, None, self.versions[0], event="detached", detail={"reason": why}))

    def _name_answer(self, flow: Flow) -> None:
        """Frames from a watch carry no action in their answers: the call's, by unique id."""
        frame = flow.frame
        if frame is None:
            return
        key = (flow.station, frame.id)
        if frame.type == CALL:
            self._calls[key] = frame.action or ""
            while len(self._calls) > 10_000:  # calls never answered
                del self._calls[next(iter(self._calls))]
        elif frame.is_response:
            flow.answers = self._calls.pop(key, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._watch is not None:
            await self._watch.__aexit__(None, None, None)
            self._watch = None

    async def call(
        self, action: str, payload: Any, timeout: float, check: bool = True, uid: str | None = None
    ) -> Event:
        from ocppctl.transport.control import control_request, hub_answer

        if self.current is None:
            self._preflight(action, payload, check)
            raise LinkError(f"no station is connected to the hub at {self.path} yet")
        request = {"op": "call", "station": self.current, "action": action, "payload": payload}
        request.update(id=uid, check=check, timeout=timeout)
        reply = await control_request(self.path, request, self._missing(), timeout + 5)
        _, event = hub_answer(reply)
        if event is None:
            message = str(reply.get("error", "the hub failed"))
            raise TimedOut(message) if reply.get("exit") == 4 else LinkError(message)
        return event

    async def reply(self, call_id: str, payload: Any, check: bool = True) -> None:
        self.set_auto(False)

    async def fail(self, call_id: str, code: str, description: str, check: bool = True) -> None:
        self.set_auto(False)
