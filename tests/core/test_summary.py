"""Latency buckets: 5% wide on a log scale, so percentiles cost constant memory."""

from __future__ import annotations

import math

from ocppctl.core.summary import Latency


def test_buckets_follow_their_definition_for_every_kind_of_value() -> None:
    values = [0.0, -3.0, 0.0004, 1.0, 1.05, 99.9, 100.0, 250.0, 60_000.0, 1e9] * 3
    latency = Latency()
    for ms in values:
        latency.add(ms)
    latency.fold()
    expected: dict[int, int] = {}
    for ms in values:
        bucket = int(math.log1p(ms) / math.log(1.05)) if ms > 0 else 0
        expected[bucket] = expected.get(bucket, 0) + 1
    assert latency.buckets == expected
    assert (latency.count, latency.maximum, latency.total) == (30, 1e9, sum(values))


def test_percentiles_are_bucket_bounds_capped_at_the_maximum() -> None:
    latency = Latency()
    for ms in range(1, 101):
        latency.add(float(ms))
    assert latency.percentile(50) == math.expm1((int(math.log1p(50) / math.log(1.05)) + 1) * math.log(1.05))
    assert latency.percentile(100) == 100.0
    assert latency.as_dict()["count"] == 100


def test_add_traffic_adds_counts_and_latencies_not_findings() -> None:
    """validate -j adds its ranges up this way; their findings are counted as they print."""
    from ocppctl.core.findings import ERROR, Finding
    from ocppctl.core.summary import Summary

    mine, theirs = Summary(), Summary()
    for summary, ms in ((mine, 10.0), (theirs, 1000.0)):
        summary.frames, summary.calls, summary.callresulterrors = 4, 2, 1
        stats = summary.action("Heartbeat")
        stats.calls += 2
        stats.results += 1
        stats.latency.add(ms)
    theirs.count(Finding(ERROR, "schema", "x"))
    mine.add_traffic(theirs)
    assert (mine.frames, mine.calls, mine.callresulterrors, mine.errors, mine.codes) == (8, 4, 2, 0, {})
    heartbeat = mine.as_dict()["actions"]["Heartbeat"]
    assert (heartbeat["calls"], heartbeat["results"]) == (4, 2)
    assert heartbeat["latency"]["count"] == 2 and heartbeat["latency"]["max_ms"] == 1000.0
