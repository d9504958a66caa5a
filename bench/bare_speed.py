"""Issue 12's targets, in one run: bare frames against their floor and against Ajv 8 in Node,
capture records with the default -j against theirs.

A generated 200,000-frame 2.0.1 capture with ~2% injected defects (gen_capture.py) and the same
frames bare, one a line. Whole processes, wall clock, start-up included:

- bare floor: read the lines, orjson parse, frame shape, pair results with calls by unique id;
- `ocppctl validate --ocpp 2.0.1 --json BARE` (default -j: the file is cut), and with `-j 1`;
- Ajv 8 (`node bench/ajv/validate.mjs BARE`: compiled validators, allErrors, formats, the same
  schema files, the same parse, shape check and correlation);
- records: the floor of validate_speed.py, and `ocppctl validate --json CAPTURE` (default -j).

Passes are interleaved; each ratio is reported as the median over passes of the ratio within a
pass, with its range. Targets: bare/floor >= 0.4, bare/Ajv >= 1.2, records/floor >= 0.5.

    cd bench/ajv && npm install      # once: ajv 8 and ajv-formats into bench/ajv/node_modules
    .venv/bin/python bench/bare_speed.py [--passes 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from common import OUT, child_env  # noqa: E402 - the bench folder is not a package
from validate_speed import READ_BUFFER, capture, floor  # noqa: E402


def bare_file(records: Path) -> Path:
    """The frames of a capture, bare, one a line (events left out), beside it in bench/out/."""
    path = OUT / records.name.replace("capture-", "bare-")
    if not path.exists():
        with open(records, "rb") as source, open(path, "wb") as out:
            for line in source:
                record = orjson.loads(line)
                if "raw" in record:
                    out.write(record["raw"].encode() + b"\n")
    return path


def bare_floor(path: Path) -> int:
    """Read + orjson parse + frame shape + correlation by unique id: what any checker does."""
    loads = orjson.loads
    open_calls: dict[str, str] = {}
    frames = bad = orphans = 0
    with open(path, "rb", buffering=READ_BUFFER) as fh:
        for line in fh:
            value = loads(line)
            frames += 1
            if type(value) is not list or len(value) < 3:
                bad += 1
                continue
            mtype = value[0]
            uid = value[1]
            if type(uid) is not str or not 0 < len(uid) <= 36:
                bad += 1
            elif mtype == 2:
                if len(value) != 4 or type(value[2]) is not str or type(value[3]) is not dict:
                    bad += 1
                else:
                    open_calls[uid] = value[2]
            elif mtype == 3 or mtype == 4:
                if len(value) != (3 if mtype == 3 else 5) or type(value[-1]) is not dict:
                    bad += 1
                elif open_calls.pop(uid, None) is None:
                    orphans += 1
            else:
                bad += 1
    return frames


class Command:
    """A whole process; its stdout to a file (as cheap as /dev/null), its last line kept."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.argv = argv
        self.env = env
        self.output = OUT / f"bare_speed.{name}.out"
        self.last: dict[str, Any] = {}
        self.lines = 0

    def __call__(self) -> int:
        with open(self.output, "wb") as out:
            done = subprocess.run(self.argv, stdout=out, stderr=subprocess.PIPE, env=self.env, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{self.argv[:3]} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
        lines = self.output.read_bytes().splitlines()
        self.lines = len(lines)
        self.last = orjson.loads(lines[-1])
        return int(self.last.get("summary", self.last)["frames"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    node = shutil.which("node")
    if node is None or not (BENCH / "ajv" / "node_modules" / "ajv").exists():
        raise SystemExit("needs node and `npm install` in bench/ajv (see the docstring)")

    records, meta = capture(args.frames, 1, 0.02, None)
    bare = bare_file(records)
    env = child_env()
    ocppctl = [args.python, "-m", "ocppctl", "validate", "--json"]
    commands = {
        "bare validate": Command("bare", [*ocppctl, "--ocpp", "2.0.1", str(bare)], env),
        "bare validate -j 1": Command("bare-j1", [*ocppctl, "--ocpp", "2.0.1", "-j", "1", str(bare)], env),
        "Ajv 8 (node)": Command("ajv", [node, str(BENCH / "ajv" / "validate.mjs"), str(bare)]),
        "records validate": Command("records", [*ocppctl, str(records)], env),
    }
    pipelines: dict[str, Callable[[], int]] = {
        "bare floor": lambda: bare_floor(bare),
        **commands,
        "records floor": lambda: floor(records),
    }
    for run in commands.values():  # warm-up: page cache, bytecode cache, node's
        run()
    times: dict[str, list[float]] = {name: [] for name in pipelines}
    for _ in range(args.passes):
        for name, run in pipelines.items():
            started = time.perf_counter()
            frames = run()
            times[name].append(time.perf_counter() - started)
            assert frames == meta["frames"], (name, frames)

    print(f"{meta['frames']:,} frames, {meta['injected']:,} injected defects, {args.passes} interleaved passes")
    for name, seconds in times.items():
        rate = meta["frames"] / statistics.median(seconds)
        print(f"  {name:<22} {rate:>10,.0f} frames/s  (median {statistics.median(seconds):.2f} s)")
    print("ratios of rates, median of the per-pass ratios [range]:")
    for label, faster, slower, target in (
        ("bare validate / bare floor", "bare validate", "bare floor", 0.4),
        ("bare validate -j 1 / bare floor", "bare validate -j 1", "bare floor", None),
        ("bare validate / Ajv 8", "bare validate", "Ajv 8 (node)", 1.2),
        ("bare validate -j 1 / Ajv 8", "bare validate -j 1", "Ajv 8 (node)", None),
        ("records validate / records floor", "records validate", "records floor", 0.5),
    ):
        ratios = [b / a for a, b in zip(times[faster], times[slower], strict=True)]
        goal = f"  target >= {target}" if target else ""
        print(f"  {label:<34} {statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]{goal}")
    found = {name: run.last for name, run in commands.items()}
    for name in ("bare validate", "records validate"):
        summary = found[name]["summary"]
        print(f"  {name}: {summary['errors']:,} errors, {summary['warnings']:,} warnings, codes {summary['codes']}")
    ajv = found["Ajv 8 (node)"]
    print(f"  Ajv 8: {ajv['invalid']:,} invalid payloads ({ajv['errors']:,} errors)")
    print(json.dumps({name: [round(s, 3) for s in seconds] for name, seconds in times.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
