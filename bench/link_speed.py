"""Live-link speed (issue 3, Speed): Heartbeat round trips and a whole `ocppctl send`.

1. 10,000 Heartbeat round trips over a real loopback WebSocket, p50 and p99, through the
   RpcSession (every frame checked both ways) against the same exchange written directly with
   the websockets library, in the same run. Target: within 1.3x.
2. Whole-process `ocppctl send Heartbeat` against a running `ocppctl listen`, against a minimal
   websockets client script doing the same exchange, median of --runs. Target: within 1.5x.

    .venv/bin/python bench/link_speed.py [--calls 10000] [--runs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

RESULT = '{"currentTime":"2026-11-22T10:00:00.000Z"}'


async def _server(port_box: list[int], stop: asyncio.Event) -> None:
    """A minimal CSMS: answers every Heartbeat, no checks (the same peer for both clients)."""
    import orjson
    from websockets.asyncio.server import serve

    async def handler(connection) -> None:  # type: ignore[no-untyped-def]
        async for message in connection:
            frame = orjson.loads(message)
            await connection.send(f'[3,"{frame[1]}",{RESULT}]')

    async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"]) as server:  # type: ignore[list-item]
        port_box.append(server.sockets[0].getsockname()[1])
        await stop.wait()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99) - 1]


async def round_trips(calls: int) -> dict[str, tuple[float, float]]:
    from websockets.asyncio.client import connect

    from ocppctl.core.rpc import RpcSession
    from ocppctl.core.versions import V201
    from ocppctl.io.schemafiles import default_registry

    stop = asyncio.Event()
    port: list[int] = []
    server = asyncio.ensure_future(_server(port, stop))
    while not port:
        await asyncio.sleep(0.01)
    url = f"ws://127.0.0.1:{port[0]}/CP1"
    results: dict[str, tuple[float, float]] = {}

    async with connect(url, subprotocols=["ocpp2.0.1"], proxy=None) as ws:  # type: ignore[list-item]
        for n in range(min(calls, 2000)):  # warm-up, not counted: the first loop should not pay for it
            await ws.send(f'[2,"w{n}","Heartbeat",{{}}]')
            await ws.recv()
        raw: list[float] = []
        for n in range(calls):
            started = time.perf_counter()
            await ws.send(f'[2,"{n}","Heartbeat",{{}}]')
            await ws.recv()
            raw.append((time.perf_counter() - started) * 1000)
        results["websockets directly"] = _percentiles(raw)

    ids = (str(n) for n in itertools.count())
    async with connect(url, subprotocols=["ocpp2.0.1"], proxy=None) as ws:  # type: ignore[list-item]
        session = RpcSession(default_registry(), V201, "station", lambda: next(ids), station="CP1")
        ours: list[float] = []
        for _ in range(calls):
            started = time.perf_counter()
            sent = session.call("Heartbeat", {}, time.monotonic(), 30)
            await ws.send(sent.text)
            event = session.receive(await ws.recv(), time.monotonic())
            assert event.kind == "result" and not event.findings
            ours.append((time.perf_counter() - started) * 1000)
        results["RpcSession (checked both ways)"] = _percentiles(ours)
    stop.set()
    await server
    return results


MINIMAL = """
import asyncio, sys
from websockets.asyncio.client import connect
async def main():
    async with connect(sys.argv[1], subprotocols=["ocpp2.0.1"], proxy=None) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        print(await ws.recv())
asyncio.run(main())
"""


def whole_process(runs: int) -> dict[str, float]:
    from common import child_env  # bench/common.py: bytecode cached, as an installed package has it

    env = child_env()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    listen = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ocppctl",
            "listen",
            "--listen",
            f"127.0.0.1:{port}",
            "--control",
            os.path.join(tempfile.mkdtemp(), "h.sock"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert listen.stderr is not None
    listen.stderr.readline()
    url = f"ws://127.0.0.1:{port}/CP1"
    commands = {
        "minimal websockets script": [sys.executable, "-c", MINIMAL, url],
        "ocppctl send Heartbeat": [sys.executable, "-m", "ocppctl", "send", "Heartbeat", "--url", url, "--json"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for _ in range(runs):
            for name, command in commands.items():
                started = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
                times[name].append((time.perf_counter() - started) * 1000)
    finally:
        listen.terminate()
        listen.wait(10)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)

    rtt = asyncio.run(round_trips(args.calls))
    print(f"Heartbeat round trips over loopback, {args.calls:,} calls each (ms)")
    for name, (p50, p99) in rtt.items():
        print(f"  {name:<32} p50 {p50:7.3f}   p99 {p99:7.3f}")
    base = rtt["websockets directly"]
    ours = rtt["RpcSession (checked both ways)"]
    print(f"  ratio: p50 {ours[0] / base[0]:.2f}x, p99 {ours[1] / base[1]:.2f}x (target <= 1.3x)")

    procs = whole_process(args.runs)
    print(f"\nWhole process, median of {args.runs} runs (ms)")
    for name, ms in procs.items():
        print(f"  {name:<32} {ms:8.1f}")
    ratio = procs["ocppctl send Heartbeat"] / procs["minimal websockets script"]
    print(f"  ratio: {ratio:.2f}x (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
