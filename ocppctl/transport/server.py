"""The CSMS side of a live link: a websockets server that waits for a station.

The station identity is the last segment of the path it connects to; `--station ID` waits for
that one (others are closed with 1008). Like the client, this only moves text: the RpcSession
decides and checks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ocppctl.core.versions import Version
from ocppctl.errors import LinkError
from ocppctl.transport.client import LinkOptions
from ocppctl.transport.security import ServerSecurity

if TYPE_CHECKING:
    from ocppctl.transport.csms import Csms
    from ocppctl.transport.peer import Peer


def parse_listen(value: str) -> tuple[str, int]:
    """'[HOST:]PORT' (HOST defaults to 127.0.0.1); ValueError if it is neither."""
    host, _, port = value.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    number = int(port)
    if not 0 <= number <= 65535:
        raise ValueError(port)
    return host, number


async def open_server(
    handler: Any,
    host: str,
    port: int,
    versions: list[Version],
    security: ServerSecurity | None,
    options: LinkOptions | None,
) -> Any:
    """A websockets server offering `versions`, with TLS and basic auth as asked; LinkError
    in one line when the port cannot be had."""
    from websockets.asyncio.server import serve
    from websockets.typing import Subprotocol

    security = security or ServerSecurity()
    try:
        return await serve(
            handler,
            host,
            port,
            subprotocols=[Subprotocol(v.subprotocol) for v in versions],
            ssl=security.ssl_context(),
            process_request=security.process_request(),
            **(options or LinkOptions()).websockets_kwargs(),
        )
    except OSError as exc:
        raise LinkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@asynccontextmanager
async def await_station(
    csms: Csms, host: str, port: int, connect_timeout: float, on_listening: Callable[[str, int], None]
) -> AsyncIterator[Peer]:
    """Listen, wait for a station (the one `csms.only` names, or the first), yield its peer; the
    server stops when the block ends. LinkError if the port is taken or no station
    comes in time (no connection: exit 5, as DESIGN says)."""
    arrived: asyncio.Future[Peer] = asyncio.get_running_loop().create_future()

    def first(peer: Peer) -> None:
        if not arrived.done():
            arrived.set_result(peer)
            csms.only = peer.station  # the others that come later are turned away

    csms.on_peer = first
    bound = await csms.start(host, port)
    try:
        on_listening(host, bound)
        try:
            peer = await asyncio.wait_for(asyncio.shield(arrived), connect_timeout)
        except TimeoutError:
            who = f"station {csms.only}" if csms.only else "no station"
            verb = "did not connect" if csms.only else "connected"
            raise LinkError(
                f"{who} {verb} to {host}:{bound} within {connect_timeout:g} s (--connect-timeout)"
            ) from None
        yield peer
    finally:
        await csms.stop()
