"""connect_station's one-line reasons on real sockets: the wrong scheme for the server (ws://
to TLS, wss:// to plain), and a URL naming no station."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import get_version
from ocppctl.errors import UsageFailure
from ocppctl.transport.client import LinkError, connect_station
from ocppctl.transport.security import ClientSecurity, ServerSecurity
from ocppctl.transport.server import open_server

V201 = get_version("2.0.1")


def _connect(registry: SchemaRegistry, scheme: str, server: ServerSecurity, client: ClientSecurity) -> str:
    """The LinkError message of connecting with `scheme` to an ocppctl server made with `server`."""

    async def main() -> str:
        async def handler(connection: Any) -> None:
            await connection.wait_closed()

        assert V201 is not None
        listening = await open_server(handler, "127.0.0.1", 0, [V201], server, None)
        port = listening.sockets[0].getsockname()[1]
        try:
            await connect_station(f"{scheme}://127.0.0.1:{port}/CP1", [V201], registry, lambda: "1", 5, client)
        except LinkError as exc:
            return exc.message.replace(str(port), "PORT")
        finally:
            listening.close()
            await listening.wait_closed()
        raise AssertionError("connected")

    return asyncio.run(main())


def test_wss_to_a_plain_server_says_so_and_hints_at_ws(registry: SchemaRegistry, pki: dict[str, Path]) -> None:
    said = _connect(registry, "wss", ServerSecurity(), ClientSecurity(cacert=str(pki["ca"])))
    assert said == (
        "TLS handshake with 127.0.0.1:PORT failed: the server closed the connection (is it a plain ws:// server? "
        "try ws://)"
    )


def test_ws_to_a_tls_server_says_so_and_hints_at_wss(registry: SchemaRegistry, pki: dict[str, Path]) -> None:
    said = _connect(registry, "ws", ServerSecurity(tls_cert=str(pki["server"])), ClientSecurity())
    assert said == (
        "127.0.0.1:PORT sent no valid HTTP answer to the WebSocket handshake (connection closed while reading "
        "HTTP status line); is it a TLS server? try wss://"
    )


def test_wss_to_a_port_where_nothing_listens_is_cannot_connect(registry: SchemaRegistry) -> None:
    """Not 'the server closed the connection': nothing took it (a refused TCP connection)."""
    import socket

    assert V201 is not None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(LinkError) as failed:
        asyncio.run(connect_station(f"wss://127.0.0.1:{port}/CP1", [V201], registry, lambda: "1", 5))
    assert failed.value.message.startswith(f"cannot connect to 127.0.0.1:{port}: Connect call failed")


def test_a_url_with_no_station_id_is_refused_before_connecting(registry: SchemaRegistry) -> None:
    assert V201 is not None
    with pytest.raises(UsageFailure) as refused:  # port 9: nothing is dialled
        asyncio.run(connect_station("ws://CP1:s3cret@127.0.0.1:9/", [V201], registry, lambda: "1", 5))
    assert refused.value.message == "ws://CP1:***@127.0.0.1:9/ names no station id (ws[s]://host[:port]/path/STATIONID)"
