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

from ocppctl.core.rpc import RpcSession
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import BY_SUBPROTOCOL, Version
from ocppctl.transport.client import Link, LinkError, LinkOptions, station_id
from ocppctl.transport.security import ServerSecurity

if TYPE_CHECKING:
    from ocppctl.transport.handshake import Refusal


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
    on_refused: Callable[[Refusal], None] | None = None,
) -> Any:
    """A websockets server offering `versions`, with TLS and basic auth as asked; LinkError
    in one line when the port cannot be had. Stations are refused at the handshake (each
    told to `on_refused`) for a failed TLS handshake, no station id, wrong credentials, a
    basic-auth user that is not the station id, or no OCPP subprotocol in common (HTTP 400:
    websockets refuses it when `subprotocols` is given)."""
    from websockets.asyncio.server import serve
    from websockets.typing import Subprotocol

    from ocppctl.transport.handshake import gate_factory

    security = security or ServerSecurity()
    try:
        return await serve(
            handler,
            host,
            port,
            subprotocols=[Subprotocol(v.subprotocol) for v in versions],
            create_connection=gate_factory(security.ssl_context(), on_refused),
            process_request=security.process_request(),
            **(options or LinkOptions()).websockets_kwargs(),
        )
    except OSError as exc:
        raise LinkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@asynccontextmanager
async def await_station(
    host: str,
    port: int,
    versions: list[Version],
    registry: SchemaRegistry,
    new_id: Callable[[], str],
    station: str | None,
    connect_timeout: float,
    on_listening: Callable[[str, int], None],
    security: ServerSecurity | None = None,
    options: LinkOptions | None = None,
) -> AsyncIterator[Link]:
    """Listen, wait for a station (the one named, or the first), yield the link to it; the
    server stops when the block ends. LinkError if none comes in time or the port is taken."""

    arrived: asyncio.Future[tuple[Any, Version, str]] = asyncio.get_running_loop().create_future()
    finished = asyncio.Event()

    async def handler(connection: Any) -> None:
        name = station_id(connection.request.path)
        version = BY_SUBPROTOCOL.get(str(connection.subprotocol))
        if station is not None and name != station:
            await connection.close(1008, "not the station awaited")
            return
        if version is None or arrived.done():
            await connection.close(1002 if version is None else 1013, "no subprotocol" if version is None else "busy")
            return
        arrived.set_result((connection, version, name))
        await finished.wait()

    server = await open_server(handler, host, port, versions, security, options)
    try:
        bound = server.sockets[0].getsockname()[1] if server.sockets else port
        on_listening(host, bound)
        try:
            connection, version, name = await asyncio.wait_for(asyncio.shield(arrived), connect_timeout)
        except TimeoutError:
            who = f"station {station}" if station else "no station"
            raise LinkError(
                f"{who} did not connect to {host}:{bound} within {connect_timeout:g} s (--connect-timeout)"
                if station
                else f"no station connected to {host}:{bound} within {connect_timeout:g} s (--connect-timeout)"
            ) from None
        yield Link(connection, version, RpcSession(registry, version, "csms", new_id, station=name))
    finally:
        finished.set()
        server.close()
        await server.wait_closed()
