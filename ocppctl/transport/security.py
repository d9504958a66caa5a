"""Security profiles 1-3 on both sides: basic auth, TLS, client certificates.

Profile 1: basic auth over ws://. Profile 2: TLS (wss://) and basic auth. Profile 3: TLS with a
client certificate. Passwords come from a file, OCPPCTL_PASSWORD or a prompt, never from an
option (it would show in the process list), and are never printed or recorded.
"""

from __future__ import annotations

import base64
import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ocppctl.errors import UsageFailure


@dataclass
class ClientSecurity:
    """What the station side brings: TLS settings and basic-auth credentials."""

    cacert: str | None = None
    cert: str | None = None
    key: str | None = None
    insecure: bool = False
    user: str | None = None
    password: str | None = None

    def ssl_context(self, url: str) -> ssl.SSLContext | None:
        """A client TLS context for wss:// URLs (verification on unless --insecure)."""
        if not url.lower().startswith("wss://"):
            if self.cacert or self.cert:
                raise UsageFailure("--cacert and --cert need a wss:// URL")
            return None
        try:
            context = ssl.create_default_context(cafile=self.cacert)
            if self.insecure:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if self.cert:
                context.load_cert_chain(self.cert, self.key)
        except (OSError, ssl.SSLError) as exc:
            raise UsageFailure(_tls_failure(exc, self.cacert, self.cert, self.key)) from None
        return context

    def headers(self) -> dict[str, str]:
        if self.user is None or self.password is None:
            return {}
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


@dataclass
class ServerSecurity:
    """What the CSMS side asks for: a TLS certificate, client certificates, basic auth."""

    tls_cert: str | None = None
    tls_key: str | None = None
    client_ca: str | None = None
    credentials: dict[str, str] = field(default_factory=dict)  # user -> password; empty: no basic auth
    any_identity: bool = False  # a basic-auth user may connect under another station id

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.tls_cert is None:
            if self.client_ca:
                raise UsageFailure("--client-ca needs --tls-cert (client certificates are a TLS matter)")
            return None
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(self.tls_cert, self.tls_key)
            if self.client_ca:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(self.client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise UsageFailure(_tls_failure(exc, self.tls_cert, self.tls_key, self.client_ca)) from None
        return context

    def process_request(self) -> Any:
        """websockets' check of the upgrade: a station id, and basic auth when --auth was given
        (the user being the station id unless any_identity)."""
        from ocppctl.transport.handshake import Admission, admit

        return admit(Admission(self.credentials, self.any_identity))


# user:password@ in a URL; greedy up to the last @ of the word, so a password holding a stray
# '/' or '@' (not percent-encoded) is hidden whole too
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*):\S*@")


def redact(text: str) -> str:
    """`text` with the password of every URL in it shown as ***: error messages quote what the
    user typed, and `ws://CP1:PASSWORD@host` must not reach a terminal, a log or a CI page."""
    return _URL_PASSWORD.sub(r"\1:***@", text)


def read_password(
    file: str | None, environ: Mapping[str, str], prompt: Callable[[], str] | None, option: str = "--password-file"
) -> str | None:
    """The password from --password-file, else OCPPCTL_PASSWORD, else a prompt (on a terminal).
    A file that cannot be read is not named: its name may be the password itself, given by
    mistake (`option` says which option it came from)."""
    if file is not None:
        try:
            with open(file, encoding="utf-8") as handle:
                return handle.read().rstrip("\r\n")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise UsageFailure(
                f"{option}: cannot read the password file ({reason}); it takes a file holding the password, "
                "not the password"
            ) from None
        except UnicodeDecodeError as exc:
            raise UsageFailure(f"{file}: the password is not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    if environ.get("OCPPCTL_PASSWORD"):
        return environ["OCPPCTL_PASSWORD"]
    return prompt() if prompt is not None else None


def parse_auth(value: str, environ: Mapping[str, str]) -> tuple[str, str]:
    """--auth USER:PASSWORD-FILE -> (user, password)."""
    user, sep, file = value.partition(":")
    if not sep or not user or not file:
        raise UsageFailure("--auth takes USER:PASSWORD-FILE (the password is read from the file)")
    password = read_password(file, environ, None, f"--auth {user}:...")
    assert password is not None
    return user, password


def _tls_failure(exc: BaseException, *files: str | None) -> str:
    """One line naming the TLS file that could not be used, when the error says which."""
    named = getattr(exc, "filename", None)
    given = ", ".join(f for f in files if f)
    where = f"{named}" if named else given
    return f"cannot load TLS files ({where}): {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
