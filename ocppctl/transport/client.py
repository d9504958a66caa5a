"""The station side of a live link: a websockets client driving an RpcSession.

The session decides; this module only moves text and time: it connects (subprotocols from
the versions asked for), sends what the session returns, feeds it what arrives, and says in one
line why a link could not be made (LinkError, exit code 5).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ocppctl.core.rpc import RpcSession
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import BY_SUBPROTOCOL, Version
from ocppctl.errors import LinkError
from ocppctl.transport.security import ClientSecurity

_STATUS_MEANING = {
    400: "the server refused the request (is the path right?)",
    401: "credentials are needed or were refused (--user, --password-file)",
    403: "the server refused this station",
    404: "no such path or station id on the server",
    426: "the server wants another protocol (ws:// vs wss://?)",
}


@dataclass
class LinkOptions:
    """WebSocket settings of a link, on either side."""

    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    compression: bool = True  # permessage-deflate
    max_size: int | None = 1 << 20  # largest message accepted, in bytes
    answer_invalid: bool = False  # answer the peer's invalid calls anyway (no spec CALLERROR)
    boot_grace: float | None = 10.0  # as a CSMS, seconds calls wait for the station's boot (None: none)

    def websockets_kwargs(self) -> dict[str, Any]:
        return {
            "ping_interval": self.ping_interval,
            "ping_timeout": self.ping_timeout,
            "compression": "deflate" if self.compression else None,
            "max_size": self.max_size,
        }


def _first_line(body: bytes | bytearray | None) -> str:
    """What the server said, when it said it in a short line of text (escaped: it is the peer's)."""
    from ocppctl.render.style import escape

    if not body:
        return ""
    line = bytes(body).decode("utf-8", "replace").strip().splitlines()[0] if body.strip() else ""
    return escape(line) if 0 < len(line) <= 200 else ""


def station_id(url: str) -> str:
    """The station identity: the last segment of the URL's path."""
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1] if path else ""


@dataclass
class Link:
    """An open link: the socket, the version the server chose, the session over it."""

    socket: Any
    version: Version
    session: RpcSession


async def connect_station(
    url: str,
    versions: list[Version],
    registry: SchemaRegistry,
    new_id: Callable[[], str],
    connect_timeout: float,
    security: ClientSecurity | None = None,
    options: LinkOptions | None = None,
) -> Link:
    """Connect as a station, offering `versions`; LinkError with the reason if it fails."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
    from websockets.typing import Subprotocol

    offered = [Subprotocol(v.subprotocol) for v in versions]
    where = urlsplit(url).netloc or url
    security = security or ClientSecurity()
    context = security.ssl_context(url)
    try:
        socket = await connect(
            url,
            subprotocols=offered,
            open_timeout=connect_timeout,
            proxy=None,
            **(options or LinkOptions()).websockets_kwargs(),
            ssl=context,
            additional_headers=security.headers(),
        )
    except InvalidURI as exc:
        raise LinkError(f"not a WebSocket URL: {exc.uri} (ws://host:port/path/STATIONID)") from None
    except InvalidStatus as exc:
        status = exc.response.status_code
        meaning = _STATUS_MEANING.get(status, "the server refused the WebSocket handshake")
        said = _first_line(exc.response.body)
        raise LinkError(f"{where} answered HTTP {status}: {said or meaning}") from None
    except InvalidHandshake as exc:
        hint = ""
        if context is not None and not security.cert:  # TLS 1.3 refuses a missing client certificate late
            hint = " (does the server require a client certificate? --cert/--key, security profile 3)"
        raise LinkError(f"WebSocket handshake with {where} failed: {exc}{hint}") from None
    except TimeoutError:
        raise LinkError(f"no connection to {where} within {connect_timeout:g} s (--connect-timeout)") from None
    except ssl.SSLCertVerificationError as exc:
        hint = " (--cacert names the CA that signed it)" if "issuer" in str(exc.verify_message) else ""
        raise LinkError(f"TLS with {where}: the server's certificate failed: {exc.verify_message}{hint}") from None
    except ssl.SSLError as exc:
        raise LinkError(f"TLS handshake with {where} failed: {exc.reason or exc}") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LinkError(f"cannot connect to {where}: {reason}") from None
    chosen = socket.subprotocol
    version = BY_SUBPROTOCOL.get(str(chosen)) if chosen else None
    if version is None:
        await socket.close()
        names = ", ".join(offered)
        picked = f"it picked {chosen!r}" if chosen else "it picked none"
        raise LinkError(f"{where} accepted none of the subprotocols offered ({names}): {picked}")
    session = RpcSession(registry, version, "station", new_id, station=station_id(url))
    return Link(socket, version, session)


def closed_reason(exc: Any, waiting: bool = True) -> str:
    """One line on a link that closed (while waiting for an answer, or not): who closed it,
    with what code."""
    if exc.rcvd is not None and (exc.sent is None or exc.rcvd_then_sent):
        why = f": {exc.rcvd.reason}" if exc.rcvd.reason else ""
        when = " before answering" if waiting else ""
        return f"the peer closed the link{when} (code {exc.rcvd.code}{why})"
    if exc.sent is not None:
        why = f": {exc.sent.reason}" if exc.sent.reason else ""
        hint = " (--max-size)" if exc.sent.code == 1009 else ""
        when = " before the answer came" if waiting else ""
        return f"ocppctl closed the link{when} (code {exc.sent.code}{why}){hint}"
    return "the link was lost" + (" before the answer came" if waiting else "") + " (no closing handshake)"


async def connect_peer(
    url: str,
    versions: list[Version],
    registry: SchemaRegistry,
    connect_timeout: float,
    *,
    security: ClientSecurity | None = None,
    options: LinkOptions | None = None,
    number: int = 1,
    **peer: Any,
) -> Any:
    """Connect as a station (connect_station) and put the link under the peer engine: the
    Peer (`peer` holds its observe, responder, ...), told open. LinkError if it fails."""
    import uuid

    from ocppctl.transport.peer import Peer, remote_of

    options = options or LinkOptions()
    link = await connect_station(
        url, versions, registry, lambda: str(uuid.uuid4()), connect_timeout, security=security, options=options
    )
    driven = Peer(link.socket, link.session, number, answer_invalid=options.answer_invalid, **peer)
    driven.opened(remote=remote_of(link.socket))
    return driven
