"""Start-up time of ocppctl against `python -c "import click"` (issue 2's targets).

Targets: `ocppctl --help` within 1.5x of importing click, `ocppctl validate` of a 2-line
capture within 2x. Whole processes are timed, median of --runs runs each, interleaved so that
drift in the machine's load hits every command alike.

    .venv/bin/python bench/startup.py
    .venv/bin/python bench/startup.py --importtime    # plus the slowest imports of validate
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from common import OUT, child_env  # noqa: E402 - the bench folder is not a package

TWO_LINES = (
    '{"ts":"2026-11-22T10:00:00.000Z","station":"CP001","conn":1,"from":"station","ocpp":"2.0.1",'
    '"raw":"[2,\\"19223201\\",\\"BootNotification\\",{\\"reason\\":\\"PowerUp\\",'
    '\\"chargingStation\\":{\\"model\\":\\"SingleSocketCharger\\",\\"vendorName\\":\\"VendorX\\"}}]"}\n'
    '{"ts":"2026-11-22T10:00:00.120Z","station":"CP001","conn":1,"from":"csms","ocpp":"2.0.1",'
    '"raw":"[3,\\"19223201\\",{\\"currentTime\\":\\"2026-11-22T10:00:00.100Z\\",\\"interval\\":300,'
    '\\"status\\":\\"Accepted\\"}]"}\n'
)


def ocppctl_command(python: str) -> list[str]:
    """The installed `ocppctl` script beside the interpreter, else `python -m ocppctl`."""
    script = Path(python).parent / "ocppctl"
    if script.exists():
        return [str(script)]
    found = shutil.which("ocppctl")
    return [found] if found else [python, "-m", "ocppctl"]


def time_once(command: list[str], expect: tuple[int, ...], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in expect:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    return elapsed


def importtime(command: list[str], top: int, env: dict[str, str]) -> None:
    """The `-X importtime` lines of the slowest imports (cumulative microseconds)."""
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    rows = []
    for line in done.stderr.decode(errors="replace").splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        rows.append((int(cumulative), int(self_us), name))
    rows.sort(reverse=True)
    print(f"\n--- slowest imports of: {' '.join(command[1:])} (cumulative ms, self ms) ---")
    for cumulative, self_us, name in rows[:top]:
        print(f"{cumulative / 1000:8.1f} {self_us / 1000:8.1f}  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set (see common.py)"
    )
    parser.add_argument("--importtime", type=int, nargs="?", const=25, default=0, metavar="TOP")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    two = OUT / "two-lines.jsonl"
    two.write_text(TWO_LINES, encoding="utf-8")
    py = args.python
    env = child_env(not args.no_bytecode_cache)
    tool = ocppctl_command(py)
    commands: dict[str, tuple[list[str], tuple[int, ...]]] = {
        "python -c pass": ([py, "-c", "pass"], (0,)),
        'python -c "import click"': ([py, "-c", "import click"], (0,)),
        "ocppctl --help": ([*tool, "--help"], (0,)),
        "python -m ocppctl --help": ([py, "-m", "ocppctl", "--help"], (0,)),
        "ocppctl validate (2-line file)": ([*tool, "validate", str(two)], (0,)),
    }
    for command, expect in commands.values():  # warm the page cache and the .pyc files
        time_once(command, expect, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (command, expect) in commands.items():
            times[name].append(time_once(command, expect, env))

    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    click = medians['python -c "import click"']
    cache = (
        "off (PYTHONDONTWRITEBYTECODE kept)" if args.no_bytecode_cache else f"on, under {env['PYTHONPYCACHEPREFIX']}"
    )
    print(f"ocppctl: {' '.join(tool)}; python {sys.version.split()[0]}; median of {args.runs} runs")
    print(f"bytecode cache for the children: {cache}\n")
    print(f"{'command':<34} {'median ms':>10} {'min ms':>8} {'x click':>8}")
    for name, median in medians.items():
        print(f"{name:<34} {median:>10.1f} {min(times[name]) * 1000:>8.1f} {median / click:>8.2f}")
    targets = (("ocppctl --help", 1.5), ("ocppctl validate (2-line file)", 2.0))
    print()
    for name, limit in targets:
        ratio = medians[name] / click
        print(f"{name}: {ratio:.2f}x import click (target <= {limit}x: {'meets' if ratio <= limit else 'MISSES'} it)")
    if args.importtime:
        importtime([py, "-X", "importtime", "-m", "ocppctl", "validate", str(two)], args.importtime, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
