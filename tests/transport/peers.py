"""Independent peers for live-link tests: a CSMS built on the `ocpp` package (not ours),
served by websockets on 127.0.0.1 with an ephemeral port, in a thread of its own."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from ocpp.routing import on


def _csms_201() -> Any:
    from ocpp.v201 import ChargePoint, call_result

    class Csms(ChargePoint):  # type: ignore[misc]
        @on("BootNotification")
        def boot(self, charging_station: Any, reason: str, **_: Any) -> Any:
            now = datetime.now(timezone.utc).isoformat()
            return call_result.BootNotification(current_time=now, interval=300, status="Accepted")

        @on("Heartbeat")
        def heartbeat(self, **_: Any) -> Any:
            return call_result.Heartbeat(current_time=datetime.now(timezone.utc).isoformat())

    return Csms


def _csms_16() -> Any:
    from ocpp.v16 import ChargePoint, call_result

    class Csms(ChargePoint):  # type: ignore[misc]
        @on("BootNotification")
        def boot(self, charge_point_vendor: str, charge_point_model: str, **_: Any) -> Any:
            now = datetime.now(timezone.utc).isoformat()
            return call_result.BootNotification(current_time=now, interval=300, status="Accepted")

        @on("Heartbeat")
        def heartbeat(self, **_: Any) -> Any:
            return call_result.Heartbeat(current_time=datetime.now(timezone.utc).isoformat())

    return Csms


@contextmanager
def ocpp_csms(subprotocols: list[str], silent: bool = False) -> Iterator[int]:
    """A CSMS of the `ocpp` package answering BootNotification and Heartbeat (silent: never
    answering); yields its port. Everything it starts ends with the block."""
    from websockets.asyncio.server import serve

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []
    stop: list[asyncio.Event] = []

    async def handler(connection: Any) -> None:
        if silent:
            await connection.wait_closed()
            return
        sub = connection.subprotocol
        cls = _csms_16() if sub == "ocpp1.6" else _csms_201()
        station = connection.request.path.rstrip("/").rsplit("/", 1)[-1]
        with contextlib.suppress(Exception):  # the client went away
            await cls(station, connection).start()

    async def main() -> None:
        stop.append(asyncio.Event())
        async with serve(handler, "127.0.0.1", 0, subprotocols=subprotocols) as server:  # type: ignore[arg-type]
            port.append(server.sockets[0].getsockname()[1])
            ready.set()
            await stop[0].wait()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield port[0]
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(10)
        loop.close()
