"""The simulated station's life on the peer engine (transport/sim.py), in-process, against a CSMS
written here on bare websockets: every frame it sends is seen as a CSMS sees it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import LinkError
from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel
from ocppctl.transport.client import LinkOptions
from ocppctl.transport.flow import Flow
from ocppctl.transport.security import ClientSecurity
from ocppctl.transport.sim import SimulatedStation

NOW = "2026-12-04T10:00:00Z"
FAST_RETRY = [
    {"component": "OCPPCommCtrlr", "variable": name, "value": value, "dataType": "integer"}
    for name, value in (("RetryBackOffWaitMinimum", "0"), ("RetryBackOffRandomRange", "0"))
]

Handler = Callable[[Any, int], Awaitable[None]]  # (connection, its number) -> None


def answer_of(action: str) -> dict[str, Any]:
    if action == "BootNotification":
        return {"currentTime": NOW, "interval": 300, "status": "Accepted"}
    if action == "Heartbeat":
        return {"currentTime": NOW}
    if action == "TransactionEvent":
        return {}
    return {}


@contextlib.asynccontextmanager
async def csms(handler: Handler) -> AsyncIterator[int]:
    """A CSMS on 127.0.0.1, port 0; `handler` runs for each connection, numbered from 1."""
    from websockets.asyncio.server import serve

    count = [0]

    async def each(connection: Any) -> None:
        count[0] += 1
        await handler(connection, count[0])

    async with serve(each, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"]) as server:  # type: ignore[list-item]
        yield server.sockets[0].getsockname()[1]


async def calls(connection: Any) -> AsyncIterator[list[Any]]:
    """The station's calls on one connection, each answered as a CSMS would, until it closes."""
    with contextlib.suppress(Exception):
        async for text in connection:
            frame = json.loads(text)
            if frame[0] == 2:
                await connection.send(json.dumps([3, frame[1], answer_of(frame[2])]))
            yield frame


def simulated(registry: SchemaRegistry, port: int, seen: list[Flow], **kwargs: Any) -> SimulatedStation:
    model = DeviceModel.from_json({**DEFAULT_MODEL, "variables": [*DEFAULT_MODEL["variables"], *FAST_RETRY]})
    return SimulatedStation(
        f"ws://127.0.0.1:{port}/SIM1",
        [VERSIONS["2.0.1"]],
        registry,
        model,
        5.0,
        ClientSecurity(),
        LinkOptions(),
        seen.append,
        **kwargs,
    )


async def run_until(station: SimulatedStation, done: asyncio.Event, seconds: float = 15) -> None:
    stop = asyncio.Event()
    life = asyncio.ensure_future(station.run(stop))
    try:
        await asyncio.wait_for(done.wait(), seconds)
    finally:
        stop.set()
        await asyncio.wait_for(life, 10)


def test_a_normal_close_by_the_csms_is_followed_by_a_reconnect_without_a_new_boot(registry: SchemaRegistry) -> None:
    """The link comes back after the back-off; the station, booted before, goes on heartbeating
    (it boots when it reboots, not when its link comes back)."""
    actions: dict[int, list[str]] = {}
    done = asyncio.Event()

    async def handler(connection: Any, number: int) -> None:
        async for frame in calls(connection):
            actions.setdefault(number, []).append(frame[2])
            if number == 1 and frame[2] == "StatusNotification":
                await connection.close(1000, "maintenance")
            if number == 2 and frame[2] == "Heartbeat":
                done.set()

    async def main() -> list[Flow]:
        seen: list[Flow] = []
        async with csms(handler) as port:
            await run_until(simulated(registry, port, seen, heartbeat=0.3), done)
        return seen

    seen = asyncio.run(main())
    assert actions[1][:2] == ["BootNotification", "StatusNotification"]
    assert actions[2][0] == "Heartbeat" and "BootNotification" not in actions[2]
    close = next(f for f in seen if f.event == "close")
    assert (close.detail["code"], close.detail["reason"]) == (1000, "maintenance")
    reconnect = next(f for f in seen if f.event == "reconnect")
    assert reconnect.detail["attempt"] == 1 and "maintenance" in reconnect.detail["why"]


@pytest.mark.parametrize(("code", "ends"), [(1000, "returns"), (1011, "LinkError")])
def test_exit_on_close_ends_the_run(registry: SchemaRegistry, code: int, ends: str) -> None:
    async def handler(connection: Any, number: int) -> None:
        async for frame in calls(connection):
            if frame[2] == "BootNotification":
                await connection.close(code, "bye")

    async def main() -> str:
        async with csms(handler) as port:
            try:
                await asyncio.wait_for(simulated(registry, port, [], exit_on_close=True).run(asyncio.Event()), 15)
            except LinkError as exc:
                return f"LinkError: {exc.message}"
        return "returns"

    assert asyncio.run(main()).startswith(ends)


def test_reset_reboots_and_a_remote_start_sends_its_transaction_event(registry: SchemaRegistry) -> None:
    """Reset: Accepted, the link closed and made again, a new boot. RequestStartTransaction:
    Accepted, then TransactionEvent Started."""
    seen_frames: dict[int, list[list[Any]]] = {}
    done = asyncio.Event()

    async def handler(connection: Any, number: int) -> None:
        async def ask(action: str, payload: Any) -> None:
            await connection.send(json.dumps([2, f"c{number}", action, payload]))

        async for frame in calls(connection):
            seen_frames.setdefault(number, []).append(frame)
            if frame[0] == 2 and frame[2] == "StatusNotification" and number == 1:
                await ask("Reset", {"type": "Immediate"})
            if frame[0] == 2 and frame[2] == "StatusNotification" and number == 2 and len(seen_frames[2]) == 2:
                await ask(
                    "RequestStartTransaction", {"idToken": {"idToken": "T", "type": "ISO14443"}, "remoteStartId": 7}
                )
            if frame[0] == 2 and frame[2] == "TransactionEvent":
                done.set()

    async def main() -> None:
        async with csms(handler) as port:
            await run_until(simulated(registry, port, []), done)

    asyncio.run(main())
    first = [f[2] if f[0] == 2 else ("answer", f[2].get("status")) for f in seen_frames[1]]
    assert first[:3] == ["BootNotification", "StatusNotification", ("answer", "Accepted")]
    assert seen_frames[2][0][2] == "BootNotification"  # after the reset: a new connection, a new boot
    started = next(f for f in seen_frames[2] if f[0] == 2 and f[2] == "TransactionEvent")
    assert started[3]["eventType"] == "Started" and started[3]["transactionInfo"].get("remoteStartId") == 7


def test_a_transaction_message_the_link_lost_is_sent_after_the_reconnect(registry: SchemaRegistry) -> None:
    """The CSMS drops the link instead of answering TransactionEvent Started: the station keeps
    it, reconnects and sends it again."""
    events: dict[int, list[str]] = {}
    done = asyncio.Event()

    async def handler(connection: Any, number: int) -> None:
        with contextlib.suppress(Exception):
            async for text in connection:
                frame = json.loads(text)
                if frame[0] != 2:
                    continue
                events.setdefault(number, []).append(frame[2])
                if frame[2] == "TransactionEvent" and number == 1:
                    await connection.close(1011, "crashed")  # never answered
                    return
                await connection.send(json.dumps([3, frame[1], answer_of(frame[2])]))
                if frame[2] == "StatusNotification" and number == 1 and events[1].count("StatusNotification") == 1:
                    start = {"idToken": {"idToken": "T", "type": "ISO14443"}, "remoteStartId": 1}
                    await connection.send(json.dumps([2, "rs", "RequestStartTransaction", start]))
                if frame[2] == "TransactionEvent" and number == 2:
                    done.set()

    async def main() -> None:
        async with csms(handler) as port:
            await run_until(simulated(registry, port, []), done)

    asyncio.run(main())
    assert "TransactionEvent" in events[1]
    assert events[2][0] == "TransactionEvent"  # the first thing said on the new link
