"""What a CSMS endpoint accepts, learnt by connecting to it: `ocppctl probe`.

Each fact is a (name, value) pair; the CLI prints them. Nothing here prints.
"""

from __future__ import annotations

import time
from typing import Any

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version
from ocppctl.errors import LinkError
from ocppctl.transport.client import Link, LinkOptions, connect_station
from ocppctl.transport.security import ClientSecurity


async def timed_connect(
    url: str,
    versions: list[Version],
    registry: SchemaRegistry,
    connect_timeout: float,
    security: ClientSecurity,
    options: LinkOptions,
) -> tuple[Link, float]:
    """A link and how long its handshake took, in milliseconds."""
    started = time.perf_counter()
    link = await connect_station(
        url, versions, registry, lambda: "probe-boot", connect_timeout, security=security, options=options
    )
    return link, (time.perf_counter() - started) * 1000.0


def link_facts(link: Link, handshake_ms: float) -> dict[str, Any]:
    """Subprotocol, compression, TLS version, cipher and the server's certificate."""
    socket = link.socket
    facts: dict[str, Any] = {
        "subprotocol": str(socket.subprotocol),
        "ocpp": link.version.name,
        "handshake_ms": round(handshake_ms, 1),
        "compression": ", ".join(ext.name for ext in socket.protocol.extensions) or "none",
    }
    transport = getattr(socket, "transport", None)
    tls = transport.get_extra_info("ssl_object") if transport is not None else None
    if tls is None:
        facts["tls"] = "none (ws://)"
        return facts
    facts["tls"] = tls.version()
    cipher = tls.cipher()
    facts["cipher"] = cipher[0] if cipher else None
    cert = tls.getpeercert()
    if cert:
        facts["certificate_subject"] = _name(cert.get("subject", ()))
        facts["certificate_issuer"] = _name(cert.get("issuer", ()))
        facts["certificate_expires"] = cert.get("notAfter")
    else:
        facts["certificate_subject"] = "not verified (--insecure)"
    return facts


def _name(parts: Any) -> str:
    return ", ".join(f"{key}={value}" for rdn in parts for key, value in rdn)


async def versions_accepted(
    url: str,
    versions: list[Version],
    registry: SchemaRegistry,
    connect_timeout: float,
    security: ClientSecurity,
    options: LinkOptions,
) -> dict[str, str]:
    """For each version alone: 'accepted', or why not."""
    verdicts: dict[str, str] = {}
    for version in versions:
        try:
            link, _ = await timed_connect(url, [version], registry, connect_timeout, security, options)
        except LinkError as exc:
            verdicts[version.name] = f"refused: {exc.message}"
            continue
        await link.socket.close()
        verdicts[version.name] = "accepted"
    return verdicts
