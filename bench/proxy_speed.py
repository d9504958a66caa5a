"""Proxy speed (issue 15, Speed): what `ocppctl proxy` costs per frame, recording on.

1. Latency: Heartbeat round trips over loopback against a minimal CSMS, directly and through
   the Proxy (transport/proxy.py: both links' sessions check every frame, the observer writes
   a capture record per frame, flushed), in interleaved passes of one run. A round trip crosses
   the proxy twice, so the latency added per frame is half the difference; p50 and p99.
   Target: under 1 ms added at p50.
2. Throughput: a station sends --burst Heartbeats without waiting and reads the answers; frames
   per second (calls and answers) through the proxy against directly. Target: at least 70%.

The station and the CSMS share one process; the proxy is `ocppctl proxy --record FILE --quiet`
in a process of its own, as it is deployed. For reference, a bare relay (websockets alone: no
checks, no recording, no hub) in a process of its own gives the ceiling of any relay written
with websockets in Python.

    .venv/bin/python bench/proxy_speed.py [--calls 5000] [--burst 5000] [--passes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

RESULT = '{"currentTime":"2026-11-22T10:00:00.000Z"}'


@asynccontextmanager
async def csms() -> AsyncIterator[int]:
    """A minimal CSMS answering every Heartbeat, no checks (the same peer for both paths)."""
    import orjson
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed

    async def handler(connection) -> None:  # type: ignore[no-untyped-def]
        with contextlib.suppress(ConnectionClosed):  # a relay stopped at the end
            async for message in connection:
                frame = orjson.loads(message)
                await connection.send(f'[3,"{frame[1]}",{RESULT}]')

    async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"]) as server:  # type: ignore[list-item]
        yield server.sockets[0].getsockname()[1]


BARE = """
import asyncio, sys
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
async def handler(station):
    async with connect(sys.argv[1] + station.request.path, subprotocols=[station.subprotocol], proxy=None) as csms:
        async def pipe(a, b):
            async for message in a:
                await b.send(message)
        await asyncio.gather(pipe(station, csms), pipe(csms, station), return_exceptions=True)
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[2]), subprotocols=["ocpp2.0.1"]):
        print("listening on", file=sys.stderr, flush=True)
        await asyncio.Future()
asyncio.run(main())
"""


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def child(argv: list[str], port: int) -> AsyncIterator[int]:
    """A relay in a process of its own, once it said it listens on `port`."""
    import subprocess

    from common import child_env  # bench/common.py: bytecode cached, as an installed package has it

    process = subprocess.Popen(
        [sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=child_env()
    )
    assert process.stderr is not None
    line = await asyncio.get_running_loop().run_in_executor(None, process.stderr.readline)
    assert "listening on" in line, line
    try:
        yield port
    finally:
        process.terminate()
        process.wait(10)


def proxy(upstream: int, record: str) -> Any:
    """`ocppctl proxy --record FILE --quiet` in front of the CSMS; its port."""
    port = _free_port()
    control = os.path.join(os.path.dirname(record), "p.sock")
    argv = ["--listen", f"127.0.0.1:{port}", "--upstream", f"ws://127.0.0.1:{upstream}", "--record", record]
    return child(["-m", "ocppctl", "proxy", *argv, "--quiet", "--control", control], port)


def bare(upstream: int) -> Any:
    """The bare websockets relay in front of the CSMS; its port."""
    port = _free_port()
    return child(["-c", BARE, f"ws://127.0.0.1:{upstream}", str(port)], port)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99) - 1]


async def round_trips(port: int, calls: int) -> tuple[float, float]:
    from websockets.asyncio.client import connect

    async with connect(f"ws://127.0.0.1:{port}/CP1", subprotocols=["ocpp2.0.1"], proxy=None) as ws:  # type: ignore[list-item]
        samples: list[float] = []
        for n in range(calls):
            started = time.perf_counter()
            await ws.send(f'[2,"{n}","Heartbeat",{{}}]')
            await ws.recv()
            samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


async def burst(port: int, calls: int) -> float:
    """Frames per second (calls and answers) with `calls` Heartbeats sent without waiting."""
    from websockets.asyncio.client import connect

    async with connect(f"ws://127.0.0.1:{port}/CP1", subprotocols=["ocpp2.0.1"], proxy=None) as ws:  # type: ignore[list-item]

        async def read() -> None:
            for _ in range(calls):
                await ws.recv()

        started = time.perf_counter()
        reader = asyncio.ensure_future(read())
        for n in range(calls):
            await ws.send(f'[2,"{n}","Heartbeat",{{}}]')
        await reader
        return 2 * calls / (time.perf_counter() - started)


async def measure(calls: int, calls_burst: int, passes: int) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        record = os.path.join(folder, "proxy.jsonl")
        async with csms() as upstream, proxy(upstream, record) as relayed, bare(upstream) as plain:
            await round_trips(upstream, min(calls, 1000))  # warm-up, not counted
            await round_trips(relayed, min(calls, 1000))
            for _ in range(passes):
                direct, through = await round_trips(upstream, calls), await round_trips(relayed, calls)
                fast, slow = await burst(upstream, calls_burst), await burst(relayed, calls_burst)
                ceiling = await burst(plain, calls_burst)
                results.append(
                    {"direct": direct, "proxy": through, "direct_fps": fast, "proxy_fps": slow, "bare_fps": ceiling}
                )
        with open(record, encoding="utf-8") as handle:
            recorded = sum(1 for _ in handle)
    expected = passes * 2 * (calls + calls_burst) + 2 * min(calls, 1000)  # every frame through the proxy
    assert recorded >= expected, f"{recorded} records, {expected} frames relayed"  # recording was on
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args(argv)

    results = asyncio.run(measure(args.calls, args.burst, args.passes))
    print(f"Heartbeat round trips over loopback, {args.calls:,} a pass, {args.passes} interleaved passes (ms)")
    added: dict[str, list[float]] = {"p50": [], "p99": []}
    ratios: list[float] = []
    bare_ratios: list[float] = []
    for n, row in enumerate(results, 1):
        direct, through = row["direct"], row["proxy"]
        assert isinstance(direct, tuple) and isinstance(through, tuple)
        added["p50"].append((through[0] - direct[0]) / 2)
        added["p99"].append((through[1] - direct[1]) / 2)
        fps_direct, fps_proxy = float(row["direct_fps"]), float(row["proxy_fps"])  # type: ignore[arg-type]
        fps_bare = float(row["bare_fps"])  # type: ignore[arg-type]
        ratios.append(fps_proxy / fps_direct)
        bare_ratios.append(fps_bare / fps_direct)
        print(
            f"  pass {n}: direct p50 {direct[0]:.3f} p99 {direct[1]:.3f}; through the proxy p50 {through[0]:.3f} "
            f"p99 {through[1]:.3f}; burst: direct {fps_direct:,.0f}, proxy {fps_proxy:,.0f}, bare relay "
            f"{fps_bare:,.0f} frames/s"
        )
    for label, values in added.items():
        ordered = sorted(values)
        target = "; target < 1 ms" if label == "p50" else ""
        print(
            f"  added per frame, {label}: median {statistics.median(ordered):.3f} ms "
            f"(range {ordered[0]:.3f}-{ordered[-1]:.3f}{target})"
        )
    ordered = sorted(ratios)
    print(
        f"  throughput through the proxy / direct: median {statistics.median(ordered):.0%} "
        f"(range {ordered[0]:.0%}-{ordered[-1]:.0%}; target >= 70%), recording on"
    )
    ordered = sorted(bare_ratios)
    print(
        f"  throughput through a bare websockets relay / direct (the ceiling): median "
        f"{statistics.median(ordered):.0%} (range {ordered[0]:.0%}-{ordered[-1]:.0%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
