"""What a run saw, counted as it goes: frames, calls, results, findings, latency per action.

Latencies go into log-spaced buckets (5% wide), so percentiles cost constant memory
whatever the size of the capture.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocppctl.core.findings import ERROR, INFO, WARNING, Finding

_BASE = math.log(1.05)
_PER_BUCKET = 1 / _BASE
_log1p = math.log1p
_FOLD_AT = 4096  # latencies waiting to be folded into the buckets, at most


@dataclass(slots=True)
class Latency:
    """Latencies of one action. New values wait in `pending` (a list append is all the hot
    path pays) and are folded into the counts and buckets in batches; fold() before reading."""

    count: int = 0
    total: float = 0.0
    maximum: float = 0.0
    buckets: dict[int, int] = field(default_factory=dict)
    pending: list[float] = field(default_factory=list)

    def add(self, ms: float) -> None:
        pending = self.pending
        pending.append(ms)
        if len(pending) >= _FOLD_AT:
            self.fold()

    def fold(self) -> None:
        pending = self.pending
        if not pending:
            return
        self.count += len(pending)
        self.total += sum(pending)
        highest = max(pending)
        if highest > self.maximum:
            self.maximum = highest
        buckets = self.buckets
        if min(pending) <= 0:  # a result stamped before its call (clocks): the first bucket
            pending[:] = [ms if ms > 0 else 0.0 for ms in pending]
        # bucket = int(log1p(ms) / log(1.05)), counted in C: the per-value loop was 2% of validate
        for bucket, count in Counter(map(int, map(_PER_BUCKET.__mul__, map(_log1p, pending)))).items():
            buckets[bucket] = buckets.get(bucket, 0) + count
        pending.clear()

    def merge(self, other: Latency) -> None:
        """Add another's latencies (of the same action, counted elsewhere)."""
        self.fold()
        other.fold()
        self.count += other.count
        self.total += other.total
        self.maximum = max(self.maximum, other.maximum)
        for bucket, count in other.buckets.items():
            self.buckets[bucket] = self.buckets.get(bucket, 0) + count

    def percentile(self, p: float) -> float:
        """Upper bound of the bucket holding the p-th percentile (p in 0..100)."""
        self.fold()
        rank = max(1, math.ceil(self.count * p / 100))
        seen = 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= rank:
                return min(math.expm1((bucket + 1) * _BASE), self.maximum)
        return self.maximum

    def as_dict(self) -> dict[str, Any]:
        self.fold()
        return {
            "count": self.count,
            "mean_ms": round(self.total / self.count, 3) if self.count else None,
            "p50_ms": round(self.percentile(50), 3) if self.count else None,
            "p95_ms": round(self.percentile(95), 3) if self.count else None,
            "max_ms": round(self.maximum, 3) if self.count else None,
        }


@dataclass(slots=True)
class ActionStats:
    calls: int = 0
    results: int = 0
    callerrors: int = 0
    latency: Latency = field(default_factory=Latency)


@dataclass
class Summary:
    files: int = 0
    frames: int = 0
    calls: int = 0
    results: int = 0
    callerrors: int = 0
    callresulterrors: int = 0
    sends: int = 0
    events: int = 0
    skipped_lines: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    actions: dict[str, ActionStats] = field(default_factory=dict)

    def action(self, name: str) -> ActionStats:
        stats = self.actions.get(name)
        if stats is None:
            stats = self.actions[name] = ActionStats()
        return stats

    def add_traffic(self, other: Summary) -> None:
        """Add what another summary counted of the traffic (frames, calls, results, ... and per
        action, latencies included), not its findings: validate -j adds its ranges up this way,
        findings being counted as they are printed."""
        for key in _TRAFFIC:
            setattr(self, key, getattr(self, key) + getattr(other, key))
        for name, theirs in other.actions.items():
            mine = self.action(name)
            mine.calls += theirs.calls
            mine.results += theirs.results
            mine.callerrors += theirs.callerrors
            mine.latency.merge(theirs.latency)

    def count(self, finding: Finding) -> None:
        if finding.severity == ERROR:
            self.errors += 1
        elif finding.severity == WARNING:
            self.warnings += 1
        elif finding.severity == INFO:
            self.infos += 1
        self.codes[finding.code] = self.codes.get(finding.code, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "frames": self.frames,
            "calls": self.calls,
            "results": self.results,
            "callerrors": self.callerrors,
            "callresulterrors": self.callresulterrors,
            "sends": self.sends,
            "events": self.events,
            "skipped_lines": self.skipped_lines,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "codes": dict(sorted(self.codes.items())),
            "actions": {
                name: {
                    "calls": s.calls,
                    "results": s.results,
                    "callerrors": s.callerrors,
                    "latency": s.latency.as_dict() if s.latency.count or s.latency.pending else None,
                }
                for name, s in sorted(self.actions.items())
            },
        }


_TRAFFIC = ("frames", "calls", "results", "callerrors", "callresulterrors", "sends", "events", "skipped_lines")


class Report:
    """Where findings go: filtered by --select/--ignore, counted, then handed to a sink."""

    def __init__(
        self,
        summary: Summary,
        sink: Any = None,
        select: frozenset[str] = frozenset(),
        ignore: frozenset[str] = frozenset(),
    ) -> None:
        self.summary = summary
        self.sink = sink
        self.select = select
        self.ignore = ignore

    def add(self, finding: Finding) -> None:
        code = finding.code
        if code in self.ignore or (self.select and code not in self.select):
            return
        self.summary.count(finding)
        if self.sink is not None:
            self.sink(finding)


def elapsed_ms(start: Any, end: Any) -> float | None:
    """Milliseconds between two RFC 3339 timestamps (or two clock readings in seconds)."""
    if isinstance(start, (int, float)) and isinstance(end, (int, float)):
        return (end - start) * 1000.0
    try:
        a = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        b = datetime.fromisoformat(str(end).replace("Z", "+00:00"))
        return (b - a).total_seconds() * 1000.0
    except (ValueError, TypeError):
        return None
