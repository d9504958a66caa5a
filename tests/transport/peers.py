"""Independent peers for live-link tests: a CSMS built on the `ocpp` package (not ours),
served by websockets on 127.0.0.1 with an ephemeral port, in a thread of its own."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from ocpp.routing import after, on


def _csms_201(data_transfer: bool = False) -> Any:
    from ocpp.v201 import ChargePoint, call_result

    class Csms(ChargePoint):  # type: ignore[misc]
        @on("BootNotification")
        def boot(self, charging_station: Any, reason: str, **_: Any) -> Any:
            now = datetime.now(timezone.utc).isoformat()
            return call_result.BootNotification(current_time=now, interval=300, status="Accepted")

        @on("Heartbeat")
        def heartbeat(self, **_: Any) -> Any:
            return call_result.Heartbeat(current_time=datetime.now(timezone.utc).isoformat())

        if data_transfer:  # else DataTransfer is NotImplemented, as the package's default

            @on("DataTransfer")
            def transfer(self, vendor_id: str, message_id: str | None = None, data: Any = None, **_: Any) -> Any:
                """com.vendor.x: its data echoed back (messageId Unknown: UnknownMessageId)."""
                return call_result.DataTransfer(**_data_answer(vendor_id, message_id, {"echo": data}))

    return Csms


def _data_answer(vendor_id: str, message_id: str | None, data: Any) -> dict[str, Any]:
    """The answer of the test CSMSs to a DataTransfer: P01.FR.05/06 statuses for vendor com.vendor.x."""
    if vendor_id != "com.vendor.x":
        return {"status": "UnknownVendorId"}
    if message_id == "Unknown":
        return {"status": "UnknownMessageId"}
    return {"status": "Accepted", "data": data}


def _csms_16(data_transfer: bool = False) -> Any:
    from ocpp.v16 import ChargePoint, call_result

    class Csms(ChargePoint):  # type: ignore[misc]
        @on("BootNotification")
        def boot(self, charge_point_vendor: str, charge_point_model: str, **_: Any) -> Any:
            now = datetime.now(timezone.utc).isoformat()
            return call_result.BootNotification(current_time=now, interval=300, status="Accepted")

        @on("Heartbeat")
        def heartbeat(self, **_: Any) -> Any:
            return call_result.Heartbeat(current_time=datetime.now(timezone.utc).isoformat())

        if data_transfer:

            @on("DataTransfer")
            def transfer(self, vendor_id: str, message_id: str | None = None, data: Any = None, **_: Any) -> Any:
                """com.vendor.x: its data echoed back inside a JSON text (1.6 data is a string)."""
                answer = _data_answer(vendor_id, message_id, json.dumps({"echo": data}))
                return call_result.DataTransfer(**answer)

    return Csms


@contextmanager
def ocpp_csms(
    subprotocols: list[str],
    silent: bool = False,
    hang_up: bool = False,
    reason: str = "going away mid-call",
    data_transfer: bool = False,
) -> Iterator[int]:
    """A CSMS of the `ocpp` package answering BootNotification and Heartbeat (silent: never
    answering; hang_up: closing the link on the first call, code 1011 with `reason`;
    data_transfer: DataTransfer of vendor com.vendor.x too); yields its port. Everything it
    starts ends with the block."""
    from websockets.asyncio.server import serve

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []
    stop: list[asyncio.Event] = []

    async def handler(connection: Any) -> None:
        if hang_up:
            await connection.recv()
            await connection.close(1011, reason)
            return
        if silent:
            await connection.wait_closed()
            return
        sub = connection.subprotocol
        cls = _csms_16(data_transfer) if sub == "ocpp1.6" else _csms_201(data_transfer)
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

        @on("GetReport")
        def get_report(self, request_id: int, component_variable: list[Any] | None = None, **_: Any) -> Any:
            """One item per componentVariable asked (EmptyResultSet for criteria alone)."""
            return call_result.GetReport(status="Accepted" if component_variable else "EmptyResultSet")

        @after("GetReport")
        async def selected(self, request_id: int, component_variable: list[Any] | None = None, **_: Any) -> None:
            if not component_variable:
                return
            items = [
                {
                    "component": asked["component"],
                    "variable": asked.get("variable") or {"name": "Enabled"},
                    "variable_attribute": [{"value": "true", "mutability": "ReadOnly"}],
                }
                for asked in component_variable
            ]
            notify = call.NotifyReport(
                request_id=request_id, generated_at="2026-11-22T10:00:00Z", seq_no=0, tbc=False, report_data=items
            )
            await self.call(notify)

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
    server listens), boots, and answers GetVariables, GetBaseReport and GetReport (2.0.1) or
    GetConfiguration (1.6). Yields
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


def free_port() -> int:
    """A port nothing listens on now (for a command that must be told its --listen port)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, within: float = 15) -> None:
    """Until something accepts connections on 127.0.0.1:`port`."""
    import socket
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


@contextmanager
def sim_station(url: str, ocpp: str = "2.0.1", model: str | None = None, control: str | None = None) -> Iterator[Any]:
    """`ocppctl sim station` as a process connected to `url` (start it once the CSMS listens:
    it reconnects only after its back-off), its control socket at `control` (else one of its
    own); stopped with SIGTERM when the block ends."""
    import signal
    import subprocess
    import sys

    argv = [sys.executable, "-m", "ocppctl", "sim", "station", "--url", url, "--ocpp", ocpp]
    argv += ["--control", control or socket_path("sim.sock"), *(["--model", model] if model else [])]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)


def as_csms_of_sim(
    argv: list[str],
    ocpp: str = "2.0.1",
    model: str | None = None,
    station: str = "CP1",
    timeout: str = "10",
    poke: Callable[[str], None] | None = None,
) -> tuple[int, str, str]:
    """`ocppctl ARGV --listen PORT --station CP1 --timeout TIMEOUT` run in a thread while a
    simulated station connects from a process: (exit code, stdout, stderr). `poke` gets the
    station's control socket and is called (0.3 s apart) until the command is done."""
    import io

    from ocppctl.cli.env import Env
    from ocppctl.cli.main import run

    port = free_port()
    result: list[tuple[int, str, str]] = []

    def serve() -> None:
        env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
        common = ["--listen", str(port), "--station", station, "--timeout", timeout, "--connect-timeout", "15"]
        code = run([*argv, *common], env)
        result.append((code, env.stdout.getvalue(), env.stderr.getvalue()))

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        wait_listening(port)
        control = socket_path("sim.sock")
        with sim_station(f"ws://127.0.0.1:{port}/{station}", ocpp, model, control):
            deadline = time.monotonic() + 30
            while thread.is_alive() and time.monotonic() < deadline:
                if poke is not None and os.path.exists(control):
                    poke(control)
                thread.join(0.3)
    finally:
        thread.join(15)
    assert result, f"{argv[0]} --listen did not finish"
    return result[0]


@contextmanager
def hub_with_sim(station: str = "CP1", model: str | None = None) -> Iterator[str]:
    """`ocppctl listen` as a process with `ocppctl sim station` connected to it; yields the hub's
    control socket once the station is connected (its `stations` op names it)."""
    import signal
    import subprocess
    import sys
    import time

    from ocppctl.transport.control import control_request

    port = free_port()
    control = socket_path("hub.sock")
    argv = [sys.executable, "-m", "ocppctl", "listen", "--listen", str(port), "--control", control]
    hub = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port)
        with sim_station(f"ws://127.0.0.1:{port}/{station}", model=model):
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                with contextlib.suppress(Exception):
                    reply = asyncio.run(control_request(control, {"op": "stations"}, "no hub", 5))
                    if station in reply.get("stations", []):
                        break
                time.sleep(0.1)
            yield control
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.communicate(timeout=15)


@contextmanager
def sim_station_at(port: int, name: str, version: str) -> Iterator[None]:
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
