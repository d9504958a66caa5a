"""The checker core: frames in, findings and counts out, per station connection.

Each frame is checked (shape, action, direction, payload against its schema) and correlated: a
Correlator per connection pairs responses with their calls, so a response is checked against
its call's response schema. Nothing here reads files or prints: `ocppctl validate` feeds it
lines through core/stream.py (which knows records, bare frames and log lines); an RPC session
(core/rpc.py) feeds it a live link's frames one by one. Version inference (core/infer.py) and
validate -j's settlement (core/settle.py) are mixed in.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core import checks, frames
from ocppctl.core.capture import column_of_raw, raw_column
from ocppctl.core.findings import ERROR, WARNING, Finding
from ocppctl.core.frames import JsonId
from ocppctl.core.infer import INFER_CALLS, INFER_ITEMS, VersionInference
from ocppctl.core.jsontext import JsonSyntaxError, decode
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.session import Correlator, OpenCall
from ocppctl.core.settle import GUESS, HASH32, DeferredAnswer, Midway, Settling
from ocppctl.core.summary import Report, elapsed_ms
from ocppctl.core.versions import Version, get_version

JSON_HINT = "OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)"
_BOM_HINT = "a byte order mark (U+FEFF) inside the file, where files were joined: remove it"
_CR_HINT = "a carriage return without a line feed before it: do lines end in a bare CR? tr '\\r' '\\n' converts them"


def json_hint(exc: JsonSyntaxError) -> str | None:
    """The hint of a json-syntax finding: what the parser stopped at, when that says more. The
    strict-JSON hint only where strictness is the cause (NaN, Infinity, a comment, a trailing
    comma, single quotes): for a frame merely broken off it would mislead."""
    if exc.char == "\ufeff":
        return _BOM_HINT
    if exc.after_cr:
        return _CR_HINT
    if "is not JSON" in exc.message or exc.char in _STRICT_CHARS:
        return JSON_HINT
    return None


_STRICT_CHARS = frozenset("NI/#'}]")  # NaN, Infinity, comments, single quotes, trailing commas


@dataclass
class CheckOptions:
    version: Version | None = None  # --ocpp: every frame is read as this version
    pattern: re.Pattern[str] | None = None
    assumed: Version | None = None  # records that name no version are read as this one


@dataclass(slots=True)
class Item:
    """A frame waiting to be checked, with where it came from."""

    line: int
    column: int
    text: str | None  # wire text; None when the record gave the frame as a JSON value
    value: Any
    exact: bool
    station: str | None
    conn: Any
    side: str | None
    ocpp: str | None
    ts: Any
    source: str | None = None  # the whole line, for the column of a record's raw value


@dataclass(slots=True)
class Conn:
    correlator: Correlator = field(default_factory=Correlator)
    version: Any = None  # a Version, None, or GUESS (midway: what it was before is not known)
    first_line: int = 0  # where the connection was first seen: the order of end-of-input findings
    # Midway (see Midway): set when the connection may have begun before the chunk (it is
    # "partial"); every CALL opened on it is noted in this array, Midway.sighted's (8 bytes a call).
    sighted: array[int] | None = None
    cut: set[str] | None = None  # ids of calls a logger cut short: their answers are no orphans


class FrameChecker(VersionInference, Settling):
    """Checks frames of one stream (a file, or a live link) and keeps its connections."""

    def __init__(self, registry: SchemaRegistry, report: Report, file: str, options: CheckOptions) -> None:
        self.registry = registry
        self.report = report
        self.summary = report.summary
        self.file = file
        self.options = options
        self.conns: dict[tuple[Any, Any], Conn] = {}
        self.inferred: Version | None = None
        self.pending: list[Item] | None = None if options.version else []
        self.pending_calls = 0
        self.named: Version | None = None  # the version this stream's records name, if any
        self.held: list[Finding] | None = [] if self.pending is not None else None  # while inferring
        if options.assumed is not None:  # as if the first record had named it
            self.named = self.inferred = options.assumed
            self.pending = self.held = None
        # What the last frame fed was, for an RPC session feeding frames one by one
        # (core/rpc.py): (kind, frame, the open call it answered); kind is call, answer,
        # orphan, resulterror or malformed.
        self.outcome: tuple[str, frames.Frame | None, OpenCall | None] = ("malformed", None, None)
        self._fed = 0
        self.midway: Midway | None = None  # set for a range after the first of validate -j

    def feed_frame(
        self, text: str, side: str | None, ts: Any, station: str | None = None, conn: Any = None
    ) -> tuple[str, frames.Frame | None, OpenCall | None]:
        """One frame of a live link, as text, sent by `side` at time `ts` (a clock reading in
        seconds): checked and correlated as validate does, then what it turned out to be."""
        self._fed += 1
        self.outcome = ("malformed", None, None)
        self._frame_text(text, self._fed, 1, station, conn, side, None, ts, None)
        return self.outcome

    def _frame_text(
        self,
        text: str,
        lineno: int,
        column: int,
        station: Any,
        conn: Any,
        side: Any,
        ocpp: Any,
        ts: Any,
        source: str | None,
    ) -> None:
        try:
            value, exact = decode(text)
        except JsonSyntaxError as exc:
            self.summary.frames += 1
            if column:
                self._syntax(exc, lineno, column, station)
            else:  # inside a record's raw string: count the escapes back to a column of the line
                at = raw_column(source or "", column_of_raw(source or ""), exc.pos)
                self._add(
                    Finding(ERROR, "json-syntax", f"not JSON: {exc.message}", json_hint(exc)), lineno, at, station
                )
            return
        self._item(Item(lineno, column, text, value, exact, station, conn, side, ocpp, ts, source))

    def _syntax(self, exc: JsonSyntaxError, lineno: int, column: int, station: Any) -> None:
        line = lineno + exc.line - 1
        col = exc.column + (column - 1 if exc.line == 1 else 0)
        self._add(
            Finding(ERROR, "json-syntax", f"not JSON: {exc.message}", json_hint(exc)),
            line,
            col,
            station,
        )

    def _version(self, item: Item, conn: Conn) -> Version | None:
        if self.options.version is not None:
            return self.options.version
        if item.ocpp is not None:
            version = get_version(str(item.ocpp))
            if version is not None:
                self.named = version
                return version
            self._add(
                Finding(WARNING, "record", f"unknown ocpp version {item.ocpp!r}", "1.6, 2.0.1 or 2.1"),
                item.line,
                item.column or 1,
                item.station,
            )
        if conn.version is GUESS:
            assert self.midway is not None
            self.midway.guessed.add((item.station, item.conn))
            return self.inferred
        return conn.version or self.inferred

    def _item(self, item: Item) -> None:
        pending = self.pending
        if pending is not None and item.ocpp is not None and get_version(str(item.ocpp)) is not None:
            self.named = get_version(str(item.ocpp))
            self._decide()
            pending = None
        if pending is not None and item.ocpp is None:
            conn = self.conns.get((item.station, item.conn))
            if conn is None or conn.version is None:
                pending.append(item)
                value = item.value
                if type(value) is list and value and value[0] in (2, 6):
                    self.pending_calls += 1
                if self.pending_calls >= INFER_CALLS or len(pending) >= INFER_ITEMS:
                    self._decide()
                return
        self._check(item)

    def _check(self, item: Item) -> None:
        summary = self.summary
        summary.frames += 1
        key = (item.station, item.conn)
        conn = self.conns.get(key)
        if conn is None:
            conn = self.conns[key] = Conn(first_line=item.line)
            if self.midway is not None and key not in self.midway.evented:
                conn.version = GUESS
                conn.sighted = self.midway.sighted[key] = array("I")
        version = self._version(item, conn)
        frame, problems = frames.from_value(item.value, version)
        for problem in problems:
            self._add(problem, item.line, self._column(item), item.station, frame.id if frame else None)
        if frame is None:
            return
        if item.text is not None:
            for problem in checks.duplicate_key_findings(item.text, item.value):
                self._add(problem, item.line, self._column(item), item.station, frame.id, frame.action)
        mtype = frame.type
        if mtype == 2 or mtype == 6:
            self._call(item, frame, version, conn)
        elif mtype == 3 or mtype == 4:
            self._response(item, frame, version, conn)
        else:
            self.outcome = ("resulterror", frame, None)
            summary.callresulterrors += 1
            if version is not None:
                self._add_opt(checks.error_code(version, frame), item, frame)
            if conn.correlator.answered(frame.id) is None:
                self._add(
                    Finding(
                        WARNING, "orphan-response", f"CALLRESULTERROR {frame.id!r} refers to no CALLRESULT seen", None
                    ),
                    item.line,
                    self._column(item),
                    item.station,
                    frame.id,
                )

    def _call(self, item: Item, frame: frames.Frame, version: Version | None, conn: Conn) -> None:
        summary = self.summary
        action = frame.action or ""
        self.outcome = ("call", frame, None)
        if frame.type == 2:
            summary.calls += 1
        else:
            summary.sends += 1
        summary.action(action).calls += 1
        if version is None:
            if frame.type == 2:
                self._open(item, frame, conn)
            return
        if action not in version.actions:
            self._add(checks.unknown_action(version, action), item.line, self._column(item), item.station, frame.id)
            if frame.type == 2:
                self._open(item, frame, conn)
            return
        is_send = action in version.send_actions
        if is_send != (frame.type == 6):
            want = "SEND (6)" if is_send else "CALL (2)"
            self._add(
                Finding(ERROR, "message-type", f"{action} travels as {want} in OCPP {version.name}", None),
                item.line,
                self._column(item),
                item.station,
                frame.id,
                action,
            )
            return
        if item.side is not None:
            self._add_opt(checks.direction(version, frame, item.side), item, frame)
        if frame.type == 2:
            self._open(item, frame, conn)
        self._payload(item, frame, version, action, "send" if is_send else "request")

    def _open(self, item: Item, frame: frames.Frame, conn: Conn) -> None:
        previous = conn.correlator.call(
            OpenCall(frame.id, frame.action or "", item.side, item.line, item.ts, self._column(item))
        )
        if conn.sighted is not None:
            assert self.midway is not None
            conn.sighted.append(hash(frame.id) & HASH32)
            conn.sighted.append(item.line - self.midway.first)
        if previous is not None:
            self._add(
                Finding(
                    ERROR,
                    "duplicate-id",
                    f"unique id {frame.id!r} reused while the {previous.action} call of line {previous.line} is open",
                    "each CALL needs a fresh unique id (a UUID)",
                ),
                item.line,
                self._column(item),
                item.station,
                frame.id,
                frame.action,
            )

    def _response(self, item: Item, frame: frames.Frame, version: Version | None, conn: Conn) -> None:
        summary = self.summary
        is_result = frame.type == 3
        call = conn.correlator.answer(frame.id, item.side)
        if call is None and conn.cut is not None and frame.id in conn.cut:  # its call was cut short
            conn.cut.discard(frame.id)
            self.outcome = ("orphan", frame, None)
            if frame.type == 3:
                self.summary.results += 1
            else:
                self.summary.callerrors += 1
            return
        if call is None and conn.sighted is not None:  # it may answer a call from before the chunk
            assert self.midway is not None
            self.midway.defer(DeferredAnswer((item.station, item.conn), item, frame, version))
            return
        self.outcome = ("answer" if call is not None else "orphan", frame, call)
        if call is not None:
            frame.action = call.action
        if is_result:
            summary.results += 1
        else:
            summary.callerrors += 1
            if version is not None:
                self._add_opt(checks.error_code(version, frame), item, frame)
        if call is None:
            name = "CALLRESULT" if is_result else "CALLERROR"
            self._add(
                Finding(
                    ERROR,
                    "orphan-response",
                    f"{name} {frame.id!r} answers no open CALL",
                    "the unique id must echo that of a CALL not yet answered",
                ),
                item.line,
                self._column(item),
                item.station,
                frame.id,
            )
            return
        stats = summary.action(call.action)
        if is_result:
            stats.results += 1
        else:
            stats.callerrors += 1
        if call.ts is not None and item.ts is not None:
            ms = elapsed_ms(call.ts, item.ts)
            if ms is not None:
                stats.latency.add(ms)
        if is_result and version is not None and call.action in version.actions:
            self._payload(item, frame, version, call.action, "response")

    def _payload(self, item: Item, frame: frames.Frame, version: Version, action: str, kind: str) -> None:
        schema = self.registry.get(version, action, kind)
        if schema is None:
            return
        for problem in checks.frame_payload_findings(schema, frame.payload, item.text, item.exact, frame.type == 2):
            self._add(problem, item.line, self._column(item), item.station, frame.id, action)

    def _close(self, key: tuple[Any, Any]) -> None:
        conn = self.conns.pop(key, None)
        if conn is None:
            return
        for call in conn.correlator.drain():
            self._add(
                Finding(
                    WARNING,
                    "unanswered-call",
                    f"{call.action} call {call.id!r} was never answered",
                    "the connection closed or the input ended before its CALLRESULT/CALLERROR",
                ),
                call.line,
                call.column or None,
                key[0],
                call.id,
                call.action,
            )

    def end(self) -> None:
        """End of input: decide a pending version, report the calls still open, fold latencies."""
        if self.pending is not None:
            self._decide()
        for key in list(self.conns):
            self._close(key)
        for stats in self.summary.actions.values():
            stats.latency.fold()

    def blank_conn(self) -> Conn:
        """A connection with nothing open (settle's, for a key this checker never saw)."""
        return Conn()

    # --- helpers ---------------------------------------------------------------------------

    def _column(self, item: Item) -> int:
        if item.column:
            return item.column
        item.column = column_of_raw(item.source or "")
        return item.column

    def _add_opt(self, finding: Finding | None, item: Item, frame: frames.Frame) -> None:
        if finding is not None:
            self._add(finding, item.line, self._column(item), item.station, frame.id, frame.action)

    def _add(
        self,
        finding: Finding,
        line: int | None,
        column: int | None,
        station: Any,
        uid: str | None = None,
        action: str | None = None,
    ) -> None:
        finding.file = self.file
        finding.line = line
        finding.column = column
        finding.station = station if isinstance(station, str) or station is None else str(station)
        if finding.id is None:
            finding.id = uid if type(uid) is not JsonId else str(uid)  # plain text for every reader
        if finding.action is None:
            finding.action = action
        if self.held is not None:
            self.held.append(finding)
        else:
            self.report.add(finding)
