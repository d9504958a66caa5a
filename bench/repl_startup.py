"""REPL start-up against `python -c "import prompt_toolkit, pygments, websockets.asyncio.client"`
(issue 4's target: the prompt within 1.5x of that import).

`ocppctl repl --listen 127.0.0.1:0 --no-history --color never` runs under a real pseudo-terminal
(24x80, TERM=xterm-256color, XDG_CONFIG_HOME and XDG_STATE_HOME in a temporary directory, so the
user's settings and history are neither read nor written). It is timed from the spawn to the
banner ("ocppctl repl: listening on ...") and to the prompt ("-> ", station '-') drawn by
prompt-toolkit; then Ctrl-D ends it. This script answers the terminal's cursor position requests
as a terminal does. `python -c pass` is timed too, for scale. Median of --runs runs each,
interleaved, after one untimed warm-up run of each.

    .venv/bin/python bench/repl_startup.py [--runs 7]
    .venv/bin/python bench/repl_startup.py --importtime    # plus what repl imports beyond the baseline
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from common import OUT, child_env  # noqa: E402 - the bench folder is not a package

BASELINE_IMPORTS = "import prompt_toolkit, pygments, websockets.asyncio.client"
BASELINE_PACKAGES = ("prompt_toolkit", "pygments", "websockets")
REPL_ARGS = ["repl", "--listen", "127.0.0.1:0", "--no-history", "--color", "never"]
TARGET = 1.5
EXIT_WAIT = 10.0  # seconds after Ctrl-D before the REPL is killed

BANNER = b"ocppctl repl:"
# prompt-toolkit draws "-> " as "->" and then moves the cursor (ESC[3C) rather than printing the
# space, so once the escapes are stripped the prompt is "->" on the first line after the banner.
PROMPT = b"->"
CPR_REQUEST = b"\x1b[6n"  # "where is the cursor?"; a terminal answers ESC[row;colR
CPR_ANSWER = b"\x1b[2;1R"
ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


class BenchError(Exception):
    """A run that did not go as expected (message says how)."""


def ocppctl_command(python: str) -> list[str]:
    """The `ocppctl` console script beside the interpreter, else `python -m ocppctl`."""
    script = Path(python).parent / "ocppctl"
    return [str(script)] if script.exists() else [python, "-m", "ocppctl"]


def terminal_env(base: dict[str, str], home: str) -> dict[str, str]:
    env = dict(base)
    env.update(TERM="xterm-256color", XDG_CONFIG_HOME=home, XDG_STATE_HOME=home, COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    return env


def time_baseline(python: str, env: dict[str, str], timeout: float, code: str = BASELINE_IMPORTS) -> float:
    """Wall time of `python -c CODE` (the baseline import unless told)."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [python, "-c", code],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"python -c {code!r} took more than {timeout:.0f} s") from None
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"python -c {code!r} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    return elapsed


@dataclass
class ReplRun:
    banner: float  # seconds from the spawn to the chunk holding "ocppctl repl:"
    prompt: float  # ... to the chunk in which the prompt is drawn
    exit: float | None  # seconds from Ctrl-D to the exit; None when it had to be killed
    returncode: int | None


def _read(master: int, timeout: float) -> bytes | None:
    """What the terminal received within `timeout` (b"" if nothing), None once the child side is closed."""
    ready, _, _ = select.select([master], [], [], max(timeout, 0.0))
    if not ready:
        return b""
    try:
        return os.read(master, 65536) or None
    except OSError:  # EIO: every slave descriptor is closed, the child is gone
        return None


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def time_repl(command: list[str], env: dict[str, str], timeout: float, stderr: int | None = None) -> ReplRun:
    """Spawn the REPL on a new pty and time the banner and the prompt; then Ctrl-D.

    `stderr` (a file descriptor) takes the child's stderr instead of the terminal (--importtime)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave if stderr is None else stderr,
            env=env,
            start_new_session=True,  # its own process group, killed as one on error
        )
    except BaseException:
        os.close(master)
        os.close(slave)
        raise
    os.close(slave)
    received = b""
    banner_at: float | None = None
    prompt_at: float | None = None
    try:
        deadline = started + timeout
        while prompt_at is None:
            chunk = _read(master, deadline - time.perf_counter())
            now = time.perf_counter()
            if chunk is None:
                raise BenchError(f"the REPL exited before its prompt ({process.wait(5)}): {_shown(received)}")
            if not chunk and now >= deadline:
                raise BenchError(f"no prompt after {timeout:.0f} s; the terminal shows: {_shown(received)}")
            received += chunk
            if CPR_REQUEST in chunk:
                os.write(master, CPR_ANSWER)
            text = ANSI.sub(b"", received)
            at = text.find(BANNER)
            if at < 0:
                continue
            if banner_at is None:
                banner_at = now
            line_end = text.find(b"\n", at)
            if line_end >= 0 and PROMPT in text[line_end:]:
                prompt_at = now
        os.write(master, b"\x04")  # Ctrl-D at the empty prompt leaves
        asked = time.perf_counter()
        while process.poll() is None and time.perf_counter() - asked < EXIT_WAIT:
            chunk = _read(master, 0.05)  # keep the terminal drained, answer its questions
            if chunk and CPR_REQUEST in chunk:
                os.write(master, CPR_ANSWER)
            if chunk is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(max(0.0, EXIT_WAIT - (time.perf_counter() - asked)))
                break
        exited: float | None = time.perf_counter() - asked
        if process.poll() is None:
            _kill(process)
            exited = None
        assert banner_at is not None
        return ReplRun(banner_at - started, prompt_at - started, exited, process.returncode)
    except BaseException:
        _kill(process)
        raise
    finally:
        os.close(master)


def _shown(received: bytes) -> str:
    text = ANSI.sub(b"", received).decode(errors="replace").strip()
    return repr(text[-500:]) if text else "(nothing)"


# --- --importtime: what the REPL imports that the baseline does not -----------------------


@dataclass
class Node:
    name: str
    self_us: int
    cumulative_us: int
    children: list[Node]


def parse_importtime(stderr: str) -> list[Node]:
    """The import tree from `-X importtime` lines (children are printed before their parent, indented deeper)."""
    pending: list[tuple[int, Node]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative, raw_name = line.split(":", 1)[1].split("|")
        indent = len(raw_name) - len(raw_name.lstrip())
        children = []
        while pending and pending[-1][0] > indent:
            children.append(pending.pop()[1])
        children.reverse()
        pending.append((indent, Node(raw_name.strip(), int(self_us), int(cumulative), children)))
    return [node for _, node in pending]


def baseline_modules(python: str, env: dict[str, str]) -> set[str]:
    done = subprocess.run(
        [python, "-c", f"{BASELINE_IMPORTS}; import sys; print(chr(10).join(sys.modules))"],
        capture_output=True,
        env=env,
        timeout=60,
        check=True,
    )
    return set(done.stdout.decode().split())


def show_importtime(python: str, env: dict[str, str], top: int, timeout: float) -> None:
    """The imports of the REPL up to its prompt that neither the baseline does nor belong to
    prompt_toolkit, pygments or websockets: what could be made lazy."""
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "repl-importtime.txt"
    with open(log, "wb") as sink:
        time_repl([python, "-X", "importtime", "-m", "ocppctl", *REPL_ARGS], env, timeout, stderr=sink.fileno())
    roots = parse_importtime(log.read_text(encoding="utf-8", errors="replace"))
    known = baseline_modules(python, env)

    rows: list[tuple[int, int, int, str, str]] = []
    totals = {"extra": 0, "three": 0}

    def theirs(node: Node) -> None:
        """A module of the three packages that the baseline does not import, with all it imports."""
        if node.name not in known:
            totals["three"] += node.self_us
        for child in node.children:
            theirs(child)

    def walk(node: Node, parent: str) -> int:
        """Record the node; return its cumulative time less the imports the baseline does too."""
        if node.name.split(".")[0] in BASELINE_PACKAGES:
            theirs(node)
            return 0
        if node.name in known:  # costs nothing beyond the baseline
            for child in node.children:
                walk(child, node.name)  # cannot differ from the baseline's, but cheap to be sure
            return 0
        own = node.self_us + sum(walk(child, node.name) for child in node.children)
        totals["extra"] += node.self_us
        rows.append((own, node.cumulative_us, node.self_us, node.name, parent))
        return own

    for root in roots:
        walk(root, "(top level)")
    rows.sort(reverse=True)
    print(f"\n--- imports of `python -X importtime -m ocppctl {' '.join(REPL_ARGS)}` up to its prompt ---")
    print(f"(full log: {log})")
    print(
        f"not done by the baseline, outside {', '.join(BASELINE_PACKAGES)}: {totals['extra'] / 1000:.1f} ms in all "
        f"(self times); extra modules of those three packages (and what they import): {totals['three'] / 1000:.1f} ms"
    )
    print("extra: cumulative less what the baseline imports too; rows nest (a parent's extra holds its children's)")
    print("'(top level)': imported by the main script, or by a function as it ran (the log's order tells which)")
    print(f"{'extra ms':>9} {'cumul ms':>9} {'self ms':>8}  {'module':<34} imported by")
    for own, cumulative, self_us, name, parent in rows[:top]:
        print(f"{own / 1000:9.1f} {cumulative / 1000:9.1f} {self_us / 1000:8.1f}  {name:<34} {parent}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each prompt (or import)")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set (see common.py)"
    )
    parser.add_argument("--importtime", type=int, nargs="?", const=15, default=0, metavar="TOP")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    py = args.python
    tool = ocppctl_command(py)
    repl_command = [*tool, *REPL_ARGS]
    with tempfile.TemporaryDirectory(prefix="ocppctl-repl-bench-") as home:
        env = terminal_env(child_env(not args.no_bytecode_cache), home)
        try:
            time_baseline(py, env, args.timeout)  # warm-up: page cache and .pyc files
            time_repl(repl_command, env, args.timeout)
            floor: list[float] = []
            baseline: list[float] = []
            runs: list[ReplRun] = []
            for _ in range(args.runs):  # interleaved, so that drift in the load hits all alike
                floor.append(time_baseline(py, env, args.timeout, "pass"))
                baseline.append(time_baseline(py, env, args.timeout))
                runs.append(time_repl(repl_command, env, args.timeout))
            report(args, repl_command, env, floor, baseline, runs)
            if args.importtime:
                show_importtime(py, env, args.importtime, args.timeout)
        except BenchError as exc:
            print(f"repl_startup: {exc}", file=sys.stderr)
            return 1
    return 0


def report(
    args: argparse.Namespace,
    repl_command: list[str],
    env: dict[str, str],
    floor: list[float],
    baseline: list[float],
    runs: list[ReplRun],
) -> None:
    base = statistics.median(baseline) * 1000
    banner = [run.banner * 1000 for run in runs]
    prompt = [run.prompt * 1000 for run in runs]
    cache = (
        "off (PYTHONDONTWRITEBYTECODE kept)" if args.no_bytecode_cache else f"on, under {env['PYTHONPYCACHEPREFIX']}"
    )
    print(f"ocppctl: {' '.join(repl_command)}")
    print(f"python {sys.version.split()[0]}; median of {args.runs} runs each, after one untimed warm-up run of each")
    print(f"bytecode cache for the children: {cache}; the REPL runs under a pty (24x80, TERM=xterm-256color)\n")
    table = (
        ("python -c pass", [t * 1000 for t in floor]),
        (f'baseline: python -c "{BASELINE_IMPORTS}"', [t * 1000 for t in baseline]),
        ("ocppctl repl: spawn to banner ('ocppctl repl: listening on ...')", banner),
        ("ocppctl repl: spawn to prompt ('-> ' drawn)", prompt),
    )
    width = max(len(name) for name, _ in table)
    print(f"{'':<{width}} {'median ms':>10} {'min ms':>8} {'x baseline':>11}")
    for name, values in table:
        median = statistics.median(values)
        print(f"{name:<{width}} {median:>10.1f} {min(values):>8.1f} {median / base:>11.2f}")
    first_draw = [(run.prompt - run.banner) * 1000 for run in runs]
    print(
        f"\nbanner to prompt (the prompt session built, then prompt-toolkit's first draw): "
        f"median {statistics.median(first_draw):.1f} ms, min {min(first_draw):.1f} ms"
    )
    exits = [run.exit * 1000 for run in runs if run.exit is not None]
    killed = sum(run.exit is None for run in runs)
    codes = sorted({str(run.returncode) for run in runs if run.exit is not None})
    if exits:
        print(f"Ctrl-D to exit: median {statistics.median(exits):.1f} ms (exit status {', '.join(codes)})")
    if killed:
        print(f"WARNING: {killed} of {args.runs} runs did not exit within {EXIT_WAIT:.0f} s of Ctrl-D and were killed")
    ratio = statistics.median(prompt) / base
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"\nprompt: {ratio:.2f}x the baseline import (target <= {TARGET}x: {verdict} it)")


if __name__ == "__main__":
    sys.exit(main())
