"""The CSMS side of the opening handshake: who may connect, and a word on each one refused.

A station connects with TLS (profiles 2-3), then an HTTP upgrade naming its identity as the last
segment of the path, the OCPP subprotocols it speaks, and basic-auth credentials (profiles 1-2).
Any step can refuse it; websockets does so silently, and engineers cannot tell a reverse proxy
eating a header from a wrong password. `Gate` runs every step on the server's connections and
hands each refusal, as a `Refusal`, to the caller's `on_refused`.

TLS is done here (loop.start_tls) rather than by the asyncio server, because a server's failed
TLS handshake is dropped by asyncio without a word (logged only in debug mode).
"""

from __future__ import annotations

import asyncio
import hmac
import http
import ssl
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import unquote, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

HANDSHAKE_TIMEOUT = 10.0  # seconds for the TLS handshake, then as much for the HTTP upgrade
_TLS_RECORD = b"\x16\x03"  # the first bytes of a TLS handshake record (a ClientHello)


@dataclass(frozen=True)
class Refusal:
    """One handshake the server refused, with what it knew of the station by then (None for
    what it did not get to know). Texts are as received: whoever prints them escapes them."""

    remote: str | None  # "HOST:PORT" of the peer
    identity: str | None  # the last path segment, percent-decoded
    subprotocols: tuple[str, ...] | None  # offered in Sec-WebSocket-Protocol
    user: str | None  # the basic-auth user (the password is never kept)
    tls_version: str | None
    cipher: str | None
    client_subject: str | None  # of the client certificate (security profile 3)
    status: int | None  # the HTTP status answered; None when it never got that far (TLS)
    why: str

    def detail(self) -> dict[str, Any]:
        """The refusal as JSON-able values, for a record or a hub's watchers."""
        detail = asdict(self)
        detail["subprotocols"] = list(self.subprotocols) if self.subprotocols is not None else None
        return detail

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> Refusal:
        """The inverse of detail() (a watch's or --json's record back into a Refusal)."""
        values: dict[str, Any] = {f.name: detail.get(f.name) for f in fields(cls)}
        subprotocols = values["subprotocols"]
        values["subprotocols"] = tuple(subprotocols) if isinstance(subprotocols, list) else None
        values["why"] = str(values["why"] or "")
        return cls(**values)

    def line(self) -> str:
        """One line for people: who, the status, why, then what the station brought."""
        who = self.remote or "?"
        if self.identity is not None:
            who += f" as {self.identity!r}"
        status = f"HTTP {self.status}: " if self.status is not None else ""
        facts = []
        if self.subprotocols is not None:
            facts.append("subprotocols " + (", ".join(self.subprotocols) or "none"))
        if self.user is not None:
            facts.append(f"user {self.user!r}")
        if self.tls_version is not None:
            facts.append(" ".join(part for part in (self.tls_version, self.cipher) if part))
        if self.client_subject is not None:
            facts.append(f"client certificate {self.client_subject}")
        said = f" ({'; '.join(facts)})" if facts else ""
        return f"refused {who}: {status}{self.why}{said}"


@dataclass(frozen=True)
class Admission:
    """What the server asks of a station at the HTTP upgrade: basic-auth credentials (user ->
    password; none asked when empty) and whether the user must be the station identity."""

    credentials: Mapping[str, str]
    any_identity: bool = False


def admit(admission: Admission) -> Callable[[Any, Request], Response | None]:
    """websockets' process_request: refuse an empty station identity (400) and, when
    credentials are asked, missing or wrong ones or a user that is not the station (401;
    OCPP security profiles 1-2: the basic-auth username is the charging station identity)."""
    from websockets.headers import build_www_authenticate_basic, parse_authorization_basic

    def process_request(connection: Any, request: Request) -> Response | None:
        identity = path_identity(request.path)
        if not identity:
            return _refuse(connection, 400, "no station id in the path (ws://host:port/path/STATIONID)")
        if not admission.credentials:
            return None
        header = request.headers.get("Authorization")
        why = None
        if header is None:
            why = "no basic-auth credentials"
        else:
            try:
                user, password = parse_authorization_basic(header)
            except Exception:  # websockets raises InvalidHeader, but a stray byte may raise others
                why = "credentials that are not basic auth"
            else:
                connection.auth_user = user
                expected = admission.credentials.get(user)
                if expected is None:
                    why = f"unknown basic-auth user {user!r}"
                elif not hmac.compare_digest(expected.encode(), password.encode(errors="surrogateescape")):
                    why = f"wrong password for user {user!r}"
                elif user != identity and not admission.any_identity:
                    why = f"basic-auth user {user!r} is not the station id {identity!r} (--any-identity allows it)"
        if why is None:
            connection.username = connection.auth_user
            return None
        # the station is told less than the log: whether a user exists is not for anyone to probe
        said = "invalid credentials" if why.startswith(("unknown", "wrong")) else why
        response = _refuse(connection, 401, why, said)
        response.headers["WWW-Authenticate"] = build_www_authenticate_basic("ocppctl")
        return response

    return process_request


def _refuse(connection: Any, status: int, why: str, said: str | None = None) -> Response:
    """An HTTP answer refusing the upgrade, saying `said` (else `why`); `why` is kept for the
    Refusal."""
    connection.refused_why = why
    return Response(status, http.HTTPStatus(status).phrase, Headers(), f"{said or why}\n".encode())


class Gate(ServerConnection):
    """A websockets server connection that does TLS itself (so a failed TLS handshake is
    known) and reports each refused handshake to `on_refused`."""

    tls: ssl.SSLContext | None = None
    on_refused: Callable[[Refusal], None] | None = None
    auth_user: str | None = None
    refused_why: str | None = None
    _peer: str | None = None
    _heard = b""  # the first bytes the peer sent before TLS or HTTP

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._peer = _address(transport.get_extra_info("peername"))
        if self.tls is None:
            super().connection_made(transport)
            return
        assert isinstance(transport, asyncio.Transport)
        # start_tls pauses reading and takes the transport over before it first waits; the task's
        # first step runs before the loop next polls the socket, so no byte reaches us in clear.
        # (Pausing here would not do: Python 3.10 registers the reader after connection_made.)
        self._tls_task = asyncio.get_running_loop().create_task(self._start_tls(transport, self.tls))

    async def _start_tls(self, transport: asyncio.Transport, context: ssl.SSLContext) -> None:
        loop = asyncio.get_running_loop()
        try:
            secured = await loop.start_tls(
                transport, self, context, server_side=True, ssl_handshake_timeout=HANDSHAKE_TIMEOUT
            )
        except (OSError, asyncio.TimeoutError, EOFError) as exc:  # ssl.SSLError is an OSError
            transport.abort()
            self._report(None, tls_failure(exc))
            return
        if secured is None:  # the transport closed before the handshake ended
            self._report(None, tls_failure(EOFError()))
            return
        super().connection_made(secured)

    def connection_lost(self, exc: Exception | None) -> None:
        if getattr(self, "transport", None) is None:  # lost before TLS was up: nothing opened
            return
        super().connection_lost(exc)

    async def handshake(self, *args: Any, **kwargs: Any) -> None:
        timed_out = False
        try:
            await super().handshake(*args, **kwargs)
        except asyncio.CancelledError:  # websockets' open_timeout, or the server closing
            timed_out = self.server.is_serving()
            raise
        finally:
            refused = self.response is not None and self.response.status_code != 101
            if refused:
                assert self.response is not None
                self._report(self.response.status_code, self.refused_why or _websockets_why(self))
            elif self._heard.startswith(_TLS_RECORD):
                self._report(
                    None, "a TLS handshake on a plain port (the station uses wss://: serve it with --tls-cert)"
                )
            elif self.request is None and self.protocol.handshake_exc is not None and self._heard:
                exc = self.protocol.handshake_exc
                cause = f" ({exc.__cause__})" if exc.__cause__ is not None and str(exc.__cause__) else ""
                self._report(None, f"not a WebSocket handshake: {exc}{cause}")
            elif self.request is None and timed_out and self._heard:
                self._report(None, f"no complete HTTP request within {HANDSHAKE_TIMEOUT:g} s")

    def data_received(self, data: bytes) -> None:
        if not self._heard:  # a peer that connects and leaves without a word was refused nothing
            self._heard = bytes(data[:2])
            if self._heard.startswith(_TLS_RECORD):  # a ClientHello may hold no line end: end it now
                self.transport.abort()
                return
        super().data_received(data)

    def _report(self, status: int | None, why: str) -> None:
        if self.on_refused is None:
            return
        request = self.request
        subprotocols = None
        identity = None
        if request is not None:
            identity = path_identity(request.path)
            offered = ",".join(request.headers.get_all("Sec-WebSocket-Protocol"))
            subprotocols = tuple(name.strip() for name in offered.split(",") if name.strip())
        version = cipher = subject = None
        secured = getattr(self, "transport", None)
        ssl_object = secured.get_extra_info("ssl_object") if secured is not None else None
        if ssl_object is not None:
            version, cipher = ssl_object.version(), (ssl_object.cipher() or (None,))[0]
            subject = _subject(ssl_object.getpeercert())
        self.on_refused(
            Refusal(self._peer, identity, subprotocols, self.auth_user, version, cipher, subject, status, why)
        )


def gate_factory(tls: ssl.SSLContext | None, on_refused: Callable[[Refusal], None] | None) -> type[Gate]:
    """websockets' create_connection: a Gate class doing TLS with `tls` and telling `on_refused`."""
    told = staticmethod(on_refused) if on_refused is not None else None
    return type("Gate", (Gate,), {"tls": tls, "on_refused": told})


def tls_failure(exc: BaseException) -> str:
    """Why a station's TLS handshake failed, in words an engineer acts on."""
    return f"TLS handshake failed: {_tls_why(exc)}"


_TLS_REASONS = {
    "HTTP_REQUEST": "plain HTTP on the TLS port (the station uses ws://, not wss://?)",
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "no client certificate (security profile 3 needs one)",
    "CERTIFICATE_VERIFY_FAILED": "the client certificate failed verification (--client-ca)",
    "UNSUPPORTED_PROTOCOL": "a TLS version below 1.2 (TLS 1.2 or later is required)",
    "WRONG_VERSION_NUMBER": "not a TLS handshake (wrong version number)",
    "NO_SHARED_CIPHER": "no cipher in common",
    "TLSV1_ALERT_UNKNOWN_CA": "the station does not trust our certificate (alert: unknown CA)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the station refused our certificate (alert: bad certificate)",
}


def _tls_why(exc: BaseException) -> str:
    if isinstance(exc, (asyncio.TimeoutError, ConnectionAbortedError)):
        return f"no TLS handshake within {HANDSHAKE_TIMEOUT:g} s"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the client certificate failed: {exc.verify_message}"
    reason = str(getattr(exc, "reason", None) or "")
    if reason in _TLS_REASONS:
        return _TLS_REASONS[reason]
    if isinstance(exc, (EOFError, ssl.SSLEOFError, ConnectionResetError)):
        return "the station left during the TLS handshake (does it trust our certificate?)"
    return reason or str(exc) or type(exc).__name__


def _websockets_why(connection: ServerConnection) -> str:
    """Why websockets refused an upgrade (no OCPP subprotocol in common, a bad header)."""
    exc = connection.protocol.handshake_exc
    text = str(exc) if exc is not None else ""
    if "missing subprotocol" in text:
        return "no subprotocol offered (an OCPP station offers ocpp1.6, ocpp2.0.1 or ocpp2.1)"
    if "invalid subprotocol" in text:
        served = text.partition("expected one of ")[2]
        return f"no OCPP subprotocol in common (this server serves {served})"
    return text or "the server refused the upgrade"


def path_identity(path: str) -> str:
    """The station identity a request path names: its last segment, percent-decoded (OCPP puts
    the identity in the URL encoded: station `CP 1` connects to `.../CP%201`)."""
    segment = urlsplit(path).path.rstrip("/").rpartition("/")[2]
    return unquote(segment, errors="replace")


def _address(peer: Any) -> str | None:
    if isinstance(peer, tuple) and len(peer) >= 2:
        host = f"[{peer[0]}]" if ":" in str(peer[0]) else str(peer[0])
        return f"{host}:{peer[1]}"
    return str(peer) if peer else None


def _subject(cert: Any) -> str | None:
    """A certificate's subject as 'CN=CP1,O=ACME' (None when there is none)."""
    if not cert or not cert.get("subject"):
        return None
    return ",".join(f"{_SHORT.get(key, key)}={value}" for rdn in cert["subject"] for key, value in rdn)


_SHORT = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C"}
