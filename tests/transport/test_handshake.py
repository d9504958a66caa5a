"""The CSMS side of the handshake on real sockets: who open_server lets in, and the Refusal
each one refused gets (HTTP 400/401, TLS failures made with trustme certificates)."""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from ocppctl.core.versions import get_version
from ocppctl.transport import handshake
from ocppctl.transport.handshake import Refusal
from ocppctl.transport.security import ServerSecurity
from ocppctl.transport.server import open_server

Attempt = Callable[[int], Awaitable[Any]]


def _serve(security: ServerSecurity, attempt: Attempt, versions: tuple[str, ...] = ("2.0.1", "1.6")) -> Any:
    """Run open_server, make one attempt on it; (what the attempt returned, the refusals)."""
    refusals: list[Refusal] = []

    async def main() -> Any:
        async def handler(connection: Any) -> None:
            await connection.send(f"welcome {connection.subprotocol}")

        known = [get_version(v) for v in versions]
        server = await open_server(handler, "127.0.0.1", 0, known, security, None, refusals.append)  # type: ignore[misc]
        try:
            port = server.sockets[0].getsockname()[1]
            outcome = await asyncio.wait_for(attempt(port), 10)
            for _ in range(100):  # the server's side of a refused TLS handshake may end a moment later
                if refusals or not isinstance(outcome, BaseException):
                    break
                await asyncio.sleep(0.02)
            return outcome
        finally:
            server.close()
            await server.wait_closed()

    return asyncio.run(main()), refusals


def _station(
    path: str,
    subprotocols: list[str] | None = None,
    auth: tuple[str, str] | None = None,
    context: ssl.SSLContext | None = None,
) -> Attempt:
    """A websockets client connecting to `path`: returns the first message, or the exception."""
    from websockets.asyncio.client import connect

    async def attempt(port: int) -> Any:
        headers = {}
        if auth is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        scheme = "wss" if context is not None else "ws"
        url = f"{scheme}://127.0.0.1:{port}{path}"
        try:
            async with connect(
                url,
                subprotocols=subprotocols,
                additional_headers=headers,
                ssl=context,
                proxy=None,  # type: ignore[arg-type]
            ) as link:
                return await link.recv()
        except Exception as exc:
            return exc

    return attempt


def _status(outcome: Any) -> int:
    return int(outcome.response.status_code)


AUTH = ServerSecurity(credentials={"CS001": "s3cret", "CS002": "other-secret"})


def test_a_basic_auth_user_connecting_as_another_station_is_refused_401() -> None:
    outcome, refusals = _serve(AUTH, _station("/ocpp/OTHER", ["ocpp2.0.1"], ("CS001", "s3cret")))
    assert _status(outcome) == 401
    [refusal] = refusals
    assert refusal.status == 401 and refusal.identity == "OTHER" and refusal.user == "CS001"
    assert refusal.why == "basic-auth user 'CS001' is not the station id 'OTHER' (--any-identity allows it)"
    assert refusal.subprotocols == ("ocpp2.0.1",)
    assert (refusal.tls_version, refusal.cipher, refusal.client_subject) == (None, None, None)
    assert refusal.remote is not None and refusal.remote.startswith("127.0.0.1:")
    assert refusal.line() == (
        f"refused {refusal.remote} as 'OTHER': HTTP 401: basic-auth user 'CS001' is not the station id 'OTHER' "
        "(--any-identity allows it) (subprotocols ocpp2.0.1; user 'CS001')"
    )
    assert "s3cret" not in repr(refusal) and "s3cret" not in str(refusal.detail())


def test_each_auth_user_connects_as_itself() -> None:
    assert _serve(AUTH, _station("/ocpp/CS001", ["ocpp2.0.1"], ("CS001", "s3cret"))) == ("welcome ocpp2.0.1", [])
    assert _serve(AUTH, _station("/ocpp/CS002", ["ocpp1.6"], ("CS002", "other-secret"))) == ("welcome ocpp1.6", [])


def test_any_identity_lets_a_user_connect_under_another_id() -> None:
    lenient = ServerSecurity(credentials={"CS001": "s3cret"}, any_identity=True)
    assert _serve(lenient, _station("/OTHER", ["ocpp2.0.1"], ("CS001", "s3cret"))) == ("welcome ocpp2.0.1", [])


def test_the_identity_is_percent_decoded() -> None:
    spaced = ServerSecurity(credentials={"CP 1": "s3cret"})
    assert _serve(spaced, _station("/CP%201", ["ocpp2.0.1"], ("CP 1", "s3cret"))) == ("welcome ocpp2.0.1", [])
    outcome, [refusal] = _serve(spaced, _station("/CP%0A1", ["ocpp2.0.1"], ("CP 1", "s3cret")))
    assert _status(outcome) == 401 and refusal.identity == "CP\n1"  # as received: the printer escapes


@pytest.mark.parametrize(
    ("auth", "why"),
    [
        (None, "no basic-auth credentials"),
        (("CS001", "guess"), "wrong password for user 'CS001'"),
        (("NOBODY", "s3cret"), "unknown basic-auth user 'NOBODY'"),
    ],
)
def test_missing_or_wrong_credentials_are_refused_401(auth: tuple[str, str] | None, why: str) -> None:
    outcome, [refusal] = _serve(AUTH, _station("/CS001", ["ocpp2.0.1"], auth))
    assert _status(outcome) == 401 and "WWW-Authenticate" in outcome.response.headers
    told = why if auth is None else "invalid credentials"  # the station does not learn which users exist
    assert outcome.response.body == f"{told}\n".encode()
    assert (refusal.status, refusal.why, refusal.user) == (401, why, auth[0] if auth else None)
    assert "guess" not in refusal.line() and "s3cret" not in refusal.line()


def test_no_station_id_is_refused_400() -> None:
    outcome, [refusal] = _serve(ServerSecurity(), _station("/", ["ocpp2.0.1"]))
    assert _status(outcome) == 400
    assert (refusal.identity, refusal.status) == ("", 400)
    assert refusal.why == "no station id in the path (ws://host:port/path/STATIONID)"


def test_no_subprotocol_is_refused_400() -> None:
    outcome, [refusal] = _serve(ServerSecurity(), _station("/CP1", None))
    assert _status(outcome) == 400
    assert (refusal.subprotocols, refusal.status) == ((), 400)
    assert refusal.why == "no subprotocol offered (an OCPP station offers ocpp1.6, ocpp2.0.1 or ocpp2.1)"
    assert refusal.line().endswith("(subprotocols none)")


def test_no_subprotocol_in_common_is_refused_400() -> None:
    outcome, [refusal] = _serve(ServerSecurity(), _station("/CP1", ["ocpp2.1", "wamp"]), versions=("2.0.1",))
    assert _status(outcome) == 400
    assert refusal.subprotocols == ("ocpp2.1", "wamp")
    assert refusal.why == "no OCPP subprotocol in common (this server serves ocpp2.0.1)"


def test_not_an_http_request_is_reported() -> None:
    async def garbage(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"HELLO CSMS\r\n\r\n")
        data = await reader.read()
        writer.close()
        return data

    _, [refusal] = _serve(ServerSecurity(), garbage)
    assert refusal.status is None and refusal.identity is None
    assert refusal.why == (
        "not a WebSocket handshake: did not receive a valid HTTP request (invalid HTTP request line: HELLO CSMS)"
    )


def test_wss_to_a_plain_port_is_reported(pki: dict[str, Path]) -> None:
    outcome, [refusal] = _serve(ServerSecurity(), _station("/CP1", ["ocpp2.0.1"], context=_client_context(pki)))
    assert isinstance(outcome, Exception)
    assert refusal.why == "a TLS handshake on a plain port (the station uses wss://: serve it with --tls-cert)"


def test_a_station_that_only_connects_and_leaves_is_no_refusal() -> None:
    async def knock(port: int) -> None:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        await asyncio.sleep(0.1)

    assert _serve(ServerSecurity(), knock) == (None, [])


def _tls_server(pki: dict[str, Path], **kwargs: Any) -> ServerSecurity:
    return ServerSecurity(tls_cert=str(pki["server"]), client_ca=str(pki["clients"]), **kwargs)


def _client_context(pki: dict[str, Path], cert: str | None = "client") -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki["ca"]))
    if cert is not None:
        context.load_cert_chain(str(pki[cert]))
    return context


def test_profile_3_refusal_names_tls_version_cipher_and_client_subject(pki: dict[str, Path]) -> None:
    security = _tls_server(pki, credentials={"CS001": "s3cret"})
    outcome, [refusal] = _serve(security, _station("/CP9", ["ocpp2.0.1"], ("CS001", "s3cret"), _client_context(pki)))
    assert _status(outcome) == 401
    assert refusal.tls_version in ("TLSv1.2", "TLSv1.3") and refusal.cipher
    assert refusal.client_subject is not None and refusal.client_subject.endswith(",CN=CP1")
    detail = refusal.detail()
    assert detail["tls_version"] == refusal.tls_version and detail["subprotocols"] == ["ocpp2.0.1"]
    assert set(detail) == {
        "remote", "identity", "subprotocols", "user", "tls_version", "cipher", "client_subject", "status", "why"
    }  # fmt: skip


def test_profile_3_accepts_the_right_certificate(pki: dict[str, Path]) -> None:
    assert _serve(_tls_server(pki), _station("/CP1", ["ocpp2.0.1"], context=_client_context(pki))) == (
        "welcome ocpp2.0.1",
        [],
    )


def test_plain_http_to_the_tls_port_is_a_tls_refusal(pki: dict[str, Path]) -> None:
    outcome, [refusal] = _serve(_tls_server(pki), _station("/CP1", ["ocpp2.0.1"]))
    assert isinstance(outcome, Exception)
    assert refusal.status is None and refusal.identity is None and refusal.subprotocols is None
    assert refusal.why == "TLS handshake failed: plain HTTP on the TLS port (the station uses ws://, not wss://?)"
    assert refusal.line() == f"refused {refusal.remote}: {refusal.why}"


def test_no_client_certificate_is_a_tls_refusal(pki: dict[str, Path]) -> None:
    outcome, [refusal] = _serve(_tls_server(pki), _station("/CP1", ["ocpp2.0.1"], context=_client_context(pki, None)))
    assert isinstance(outcome, Exception)
    assert refusal.why == "TLS handshake failed: no client certificate (security profile 3 needs one)"


def test_a_client_certificate_from_another_ca_is_a_tls_refusal(pki: dict[str, Path]) -> None:
    context = _client_context(pki, "stranger")
    outcome, [refusal] = _serve(_tls_server(pki), _station("/CP1", ["ocpp2.0.1"], context=context))
    assert isinstance(outcome, Exception)
    assert refusal.why.startswith("TLS handshake failed: the client certificate failed")


def test_a_station_that_distrusts_our_certificate_is_a_tls_refusal(pki: dict[str, Path]) -> None:
    context = ssl.create_default_context(cafile=str(pki["other"]))
    outcome, [refusal] = _serve(
        ServerSecurity(tls_cert=str(pki["server"])), _station("/CP1", ["ocpp2.0.1"], context=context)
    )
    assert isinstance(outcome, ssl.SSLCertVerificationError)
    # asyncio's client drops the link without its alert: the server sees it leave mid-handshake
    assert (
        refusal.why
        == "TLS handshake failed: the station left during the TLS handshake (does it trust our certificate?)"
    )


def test_an_old_tls_version_is_a_tls_refusal(pki: dict[str, Path]) -> None:
    async def tls10_hello(port: int) -> bytes:
        # A TLS 1.0 ClientHello written out by hand: this OpenSSL will not build one any more.
        hello = bytes.fromhex("0100002d0301" + "00" * 32 + "00" + "0004" + "002f0035" + "0100")
        hello = hello[:1] + (len(hello) - 4).to_bytes(3, "big") + hello[4:]
        record = bytes.fromhex("160301") + len(hello).to_bytes(2, "big") + hello
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(record)
        data = await reader.read()
        writer.close()
        return data

    _, [refusal] = _serve(ServerSecurity(tls_cert=str(pki["server"])), tls10_hello)
    assert refusal.why == "TLS handshake failed: a TLS version below 1.2 (TLS 1.2 or later is required)"


def _stall(first: bytes) -> Attempt:
    """A peer that sends `first` and waits for the server to hang up; returns what came back."""

    async def attempt(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(first)
        data = await reader.read()
        writer.close()
        return data

    return attempt


def test_a_request_never_finished_is_refused_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handshake, "HANDSHAKE_TIMEOUT", 0.3)
    _, [refusal] = _serve(ServerSecurity(), _stall(b"GET /CP1 HTTP/1.1\r\nHost: x\r\n"))
    assert (refusal.status, refusal.why) == (None, "no complete HTTP request within 0.3 s")


def test_a_silent_connection_that_times_out_is_no_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handshake, "HANDSHAKE_TIMEOUT", 0.3)
    assert _serve(ServerSecurity(), _stall(b"")) == (b"", [])


def test_a_tls_handshake_never_finished_is_refused_at_the_timeout(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handshake, "HANDSHAKE_TIMEOUT", 0.3)
    _, [refusal] = _serve(ServerSecurity(tls_cert=str(pki["server"])), _stall(b"\x16\x03\x01\x00\x40"))
    assert refusal.why == "TLS handshake failed: no TLS handshake within 0.3 s"


def test_a_tls_hello_on_a_plain_port_is_refused_at_once() -> None:
    """A ClientHello need hold no line end: waiting for one would take the whole timeout."""
    hello = b"\x16\x03\x01\x00\x40" + b"\x01" * 64  # no \n in it
    data, [refusal] = _serve(ServerSecurity(), _stall(hello))
    assert data == b"" and refusal.why.startswith("a TLS handshake on a plain port")
