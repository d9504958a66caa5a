"""A CSMS for any number of stations (`ocppctl listen`): every frame checked by a session per
connection, the station's calls answered with the default answers, each frame handed to an
observer (the printer, the recorder) as it flows."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core.findings import Finding
from ocppctl.core.rpc import RpcSession
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import BY_SUBPROTOCOL, Version
from ocppctl.handlers.defaults import CsmsState, csms_answer
from ocppctl.io.recorder import utc_stamp
from ocppctl.transport.client import LinkError, LinkOptions, station_id
from ocppctl.transport.security import ServerSecurity


@dataclass
class Flow:
    """One frame on one link, or a connection event, for observers."""

    ts: str
    station: str
    conn: int
    side: str | None  # who sent it; None for a connection event
    version: Version
    text: str | None = None
    findings: list[Finding] = field(default_factory=list)
    event: str | None = None  # connect or close
    detail: dict[str, Any] = field(default_factory=dict)


async def serve_hub(
    host: str,
    port: int,
    versions: list[Version],
    registry: SchemaRegistry,
    state: CsmsState,
    observe: Callable[[Flow], None],
    on_listening: Callable[[str, int], None],
    stop: asyncio.Event,
    security: ServerSecurity | None = None,
    options: LinkOptions | None = None,
) -> None:
    """Serve until `stop` is set; LinkError if the port cannot be had."""
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed
    from websockets.typing import Subprotocol

    counter = itertools.count(1)

    async def handler(connection: Any) -> None:
        name = station_id(connection.request.path)
        version = BY_SUBPROTOCOL.get(str(connection.subprotocol))
        if version is None:
            await connection.close(1002, "no OCPP subprotocol")
            return
        conn = next(counter)
        address = connection.remote_address
        remote = f"{address[0]}:{address[1]}" if address else None
        observe(
            Flow(
                utc_stamp(),
                name,
                conn,
                None,
                version,
                event="connect",
                detail={"subprotocol": version.subprotocol, "remote": remote},
            )
        )
        session = RpcSession(registry, version, "csms", lambda: str(uuid.uuid4()), station=name)
        code: int | None = None
        reason = ""
        try:
            async for message in connection:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                event = session.receive(text, time.monotonic())
                observe(Flow(utc_stamp(), name, conn, "station", version, text, event.findings))
                if event.kind == "call" and event.frame is not None:
                    kind, body = csms_answer(
                        registry, version, event.frame.action or "", event.frame.payload, utc_stamp(), state
                    )
                    if kind == "result":
                        sent = session.reply(event.frame.id, body, time.monotonic(), check=False)
                    else:
                        sent = session.fail(event.frame.id, body[0], body[1], {}, time.monotonic(), check=False)
                    await connection.send(sent.text)
                    observe(Flow(utc_stamp(), name, conn, "csms", version, sent.text, sent.findings))
        except ConnectionClosed:
            pass
        finally:
            if connection.close_code is not None:
                code, reason = connection.close_code, connection.close_reason or ""
            observe(
                Flow(utc_stamp(), name, conn, None, version, event="close", detail={"code": code, "reason": reason})
            )

    offered = [Subprotocol(v.subprotocol) for v in versions]
    security = security or ServerSecurity()
    try:
        server = await serve(
            handler,
            host,
            port,
            subprotocols=offered,
            ssl=security.ssl_context(),
            process_request=security.process_request(),
            **(options or LinkOptions()).websockets_kwargs(),
        )
    except OSError as exc:
        raise LinkError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        bound = server.sockets[0].getsockname()[1] if server.sockets else port
        on_listening(host, bound)
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
