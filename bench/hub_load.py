"""`ocppctl listen` under load (issue 11, "Done when"): N stations each do a BootNotification
and then H Heartbeats, one call at a time, against a real `listen` process recording to a file.

Prints frames/s through the hub, p50/p99 of the answer time as the stations see it, listen's
peak RSS (VmHWM), and whether the recording holds every frame and connection event.
The stations are bare websockets clients in this process (on 2 cores they share the machine
with listen: the figures are the pair's, not listen's alone).

    .venv/bin/python bench/hub_load.py [--stations 500] [--heartbeats 20] [--ramp 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

BOOT = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}


async def _station(port: int, name: str, heartbeats: int, times: list[float]) -> None:
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{port}/{name}",
        subprotocols=["ocpp2.0.1"],
        proxy=None,
        open_timeout=60,  # type: ignore[list-item]
    ) as ws:
        for n in range(heartbeats + 1):
            action, payload = ("BootNotification", BOOT) if n == 0 else ("Heartbeat", {})
            started = time.perf_counter()
            await ws.send(json.dumps([2, f"{name}-{n}", action, payload]))
            answer = json.loads(await ws.recv())
            times.append((time.perf_counter() - started) * 1000)
            assert answer[0] == 3, answer


async def _load(port: int, stations: int, heartbeats: int, ramp: float) -> tuple[float, list[float]]:
    times: list[float] = []
    started = time.perf_counter()
    tasks = []
    for n in range(stations):
        tasks.append(asyncio.ensure_future(_station(port, f"CP{n:05d}", heartbeats, times)))
        await asyncio.sleep(1 / ramp)
    await asyncio.gather(*tasks)
    return time.perf_counter() - started, times


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(stations: int, heartbeats: int, ramp: float) -> None:
    from common import child_env

    folder = tempfile.mkdtemp(prefix="ocppctl-")
    record = os.path.join(folder, "load.jsonl")
    listen = subprocess.Popen(
        [sys.executable, "-m", "ocppctl", "listen", "--listen", "127.0.0.1:0", "--record", record]
        + ["--control", os.path.join(folder, "h.sock"), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert listen.stderr is not None
    line = listen.stderr.readline()
    port = int(line.split("127.0.0.1:")[1].split()[0])
    try:
        elapsed, times = asyncio.run(_load(port, stations, heartbeats, ramp))
        rss = _peak_rss_mb(listen.pid)
    finally:
        listen.terminate()
        listen.wait(30)
    records = [json.loads(text) for text in Path(record).read_text().splitlines()]
    frames = sum(1 for r in records if "raw" in r)
    events = {e: sum(1 for r in records if r.get("event") == e) for e in ("connect", "close")}
    expected = stations * (heartbeats + 1) * 2
    ordered = sorted(times)
    print(f"{stations} stations x (BootNotification + {heartbeats} Heartbeats), ramp {ramp:g}/s")
    print(f"  {expected / elapsed:,.0f} frames/s through listen ({elapsed:.1f} s in all)")
    print(
        f"  answer time p50 {statistics.median(ordered):.2f} ms, "
        f"p99 {ordered[int(len(ordered) * 0.99) - 1]:.2f} ms (as the stations saw it)"
    )
    print(f"  listen's peak RSS {rss:.0f} MB")
    complete = frames == expected and events == {"connect": stations, "close": stations}
    print(f"  recording: {frames:,} frames of {expected:,}, {events} -> {'complete' if complete else 'INCOMPLETE'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--heartbeats", type=int, default=20)
    parser.add_argument("--ramp", type=float, default=200.0, help="stations connecting per second")
    args = parser.parse_args(argv)
    run(args.stations, args.heartbeats, args.ramp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
