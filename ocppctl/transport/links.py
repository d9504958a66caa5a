"""The live links an interactive session drives, behind one interface (Links): a station link
to a CSMS (--url) or a CSMS that any number of stations connect to (--listen), both driven here
by the peer engine (PeerLinks), or a running hub that drives its own (--via, HubLinks).

Each frame goes through the link's RpcSession (the same checks as validate) and is handed to an
observer as a Flow, as the hub does. The peer's calls are answered by `answer` while `auto` is
on; with it off they wait in the session until reply() or fail() answers them. A link that is
lost is reported and the object stays usable: start() again reconnects.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ocppctl import errors
from ocppctl.core.frames import CALL, Frame
from ocppctl.core.rpc import Event
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import VERSIONS, Version
from ocppctl.errors import LinkError, TimedOut
from ocppctl.handlers.defaults import Answerer
from ocppctl.io.recorder import utc_stamp
from ocppctl.transport.client import LinkOptions, station_id
from ocppctl.transport.csms import Csms
from ocppctl.transport.flow import Flow
from ocppctl.transport.peer import Peer

# (version, action, payload) of a call answered with a result -> the calls to make after it
FollowUps = Callable[[Version, str, Any], list[tuple[str, Any]]]


def _unobserved(flow: Flow) -> None:
    """The observer until one is given (the REPL sets its own)."""


class Links:
    """What the REPL needs of any link: the stations and their versions, the one in use, calls,
    answers by hand. PeerLinks drive peers themselves; HubLinks reach a hub's."""

    side = "station"
    attached_to = ""  # how use() names the place a station is connected to

    def __init__(
        self, registry: SchemaRegistry, versions: list[Version], observe: Callable[[Flow], None] | None
    ) -> None:
        self.registry = registry
        self.versions = versions
        self.observe = observe or _unobserved
        self.notice: Callable[[str], None] = _unnoticed  # why a call waits (the REPL echoes it)
        self.current: str | None = None
        self._auto = True

    @property
    def peer(self) -> str:
        return "csms" if self.side == "station" else "station"

    def versions_of(self) -> dict[str, Version]:
        """The version each connected station speaks."""
        raise NotImplementedError

    def stations(self) -> list[str]:
        return sorted(self.versions_of())

    def version(self) -> Version:
        """The version of the link in use, else the first offered."""
        return self.versions_of().get(self.current or "", self.versions[0])

    @property
    def auto(self) -> bool:
        return self._auto

    @auto.setter
    def auto(self, on: bool) -> None:
        self._auto = on
        self._auto_changed(on)

    def _auto_changed(self, on: bool) -> None:
        """Pass a change of `auto` on to what answers (the peers)."""

    def set_auto(self, on: bool) -> None:
        """Default answers on, or the peer's calls wait for reply()/fail() (:auto)."""
        self.auto = on

    def use(self, name: str) -> None:
        """Make `name` the station calls go to; LinkError naming those connected otherwise."""
        if name not in self.stations():
            connected = ", ".join(self.stations()) or "none"
            raise LinkError(f"station {name} is not connected{self.attached_to} (connected: {connected})")
        self.current = name

    def _preflight(self, action: str, payload: Any, check: bool) -> None:
        """A call that would be refused is refused, whether a link is there or not."""
        from ocppctl.core.rpc import Refused, call_errors

        errors = call_errors(self.registry, self.version(), self.side, action, payload) if check else []
        if errors:
            raise Refused(errors)

    def state(self) -> str:
        raise NotImplementedError

    def pending(self) -> list[tuple[str, Frame]]:
        raise NotImplementedError

    async def start(self) -> None:
        raise NotImplementedError

    def banner(self) -> str:
        """One line on what the links are, shown when the session starts."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def call(
        self, action: str, payload: Any, timeout: float, check: bool = True, uid: str | None = None
    ) -> Event:
        raise NotImplementedError

    async def reply(self, call_id: str, payload: Any, check: bool = True) -> None:
        raise NotImplementedError

    async def fail(self, call_id: str, code: str, description: str, check: bool = True) -> None:
        raise NotImplementedError


class PeerLinks(Links):
    """Links this process drives itself, one Peer each (transport/peer.py)."""

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
        super().__init__(registry, versions, observe)
        self.answer = answer
        self.then = then
        self.security = security
        self.options = options or LinkOptions()
        self.clock = clock

    # --- what the REPL shows -------------------------------------------------------------------

    @property
    def peers(self) -> dict[str, Peer]:
        """The open links, by station."""
        raise NotImplementedError

    def _auto_changed(self, on: bool) -> None:
        for peer in self.peers.values():
            peer.auto = on

    def versions_of(self) -> dict[str, Version]:
        """The version each connected station speaks."""
        return {name: peer.version for name, peer in self.peers.items()}

    def state(self) -> str:
        return "connected" if self.current in self.peers else "not connected"

    def pending(self) -> list[tuple[str, Frame]]:
        """The peer's calls waiting for an answer by hand, oldest first."""
        return [(name, frame) for name, peer in self.peers.items() for frame in peer.session.incoming.values()]

    # --- what the REPL does --------------------------------------------------------------------

    async def call(
        self, action: str, payload: Any, timeout: float, check: bool = True, uid: str | None = None
    ) -> Event:
        """Send a call on the link in use and wait for its answer; Refused (nothing sent),
        TimedOut, or LinkError when there is no link or it closes first. A call that must wait
        its turn (one at a time) or for the station's boot is said to (`notice`)."""
        peer = self._peer(action, payload, check)
        waiting = peer.holding()
        if waiting is not None:
            self.notice(waiting)
        return await peer.call(action, payload, timeout, uid=uid, check=check)

    async def reply(self, call_id: str, payload: Any, check: bool = True) -> None:
        await self._holding(call_id).reply(call_id, payload, check=check)

    async def fail(self, call_id: str, code: str, description: str, check: bool = True) -> None:
        await self._holding(call_id).fail(call_id, code, description, check=check)

    # --- the parts every kind of link shares ---------------------------------------------------

    def _peer(self, action: str, payload: Any, check: bool) -> Peer:
        """The link in use; with none, a call that would be refused is refused first."""
        peer = self.peers.get(self.current or "")
        if peer is None:
            self._preflight(action, payload, check)
            raise LinkError(self._not_connected())
        return peer

    def _not_connected(self) -> str:
        return "not connected (:connect)"

    def _holding(self, call_id: str) -> Peer:
        for peer in self.peers.values():
            if call_id in peer.session.incoming:
                return peer
        raise LinkError(f"no call {call_id!r} of the peer is waiting for an answer (:pending lists them)")

    def _responder(self) -> Any:
        """The default answers, as the peer engine takes them."""
        return self.answer

    def _after(self, peer: Peer) -> Any:
        """The calls `then` makes after a call answered with a result, queued on `peer`."""
        then = self.then
        if then is None:
            return None

        def after(frame: Frame, verdict: tuple[str, Any]) -> None:
            if verdict[0] == "result":
                for action, payload in then(peer.version, frame.action or "", frame.payload):
                    peer.call_soon(action, payload)

        return after


def _unnoticed(text: str) -> None:
    """Where notices go until the REPL says."""


class StationLinks(PeerLinks):
    """The station role: one link to a CSMS (--url); :connect makes it again."""

    side = "station"

    def __init__(
        self, url: str, connect_timeout: float, registry: SchemaRegistry, versions: list[Version], **kwargs: Any
    ) -> None:
        super().__init__(registry, versions, **kwargs)
        self.url = url
        self.connect_timeout = connect_timeout
        self.current = station_id(url)
        self._peer_now: Peer | None = None
        self._reader: asyncio.Task[None] | None = None
        self._numbers = 0

    @property
    def peers(self) -> dict[str, Peer]:
        peer = self._peer_now
        return {peer.station: peer} if peer is not None and not peer.closed.is_set() else {}

    def banner(self) -> str:
        return f"connected to {self.url} as station {self.current} (OCPP {self.version().name})"

    async def start(self) -> None:
        from ocppctl.transport.client import connect_peer

        if self.peers:
            raise LinkError(f"already connected to {self.url}")
        self._numbers += 1
        peer: Peer = await connect_peer(
            self.url,
            self.versions,
            self.registry,
            self.connect_timeout,
            security=self.security,
            options=self.options,
            number=self._numbers,
            observe=self.observe,
            responder=self._responder(),
            auto=self.auto,
            clock=self.clock,
        )
        peer.after = self._after(peer)
        self._peer_now = peer
        self._reader = asyncio.ensure_future(peer.run())

    async def close(self) -> None:
        if self._peer_now is not None:
            await self._peer_now.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


class CsmsLinks(PeerLinks):
    """The CSMS role: any number of stations connect (--listen); the first is in use until :use."""

    side = "csms"

    def __init__(self, host: str, port: int, registry: SchemaRegistry, versions: list[Version], **kwargs: Any) -> None:
        super().__init__(registry, versions, **kwargs)
        self.host = host
        self.port = port
        self.csms: Csms | None = None

    @property
    def peers(self) -> dict[str, Peer]:
        return self.csms.peers if self.csms is not None else {}

    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def banner(self) -> str:
        offered = ", ".join(v.name for v in self.versions)
        return f"listening on {self.where()} as a CSMS (OCPP {offered}); stations connect to ws://{self.where()}/ID"

    def state(self) -> str:
        if self.csms is None:
            return "not listening"
        return "connected" if self.current in self.peers else f"listening on {self.where()}"

    def _not_connected(self) -> str:
        if self.current is not None:
            return f"station {self.current} is not connected (:stations lists those that are)"
        return f"no station has connected to {self.where()} yet"

    async def start(self) -> None:
        if self.csms is not None:
            raise LinkError(f"already listening on {self.where()}")
        csms = Csms(
            self.registry,
            self.versions,
            lambda flow: self.observe(flow),
            self._responder(),
            security=self.security,
            options=self.options,
            on_peer=self._arrived,
        )
        self.port = await csms.start(self.host, self.port)
        self.csms = csms

    def _arrived(self, peer: Peer) -> None:
        peer.auto = self.auto
        peer.after = self._after(peer)
        if self.current is None or self.current not in self.peers or self.current == peer.station:
            self.current = peer.station

    async def close(self) -> None:
        if self.csms is not None:
            await self.csms.stop()
            self.csms = None


class HubLinks(Links):
    """Attached to a running hub (`ocppctl listen`, --via): calls go through its control socket,
    its traffic comes from a watch of it. The hub answers its stations' calls itself."""

    attached_to = " to the hub"

    side = "csms"

    def __init__(
        self,
        path: str,
        registry: SchemaRegistry,
        versions: list[Version],
        observe: Callable[[Flow], None] | None = None,
    ) -> None:
        super().__init__(registry, versions, observe)
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

    def versions_of(self) -> dict[str, Version]:
        return dict(self.hub_versions)

    def pending(self) -> list[tuple[str, Frame]]:
        return []

    def set_auto(self, on: bool) -> None:
        if not on:
            raise LinkError("the hub answers its stations' calls itself: `ocppctl repl --listen` answers by hand")
        self.auto = on

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
        # the call may wait its turn behind others' calls to the station (up to `timeout`), then its answer
        reply = await control_request(self.path, request, self._missing(), 2 * timeout + 5)
        _, event = hub_answer(reply)
        if event is None:
            message = str(reply.get("error", "the hub failed"))
            raise TimedOut(message) if reply.get("exit") == errors.TIMEOUT else LinkError(message)
        return event

    async def reply(self, call_id: str, payload: Any, check: bool = True) -> None:
        self.set_auto(False)  # says why there is nothing to answer here

    async def fail(self, call_id: str, code: str, description: str, check: bool = True) -> None:
        self.set_auto(False)
