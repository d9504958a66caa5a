"""The recording proxy on real sockets: a CSMS and stations written here with bare websockets
(every message as each end sees it), the Proxy between them on 127.0.0.1 (port 0)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.transport.client import LinkOptions
from ocppctl.transport.flow import Flow
from ocppctl.transport.proxy import Proxy

from .test_peer import until

BOOT = '[2,"b1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]'


class Upstream:
    """A CSMS that records every message it reads (and the path and headers of each handshake)
    and lets the test send and close by hand."""

    def __init__(self, subprotocols: list[str], status: int | None = None) -> None:
        self.subprotocols = subprotocols
        self.status = status  # refuse every handshake with this HTTP status
        self.read: list[str | bytes] = []
        self.links: list[Any] = []
        self.requests: list[Any] = []
        self.closed: list[tuple[int | None, str | None]] = []
        self.port = 0

    async def _handler(self, connection: Any) -> None:
        self.links.append(connection)
        with contextlib.suppress(Exception):
            async for message in connection:
                self.read.append(message)
        self.closed.append((connection.close_code, connection.close_reason))

    def _request(self, connection: Any, request: Any) -> Any:
        self.requests.append(request)
        return connection.respond(self.status, "go away\n") if self.status else None


@contextlib.asynccontextmanager
async def upstream(
    subprotocols: list[str], status: int | None = None, tls: ssl.SSLContext | None = None
) -> AsyncIterator[Upstream]:
    from websockets.asyncio.server import serve

    csms = Upstream(subprotocols, status)
    async with serve(
        csms._handler,
        "127.0.0.1",
        0,
        subprotocols=subprotocols,  # type: ignore[arg-type]
        process_request=csms._request,
        ssl=tls,
    ) as server:
        csms.port = server.sockets[0].getsockname()[1]
        yield csms


@contextlib.asynccontextmanager
async def proxy(
    registry: SchemaRegistry, url: str, **kwargs: Any
) -> AsyncIterator[tuple[Proxy, list[Flow], list[str]]]:
    seen: list[Flow] = []
    logged: list[str] = []
    kwargs.setdefault("connect_timeout", 5)
    server = Proxy(registry, url, seen.append, log=logged.append, **kwargs)
    await server.start("127.0.0.1", 0)
    try:
        yield server, seen, logged
    finally:
        await asyncio.wait_for(server.stop(), 10)


async def station(port: int, path: str, subprotocols: list[str], **kwargs: Any) -> Any:
    from websockets.asyncio.client import connect

    return await connect(f"ws://127.0.0.1:{port}{path}", subprotocols=subprotocols, proxy=None, **kwargs)


def test_every_message_crosses_unchanged_both_ways_and_is_checked_on_the_way(registry: SchemaRegistry) -> None:
    odd = [
        BOOT,
        '[2,"1","Heartbeat",{"a":1,"a":2}]',  # duplicate keys survive
        '[2, "2", "Heartbeat", {}]  ',
        "not json at all",
        b'[2,"3","Heartbeat",{}]',
        '[3,"zz",{"x":20000.0}]',
    ]

    async def main() -> tuple[list[Any], list[Any], list[Flow], Any, Any]:
        async with (
            upstream(["ocpp2.0.1"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}/ocpp/") as (server, seen, _),
        ):
            ws = await station(server.port, "/some/where/CP1", ["ocpp2.1", "ocpp2.0.1"])
            for message in odd:
                await ws.send(message)
            await until(lambda: len(csms.read) == len(odd))
            down = csms.links[0]
            back = ['[2,"c1","GetVariables",{}]', b"\x00\x01binary", '[3,"b1",{"status":"Accepted"}]']
            for message in back:
                await down.send(message)
            got = [await asyncio.wait_for(ws.recv(), 5) for _ in back]
            await ws.close()
            await until(lambda: bool(csms.closed))
            await until(lambda: any(f.event == "close" for f in seen))
            return got, csms.read, seen, ws.subprotocol, csms.requests[0]

    got, read, seen, chosen, request = asyncio.run(main())
    assert read == odd  # exact text, binary as binary, in order
    assert got == ['[2,"c1","GetVariables",{}]', b"\x00\x01binary", '[3,"b1",{"status":"Accepted"}]']
    assert chosen == "ocpp2.0.1" and request.path == "/ocpp/CP1"
    assert request.headers["Sec-WebSocket-Protocol"] == "ocpp2.1, ocpp2.0.1"
    frames = [f for f in seen if f.event is None]
    assert [(f.side, f.text) for f in frames][:3] == [("station", odd[0]), ("station", odd[1]), ("station", odd[2])]
    assert frames[-1].side == "csms" and frames[-1].answers == "BootNotification"
    codes = {f.text: [x.code for x in f.findings] for f in frames if isinstance(f.text, str)}
    assert "duplicate-key" in " ".join(codes['[2,"1","Heartbeat",{"a":1,"a":2}]'])
    assert codes['[2,"c1","GetVariables",{}]']  # no getVariableData: a schema finding, relayed anyway
    assert codes['[3,"b1",{"status":"Accepted"}]']  # BootNotification answer lacking fields
    connect, close = seen[0], seen[-1]
    assert connect.event == "connect" and connect.detail["subprotocols"] == ["ocpp2.1", "ocpp2.0.1"]
    assert connect.detail["subprotocol"] == "ocpp2.0.1" and connect.detail["path"] == "/some/where/CP1"
    assert close.event == "close" and close.detail == {"code": 1000, "reason": "", "by": "station"}


@pytest.mark.parametrize("code", [1000, 1001, 1011, 4000, None])  # None: a close frame with no code
@pytest.mark.parametrize("by", ["station", "csms"])
def test_a_close_on_one_side_closes_the_other_with_the_same_code_and_reason(
    registry: SchemaRegistry, code: int | None, by: str
) -> None:
    reason = "bye now" if code is not None else ""

    async def main() -> tuple[Any, Any, Flow]:
        async with (
            upstream(["ocpp1.6"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}") as (server, seen, _),
        ):
            ws = await station(server.port, "/CP2", ["ocpp1.6"])
            await until(lambda: bool(csms.links))
            if by == "station":
                await ws.close(code, reason)  # type: ignore[arg-type]
            else:
                await csms.links[0].close(code, reason)
            await asyncio.wait_for(ws.wait_closed(), 5)
            await until(lambda: bool(csms.closed))
            await until(lambda: any(f.event == "close" for f in seen))
            return (ws.close_code, ws.close_reason), csms.closed[0], seen[-1]

    at_station, at_csms, event = asyncio.run(main())
    expected = code if code is not None else 1005
    assert at_station == (expected, reason) and at_csms == (expected, reason)
    assert event.detail == {"code": expected, "reason": reason, "by": by}


@pytest.mark.parametrize("status", [401, 400, 404])
def test_an_upstream_refusal_refuses_the_station_with_the_same_status(registry: SchemaRegistry, status: int) -> None:
    from websockets.exceptions import InvalidStatus

    async def main() -> tuple[int, list[str], int]:
        async with (
            upstream(["ocpp2.0.1"], status=status) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}/ocpp") as (server, seen, logged),
        ):
            with pytest.raises(InvalidStatus) as refused:
                await station(server.port, "/CP3", ["ocpp2.0.1"])
            assert seen == []
            return refused.value.response.status_code, logged, csms.port

    got, logged, port = asyncio.run(main())
    assert got == status
    assert logged == [f"CP3: refused: ws://127.0.0.1:{port}/ocpp/CP3 answered HTTP {status}"]


def test_an_unreachable_upstream_gives_502_and_one_line(registry: SchemaRegistry) -> None:
    from websockets.exceptions import InvalidStatus

    from .test_send import _free_port

    port = _free_port()

    async def main() -> tuple[int, list[str]]:
        async with proxy(registry, f"ws://127.0.0.1:{port}") as (server, _, logged):
            with pytest.raises(InvalidStatus) as refused:
                await station(server.port, "/CP4", ["ocpp2.0.1"])
            return refused.value.response.status_code, logged

    got, logged = asyncio.run(main())
    assert got == 502
    assert len(logged) == 1 and logged[0].startswith(f"CP4: refused: ws://127.0.0.1:{port}/CP4 cannot be reached: ")


def test_basic_auth_passes_through_or_is_replaced(registry: SchemaRegistry) -> None:
    from ocppctl.transport.security import ClientSecurity

    async def main(**kwargs: Any) -> tuple[str | None, Any]:
        async with (
            upstream(["ocpp2.0.1"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}", **kwargs) as (server, seen, _),
        ):
            ws = await station(
                server.port, "/CP5", ["ocpp2.0.1"], additional_headers={"Authorization": "Basic Q1A1OnNlY3JldA=="}
            )
            await ws.close()
            await until(lambda: any(f.event == "close" for f in seen))
            return csms.requests[0].headers.get("Authorization"), seen[0].detail

    given, detail = asyncio.run(main())
    assert given == "Basic Q1A1OnNlY3JldA==" and detail["user"] == "CP5"  # CP5:secret
    assert "secret" not in json.dumps(detail)
    replaced, _ = asyncio.run(main(upstream_security=ClientSecurity(user="proxy", password="pw")))
    assert replaced == "Basic cHJveHk6cHc="  # proxy:pw


def test_options_reach_both_links(registry: SchemaRegistry) -> None:
    """A message above --max-size is refused by the link that reads it (1009), and the other
    side learns of it with the same code."""

    async def main() -> tuple[Any, Any]:
        async with (
            upstream(["ocpp2.0.1"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}", options=LinkOptions(max_size=100)) as (server, seen, _),
        ):
            ws = await station(server.port, "/CP6", ["ocpp2.0.1"])
            await ws.send("x" * 200)
            await asyncio.wait_for(ws.wait_closed(), 5)
            await until(lambda: bool(csms.closed))
            await until(lambda: any(f.event == "close" for f in seen))
            return ws.close_code, csms.closed[0][0], seen[-1].detail

    at_station, at_csms, detail = asyncio.run(main())
    assert at_station == at_csms == 1009
    assert detail == {"code": 1009, "reason": "frame exceeds limit of 100 bytes", "by": "proxy"}


def test_a_link_dropped_with_no_close_frame_drops_the_other(registry: SchemaRegistry) -> None:
    async def main() -> tuple[Any, Any]:
        async with (
            upstream(["ocpp2.0.1"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}") as (server, seen, _),
        ):
            ws = await station(server.port, "/CP7", ["ocpp2.0.1"])
            await until(lambda: bool(csms.links))
            ws.transport.abort()
            await until(lambda: bool(csms.closed))
            await until(lambda: any(f.event == "close" for f in seen))
            return csms.closed[0][0], seen[-1].detail

    at_csms, detail = asyncio.run(main())
    assert at_csms == 1006 and detail == {"code": 1006, "reason": "", "by": "station"}


async def quiet(ws: Any, seconds: float = 0.2) -> bool:
    """Whether nothing reaches `ws` for `seconds` (websockets' recv may be cancelled safely)."""
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


def test_injected_and_relayed_calls_keep_one_call_outstanding_toward_the_station(registry: SchemaRegistry) -> None:
    """An injected call waits while the CSMS's call is open, the CSMS's call is held while an
    injected one is; an injected call's answer goes to the injector, never upstream."""

    async def main() -> tuple[list[str], list[Any], str]:
        async with (
            upstream(["ocpp2.0.1"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}") as (server, _, _),
        ):
            ws = await station(server.port, "/CP8", ["ocpp2.0.1"])
            await until(lambda: bool(csms.links) and "CP8" in server.peers)
            peer, up = server.peers["CP8"], csms.links[0]
            order: list[str] = []
            # 1. the CSMS's call is open: the injected one waits for its answer
            await up.send('[2,"c1","Heartbeat",{}]')  # (a station gets no Heartbeat: relayed all the same)
            first = json.loads(await asyncio.wait_for(ws.recv(), 5))
            injected = asyncio.ensure_future(peer.call("ClearCache", {}, 5, check=False))
            order.append("nothing yet" if await quiet(ws) and not injected.done() else "early")
            await ws.send('[3,"c1",{}]')
            call = json.loads(await asyncio.wait_for(ws.recv(), 5))
            order.append(f"{first[2]} then {call[2]}")
            # 2. the injected call is open: the CSMS's next call is held until its answer
            await up.send('[2,"c2","ClearCache",{}]')
            order.append("held" if await quiet(ws) else "not held")
            await ws.send(json.dumps([3, call[1], {"status": "Accepted"}]))
            answer = await asyncio.wait_for(injected, 5)
            held = json.loads(await asyncio.wait_for(ws.recv(), 5))
            order.append(f"{answer.kind} then {held[1]}")
            await ws.send('[3,"c2",{"status":"Accepted"}]')
            await until(lambda: len(csms.read) == 2)
            await ws.close()
            return order, csms.read, call[1]

    order, read, injected_id = asyncio.run(main())
    assert order == ["nothing yet", "Heartbeat then ClearCache", "held", "result then c2"]
    assert read == ['[3,"c1",{}]', '[3,"c2",{"status":"Accepted"}]']  # the injected answer stayed here
    assert injected_id.startswith("ocppctl-") and len(injected_id) == 36


def test_tls_on_both_sides_with_client_certificates(registry: SchemaRegistry, tmp_path: Any) -> None:
    """Security profile 3 toward the station and toward the CSMS; the connect event names the
    TLS version and the station's certificate; a CSMS whose certificate fails is a 502."""
    import trustme

    from ocppctl.transport.security import ClientSecurity, ServerSecurity

    ca = trustme.CA()
    files = {name: str(tmp_path / f"{name}.pem") for name in ("ca", "server", "client")}
    ca.cert_pem.write_to_path(files["ca"])
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(files["server"])
    ca.issue_cert("CP9", common_name="CP9").private_key_and_cert_chain_pem.write_to_path(files["client"])
    csms_tls = ServerSecurity(tls_cert=files["server"], client_ca=files["ca"]).ssl_context()
    mine = ServerSecurity(tls_cert=files["server"], client_ca=files["ca"])
    toward = ClientSecurity(cacert=files["ca"], cert=files["client"])
    station_tls = ClientSecurity(cacert=files["ca"], cert=files["client"]).ssl_context("wss://")

    async def main(upstream_security: ClientSecurity) -> tuple[list[Any], dict[str, Any] | list[str]]:
        async with (
            upstream(["ocpp2.0.1"], tls=csms_tls) as csms,
            proxy(registry, f"wss://127.0.0.1:{csms.port}", security=mine, upstream_security=upstream_security) as (
                server,
                seen,
                logged,
            ),
        ):
            from websockets.asyncio.client import connect
            from websockets.exceptions import InvalidStatus

            url = f"wss://127.0.0.1:{server.port}/CP9"
            try:
                ws = await connect(url, subprotocols=["ocpp2.0.1"], ssl=station_tls, proxy=None)  # type: ignore[list-item]
            except InvalidStatus as exc:
                return [exc.response.status_code], logged
            await ws.send(BOOT)
            await until(lambda: bool(csms.read))
            await ws.close()
            await until(lambda: any(f.event == "close" for f in seen))
            return csms.read, seen[0].detail

    read, detail = asyncio.run(main(toward))
    assert read == [BOOT]
    assert isinstance(detail, dict) and detail["tls"].startswith("TLSv1.") and "commonName=CP9" in detail["client_cert"]
    status, logged = asyncio.run(main(ClientSecurity(cert=files["client"])))  # the system CAs: not this one
    assert status == [502]
    assert len(logged) == 1 and logged[0].endswith("/CP9 failed TLS: self-signed certificate in certificate chain")


def test_auth_makes_the_proxy_itself_require_basic_auth(registry: SchemaRegistry) -> None:
    from websockets.exceptions import InvalidStatus

    from ocppctl.transport.security import ServerSecurity

    async def main() -> tuple[int, list[str], list[Any]]:
        async with (
            upstream(["ocpp2.0.1"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}", security=ServerSecurity(credentials={"CP5": "secret"})) as (
                server,
                seen,
                logged,
            ),
        ):
            with pytest.raises(InvalidStatus) as refused:
                await station(server.port, "/CP5", ["ocpp2.0.1"])
            ws = await station(
                server.port, "/CP5", ["ocpp2.0.1"], additional_headers={"Authorization": "Basic Q1A1OnNlY3JldA=="}
            )
            await ws.close()
            await until(lambda: any(f.event == "close" for f in seen))
            return refused.value.response.status_code, logged, csms.requests

    status, logged, requests = asyncio.run(main())
    assert status == 401 and logged == ["CP5: refused: HTTP 401: no basic-auth credentials"]
    assert len(requests) == 1 and requests[0].headers["Authorization"] == "Basic Q1A1OnNlY3JldA=="


def test_a_handshake_that_fails_after_the_upstream_was_dialled_closes_the_upstream(registry: SchemaRegistry) -> None:
    """websockets refuses a request with no Sec-WebSocket-Key after process_request dialled the
    CSMS: the CSMS must not keep a station that never connected."""

    async def main() -> tuple[bytes, list[Any]]:
        async with (
            upstream(["ocpp2.0.1"]) as csms,
            proxy(registry, f"ws://127.0.0.1:{csms.port}") as (server, _, _),
        ):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                b"GET /CP10 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n"
            )
            status = await asyncio.wait_for(reader.readline(), 5)
            writer.close()
            await until(lambda: bool(csms.closed))
            return status, csms.closed

    status, closed = asyncio.run(main())
    assert status.startswith(b"HTTP/1.1 400 ") and closed == [(1000, "")]


def test_an_upstream_that_does_not_answer_the_handshake_in_time_gives_502(registry: SchemaRegistry) -> None:
    from websockets.exceptions import InvalidStatus

    async def main() -> tuple[int, list[str], int]:
        async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # never answers

        silent = await asyncio.start_server(mute, "127.0.0.1", 0)
        port = silent.sockets[0].getsockname()[1]
        try:
            async with proxy(registry, f"ws://127.0.0.1:{port}", connect_timeout=0.3) as (server, _, logged):
                with pytest.raises(InvalidStatus) as refused:
                    await station(server.port, "/CP11", ["ocpp2.0.1"])
                return refused.value.response.status_code, logged, port
        finally:
            silent.close()

    status, logged, port = asyncio.run(main())
    assert status == 502
    assert logged == [f"CP11: refused: ws://127.0.0.1:{port}/CP11 did not answer within 0.3 s (--connect-timeout)"]
