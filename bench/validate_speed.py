"""Frames/s of `ocppctl validate` against the floor, in one run (issue 2, Speed).

The floor is what any validator must do anyway: read the lines, parse the record and its raw
frame with orjson, check the frame's shape and pair each result with its call by
(station, unique id) in a dict. Absolute rates vary 10-40% between runs and machines, so the
figure that counts is the ratio validate/floor measured here, in the same run (target >= 0.5).
Each pipeline runs `--passes` times (interleaved, so drift hits all of them); the median counts.

    .venv/bin/python bench/validate_speed.py              # 200,000 frames, 5 passes
    .venv/bin/python bench/validate_speed.py --profile    # plus a cProfile of the in-process checker
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
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
from gen_capture import generate  # noqa: E402


def capture(frames: int, seed: int, invalid_rate: float, path: Path | None) -> tuple[Path, dict[str, Any]]:
    """The capture to measure, generated into bench/out/ unless it is there already."""
    path = path or OUT / f"capture-{frames}-s{seed}-r{invalid_rate:g}.jsonl"
    meta_path = Path(str(path) + ".meta.json")
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text(encoding="utf-8"))
    if path.exists():
        return path, {"frames": sum(1 for _ in open(path, "rb")), "injected": None, "avg_raw_bytes": None}
    print(f"generating {path} ...", file=sys.stderr)
    return path, generate(path, frames=frames, seed=seed, invalid_rate=invalid_rate)


READ_BUFFER = 1 << 20  # read files 1 MiB at a time, the fastest way here (as ocppctl does)


# --- the floor -----------------------------------------------------------------------------


def parse_only(path: Path) -> int:
    """Read lines + orjson parse of the record and of its raw frame; nothing else."""
    loads = orjson.loads
    frames = 0
    with open(path, "rb", buffering=READ_BUFFER) as fh:
        for line in fh:
            loads(loads(line)["raw"])
            frames += 1
    return frames


def floor(path: Path, text: bool = False) -> int:
    """Parse + frame-shape check + correlation of results to calls by (station, id).

    `text`: read str lines through a UTF-8 TextIOWrapper instead (for comparison: ocppctl reads bytes)."""
    loads = orjson.loads
    open_calls: dict[tuple[Any, str], str] = {}
    frames = bad = orphans = 0
    if text:
        fh: Any = open(path, encoding="utf-8", newline="", buffering=READ_BUFFER)  # noqa: SIM115
    else:
        fh = open(path, "rb", buffering=READ_BUFFER)  # noqa: SIM115
    with fh:
        for line in fh:
            record = loads(line)
            value = loads(record["raw"])
            frames += 1
            if type(value) is not list or len(value) < 3:
                bad += 1
                continue
            mtype = value[0]
            uid = value[1]
            if type(uid) is not str or not 0 < len(uid) <= 36:
                bad += 1
                continue
            if mtype == 2:
                if len(value) != 4 or type(value[2]) is not str or type(value[3]) is not dict:
                    bad += 1
                    continue
                open_calls[(record.get("station"), uid)] = value[2]
            elif mtype == 3 or mtype == 4:
                if len(value) != (3 if mtype == 3 else 5) or type(value[-1]) is not dict:
                    bad += 1
                    continue
                if open_calls.pop((record.get("station"), uid), None) is None:
                    orphans += 1
            else:
                bad += 1
    return frames


# --- ocppctl ---------------------------------------------------------------------------------


class Validate:
    """`python -m ocppctl validate FILE --json` as a subprocess, every finding printed; `jobs`
    None lets ocppctl choose (one process per core for a big capture), 1 forces one process."""

    def __init__(self, path: Path, python: str, env: dict[str, str], jobs: int | None = None) -> None:
        self.path = path
        self.python = python
        self.env = env
        self.jobs = jobs
        suffix = "" if jobs is None else f".j{jobs}"
        self.output = OUT / f"validate_speed.findings{suffix}.jsonl"  # a file, not a pipe: the time is validate's
        self.summary: dict[str, Any] = {}
        self.findings = 0

    def __call__(self) -> int:
        with open(self.output, "wb") as out:
            done = subprocess.run(
                [self.python, "-m", "ocppctl", "validate", str(self.path), "--json"]
                + ([] if self.jobs is None else ["--jobs", str(self.jobs)]),
                stdout=out,
                stderr=subprocess.PIPE,
                env=self.env,
                check=False,
            )
        if done.returncode not in (0, 1):
            raise SystemExit(f"ocppctl validate exited {done.returncode}: {done.stderr.decode(errors='replace')}")
        lines = self.output.read_bytes().splitlines()
        self.summary = orjson.loads(lines[-1])["summary"]
        self.findings = len(lines) - 1
        return int(self.summary["frames"])


class InProcess:
    """StreamChecker fed from the same file, findings rendered as JSON lines into memory.

    A fresh registry each pass, so compiling the validators is counted, as in the CLI; modules
    are imported once, before the first pass, as a process would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.findings = 0
        with contextlib.suppress(ImportError):
            import jsonschema_rs  # noqa: F401
        self()

    def __call__(self) -> int:
        from ocppctl.core.schemas import SchemaRegistry
        from ocppctl.core.stream import CheckOptions, StreamChecker
        from ocppctl.core.summary import Report, Summary
        from ocppctl.io.inputs import open_input
        from ocppctl.io.schemafiles import file_loader
        from ocppctl.render.findings import finding_json

        out = io.StringIO()
        summary = Summary()
        report = Report(summary, lambda finding: out.write(finding_json(finding) + "\n"))
        checker = StreamChecker(SchemaRegistry(file_loader()), report, str(self.path), CheckOptions())
        source = open_input(str(self.path), None)
        try:
            checker.feed_lines(source.lines())
            checker.finish()
        finally:
            source.handle.close()
        self.findings = out.getvalue().count("\n")
        return summary.frames


# --- running -----------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and of its children waited for (ocppctl and its workers)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(fn: Callable[[], int]) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds (all processes) and frames of one pass."""
    started, cpu = time.perf_counter(), cpu_seconds()
    frames = fn()
    return time.perf_counter() - started, cpu_seconds() - cpu, frames


def profile(checker: InProcess, top: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    checker()
    profiler.disable()
    for key in ("tottime", "cumulative"):
        print(f"\n--- cProfile of one in-process pass, top {top} by {key} ---")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats(key).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invalid-rate", type=float, default=0.02)
    parser.add_argument("--file", type=Path, default=None, help="measure this capture instead of generating one")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs `-m ocppctl`")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set (see common.py)"
    )
    parser.add_argument("--no-inprocess", action="store_true", help="skip the in-process StreamChecker")
    parser.add_argument("--profile", type=int, nargs="?", const=30, default=0, metavar="TOP", help="cProfile it")
    args = parser.parse_args(argv)

    path, meta = capture(args.frames, args.seed, args.invalid_rate, args.file)
    validate = Validate(path, args.python, child_env(not args.no_bytecode_cache))
    validate()  # warm-up: page cache, bytecode cache
    one_process = Validate(path, args.python, child_env(not args.no_bytecode_cache), jobs=1)
    pipelines: dict[str, Callable[[], int]] = {
        "read + orjson parse (record, raw)": lambda: parse_only(path),
        "floor: + frame check + correlation": lambda: floor(path),
        "floor, str lines via TextIOWrapper": lambda: floor(path, text=True),
        "ocppctl validate --json (subprocess)": validate,
        "ocppctl validate --json -j 1 (one process)": one_process,
    }
    checker = None
    if not args.no_inprocess:
        checker = InProcess(path)
        pipelines["StreamChecker in-process"] = checker
    times: dict[str, list[float]] = {name: [] for name in pipelines}
    cpu: dict[str, list[float]] = {name: [] for name in pipelines}
    counts: dict[str, int] = {}
    for _ in range(args.passes):
        for name, fn in pipelines.items():
            seconds, used, frames = timed(fn)
            times[name].append(seconds)
            cpu[name].append(used)
            counts[name] = frames

    size = path.stat().st_size
    print(f"capture: {path} ({size / 1e6:.1f} MB)")
    print(
        f"  {meta.get('frames'):,} frames, average raw frame {meta.get('avg_raw_bytes')} B, "
        f"{meta.get('injected')} injected defects; python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print(f"  median of {args.passes} passes, interleaved\n")
    floor_rate = counts["floor: + frame check + correlation"] / statistics.median(
        times["floor: + frame check + correlation"]
    )
    print(f"{'pipeline':<40} {'median s':>9} {'frames/s':>10} {'x floor':>8} {'cpu s':>7}   passes (s)")
    for name, values in times.items():
        median = statistics.median(values)
        rate = counts[name] / median
        shown = " ".join(f"{v:.3f}" for v in values)
        used = statistics.median(cpu[name])
        print(f"{name:<40} {median:>9.3f} {rate:>10,.0f} {rate / floor_rate:>8.2f} {used:>7.3f}   {shown}")
    ratio = counts["ocppctl validate --json (subprocess)"] / statistics.median(
        times["ocppctl validate --json (subprocess)"]
    )
    ratio /= floor_rate
    verdict = "meets" if ratio >= 0.5 else "MISSES"
    single = counts["ocppctl validate --json -j 1 (one process)"] / statistics.median(
        times["ocppctl validate --json -j 1 (one process)"]
    )
    print(f"\nvalidate/floor = {ratio:.2f} (target >= 0.50: {verdict} it); one process: {single / floor_rate:.2f}")
    # The same ratios pass by pass: each run of ocppctl set against the floor timed just before it,
    # which a host whose speed drifts between passes disturbs less than a ratio of medians.
    floor_times = times["floor: + frame check + correlation"]
    paired = [
        statistics.median(f / v for f, v in zip(floor_times, times[name], strict=True))
        for name in ("ocppctl validate --json (subprocess)", "ocppctl validate --json -j 1 (one process)")
    ]
    print(
        f"paired by pass (median of {args.passes} ratios): validate/floor = {paired[0]:.2f}; one process: {paired[1]:.2f}"
    )
    # CPU time per frame, every process counted: what validate costs the machine whatever the
    # host does to wall-clock time (two busy vCPUs may share a physical core).
    floor_cpu = statistics.median(cpu["floor: + frame check + correlation"])
    per_frame = [
        floor_cpu / statistics.median(cpu[name])
        for name in ("ocppctl validate --json (subprocess)", "ocppctl validate --json -j 1 (one process)")
    ]
    print(f"CPU time, floor/validate (all processes counted): {per_frame[0]:.2f}; one process: {per_frame[1]:.2f}")
    s = validate.summary
    print(
        f"validate reported {validate.findings:,} findings ({s.get('errors')} errors, {s.get('warnings')} warnings, "
        f"{s.get('infos')} infos; codes {s.get('codes')}); injected defects: {meta.get('injected')}"
    )
    if one_process.findings != validate.findings:
        print(f"NOTE: one process reported {one_process.findings:,} findings, the default {validate.findings:,}")
    if checker is not None and checker.findings != validate.findings:
        print(f"NOTE: in-process run reported {checker.findings:,} findings, the CLI {validate.findings:,}")
    if args.profile and checker is not None:
        profile(checker, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
