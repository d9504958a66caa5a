"""The hub's control socket `watch` op, in-process on 127.0.0.1: a watcher sees the stations
connected, then every frame and connection event as `listen --json` prints it; a watcher that
hangs up, falls behind or outlives the hub is let go without holding the hub up."""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import LinkError
from ocppctl.handlers.defaults import CsmsState, csms_answerer
from ocppctl.io.recorder import ocpp_time
from ocppctl.transport import hub
from ocppctl.transport.control import HubWatch, control_request, watch_hub
from ocppctl.transport.csms import Csms
from ocppctl.transport.flow import Flow
from ocppctl.transport.hub import Hub, Watchers

from .peers import ocpp_station

EVENT_KEYS = {"ts", "station", "conn", "ocpp", "event"}
FRAME_KEYS = {"ts", "station", "conn", "ocpp", "from", "raw", "findings"}


@dataclass
class _Hub:
    port: int
    control: str  # the control socket's path
    stop: asyncio.Event
    task: asyncio.Future[None]  # Hub.serve
    observed: list[Flow] = field(default_factory=list)  # what its observer saw


@contextlib.asynccontextmanager
async def _hub(registry: SchemaRegistry) -> AsyncIterator[_Hub]:
    """A Hub on 127.0.0.1, an ephemeral port and a control socket of its own; stopped on
    leaving, within 15 s."""
    with tempfile.TemporaryDirectory(prefix="ocppctl-") as folder:  # short: socket paths are ~100 bytes
        control = f"{folder}/hub.sock"
        observed: list[Flow] = []
        listening: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()
        task = asyncio.ensure_future(
            Hub(
                Csms(
                    registry,
                    [VERSIONS["2.0.1"], VERSIONS["1.6"]],
                    observed.append,
                    csms_answerer(registry, CsmsState(), ocpp_time),
                ),
                control,
            ).serve("127.0.0.1", 0, lambda host, port: listening.set_result(port), stop)
        )
        try:
            first: set[asyncio.Future[Any]] = {listening, task}
            await asyncio.wait(first, timeout=10, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                task.result()  # its LinkError
            assert listening.done(), "the hub did not listen within 10 s"
            yield _Hub(listening.result(), control, stop, task, observed)
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)


def _boot(port: int, name: str, subprotocol: str = "ocpp2.0.1", leave: threading.Event | None = None) -> list[Any]:
    """A station of the `ocpp` package connects, boots and hangs up (when `leave` is set, if
    given); run it in a thread."""
    with ocpp_station(port, name, subprotocol) as answers:
        deadline = time.monotonic() + 15
        while not answers and time.monotonic() < deadline:
            time.sleep(0.02)
        if leave is not None:
            leave.wait(15)
    return answers


async def _until_closed(feed: HubWatch, station: str) -> list[dict[str, Any]]:
    """Records up to and with `station`'s close event."""
    records = []
    async for record in feed:
        records.append(record)
        if record["station"] == station and record.get("event") == "close":
            break
    return records


async def _all(feed: HubWatch) -> list[dict[str, Any]]:
    return [record async for record in feed]


async def _until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.01)


def test_a_watcher_sees_a_station_connect_boot_and_leave(registry: SchemaRegistry) -> None:
    async def main() -> tuple[list[str], list[dict[str, Any]], list[Flow], list[Any]]:
        async with _hub(registry) as served:
            async with watch_hub(served.control, "no hub there", timeout=5) as feed:
                booting = asyncio.ensure_future(asyncio.to_thread(_boot, served.port, "CP1"))
                records = await asyncio.wait_for(_until_closed(feed, "CP1"), 30)
                answers = await asyncio.wait_for(booting, 30)
            return feed.stations, records, list(served.observed), answers

    stations, records, observed, answers = asyncio.run(main())
    assert stations == []
    assert answers[0].status == "Accepted"
    connect, call, result, close = records
    assert set(connect) == EVENT_KEYS | {"subprotocol", "remote"}
    assert (connect["station"], connect["ocpp"], connect["event"], connect["subprotocol"]) == (
        "CP1",
        "2.0.1",
        "connect",
        "ocpp2.0.1",
    )
    assert set(call) == set(result) == FRAME_KEYS
    assert call["from"] == "station" and result["from"] == "csms"
    sent, answered = json.loads(call["raw"]), json.loads(result["raw"])
    assert sent[0] == 2 and sent[2] == "BootNotification"
    assert answered[0] == 3 and answered[1] == sent[1] and answered[2]["status"] == "Accepted"
    assert call["findings"] == result["findings"] == []
    assert set(close) == EVENT_KEYS | {"code", "reason"}
    assert close["event"] == "close"
    assert {r["conn"] for r in records} == {connect["conn"]}
    assert records == [flow.as_record() for flow in observed]  # what `listen --json` prints


def test_a_watcher_that_hangs_up_is_let_go_and_the_hub_serves_on(
    registry: SchemaRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Watchers] = []

    class Recorded(Watchers):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(hub, "Watchers", Recorded)

    async def main() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with _hub(registry) as served:
            watchers = made[0]
            async with watch_hub(served.control, "no hub there", timeout=5) as staying:
                async with watch_hub(served.control, "no hub there", timeout=5):
                    await _until(lambda: len(watchers) == 2)
                await _until(lambda: len(watchers) == 1)  # the one that left is forgotten
                booting = asyncio.ensure_future(asyncio.to_thread(_boot, served.port, "CP2", "ocpp1.6"))
                records = await asyncio.wait_for(_until_closed(staying, "CP2"), 30)
                assert (await asyncio.wait_for(booting, 30))[0].status == "Accepted"
                reply = await control_request(served.control, {"op": "stations"}, "no hub there", 5)
            await _until(lambda: len(watchers) == 0)
            return records, reply

    records, reply = asyncio.run(main())
    assert [(r.get("event"), r.get("from"), r["ocpp"]) for r in records] == [
        ("connect", None, "1.6"),
        (None, "station", "1.6"),
        (None, "csms", "1.6"),
        ("close", None, "1.6"),
    ]
    assert reply == {"ok": True, "stations": [], "versions": {}}


def test_stopping_the_hub_ends_every_watch(registry: SchemaRegistry) -> None:
    leave = threading.Event()

    async def main() -> tuple[list[str], list[dict[str, Any]], list[Any]]:
        async with _hub(registry) as served:
            booting = asyncio.ensure_future(asyncio.to_thread(_boot, served.port, "CP3", "ocpp2.0.1", leave))
            try:
                await _until(lambda: len(served.observed) >= 3, 30)  # connected and booted, staying
                async with watch_hub(served.control, "no hub there", timeout=5) as feed:
                    served.stop.set()  # with the station still there and the watcher attached
                    records = await asyncio.wait_for(_all(feed), 15)  # ends: no LinkError
                    await asyncio.wait_for(served.task, 15)
            finally:
                leave.set()
                answers = await asyncio.wait_for(booting, 30)
        return feed.stations, records, answers

    stations, records, answers = asyncio.run(main())
    assert stations == ["CP3"]
    assert answers[0].status == "Accepted"
    assert [(r["station"], r.get("event")) for r in records] == [("CP3", "close")]


def test_a_watcher_that_falls_behind_is_dropped() -> None:
    flow = Flow("2026-11-22T10:00:00.000Z", "CP1", 1, "station", VERSIONS["2.0.1"], '[2,"1","Heartbeat",{}]')

    async def main() -> None:
        watchers = Watchers(backlog=3)
        with tempfile.TemporaryDirectory(prefix="ocppctl-") as folder:
            path = f"{folder}/w.sock"
            server = await asyncio.start_unix_server(lambda r, w: watchers.serve(r, w, {"CP1": "2.0.1"}), path)
            try:
                async with watch_hub(path, "no hub there", timeout=5) as feed:
                    assert feed.stations == ["CP1"]
                    await _until(lambda: len(watchers) == 1)
                    for _ in range(4):  # with no await between: nothing reaches the socket
                        watchers.publish(flow)
                    with pytest.raises(LinkError, match="dropped: more than 3 records behind"):
                        await asyncio.wait_for(feed.__anext__(), 10)
                await _until(lambda: len(watchers) == 0)
            finally:
                server.close()
                await server.wait_closed()

    asyncio.run(main())


def test_a_record_read_back_is_the_flow_it_was() -> None:
    from ocppctl.core.findings import Finding
    from ocppctl.core.frames import CALLRESULT, Frame

    v201 = VERSIONS["2.0.1"]
    answer = Flow(
        "2026-11-30T10:00:00.000Z",
        "CP1",
        2,
        "station",
        v201,
        '[3,"7",{"status":"Later"}]',
        [Finding("error", "schema", "bad status", path="/status")],
        rtt_ms=4.25,
    )
    back = Flow.from_record(answer.as_record(), VERSIONS["1.6"])
    assert back.as_record() == answer.as_record()
    assert back.frame == Frame(CALLRESULT, "7", None, {"status": "Later"})
    event = Flow("2026-11-30T10:00:01.000Z", "CP1", 2, None, v201, event="close", detail={"code": 1000, "reason": ""})
    assert Flow.from_record(event.as_record(), v201).as_record() == event.as_record()
    garbage = Flow.from_record({"ts": "t", "station": "CP1", "conn": 1, "from": "station", "raw": "not json"}, v201)
    assert garbage.frame is None and garbage.text == "not json" and garbage.version is v201
