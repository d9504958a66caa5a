"""The client side of a control socket (a hub's, a simulated station's): one JSON request, one
JSON reply."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from ocppctl.transport.client import LinkError


async def control_request(
    path: str, request: dict[str, Any], missing: str, timeout: float | None = None
) -> dict[str, Any]:
    """Ask what is listening at `path`; LinkError(`missing`) when nothing is."""
    try:
        reader, writer = await asyncio.open_unix_connection(path)
    except OSError:
        raise LinkError(missing) from None
    writer.write(orjson.dumps(request) + b"\n")
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), timeout)
    writer.close()
    if not line:
        raise LinkError(f"{path} closed the control link without an answer")
    reply: dict[str, Any] = orjson.loads(line)
    return reply
