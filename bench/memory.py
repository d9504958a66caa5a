"""Peak RSS of `ocppctl validate --quiet` over a big capture (issue 2: 1 GB in under 150 MB).

Only open calls may be kept, so memory must stay flat whatever the size of the input. The
capture is generated into bench/out/ (about --size-mb MB) unless it is there already; the peak
comes from the kernel's accounting of the child (wait4's ru_maxrss), and RSS is also sampled
while it runs to show whether it grows with the input.

    .venv/bin/python bench/memory.py                  # 1024 MB: a few minutes
    .venv/bin/python bench/memory.py --size-mb 100    # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from common import OUT, child_env  # noqa: E402 - the bench folder is not a package
from gen_capture import generate  # noqa: E402

TARGET_MB = 150


def capture(size_mb: float, seed: int, invalid_rate: float) -> tuple[Path, dict[str, Any]]:
    path = OUT / f"capture-{size_mb:g}mb-s{seed}-r{invalid_rate:g}.jsonl"
    meta_path = Path(str(path) + ".meta.json")
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text(encoding="utf-8"))
    print(f"generating {path} (about {size_mb:g} MB) ...", file=sys.stderr, flush=True)
    meta = generate(path, frames=None, size_mb=size_mb, seed=seed, invalid_rate=invalid_rate)
    print(f"  {meta['frames']:,} frames in {meta['seconds']} s", file=sys.stderr, flush=True)
    return path, meta


def one_sided(path: Path, side: str) -> tuple[Path, dict[str, Any]]:
    """Only the records one side sent, as in a log that records incoming traffic only: the calls
    it made are never answered, so they all stay open to the end (the worst case for memory)."""
    target = path.with_name(f"{path.stem}-{side}-only.jsonl")
    marker = f'"from":"{side}"'.encode()
    frames = 0
    if not target.exists():
        with open(path, "rb") as src, open(target, "wb") as dst:
            for line in src:
                if marker in line:
                    dst.write(line)
    with open(target, "rb") as fh:
        frames = sum(1 for _ in fh)
    return target, {"frames": frames, "injected": "?"}


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def tree_rss_mb(pid: int) -> float | None:
    """RSS of a process and all its descendants (validate --jobs runs worker processes)."""
    total = rss_mb(pid)
    if total is None:
        return None
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return total
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                children = [int(c) for c in fh.read().split()]
        except OSError:
            continue
        for child in children:
            total += tree_rss_mb(child) or 0.0
    return total


def run(command: list[str], every: float, env: dict[str, str]) -> tuple[float, int, float, list[tuple[float, float]]]:
    """Run to the end; return (seconds, exit status, peak RSS in MB, [(t, RSS MB) samples]).

    RSS is that of the whole process tree (sampled), or the largest single process the kernel
    saw (wait4), whichever is larger."""
    samples: list[tuple[float, float]] = []
    started = time.perf_counter()
    with open(OUT / "memory.output.txt", "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(every):
            value = tree_rss_mb(proc.pid)
            if value is not None:
                samples.append((time.perf_counter() - started, value))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by Popen
    peak = max([usage.ru_maxrss / 1024] + [mb for _, mb in samples])  # ru_maxrss is in KiB on Linux
    return seconds, proc.returncode, peak, samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=1024, help="capture size (default 1024)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invalid-rate", type=float, default=0.02)
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs `-m ocppctl`")
    parser.add_argument("--sample", type=float, default=0.5, help="seconds between RSS samples")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set (see common.py)"
    )
    parser.add_argument(
        "--only-from",
        choices=("station", "csms"),
        help="keep only what one side sent (its calls stay open: memory's worst case)",
    )
    parser.add_argument("--delete", action="store_true", help="delete the capture afterwards")
    args = parser.parse_args(argv)

    path, meta = capture(args.size_mb, args.seed, args.invalid_rate)
    if args.only_from:
        path, meta = one_sided(path, args.only_from)
    command = [args.python, "-m", "ocppctl", "validate", str(path), "--quiet"]
    seconds, status, peak, samples = run(command, args.sample, child_env(not args.no_bytecode_cache))
    output = (OUT / "memory.output.txt").read_text(encoding="utf-8", errors="replace").strip()
    frames = meta["frames"]
    size = path.stat().st_size
    print(f"capture: {path} ({size / 2**20:,.0f} MiB, {frames:,} frames, {meta.get('injected')} injected defects)")
    print(f"command: {' '.join(command[1:])}")
    print(f"exit status {status}; output: {output.splitlines()[-1] if output else '(none)'}")
    print(f"time {seconds:.1f} s: {frames / seconds:,.0f} frames/s, {size / 2**20 / seconds:,.1f} MiB/s")
    verdict = "meets" if peak < TARGET_MB else "MISSES"
    print(f"peak RSS {peak:.1f} MB (target < {TARGET_MB} MB: {verdict} it)")
    if samples:
        marks = [samples[int(i * (len(samples) - 1) / 4)] for i in range(5)]
        shown = ", ".join(f"{t:.1f}s {mb:.1f}" for t, mb in marks)
        print(f"RSS samples (MB) at 0/25/50/75/100% of the run: {shown}")
    if status not in (0, 1):
        print(f"ocppctl failed:\n{output}", file=sys.stderr)
        return 1
    if args.delete:
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
