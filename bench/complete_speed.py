"""REPL completion latency (issue 4, Speed): p50 and p99 of suggest() inside a nested payload,
e.g. SetChargingProfile at chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].
Target: p99 under 20 ms.

    .venv/bin/python bench/complete_speed.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LINES = [
    "SetChargingProfile chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].",
    'SetChargingProfile {"evseId": 1, "chargingProfile": {"chargingSchedule": [{"chargingSchedulePeriod": [{"',
    "SetVariables setVariableData[0].attributeType=",
]


def main(argv: list[str] | None = None) -> int:
    from ocppctl.core.versions import V201
    from ocppctl.io.schemafiles import default_registry
    from ocppctl.repl.suggest import suggest

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args(argv)
    registry = default_registry()
    started = time.perf_counter()
    suggest(LINES[0], V201, "csms", registry)  # the first call loads and compiles the schema
    print(f"first call (schema loaded): {(time.perf_counter() - started) * 1000:.2f} ms")
    for line in LINES:
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            suggest(line, V201, "csms", registry)
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()
        p50, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99) - 1]
        print(f"p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  (target p99 < 20 ms)  {line[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
