"""The CSMS role for any number of stations: a websockets server, a Peer per connection.

listen's hub, `send --listen` and `repl --listen` are this one server with different uses of
its peers. The station identity is the last segment of the path it connects to. One
connection per station: when a station connects again while its older connection is open (a
reconnect the CSMS has not noticed yet, or another client using its identity), the newer
connection replaces the older, which is closed with code 1000 and a reason saying so, as most
CSMSs do; calls then go to the newer one.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable
from typing import Any

from ocppctl.core.rpc import RpcSession
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import BY_SUBPROTOCOL, Version
from ocppctl.transport.client import LinkOptions, station_id
from ocppctl.transport.flow import Flow
from ocppctl.transport.peer import CLOSE_TIMEOUT, Peer, Responder, remote_of
from ocppctl.transport.security import ServerSecurity

REPLACED = 1000  # the close code of a connection replaced by a newer one of the same station


class Csms:
    """Stations connect; each gets a Peer answering with `responder`, told to `observe`."""

    def __init__(
        self,
        registry: SchemaRegistry,
        versions: list[Version],
        observe: Callable[[Flow], None],
        responder: Responder | None,
        *,
        security: ServerSecurity | None = None,
        options: LinkOptions | None = None,
        only: str | None = None,
        on_peer: Callable[[Peer], None] | None = None,
    ) -> None:
        """`only` names the one station to take (others are closed with 1008); `on_peer` is told
        of each new peer before it reads a frame."""
        self.registry = registry
        self.versions = versions
        self.observe = observe
        self.responder = responder
        self.security = security
        self.options = options or LinkOptions()
        self.only = only
        self.on_peer = on_peer
        self.peers: dict[str, Peer] = {}
        self.server: Any = None
        self.host = ""
        self.port = 0
        self._numbers = itertools.count(1)

    async def start(self, host: str, port: int) -> int:
        """Listen; the port bound (LinkError in one line when it cannot be had)."""
        from ocppctl.transport.server import open_server

        self.server = await open_server(self._handler, host, port, self.versions, self.security, self.options)
        self.host = host
        self.port = self.server.sockets[0].getsockname()[1] if self.server.sockets else port
        return self.port

    def where(self) -> str:
        return f"{self.host}:{self.port}"

    async def stop(self) -> None:
        """Close every station's link (bounded in time) and stop listening."""
        if self.server is None:
            return
        self.server.close(close_connections=False)
        await asyncio.gather(*(peer.close(1001, "the CSMS is stopping") for peer in list(self.peers.values())))
        try:  # a client stuck in its handshake (a malformed request) would hold this up for 10 s
            await asyncio.wait_for(self.server.wait_closed(), CLOSE_TIMEOUT)
        except TimeoutError:
            for connection in list(getattr(self.server, "connections", ())):
                connection.transport.abort()
        self.server = None

    def peer(self, name: str) -> Peer | None:
        return self.peers.get(name)

    def versions_of(self) -> dict[str, Version]:
        return {name: peer.version for name, peer in self.peers.items()}

    async def _handler(self, connection: Any) -> None:
        name = station_id(connection.request.path)
        version = BY_SUBPROTOCOL.get(str(connection.subprotocol))
        if version is None:
            await connection.close(1002, "no OCPP subprotocol")
            return
        if self.only is not None and name != self.only:
            await connection.close(1008, "not the station awaited")
            return
        session = RpcSession(self.registry, version, "csms", lambda: str(uuid.uuid4()), station=name)
        peer = Peer(
            connection,
            session,
            next(self._numbers),
            self.observe,
            self.responder,
            answer_invalid=self.options.answer_invalid,
            boot_grace=self.options.boot_grace,
        )
        older = self.peers.get(name)
        self.peers[name] = peer
        peer.opened(remote=remote_of(connection))
        if self.on_peer is not None:
            self.on_peer(peer)
        if older is not None:
            await older.close(REPLACED, f"replaced by a newer connection of {name}"[:123])
        try:
            await peer.run()
        finally:
            if self.peers.get(name) is peer:
                del self.peers[name]
