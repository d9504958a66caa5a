"""Live-link speed (issue 3, Speed): Heartbeat round trips and a whole `ocppctl send`.

1. 10,000 Heartbeat round trips over a real loopback WebSocket, p50 and p99, through the peer
   engine (transport/peer.py: every frame checked both ways, told to an observer, each call
   queued for its turn) against the same exchange written directly with the websockets
   library, in interleaved passes of one run. Target: within 1.3x.
2. Whole-process `ocppctl send Heartbeat` against a running `ocppctl listen`, against a minimal
   websockets client script doing the same exchange, median of --runs. Target: within 1.5x.

    .venv/bin/python bench/link_speed.py [--calls 10000] [--passes 5] [--runs 10]
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


async def _direct(url: str, calls: int) -> list[float]:
    """Heartbeat round trips written directly with websockets: the baseline."""
    from websockets.asyncio.client import connect

    async with connect(url, subprotocols=["ocpp2.0.1"], proxy=None) as ws:  # type: ignore[list-item]
        samples: list[float] = []
        for n in range(calls):
            started = time.perf_counter()
            await ws.send(f'[2,"{n}","Heartbeat",{{}}]')
            await ws.recv()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def _driver(url: str, calls: int) -> list[float]:
    """The same round trips through the peer engine: the session checks every frame both ways,
    the read loop tells an observer, the call waits its turn in the queue."""
    from ocppctl.core.versions import V201
    from ocppctl.io.schemafiles import default_registry
    from ocppctl.transport.client import connect_station
    from ocppctl.transport.peer import Peer

    ids = (str(n) for n in itertools.count())
    link = await connect_station(url, [V201], default_registry(), lambda: next(ids), 10)
    seen: list[object] = []
    peer = Peer(link.socket, link.session, 1, seen.append)
    reader = asyncio.ensure_future(peer.run())
    samples: list[float] = []
    for _ in range(calls):
        seen.clear()
        started = time.perf_counter()
        event = await peer.call("Heartbeat", {}, 30)
        samples.append((time.perf_counter() - started) * 1000)
        assert event.kind == "result" and not event.findings
    await peer.close()
    await reader
    return samples


async def round_trips(calls: int, passes: int) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(direct p50/p99, driver p50/p99) per pass, the two interleaved, after a warm-up of each."""
    stop = asyncio.Event()
    port: list[int] = []
    server = asyncio.ensure_future(_server(port, stop))
    while not port:
        await asyncio.sleep(0.01)
    url = f"ws://127.0.0.1:{port[0]}/CP1"
    await _direct(url, min(calls, 2000))  # warm-up, not counted
    await _driver(url, min(calls, 2000))
    results = []
    for _ in range(passes):
        direct = _percentiles(await _direct(url, calls))
        driver = _percentiles(await _driver(url, calls))
        results.append((direct, driver))
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
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args(argv)

    rtt = asyncio.run(round_trips(args.calls, args.passes))
    print(f"Heartbeat round trips over loopback, {args.calls:,} calls a pass, {args.passes} interleaved passes (ms)")
    for n, (direct, driver) in enumerate(rtt, 1):
        print(
            f"  pass {n}: websockets directly p50 {direct[0]:.3f} p99 {direct[1]:.3f}; "
            f"peer engine p50 {driver[0]:.3f} p99 {driver[1]:.3f}"
        )
    for label, at in (("p50", 0), ("p99", 1)):
        ratios = sorted(driver[at] / direct[at] for direct, driver in rtt)
        print(
            f"  peer engine / websockets, {label}: median {statistics.median(ratios):.2f}x "
            f"(range {ratios[0]:.2f}-{ratios[-1]:.2f}; target <= 1.3x)"
        )

    procs = whole_process(args.runs)
    print(f"\nWhole process, median of {args.runs} runs (ms)")
    for name, ms in procs.items():
        print(f"  {name:<32} {ms:8.1f}")
    ratio = procs["ocppctl send Heartbeat"] / procs["minimal websockets script"]
    print(f"  ratio: {ratio:.2f}x (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
