"""REPL completion latency (issue 4, Speed): p50 and p99 of suggest() inside a nested payload,
e.g. SetChargingProfile at chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].
Target: p99 under 20 ms. Also the toolbar's check of a whole line as you type (first_problem),
which runs on the same keystrokes.

    .venv/bin/python bench/complete_speed.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LINES = [
    "SetChargingProfile chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].",
    'SetChargingProfile {"evseId": 1, "chargingProfile": {"chargingSchedule": [{"chargingSchedulePeriod": [{"',
    "SetVariables setVariableData[0].attributeType=",
]
CHECKED = [  # whole lines the toolbar checks: valid, and one schema error away
    'SetChargingProfile {"evseId": 1, "chargingProfile": {"id": 1, "stackLevel": 0, "chargingProfilePurpose": '
    '"TxDefaultProfile", "chargingProfileKind": "Absolute", "chargingSchedule": [{"id": 1, '
    '"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}]}]}}',
    "GetVariables getVariableData[0].component.name=FiscalMetering getVariableData[0].variable.nme=Enabled",
]


def main(argv: list[str] | None = None) -> int:
    from ocppctl.core.versions import V201
    from ocppctl.io.schemafiles import default_registry
    from ocppctl.repl.lines import first_problem
    from ocppctl.repl.suggest import suggest

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args(argv)
    registry = default_registry()
    started = time.perf_counter()
    suggest(LINES[0], V201, "csms", registry)  # the first call loads and compiles the schema
    print(f"first call (schema loaded): {(time.perf_counter() - started) * 1000:.2f} ms")

    def measure(name: str, run: Callable[[str], object], lines: list[str]) -> None:
        run(lines[0])  # compile what the first call needs
        for line in lines:
            samples = []
            for _ in range(args.runs):
                t = time.perf_counter()
                run(line)
                samples.append((time.perf_counter() - t) * 1000)
            samples.sort()
            p50, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99) - 1]
            print(f"{name:<9} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  (target p99 < 20 ms)  {line[:60]}")

    measure("complete", lambda line: suggest(line, V201, "csms", registry), LINES)
    measure("toolbar", lambda line: first_problem(line, registry, V201, "csms"), CHECKED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
