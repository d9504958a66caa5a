"""validate's fast path: the common capture record, or bare frame, settled in one pass over the line.

A record holding a well-formed CALL, CALLRESULT or CALLERROR (with a code of its version)
whose correlation is plain costs a few microseconds here; when its payload breaks its schema,
the findings come from the same function the general path reports them with
(checks.frame_payload_findings). Anything else (a malformed frame, a version to infer, a new
station) takes the StreamChecker's general path, which finds and explains it. Both give the
same findings and counts (tests/core/test_fast_path.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from ocppctl.core import checks
from ocppctl.core.capture import column_of_raw
from ocppctl.core.frames import MAX_ID_LENGTH
from ocppctl.core.session import RECENT, other_side
from ocppctl.core.settle import GUESS, HASH32
from ocppctl.core.summary import elapsed_ms
from ocppctl.core.versions import VERSIONS, Version

if TYPE_CHECKING:
    from ocppctl.core.stream import StreamChecker


def feed_fast(checker: StreamChecker, lines: Iterable[Any], start: int = 1) -> None:
    """Lines of a file (line ends still on), the first numbered `start`. The common case, a
    capture record holding a compact, well-formed CALL, CALLRESULT or CALLERROR whose
    correlation is plain, is settled here in one pass, its payload's findings included; anything
    else takes the general path (`feed_line`), which finds and explains it. Both paths give the
    same findings and counts (tests/core/test_fast_path.py)."""
    caches = checker.fast_caches
    if caches is None:
        caches = checker.fast_caches = (
            _Cache(lambda key: (_senders(key[0], key[1]), *_entry(checker, key[0], key[1], "request"))),
            _Cache(lambda key: _entry(checker, key[0], key[1], "response")),
        )
    requests, responses = caches
    loads = orjson.loads
    dumps = orjson.dumps
    fromiso = datetime.fromisoformat
    vendor_lint = checks.vendor_findings
    explain = checks.frame_payload_findings
    add = checker._add
    by_name: dict[Any, Version | None] = {**VERSIONS, None: None}
    forced = checker.options.version
    conns = checker.conns
    other = _OTHER
    nothing = _NOTHING  # a bare frame's record: every key absent
    bare = _BARE
    max_id = MAX_ID_LENGTH
    hash32 = HASH32
    keep_recent = RECENT
    slow = checker.feed_general
    raw_key = b'"raw":"'  # where a compact record's frame starts: the column of its findings
    calls = results = callerrors = 0
    summary_actions = checker.summary.actions
    midway = checker.midway
    first = midway.first if midway is not None else 0
    guess = GUESS
    fast = checker.pending is None and checker.joining is None
    lineno = start - 1
    try:
        for lineno, line in enumerate(lines, start):
            if not fast:
                fast = slow(line, lineno)
                continue
            try:
                record = loads(line)
                if type(record) is list:  # a bare frame: no station, conn, side, time or version
                    value = record
                    raw = (line[:-1] if line[-1:] == b"\n" else line).decode() if type(line) is bytes else line
                    get = nothing
                    where = bare
                else:
                    if "binary" in record:  # a binary message: the general path says so
                        raise LookupError
                    raw = record["raw"]
                    value = loads(raw)
                    get = record.get
                    where = (get("station"), get("conn"))
                conn = conns[where]
                version = forced or by_name[get("ocpp")] or conn.version or checker.inferred
                if version is guess:  # midway: the capture's version, unless its connect said otherwise
                    midway.guessed.add(where)  # type: ignore[union-attr]
                    version = checker.inferred
                uid = value[1]
                side = get("from")
                if type(uid) is not str or not 0 < len(uid) <= max_id or side not in other or type(value) is not list:
                    raise LookupError
                open_calls = conn.correlator.open
                mtype = value[0]
                if type(mtype) is not int:  # 2.0 is no message type (frames.from_value)
                    raise LookupError
                if mtype == 2 and len(value) == 4:
                    action = value[2]
                    payload = value[3]
                    senders, is_valid, schema, stats, scan, empty_ok = requests[(version, action)]
                    key = (side, uid)
                    if (
                        side not in senders
                        or key in open_calls
                        or type(payload) is not dict
                        # {} has no key to repeat and no vendorId: its verdict is judged once;
                        # any other payload must read back byte for byte (no duplicate key)
                        or (not empty_ok if not payload else dumps(value) != raw.encode())
                    ):
                        raise LookupError
                    call = None
                elif mtype == 3 and len(value) == 3:
                    payload = value[2]
                    key = (other[side], uid)
                    call = open_calls[key]
                    action = call[1]
                    is_valid, schema, stats, scan, empty_ok = responses[(version, action)]
                    if type(payload) is not dict or (not empty_ok if not payload else dumps(value) != raw.encode()):
                        raise LookupError
                else:  # a CALLERROR: a known code, the shape right, read back byte for byte
                    if (
                        mtype != 4
                        or version is None
                        or len(value) != 5
                        or type(value[2]) is not str
                        or value[2] not in version.error_codes
                        or type(value[3]) is not str
                        or type(value[4]) is not dict
                        or dumps(value) != raw.encode()
                    ):
                        raise LookupError
                    key = (other[side], uid)
                    call = open_calls[key]
                    action = call[1]
                    stats = summary_actions[action]
                    payload = scan = None  # no payload to judge
                valid = not payload or is_valid(payload)  # {} was judged once, in _entry
                broken = not valid or (
                    scan and "vendorId" in raw and vendor_lint(action, call is None, payload, "customData" in raw)
                )
            except (LookupError, TypeError, ValueError, OverflowError):  # orjson's errors are ValueErrors
                # anything unusual: the general path finds and explains it (a bug here, say a
                # NameError, is not caught: it fails the suite instead of hiding behind the slow path)
                fast = slow(line, lineno)
                continue
            if broken:  # a compact, plain frame whose payload breaks its schema: explained here
                for problem in explain(schema, payload, raw, False, call is None, valid):
                    add(problem, lineno, 1 if where is bare else column_of_raw(line), get("station"), uid, action)
            if call is None:  # a call: open it
                calls += 1
                stats.calls += 1
                if where is bare:
                    column = 1
                else:
                    at = line.find(raw_key) if type(line) is bytes else -1
                    column = at + 7 if at >= 0 and line.isascii() else column_of_raw(line)
                open_calls[key] = (uid, action, side, lineno, get("ts"), column)
                sighted = conn.sighted
                if sighted is not None:  # midway (core/stream.py, Midway)
                    sighted.append(hash(uid) & hash32)
                    sighted.append(lineno - first)
                continue
            # A plain result or CALLERROR: close its call.
            del open_calls[key]
            if mtype == 3:
                results += 1
                stats.results += 1
            else:
                callerrors += 1
                stats.callerrors += 1
            # as Correlator.answer does, whatever the version: a 2.1 CALLRESULTERROR later on
            # the connection may refer to it
            recent = conn.correlator.recent
            recent[uid] = action
            if len(recent) > keep_recent:
                recent.popitem(last=False)
            ts = get("ts")
            started = call[4]
            if ts is not None and started is not None:
                ms: float | None
                try:
                    ms = (fromiso(ts) - fromiso(started)).total_seconds() * 1000.0
                except (TypeError, ValueError):
                    ms = elapsed_ms(started, ts)
                if ms is not None:
                    stats.latency.add(ms)
    finally:
        checker.line = lineno  # a read that fails next says after which line
        summary = checker.summary
        summary.frames += calls + results + callerrors
        summary.calls += calls
        summary.results += results
        summary.callerrors += callerrors


def _senders(version: Version, action: str) -> frozenset[str | None]:
    """The sides a CALL of this action may come from (Version.may_initiate), and None: a record
    that does not say is not checked for direction."""
    if action not in version.actions:
        raise LookupError(action)
    return frozenset(side for side in ("station", "csms") if version.may_initiate(action, side)) | {None}


def _entry(checker: StreamChecker, version: Version, action: str, kind: str) -> tuple[Any, Any, Any, bool, bool]:
    """(is_valid, schema, stats, scan, empty_ok) for an action the fast path may settle;
    LookupError if not. `scan` says a payload may hold a vendorId to lint (DataTransfer, and
    customData in 2.x); `empty_ok` is the verdict on {} (Heartbeat, most responses), judged once."""
    if action not in version.actions or action in version.send_actions:
        raise LookupError(action)
    schema = checker.registry.get(version, action, kind)
    if schema is None:
        raise LookupError(action)
    stats = checker.summary.actions[action]  # exists once the general path has counted one
    scan = version.name != "1.6" or action == "DataTransfer"
    return schema.fast.is_valid, schema, stats, scan, bool(schema.fast.is_valid({}))


class _Cache(dict):  # type: ignore[type-arg]
    """A dict that fills a missing key from a function (which may raise LookupError)."""

    def __init__(self, fill: Any) -> None:
        super().__init__()
        self.fill = fill

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fill(key)
        return value


_NOTHING: Any = {}.get
_BARE = (None, None)  # the connection of bare frames (StreamChecker._check keys it so)
_OTHER: dict[Any, Any] = {side: other_side(side) for side in ("station", "csms", None)}
