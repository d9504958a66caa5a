"""validate -j: one big capture checked by several processes, with exactly the output of one.
It sits beside validate_run.py, the other driver of the engine (core/stream.py, core/settle.py).

The file is cut at line ends into ranges of bytes, a few per worker; workers take them in
turn. The first range is checked as a single checker would. Every other range is checked midway
(core/settle.py, Midway): it cannot know the connections' state at its first line, so it
defers the steps that depend on it (a response to a call it has not seen, a connection's first
connect or close) in their place among its findings. The parent holds a StreamChecker of its
own, the state of the capture so far. Range by range, as soon as a range and every range
before it are done, it prints the worker's findings, settles the deferred steps on that state,
and takes over the connections the range ended with; at the end it reports the calls left
open, as one checker does. When a range's result cannot be settled exactly (a call reusing the
id of a call still open across the cut, a version set by a connect before the cut), the parent
checks that range itself; from the first range holding a CALLRESULTERROR (which looks back at
answered ids) on, it checks every range itself, on the connections as one checker leaves them
before that range (the lines before it read again): slower, never different.

Memory stays flat: the findings of a range wait for their turn in a temporary file once they
are more than a few hundred. Used only where it is safe to cut: a
capture of records or bare frames (not a log, not a document; a gzip one is decompressed to a
temporary file first) whose version is known up front (--ocpp, or a first record naming it).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from multiprocessing.connection import Connection, wait
from typing import IO, Any

from ocppctl.core.capture import is_event, is_frame, is_record, record_version
from ocppctl.core.findings import Finding
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.settle import Midway, Step
from ocppctl.core.stream import CheckOptions, StreamChecker, UndecodableLine
from ocppctl.core.summary import Report, Summary
from ocppctl.core.versions import Version
from ocppctl.errors import InputError
from ocppctl.io.inputs import BOM, READ_BUFFER, Input, open_file, open_input
from ocppctl.io.schemafiles import default_registry

_BATCH = 256  # findings a worker sends at a time
_SPILL = 256  # findings of a later range held in memory, at most, before they go to a file
_RANGES_PER_JOB = 8  # ranges are taken in turn: a worker slowed down holds the others up less
_SMALLEST_RANGE = 64 << 10  # bytes


def jobs_for(path: str, requested: int | None) -> int:
    """How many processes to check a regular file with: --jobs, else one per core (at most
    4); 1 where processes cannot be forked or the input is not a regular file."""
    if "fork" not in multiprocessing.get_all_start_methods() or not os.path.isfile(path):
        return 1
    if requested is not None:
        return requested
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def split_version(path: str, forced: Version | None) -> Version | None:
    """The version to cut a capture by, or None when one checker must read it: records or
    bare frames (a first line that is a JSON object or array), whose version is known from the
    start: --ocpp (`forced`), or the first record holding a frame names it, with nothing but
    connection events before it (bare frames name none: they are cut only with --ocpp)."""
    try:
        source = open_input(path, None)
    except InputError:
        return None
    try:
        blank, head = source.skip_blank()
        for count, line in enumerate(source.lines(blank, head)):
            if count >= 100 or type(line) is not bytes:  # a line past the bound: one checker says so
                return None
            if not line.strip():
                continue
            if forced is not None:
                return forced if is_record(line) or is_frame(line) else None
            if not is_record(line):
                return None
            if not is_event(line):
                return record_version(line)
    except InputError:
        return None
    finally:
        source.close()
    return None


@contextmanager
def plain_file(source: Input, path: str) -> Iterator[str | None]:
    """The path of a capture's bytes in a plain file, to cut into ranges: the file itself, or
    for gzip a decompressed copy in a temporary file (removed after). None when no copy can be
    made (no room for it, or data that does not decompress: one process reads it then, and
    says where it stops). Reads `source` to its end."""
    if not source.compressed:
        yield path
        return
    try:
        copy = tempfile.NamedTemporaryFile(prefix="ocppctl-", suffix=".jsonl")  # noqa: SIM115 - closed below
    except OSError:
        yield None
        return
    with copy:
        try:
            shutil.copyfileobj(source.handle, copy, READ_BUFFER)
            copy.flush()
        except (OSError, EOFError, zlib.error):
            made = False
        else:
            made = True
        yield copy.name if made else None


def cut_points(path: str, jobs: int, smallest: int = 1) -> list[int]:
    """Byte offsets cutting a file into ranges for `jobs` workers, each just after a line end;
    the first is 0, the last the size. A few ranges per worker, taken in turn; the last `jobs`
    a quarter and the `jobs` before them half the size of the others, so that the workers
    finish close together. A small file gets fewer, equal ranges, none under `smallest` bytes."""
    size = os.path.getsize(path)
    weights = [4] * (jobs * (_RANGES_PER_JOB - 2)) + [2] * jobs + [1] * jobs
    if size * weights[-1] // sum(weights) < smallest:
        weights = [1] * max(1, min(len(weights), size // max(1, smallest)))
    total = sum(weights)
    points = [0]
    with open(path, "rb") as handle:
        for done in itertools.accumulate(weights[:-1]):
            at = size * done // total
            if at <= points[-1]:
                continue
            handle.seek(at - 1)
            handle.readline()
            at = handle.tell()
            if points[-1] < at < size:
                points.append(at)
    points.append(size)
    return points


def check_parallel(
    path: str, name: str, options: CheckOptions, report: Report, jobs: int, points: list[int] | None = None
) -> None:
    """Check one capture file with up to `jobs` worker processes, cut at `points` (byte offsets
    of line starts, from 0 to the size; by default a few ranges per worker, taken in turn, so a
    worker slowed down does not hold the others up: see cut_points); findings go to `report`
    as a single StreamChecker gives them. Raises InputError or UndecodableLine as it, and
    RuntimeError when a worker dies or fails inside (an internal error)."""
    points = points or cut_points(path, jobs, _SMALLEST_RANGE)
    ranges = list(zip(points, points[1:], strict=False))
    import jsonschema_rs  # noqa: F401 - imported once, here, rather than in every worker

    context = multiprocessing.get_context("fork")
    # Shared with the workers: the line each range starts at, and after them the line after the
    # last (0 until counted); the next range to take, and the first range not to take (lowered
    # when a range stops at an error).
    starts = context.Array("q", len(ranges) + 1, lock=False)
    starts[0] = 1
    taken = context.Value("i", 0)
    limit = context.Value("i", len(ranges), lock=False)
    pipes: list[Connection] = []
    workers = []
    spools = [_Spool() for _ in ranges]
    try:
        for _ in range(min(jobs, len(ranges))):
            parent_end, child_end = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker, args=(child_end, path, name, options, ranges, starts, taken, limit), daemon=True
            )
            process.start()
            child_end.close()
            pipes.append(parent_end)
            workers.append(process)
        failed: list[str] = []
        stop = _Stop(limit)
        counter = threading.Thread(target=_count_lines, args=(path, name, ranges, starts, stop, failed), daemon=True)
        counter.start()
        checker = StreamChecker(default_registry(), report, name, options)
        order = _InOrder(checker, path, ranges, starts, spools, limit)
        _collect(pipes, stop, report, spools, order)
        counter.join()
        if failed:
            raise InputError(failed[0])
        order.advance(recheck=True)
        checker.finish()
    finally:
        limit.value = 0
        for process in workers:
            if process.is_alive():
                process.terminate()
            process.join()
        for spool in spools:
            spool.close()


def _count_lines(
    path: str, name: str, ranges: list[tuple[int, int]], starts: Any, stop: _Stop, failed: list[str]
) -> None:
    """The parent's thread: the line each range starts at, range by range, well ahead of the
    workers (reading a range's lines takes a fiftieth of the time checking them does). Lines are
    read as the workers read them, so a last line without a line end counts too."""
    line = 1
    try:
        with open_file(path, name) as handle:
            for index, (start, end) in enumerate(ranges):
                handle.seek(start)
                left = end - start
                for chunk in handle:
                    line += 1
                    left -= len(chunk)
                    if left <= 0:
                        break
                starts[index + 1] = line
    except InputError as exc:
        failed.append(exc.message)
        stop.before(0)
    except OSError as exc:
        failed.append(f"{name}: cannot read: {exc.strerror or exc}")
        stop.before(0)


class _Stop:
    """The first range not to take, shared with the workers; lowered, never raised, by the
    parent's two threads (the line counter when a read fails, the collector at a range's error)."""

    def __init__(self, limit: Any) -> None:
        self.limit = limit
        self._lock = threading.Lock()

    def before(self, index: int) -> bool:
        """Take no range from `index` on; whether that lowered the limit."""
        with self._lock:
            if index >= self.limit.value:
                return False
            self.limit.value = index
            return True


def _collect(pipes: list[Connection], stop: _Stop, report: Report, spools: list[_Spool], order: _InOrder) -> None:
    """Read the workers to their end: the first range's findings are printed as they come (the
    first range needs nothing from before), the others' are held in their spools, and each
    range done is handed to `order`, which prints it once every range before it is. A range
    that stops at an error (a line that is not UTF-8, a read that fails) stops the run there:
    no range after it is taken any more, and the workers busy with one are let go (their pipe
    closed: a worker killed now might hold the lock the others take ranges with)."""
    limit = stop.limit
    busy: dict[int, int | None] = dict.fromkeys(range(len(pipes)))  # worker -> the range it checks
    open_pipes = dict(enumerate(pipes))
    while open_pipes:
        for ready in wait(list(open_pipes.values())):
            worker = next((i for i, p in open_pipes.items() if p is ready), None)
            if worker is None:  # ended below, after an error before its range
                continue
            try:
                message: Any = open_pipes[worker].recv()
            except EOFError:  # done with every range, or died
                index = busy[worker]
                if index is not None and index < limit.value:
                    order.done(index, {"error": ("crash", "a worker process died"), "summary": None})
                del open_pipes[worker]
                continue
            kind, index = message[0], message[1]
            if kind == "start":
                busy[worker] = index
                if index >= limit.value:  # taken just before a range before it stopped the run
                    open_pipes.pop(worker).close()
            elif kind == "batch":
                if index == 0:
                    for _, data in message[2]:
                        report.add(Finding(**data))
                else:
                    spools[index].extend(message[2])
            else:
                busy[worker] = None
                if message[2]["error"] is not None and stop.before(index + 1):
                    for other, at in busy.items():
                        if at is not None and at > index and other in open_pipes:
                            open_pipes.pop(other).close()
                order.done(index, message[2])
                order.advance(recheck=False)


class _InOrder:
    """The parent's side of the ranges' results: taken in file order, as soon as a range and
    every range before it are done, so findings stream out while workers go on. A range is
    settled on the state the ranges before it left; where it cannot be (see can_settle), or
    from the first range holding a CALLRESULTERROR on (which looks back at answered ids, a
    state the ranges' results do not carry), the parent checks it itself: only once every
    worker is done (`recheck`), so that no worker waits on a full pipe meanwhile."""

    def __init__(
        self,
        checker: StreamChecker,
        path: str,
        ranges: list[tuple[int, int]],
        starts: Any,
        spools: list[_Spool],
        limit: Any,
    ) -> None:
        self.checker = checker
        self.path = path
        self.ranges = ranges
        self.starts = starts
        self.spools = spools
        self.limit = limit
        self.results: list[dict[str, Any] | None] = [None] * len(ranges)
        self.next = 0  # the first range not taken yet
        self.alone = False  # from a range with a CALLRESULTERROR on, the parent checks every range

    def done(self, index: int, result: dict[str, Any]) -> None:
        self.results[index] = result

    def advance(self, recheck: bool) -> None:
        """Take the ranges done, in order, up to the first not done (or, unless `recheck`, the
        first the parent would have to check itself); with `recheck`, every range must be done."""
        while self.next < self.limit.value:
            result = self.results[self.next]
            if result is None:
                if recheck:
                    raise RuntimeError("parallel check failed: a range was left unchecked")
                return
            if not self._take(self.next, result, recheck):
                return
            self.results[self.next] = None
            self.spools[self.next].close()
            self.next += 1

    def _take(self, index: int, result: dict[str, Any], recheck: bool) -> bool:
        checker, spool = self.checker, self.spools[index]
        traffic = result["summary"]
        if traffic is None or (result["error"] is not None and result["error"][0] == "crash"):
            raise RuntimeError(f"parallel check failed: {result['error'][1]}")
        if index and not self.alone and traffic.callresulterrors:
            if not recheck:
                return False
            self.alone = True
            self._rebuild(index)
        if index and (
            self.alone
            or not checker.can_settle(self.starts[index], result["sighted"], spool.steps(), result["guessed"])
        ):
            if not recheck:
                return False
            start = self.starts[index]
            _feed_range(checker, self.path, checker.file, self.ranges[index][0], start, self.starts[index + 1] - start)
            return True
        for kind, data in spool:
            if kind == "f":
                checker.report.add(Finding(**data))
            else:
                checker.settle(data)
        checker.summary.add_traffic(traffic)
        checker.adopt(result["conns"])
        if result["error"] is not None:
            kind, detail = result["error"]
            raise UndecodableLine(*detail) if kind == "undecodable" else InputError(detail)
        return True

    def _rebuild(self, index: int) -> None:
        """The connections as one checker leaves them before range `index`, answered ids
        included: the lines before it read again by a checker whose findings were printed
        already (from the ranges' results)."""
        silent = StreamChecker(default_registry(), Report(Summary()), self.checker.file, self.checker.options)
        _feed_range(silent, self.path, self.checker.file, 0, 1, self.starts[index] - 1)
        self.checker.conns = silent.conns


def _worker(
    pipe: Connection,
    path: str,
    name: str,
    options: CheckOptions,
    ranges: list[tuple[int, int]],
    starts: Any,
    taken: Any,
    limit: Any,
) -> None:
    """Take the next range no worker has taken, check it, send what it found; until none is left."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends us
    registry = default_registry()  # one for every range this worker takes: schemas compile once
    try:
        while True:
            with taken.get_lock():
                index = taken.value
                if index >= limit.value:
                    break
                taken.value = index + 1
            pipe.send(("start", index))
            while not starts[index + 1]:  # the parent is still counting the lines up to its end
                if index >= limit.value:
                    return
                time.sleep(0.001)
            first = starts[index]
            result = _check_range(
                pipe, registry, path, name, options, index, ranges[index][0], first, starts[index + 1] - first
            )
            pipe.send(("done", index, result))
        pipe.close()
    except OSError:  # the parent has gone (interrupted, or done with this worker): nothing to tell
        pass


def _check_range(
    pipe: Connection,
    registry: SchemaRegistry,
    path: str,
    name: str,
    options: CheckOptions,
    index: int,
    start: int,
    first: int,
    lines: int,
) -> dict[str, Any]:
    """Check one range, `lines` lines from byte `start` (midway, unless it is the first);
    findings and set-aside steps go to the parent in batches; returns what the parent needs to
    settle the range."""
    entries: list[tuple[str, Any]] = []

    def send(entry: tuple[str, Any]) -> None:
        entries.append(entry)
        if len(entries) >= _BATCH:
            pipe.send(("batch", index, entries[:]))
            entries.clear()

    def sink(finding: Finding) -> None:
        send(("f", {f.name: getattr(finding, f.name) for f in fields(Finding)}))

    def defer(step: Step) -> None:
        send(("s", step))

    summary = Summary()
    checker = StreamChecker(registry, Report(summary, sink), name, options)
    midway = Midway(defer, first=first)
    if index:
        checker.midway = midway
    error: tuple[str, Any] | None = None
    try:
        _feed_range(checker, path, name, start, first, lines)
    except UndecodableLine as exc:
        error = ("undecodable", (exc.line, exc.reason))
    except InputError as exc:
        error = ("input", exc.message)
    except Exception as exc:  # noqa: BLE001 - reported by the parent as an internal error
        error = ("crash", f"{type(exc).__name__}: {exc}")
    for stats in summary.actions.values():
        stats.latency.fold()  # here, side by side, rather than in the parent at the end
    pipe.send(("batch", index, entries))
    return {
        "summary": summary,  # its traffic counts; findings are counted as the parent prints them
        "conns": checker.conns,
        "guessed": midway.guessed,
        "sighted": midway.sighted,
        "error": error,
    }


def _feed_range(checker: StreamChecker, path: str, name: str, start: int, first: int, lines: int) -> None:
    """Feed a checker the `lines` lines from byte `start` of a file, the first numbered
    `first` (a UTF-8 BOM removed from the file's line 1). The lines come straight from the
    file's own iterator, with no Python step between it and the checker's loop."""
    with open_file(path, name) as handle:
        checker.line = first - 1
        try:
            handle.seek(start)
            if first == 1 and handle.read(len(BOM)) != BOM:
                handle.seek(start)
            checker.feed_lines(itertools.islice(handle, lines), first)
        except BrokenPipeError:  # the parent has gone: not the file's fault
            raise
        except OSError as exc:
            raise InputError(Input(name, handle, is_document=False).read_failure(exc, checker.line)) from None


class _Spool:
    """What a worker of a later range sent (findings and deferred steps, in order), held until
    the ranges before it are printed: in memory, then in a temporary file."""

    def __init__(self) -> None:
        self.memory: list[tuple[str, Any]] = []
        self.file: IO[bytes] | None = None

    def extend(self, entries: list[tuple[str, Any]]) -> None:
        self.memory += entries
        if len(self.memory) >= _SPILL:
            try:
                if self.file is None:
                    self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
                pickle.dump(self.memory, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError as exc:
                raise InputError(f"cannot hold findings in a temporary file ({exc}): free space, or use -j 1") from None
            self.memory = []

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        if self.file is not None:
            self.file.seek(0)
            while True:
                try:
                    batch = pickle.load(self.file)
                except EOFError:
                    break
                yield from batch
        yield from self.memory

    def steps(self) -> Iterable[Step]:
        return (data for kind, data in self if kind == "s")

    def close(self) -> None:
        self.memory = []
        if self.file is not None:
            self.file.close()


__all__ = ["check_parallel", "cut_points", "jobs_for", "plain_file", "split_version"]
