"""Independent peers for live-link tests: a CSMS built on the `ocpp` package (not ours),
served by websockets on 127.0.0.1 with an ephemeral port, in a thread of its own."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from ocpp.routing import after, on


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
def ocpp_csms(subprotocols: list[str], silent: bool = False, hang_up: bool = False) -> Iterator[int]:
    """A CSMS of the `ocpp` package answering BootNotification and Heartbeat (silent: never
    answering; hang_up: closing the link on the first call); yields its port. Everything it
    starts ends with the block."""
    from websockets.asyncio.server import serve

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []
    stop: list[asyncio.Event] = []

    async def handler(connection: Any) -> None:
        if hang_up:
            await connection.recv()
            await connection.close(1011, "going away mid-call")
            return
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


def _station_201(name: str, connection: Any) -> Any:
    from ocpp.v201 import ChargePoint, call, call_result

    class Station(ChargePoint):  # type: ignore[misc]
        @on("GetVariables")
        def get_variables(self, get_variable_data: list[dict[str, Any]], **_: Any) -> Any:
            results = [
                {
                    "attribute_status": "Accepted",
                    "attribute_value": "true",
                    "component": item["component"],
                    "variable": item["variable"],
                }
                for item in get_variable_data
            ]
            return call_result.GetVariables(get_variable_result=results)

        @on("GetBaseReport")
        def get_base_report(self, request_id: int, report_base: str, **_: Any) -> Any:
            return call_result.GetBaseReport(status="Accepted")

        @after("GetBaseReport")
        async def report(self, request_id: int, report_base: str, **_: Any) -> None:
            for seq_no, tbc in ((0, True), (1, False)):
                variable = {"component": {"name": "ChargingStation"}, "variable": {"name": f"Part{seq_no}"}}
                item = {**variable, "variable_attribute": [{"value": "1"}]}
                await self.call(
                    call.NotifyReport(
                        request_id=request_id,
                        generated_at="2026-11-22T10:00:00Z",
                        seq_no=seq_no,
                        tbc=tbc,
                        report_data=[item],
                    )
                )

    station = Station(name, connection)
    boot = call.BootNotification(charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp")
    return station, boot


def _station_16(name: str, connection: Any) -> Any:
    from ocpp.v16 import ChargePoint, call, call_result

    class Station(ChargePoint):  # type: ignore[misc]
        @on("GetConfiguration")
        def get_configuration(self, key: list[str] | None = None, **_: Any) -> Any:
            return call_result.GetConfiguration(
                configuration_key=[{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
            )

    station = Station(name, connection)
    boot = call.BootNotification(charge_point_model="M", charge_point_vendor="V")
    return station, boot


@contextmanager
def ocpp_station(port: int, name: str, subprotocol: str) -> Iterator[list[Any]]:
    """A station of the `ocpp` package that connects to 127.0.0.1:port (retrying until the
    server listens), boots, and answers GetVariables (2.0.1) or GetConfiguration (1.6). Yields
    the list the answers to its own calls land in."""
    from websockets.asyncio.client import connect

    loop = asyncio.new_event_loop()
    answers: list[Any] = []
    links: list[Any] = []

    async def main() -> None:
        for _ in range(200):
            try:
                connection = await connect(
                    f"ws://127.0.0.1:{port}/{name}",
                    subprotocols=[subprotocol],
                    proxy=None,  # type: ignore[list-item]
                )
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            return
        links.append(connection)
        build = _station_16 if subprotocol == "ocpp1.6" else _station_201
        station, boot = build(name, connection)
        with contextlib.suppress(Exception):
            task = asyncio.ensure_future(station.start())
            answers.append(await station.call(boot))
            await task
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for leftover in others:  # e.g. a report still being sent when the link closed
            leftover.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    try:
        yield answers
    finally:
        if links and thread.is_alive():  # the station hangs up, as a real one does on leaving
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(links[0].close()))
        thread.join(15)
        loop.close()


def socket_path(name: str) -> str:
    """A control socket path short enough for AF_UNIX (about 100 bytes), in a folder of its own
    under the temporary directory, removed when the test run ends."""
    folder = tempfile.mkdtemp(prefix="ocppctl-")
    atexit.register(shutil.rmtree, folder, True)
    return os.path.join(folder, name)


@contextmanager
def sim_station(port: int, name: str, version: str) -> Iterator[None]:
    """ocppctl's simulated station (default model) in a thread of its own: it connects to
    127.0.0.1:port once something listens there, and lives until the block ends."""
    import socket

    from ocppctl.core.versions import VERSIONS
    from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel
    from ocppctl.io.schemafiles import default_registry
    from ocppctl.transport.client import LinkOptions
    from ocppctl.transport.security import ClientSecurity
    from ocppctl.transport.sim import SimulatedStation

    loop = asyncio.new_event_loop()
    stop: list[asyncio.Event] = []

    async def main() -> None:
        stop.append(asyncio.Event())
        for _ in range(300):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            await asyncio.sleep(0.03)
        station = SimulatedStation(
            f"ws://127.0.0.1:{port}/{name}",
            [VERSIONS[version]],
            default_registry(),
            DeviceModel.from_json(DEFAULT_MODEL),
            10.0,
            ClientSecurity(),
            LinkOptions(),
            lambda flow: None,
        )
        with contextlib.suppress(Exception):  # the CSMS stopped: the station's life ends with the block
            await station.run(stop[0])

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    try:
        yield
    finally:
        while not stop:
            threading.Event().wait(0.01)
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(15)
        loop.close()


@contextmanager
def scripted_csms(subprotocol: str, answer: Any, calls: dict[str, list[Any]] | None = None) -> Iterator[int]:
    """A CSMS on bare websockets in a thread of its own that answers each call with
    `answer(action, payload)`: a payload (CALLRESULT) or a (code, description) tuple
    (CALLERROR), then makes the calls `calls` lists after that action [(action, payload)];
    yields its port. For test peers that answer wrongly on purpose."""
    import json

    from websockets.asyncio.server import serve

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []
    stop: list[asyncio.Event] = []

    async def handler(connection: Any) -> None:
        with contextlib.suppress(Exception):  # the station went away
            async for text in connection:
                frame = json.loads(text)
                if frame[0] != 2:
                    continue
                said = answer(frame[2], frame[3])
                reply = [4, frame[1], *said, {}] if isinstance(said, tuple) else [3, frame[1], said]
                await connection.send(json.dumps(reply))
                for number, (action, payload) in enumerate((calls or {}).get(frame[2], [])):
                    await connection.send(json.dumps([2, f"csms-{number}", action, payload]))

    async def main() -> None:
        stop.append(asyncio.Event())
        async with serve(handler, "127.0.0.1", 0, subprotocols=[subprotocol]) as server:  # type: ignore[list-item]
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


@contextmanager
def scripted_station(port: int, name: str, subprotocol: str, boot: Any, answer: Any) -> Iterator[None]:
    """A station on bare websockets in a thread of its own: once something listens on
    127.0.0.1:port it connects, sends BootNotification `boot`, and answers each call with
    `answer(action, payload)` -> (reply, calls): reply a payload (CALLRESULT) or a (code,
    description) tuple (CALLERROR), then its own `calls` [(action, payload)], answers ignored.
    For test peers that answer as a test needs."""
    import json
    import socket

    from websockets.asyncio.client import connect

    async def main() -> None:
        for _ in range(300):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            await asyncio.sleep(0.03)
        url = f"ws://127.0.0.1:{port}/{name}"
        with contextlib.suppress(Exception):  # the CSMS closed the link: the station is done
            async with connect(url, subprotocols=[subprotocol], proxy=None) as link:  # type: ignore[list-item]
                await link.send(json.dumps([2, "boot", "BootNotification", boot]))
                number = 0
                async for text in link:
                    frame = json.loads(text)
                    if frame[0] != 2:
                        continue
                    reply, calls = answer(frame[2], frame[3])
                    said = [4, frame[1], *reply, {}] if isinstance(reply, tuple) else [3, frame[1], reply]
                    await link.send(json.dumps(said))
                    for action, payload in calls:
                        number += 1
                        await link.send(json.dumps([2, f"own-{number}", action, payload]))

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join(15)
