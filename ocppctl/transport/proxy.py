"""`ocppctl proxy`: sits between stations and a CSMS, relaying every message unchanged.

A proxy is two links and an observer (DESIGN): for each station that connects to `.../ID`,
the upstream link to `upstream/ID` is opened first, during the station's handshake, offering
the subprotocols the station offered; the station is then answered with the one the upstream
chose, or refused with the upstream's own HTTP status (502 when there is none). Each link is a
Peer in `forward` mode: its session checks what it reads (findings go to the observer, the
frame goes on regardless: the proxy never fixes or drops a frame) and the other peer writes it
as it came. A close on one side closes the other with the same code and reason.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocppctl.core.rpc import Event, RpcSession
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import BY_SUBPROTOCOL, Version
from ocppctl.errors import LinkError
from ocppctl.io.recorder import utc_stamp
from ocppctl.transport.client import LinkOptions, station_id
from ocppctl.transport.flow import Flow
from ocppctl.transport.peer import CLOSE_TIMEOUT, Peer, remote_of
from ocppctl.transport.security import ClientSecurity, ServerSecurity

NO_STATUS = 1005  # a close frame with no code: mirrored as one with no code
ABNORMAL = 1006  # no close frame at all: mirrored by dropping the other link


@dataclass
class _Dialled:
    """The upstream link made during a station's handshake, and what the connect event says."""

    socket: Any
    version: Version
    detail: dict[str, Any]


class Proxy:
    """Stations connect here; each is relayed to `upstream`/ID. Every frame and connection
    event is told to `observe`; `log` gets one line per refused handshake."""

    def __init__(
        self,
        registry: SchemaRegistry,
        upstream: str,
        observe: Callable[[Flow], None],
        *,
        log: Callable[[str], None],
        security: ServerSecurity | None = None,
        upstream_security: ClientSecurity | None = None,
        options: LinkOptions | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        """`upstream_security` with a user replaces the station's basic auth; without one,
        the station's Authorization header goes upstream as it came."""
        self.registry = registry
        self.upstream = upstream.rstrip("/")
        self.observe = observe
        self.log = log
        self.security = security or ServerSecurity()
        self.upstream_security = upstream_security or ClientSecurity()
        self.options = options or LinkOptions()
        self.connect_timeout = connect_timeout
        self.peers: dict[str, Peer] = {}  # station-side peers, by station id (a hub reaches these)
        self.server: Any = None
        self.host = ""
        self.port = 0
        self._numbers = itertools.count(1)
        self._dialled: dict[Any, _Dialled] = {}
        self._links: set[asyncio.Task[None]] = set()
        self._upstream_context = self.upstream_security.ssl_context(self.upstream)  # UsageFailure now, not later

    async def start(self, host: str, port: int) -> int:
        """Listen; the port bound (LinkError in one line when it cannot be had)."""
        from websockets.asyncio.server import serve

        try:
            self.server = await serve(
                self._handler,
                host,
                port,
                ssl=self.security.ssl_context(),
                process_request=self._dial,
                select_subprotocol=self._choose,
                **self.options.websockets_kwargs(),
            )
        except OSError as exc:
            raise LinkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.host = host
        self.port = self.server.sockets[0].getsockname()[1] if self.server.sockets else port
        return self.port

    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def versions_of(self) -> dict[str, Version]:
        return {name: peer.version for name, peer in self.peers.items()}

    async def stop(self) -> None:
        """Close every relayed link on both sides (1001, bounded in time) and stop listening."""
        if self.server is None:
            return
        self.server.close(close_connections=False)
        await asyncio.gather(*(peer.close(1001, "the proxy is stopping") for peer in list(self.peers.values())))
        if self._links:
            await asyncio.wait(self._links, timeout=CLOSE_TIMEOUT * 2)
        for dialled in list(self._dialled.values()):  # handshakes that never completed
            await _close_quietly(dialled.socket)
        try:
            await asyncio.wait_for(self.server.wait_closed(), CLOSE_TIMEOUT)
        except TimeoutError:
            for connection in list(getattr(self.server, "connections", ())):
                connection.transport.abort()
        self.server = None

    # --- the handshake ---------------------------------------------------------------------------

    async def _dial(self, connection: Any, request: Any) -> Any:
        """websockets' process_request: open the upstream link before the station is answered;
        a refusal (the upstream's HTTP status, else 502) when it cannot be had."""
        name = station_id(request.path)
        offered = [p.strip() for value in request.headers.get_all("Sec-WebSocket-Protocol") for p in value.split(",")]
        offered = [p for p in offered if p]
        given = request.headers.get("Authorization")
        user = _basic_user(given)
        turned_away = self.security.process_request()(connection, request)  # --auth, the station id (as listen)
        if turned_away is not None:
            self.log(f"{name}: refused: HTTP {turned_away.status_code}: {getattr(connection, 'refused_why', '')}")
            return turned_away
        url = f"{self.upstream}/{name}"
        headers = self.upstream_security.headers()
        if not headers and given is not None:
            headers = {"Authorization": given}
        try:
            socket = await _connect(url, offered, headers, self._upstream_context, self.connect_timeout, self.options)
        except _Refused as refused:
            return self._refuse(connection, refused.status, f"{name}: refused: {url} {refused.why}")
        chosen = socket.subprotocol
        version = BY_SUBPROTOCOL.get(str(chosen)) if chosen else None
        if version is None:
            await _close_quietly(socket)
            picked = f"it chose {chosen!r}" if chosen else "it chose none"
            return self._refuse(connection, 502, f"{name}: refused: {url} took no OCPP subprotocol offered ({picked})")
        detail = {
            "path": request.path,
            "subprotocols": offered,
            "subprotocol": chosen,
            "remote": remote_of(connection),
            "user": user,
            **_tls_of(connection),
        }
        self._dialled[connection] = _Dialled(socket, version, detail)
        unclaimed = asyncio.ensure_future(self._unclaimed(connection))
        self._links.add(unclaimed)
        unclaimed.add_done_callback(self._links.discard)
        return None

    async def _unclaimed(self, connection: Any) -> None:
        """Close the upstream link of a handshake that failed after it was dialled (a request
        websockets then refuses, a station gone): the CSMS must not keep a station that is not."""
        with contextlib.suppress(Exception):
            await connection.wait_closed()
        dialled = self._dialled.pop(connection, None)
        if dialled is not None:
            await _close_quietly(dialled.socket)

    def _refuse(self, connection: Any, status: int, why: str) -> Any:
        self.log(why)
        return connection.respond(status, why.split(": ", 1)[-1] + "\n")

    def _choose(self, connection: Any, subprotocols: Any) -> Any:
        """websockets' select_subprotocol: the one the upstream chose."""
        dialled = self._dialled.get(connection)
        if dialled is None:
            return None
        chosen = dialled.socket.subprotocol
        return chosen if chosen in subprotocols else None

    # --- the relay -------------------------------------------------------------------------------

    async def _handler(self, connection: Any) -> None:
        dialled = self._dialled.pop(connection, None)
        if dialled is None:
            await connection.close(1011, "no upstream link")
            return
        task = asyncio.current_task()
        assert task is not None
        self._links.add(task)  # type: ignore[arg-type]
        try:
            await self._relay(connection, dialled)
        finally:
            self._links.discard(task)  # type: ignore[arg-type]

    async def _relay(self, connection: Any, dialled: _Dialled) -> None:
        name = station_id(connection.request.path)
        number = next(self._numbers)
        version = dialled.version

        def new_id() -> str:
            return f"ocppctl-{uuid.uuid4().hex[:28]}"  # 36 characters at most (OCPP-J); not the CSMS's kind

        frames_only = self._frames_only
        down = Peer(
            connection,
            RpcSession(self.registry, version, "csms", new_id, station=name),
            number,
            frames_only,
            auto=False,
        )
        up = Peer(
            dialled.socket,
            RpcSession(self.registry, version, "station", new_id, station=name),
            number,
            frames_only,
            auto=False,
        )
        down.forward = _onto(up, holds=False)
        up.forward = _onto(down, holds=True)  # the CSMS's calls take turns with injected ones
        self.observe(Flow(utc_stamp(), name, number, None, version, event="connect", detail=dialled.detail))
        older = self.peers.get(name)
        self.peers[name] = down
        if older is not None:
            await older.close(1000, f"replaced by a newer connection of {name}"[:123])
        reading = {
            asyncio.ensure_future(down.run()): (down, up, "station"),
            asyncio.ensure_future(up.run()): (up, down, "csms"),
        }
        try:
            done, _ = await asyncio.wait(reading, return_when=asyncio.FIRST_COMPLETED)
            first, other, side = reading[next(iter(done))]
            code, reason, by_us = _how_closed(first)
            await _mirror(other, code, reason)
            await asyncio.wait(reading, timeout=CLOSE_TIMEOUT * 2)
        finally:
            if self.peers.get(name) is down:
                del self.peers[name]
        detail = {"code": code, "reason": reason, "by": "proxy" if by_us else side}
        self.observe(Flow(utc_stamp(), name, number, None, version, event="close", detail=detail))

    def _frames_only(self, flow: Flow) -> None:
        """Each peer's frames go to the observer; the connection events are the proxy's own."""
        if flow.event is None:
            self.observe(flow)


def _onto(other: Peer, holds: bool) -> Callable[[str | bytes, Event], Any]:
    """Relay each message to `other`; with `holds`, a CALL there takes turns with the calls
    injected through the hub."""

    async def forward(message: str | bytes, event: Event) -> None:
        call_id = event.frame.id if holds and event.kind == "call" and event.frame is not None else None
        with contextlib.suppress(LinkError):  # that side is closing: its reader ends the link
            await other.relay(message, call_id)

    return forward


def _how_closed(peer: Peer) -> tuple[int, str, bool]:
    """The code and reason that closed a link, and whether the proxy sent them (a message
    over --max-size, a ping unanswered) rather than the peer; 1006 when no close frame came."""
    protocol = getattr(peer.socket, "protocol", None)
    received = getattr(protocol, "close_rcvd", None)
    sent = getattr(protocol, "close_sent", None)
    if received is not None and (sent is None or getattr(protocol, "close_rcvd_then_sent", True)):
        return int(received.code), str(received.reason), False
    if sent is not None:
        return int(sent.code), str(sent.reason), True
    return ABNORMAL, "", False


async def _mirror(other: Peer, code: int, reason: str) -> None:
    """Close `other` with the code and reason that closed the first link; no close frame at
    all (1006) is mirrored by dropping the link."""
    if code == ABNORMAL:
        transport = getattr(other.socket, "transport", None)
        if transport is not None:
            transport.abort()
        await other.close()
        return
    if code == NO_STATUS:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(other.socket.close(None, ""), CLOSE_TIMEOUT)  # a close frame with no code
        await other.close()
        return
    await other.close(code, reason)


class _Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


async def _connect(
    url: str,
    offered: list[str],
    headers: dict[str, str],
    context: ssl.SSLContext | None,
    timeout: float,
    options: LinkOptions,
) -> Any:
    """The upstream link; _Refused with the HTTP status to give the station and why."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake, InvalidStatus
    from websockets.typing import Subprotocol

    try:
        return await connect(
            url,
            subprotocols=[Subprotocol(p) for p in offered] or None,
            additional_headers=headers,
            ssl=context,
            open_timeout=timeout,
            proxy=None,
            **options.websockets_kwargs(),
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise _Refused(status, f"answered HTTP {status}") from None
    except InvalidHandshake as exc:
        raise _Refused(502, f"failed the WebSocket handshake: {exc}") from None
    except TimeoutError:
        raise _Refused(502, f"did not answer within {timeout:g} s (--connect-timeout)") from None
    except ssl.SSLError as exc:
        raise _Refused(502, f"failed TLS: {getattr(exc, 'verify_message', None) or exc.reason or exc}") from None
    except OSError as exc:
        raise _Refused(502, f"cannot be reached: {exc.strerror or exc}") from None


async def _close_quietly(socket: Any) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(socket.close(), CLOSE_TIMEOUT)


def _basic_user(header: str | None) -> str | None:
    """The user of a basic-auth header (never its password), for the connect record."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0]


def _tls_of(connection: Any) -> dict[str, Any]:
    """The station link's TLS version and client certificate subject, when it has them."""
    transport = getattr(connection, "transport", None)
    tls = transport.get_extra_info("ssl_object") if transport is not None else None
    if tls is None:
        return {}
    peer = tls.getpeercert() or {}
    subject = ",".join(f"{k}={v}" for rdn in peer.get("subject", ()) for k, v in rdn)
    return {"tls": tls.version(), "client_cert": subject or None}
