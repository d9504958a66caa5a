"""One big capture checked by several processes, with exactly the output of one.

Correlation never crosses a station, so each worker takes the lines of some stations, reads
the whole file, skips the other lines cheaply, and runs its
own StreamChecker on the rest. Every finding travels back tagged with the line it was emitted
at (StreamChecker.cursor); the parent merges the workers' streams in that order, which is the
order a single checker emits them in, then filters, counts and prints as usual. Memory stays
flat: a worker sends its findings in batches with a watermark (the cursor it has reached), and
the parent releases only what no worker can still precede.

Used only where it is safe to split: a capture of records (not a log, not a document) whose
version is known up front (--ocpp, or a first record naming it).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import zlib
from collections.abc import Iterator
from dataclasses import fields
from multiprocessing.connection import Connection, wait
from typing import Any

import orjson

from ocppctl.core.findings import Finding
from ocppctl.core.stream import CheckOptions, StreamChecker, UndecodableLine, key_text
from ocppctl.core.summary import Report, Summary
from ocppctl.core.versions import Version, get_version
from ocppctl.errors import InputError
from ocppctl.io.inputs import Input, open_input
from ocppctl.io.schemafiles import default_registry

_BATCH_MASK = 4095  # a worker reports progress every 4096 lines read
_BATCH_FINDINGS = 1024  # and sends its findings at least this often
_END = float("inf")
_DONE = (_END, _END)
_BOM = b"\xef\xbb\xbf"
_STATION = b'"station":"'
_COUNTED = ("frames", "calls", "results", "callerrors", "callresulterrors", "sends", "events", "skipped_lines")


def jobs_for(path: str, requested: int | None) -> int:
    """How many processes to check a regular file with: --jobs, else one per core (at most
    4); 1 where processes cannot be forked or the input is not a regular file."""
    if "fork" not in multiprocessing.get_all_start_methods() or not os.path.isfile(path):
        return 1
    if requested is not None:
        return max(1, requested)
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def assumed_version(first_line: bytes) -> Version | None:
    """The version a capture's first line names, when a single checker would settle on it at
    that line: a record holding a frame that parses and a known `ocpp`. None otherwise."""
    try:
        record = orjson.loads(first_line)
        if type(record) is not dict or type(record.get("raw")) is not str:
            return None
        orjson.loads(record["raw"])
    except orjson.JSONDecodeError:
        return None
    ocpp = record.get("ocpp")
    return get_version(ocpp) if isinstance(ocpp, str) else None


def is_event(line: bytes) -> bool:
    """Whether a capture line is a connection event record (connect, close)."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return type(record) is dict and "event" in record and "raw" not in record and "frame" not in record


def check_parallel(path: str, name: str, options: CheckOptions, report: Report, jobs: int) -> None:
    """Check one capture file with `jobs` worker processes; findings go to `report` in the
    order a single StreamChecker would give them. Raises InputError or UndecodableLine as it."""
    context = multiprocessing.get_context("fork")
    pipes: list[Connection] = []
    workers = []
    for index in range(jobs):
        parent_end, child_end = context.Pipe(duplex=False)
        process = context.Process(target=_worker, args=(child_end, path, name, options, index, jobs), daemon=True)
        process.start()
        child_end.close()
        pipes.append(parent_end)
        workers.append(process)
    try:
        _merge(pipes, report)
    finally:
        for process in workers:
            if process.is_alive():
                process.terminate()
            process.join()


def _merge(pipes: list[Connection], report: Report) -> None:
    waiting: list[tuple[tuple[float, float], int, int, dict[str, Any]]] = []
    marks: dict[int, tuple[float, float]] = dict.fromkeys(range(len(pipes)), (0.0, 0.0))
    open_pipes = dict(enumerate(pipes))
    failure: tuple[str, Any] | None = None
    summaries: list[dict[str, Any]] = []
    while open_pipes:
        for ready in wait(list(open_pipes.values())):
            index = next(i for i, p in open_pipes.items() if p is ready)
            try:
                message: Any = open_pipes[index].recv()
            except EOFError:
                message = ("done", None, ("crash", "a worker process died"))
            kind = message[0]
            if kind == "batch":
                _, found, mark = message
                waiting.extend((cursor, index, seq, data) for seq, (cursor, data) in enumerate(found, len(waiting)))
                marks[index] = mark
            else:
                _, summary, error = message
                if summary is not None:
                    summaries.append(summary)
                if error is not None and failure is None:
                    failure = error
                marks[index] = _DONE
                del open_pipes[index]
        horizon = min(marks.values())
        waiting.sort(key=lambda entry: (entry[0], entry[1], entry[2]))
        cut = 0
        while cut < len(waiting) and waiting[cut][0] <= horizon:
            cut += 1
        for _, _, _, data in waiting[:cut]:
            report.add(Finding(**data))
        del waiting[:cut]
    for _, _, _, data in sorted(waiting, key=lambda entry: (entry[0], entry[1], entry[2])):
        report.add(Finding(**data))
    for summary in summaries:
        _add_counts(report.summary, summary)
    if failure is not None:
        kind, detail = failure
        if kind == "undecodable":
            raise UndecodableLine(*detail)
        if kind == "input":
            raise InputError(detail)
        raise RuntimeError(f"parallel check failed: {detail}")


def _add_counts(summary: Summary, data: dict[str, Any]) -> None:
    for key in _COUNTED:
        setattr(summary, key, getattr(summary, key) + data[key])
    for action, theirs in data["actions"].items():
        mine = summary.action(action)
        mine.calls += theirs.calls
        mine.results += theirs.results
        mine.callerrors += theirs.callerrors
        lat, other = mine.latency, theirs.latency
        lat.fold()
        other.fold()
        lat.count += other.count
        lat.total += other.total
        lat.maximum = max(lat.maximum, other.maximum)
        for bucket, count in other.buckets.items():
            lat.buckets[bucket] = lat.buckets.get(bucket, 0) + count


def _worker(pipe: Connection, path: str, name: str, options: CheckOptions, index: int, jobs: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends us
    found: list[tuple[tuple[float, float], dict[str, Any]]] = []
    summary = Summary()
    checker: StreamChecker | None = None

    def sink(finding: Finding) -> None:
        assert checker is not None
        cursor = checker.cursor
        found.append((cursor, {f.name: getattr(finding, f.name) for f in fields(Finding)}))
        if len(found) >= _BATCH_FINDINGS:  # e.g. the calls still open at the end of a one-sided capture
            # Everything this worker emits later sits at this cursor or after it, and no other
            # worker emits at this cursor (a line, or a connection, belongs to one worker).
            pipe.send(("batch", found[:], cursor))
            found.clear()

    checker = StreamChecker(default_registry(), Report(summary, sink), name, options)
    error: tuple[str, Any] | None = None
    try:
        source = open_input(path, None)
        try:
            checker.feed_lines(_owned(source, index, jobs, pipe, found), numbered=True)
            checker.finish()
        finally:
            source.handle.close()
    except UndecodableLine as exc:
        error = ("undecodable", (exc.line, exc.reason))
    except InputError as exc:
        error = ("input", exc.message)
    except Exception as exc:  # noqa: BLE001 - reported by the parent as an internal error
        error = ("crash", f"{type(exc).__name__}: {exc}")
    counts = {key: getattr(summary, key) for key in _COUNTED}
    counts["actions"] = summary.actions
    try:
        pipe.send(("batch", found, _DONE))
        pipe.send(("done", counts, error))
        pipe.close()
    except (BrokenPipeError, OSError):  # the parent has gone (interrupted): nothing to tell
        pass


def _owned(
    source: Input,
    index: int,
    jobs: int,
    pipe: Connection,
    found: list[tuple[tuple[float, float], dict[str, Any]]],
) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of the lines this worker owns; every 4096 lines, what was
    found so far goes to the parent with the line reached. The handle is read directly (this
    loop sees every line of the file). A line that is not UTF-8, or a read that fails, stops
    every worker at the same place, as it stops a single checker.

    A station goes to the worker its text hashes to (crc32): the same in every worker, and
    even across workers once there are more than a handful of stations."""
    mine = _Owners(index, jobs)
    marker = _STATION
    skip = len(marker)
    lineno = 0
    try:
        first = source.handle.readline()
        lines = itertools.chain(
            (first[len(_BOM) :] if first.startswith(_BOM) else first,) if first else (), source.handle
        )
        for lineno, line in enumerate(lines, 1):  # noqa: B007 - lineno is read after the loop too
            if not lineno & _BATCH_MASK:
                pipe.send(("batch", found[:], (lineno - 1, _END)))
                found.clear()
            at = line.find(marker) + skip  # the compact form, inline
            if mine[line[at : line.find(b'"', at)] if at >= skip else _station_key(line)]:
                yield lineno, line
            elif not line.isascii():
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise UndecodableLine(lineno, exc.reason) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(source.read_failure(exc, lineno)) from None


class _Owners(dict):  # type: ignore[type-arg]
    """Station key -> whether this worker owns it: its crc32 modulo the number of workers."""

    def __init__(self, index: int, jobs: int) -> None:
        super().__init__()
        self.index = index
        self.jobs = jobs

    def __missing__(self, key: bytes) -> bool:
        owned = self[key] = zlib.crc32(key) % self.jobs == self.index
        return owned


def _station_key(line: bytes) -> bytes:
    """The bytes naming a record's station; the same for every line of that station."""
    at = line.find(_STATION)
    if at >= 0:
        start = at + len(_STATION)
        return line[start : line.find(b'"', start)]
    if b'"station"' not in line:
        return b""
    try:  # not the compact form: ask the parser (rare)
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return b""
    station = key_text(record.get("station")) if type(record) is dict else None
    return station.encode("utf-8", "surrogatepass") if isinstance(station, str) else b""


__all__ = ["assumed_version", "check_parallel", "is_event", "jobs_for"]
