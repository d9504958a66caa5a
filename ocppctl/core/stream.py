"""One input stream checked frame by frame: the engine behind `ocppctl validate`.

Text goes in a line (or a document element) at a time; findings go to a Report and counts to
its Summary. Nothing here reads files or prints. Per station connection, a Correlator pairs
responses with their calls, so a response is checked against its call's response schema.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core import checks, frames
from ocppctl.core.capture import DocItem, column_of_raw, find_in_log, normalize_side, raw_column
from ocppctl.core.findings import ERROR, INFO, WARNING, Finding
from ocppctl.core.infer import infer
from ocppctl.core.jsontext import JsonSyntaxError, decode, dumps
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.session import Correlator, OpenCall
from ocppctl.core.summary import Report, elapsed_ms
from ocppctl.core.versions import Version, get_version

_INFER_CALLS = 50  # calls buffered before the version is inferred
_INFER_ITEMS = 5000  # items buffered at most while inferring
_JSON_HINT = "OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)"
_BOM_HINT = "a byte order mark (U+FEFF) inside the file, where files were joined: remove it"
_CR_HINT = "a carriage return without a line feed before it: do lines end in a bare CR? tr '\\r' '\\n' converts them"


def json_hint(exc: JsonSyntaxError) -> str:
    """The hint of a json-syntax finding: what the parser stopped at, when that says more."""
    if exc.char == "\ufeff":
        return _BOM_HINT
    if exc.after_cr:
        return _CR_HINT
    return _JSON_HINT


@dataclass
class CheckOptions:
    version: Version | None = None  # --ocpp: every frame is read as this version
    pattern: re.Pattern[str] | None = None
    assumed: Version | None = None  # records that name no version are read as this one


@dataclass(slots=True)
class _Item:
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
class _Conn:
    correlator: Correlator = field(default_factory=Correlator)
    version: Any = None  # a Version, None, or _GUESS (midway: what it was before is not known)
    first_line: int = 0  # where the connection was first seen: the order of end-of-input findings
    # Midway (see Midway): set when the connection may have begun before the chunk (it is
    # "partial"); every CALL opened on it is noted in this array, Midway.sighted's (8 bytes a call).
    sighted: array[int] | None = None


_HASH32 = 0xFFFFFFFF
_GUESS = object()  # a partial connection's version: the capture's, unless it said otherwise before


@dataclass
class Midway:
    """What a checker that starts in the middle of a capture (validate -j: every chunk after the
    first) cannot settle alone, because a connection may have begun before its first line. A
    response that answers no call it has seen, and the first connect or close of a connection,
    are deferred: handed to `defer` in their place in the stream of findings, for the checker
    holding the state before the chunk to settle (StreamChecker.settle). Connections whose
    version had to be assumed are listed in `guessed`; the calls opened on a connection that
    may have begun before the chunk, in `sighted`: pairs of the unique id's hash (32 bits: a
    clash only costs a needless re-check) and the line, counted from `first`."""

    defer: Callable[[tuple[Any, ...]], None]
    first: int = 1  # the chunk's first line
    evented: set[tuple[Any, Any]] = field(default_factory=set)
    guessed: set[tuple[Any, Any]] = field(default_factory=set)
    sighted: dict[tuple[Any, Any], array[int]] = field(default_factory=dict)


class StreamChecker:
    """Checks one file or stdin. Feed lines (or document items), then call finish()."""

    def __init__(self, registry: SchemaRegistry, report: Report, file: str, options: CheckOptions) -> None:
        self.registry = registry
        self.report = report
        self.summary = report.summary
        self.file = file
        self.options = options
        self.mode: str | None = None  # "json" or "log", from the first line that is not blank
        self.conns: dict[tuple[Any, Any], _Conn] = {}
        self.inferred: Version | None = None
        self.pending: list[_Item] | None = None if options.version else []
        self.pending_calls = 0
        self.named: Version | None = None  # the version this stream's records name, if any
        self.held: list[Finding] | None = [] if self.pending is not None else None  # while inferring
        if options.assumed is not None:  # as if the first record had named it
            self.named = self.inferred = options.assumed
            self.pending = self.held = None
        self._frames_before = report.summary.frames
        self._skipped_before = report.summary.skipped_lines
        self.fast_caches: Any = None  # the fast path's per-action entries (core/fastpath.py)
        # What the last frame fed was, for an RPC session feeding frames one by one
        # (core/rpc.py): (kind, frame, the open call it answered); kind is call, answer,
        # orphan, resulterror or malformed.
        self.outcome: tuple[str, frames.Frame | None, OpenCall | None] = ("malformed", None, None)
        self._fed = 0
        self.line = 0  # the last line feed_lines took
        self.midway: Midway | None = None  # set for a range after the first of validate -j

    # --- the fast path -------------------------------------------------------------------------

    def feed_lines(self, lines: Iterable[Any], start: int = 1) -> None:
        """Lines of a file (line ends on or off, str or bytes), the first numbered `start`: the
        fast path settles the common record, the general path the rest. Afterwards (or when the
        lines' iterator raised) `self.line` is the number of the last line fed."""
        from ocppctl.core.fastpath import feed_fast

        feed_fast(self, lines, start)

    def feed_general(self, line: str | bytes, lineno: int) -> bool:
        """The general path for one line (str, or bytes to decode); returns whether the fast
        path may go on."""
        if isinstance(line, bytes):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UndecodableLine(lineno, exc.reason) from None
        else:
            text = line
        self.feed_line(text.rstrip("\r\n"), lineno)
        return self.mode == "json" and self.pending is None

    # --- input ---------------------------------------------------------------------------

    def feed_line(self, line: str, lineno: int) -> None:
        """One line of JSON Lines, bare frames or log text (CR and BOM already removed)."""
        first = line[:1]
        if first in ("", " ", "\t"):
            line = line.strip()
            if not line:
                return
            first = line[0]
        if self.mode is None:
            self.mode = _sniff(line, self.options.pattern is not None)
        if self.mode == "log":
            self._log_line(line, lineno)
        elif first == "{":
            self._record(line, lineno)
        else:
            self._frame_text(line, lineno, 1, None, None, None, None, None, None)

    def feed_frame(
        self, text: str, side: str | None, ts: Any, station: str | None = None, conn: Any = None
    ) -> tuple[str, frames.Frame | None, OpenCall | None]:
        """One frame of a live link, as text, sent by `side` at time `ts` (a clock reading in
        seconds): checked and correlated as validate does, then what it turned out to be."""
        self._fed += 1
        self.outcome = ("malformed", None, None)
        self._frame_text(text, self._fed, 1, station, conn, side, None, ts, None)
        return self.outcome

    def feed_item(self, item: DocItem) -> None:
        """One element of a JSON document: a frame or a capture record."""
        if item.error is not None:
            self.summary.frames += 1
            self._add(
                Finding(ERROR, "json-syntax", f"not JSON: {item.error}", _JSON_HINT), item.line, item.column, None
            )
        elif item.text.startswith("{"):
            self._record(item.text, item.line, item.column)
        else:
            self._frame_text(item.text, item.line, item.column, None, None, None, None, None, None)

    def _log_line(self, line: str, lineno: int) -> None:
        found = find_in_log(line, self.options.pattern)
        if found is None:
            self.summary.skipped_lines += 1
            return
        self._frame_text(found.text, lineno, found.column, found.station, None, found.side, None, found.ts, line)

    def _record(self, line: str, lineno: int, column: int = 1) -> None:
        try:
            record, _ = decode(line)
        except JsonSyntaxError as exc:
            self.summary.frames += 1  # like a broken frame: a line meant to hold one
            self._syntax(exc, lineno, column, None)
            return
        if type(record) is not dict:
            self._frame_text(line, lineno, column, None, None, None, None, None, None)
            return
        get = record.get
        station = get("station")
        if (station is not None and type(station) is not str) or not _scalar(get("conn")):
            self._add(
                Finding(WARNING, "record", '"station" must be a string and "conn" a number or string'),
                lineno,
                column,
                None,
            )
            record = {**record, "station": key_text(station), "conn": key_text(get("conn"))}
            get = record.get
            station = get("station")
        side = get("from")
        if side is not None and side not in ("station", "csms"):
            self._add(
                Finding(WARNING, "record", f'"from" must be "station" or "csms", got {side!r}'), lineno, column, station
            )
            side = normalize_side(str(side))
        raw = get("raw")
        if raw is not None:
            if type(raw) is not str:
                self._add(
                    Finding(ERROR, "record", '"raw" must hold the frame\'s text as a string'), lineno, column, station
                )
                return
            if get("binary") is True:  # recorded from a binary WebSocket message
                self._add(checks.binary_message(), lineno, column, station)
            self._frame_text(raw, lineno, 0, station, get("conn"), side, get("ocpp"), get("ts"), line)
        elif "frame" in record:
            for problem in checks.duplicate_key_findings(line, record):
                self._add(problem, lineno, column, station)
            item = _Item(
                lineno, 0, None, record["frame"], False, station, get("conn"), side, get("ocpp"), get("ts"), line
            )
            self._item(item)
        elif "event" in record:
            self._event(record, lineno, column)
        else:
            self._add(
                Finding(
                    ERROR, "record", 'a capture record holds "raw", "frame" or "event"', "see docs/capture-format.md"
                ),
                lineno,
                column,
                station,
            )

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
        self._item(_Item(lineno, column, text, value, exact, station, conn, side, ocpp, ts, source))

    def _syntax(self, exc: JsonSyntaxError, lineno: int, column: int, station: Any) -> None:
        line = lineno + exc.line - 1
        col = exc.column + (column - 1 if exc.line == 1 else 0)
        self._add(
            Finding(ERROR, "json-syntax", f"not JSON: {exc.message}", json_hint(exc)),
            line,
            col,
            station,
        )

    def _event(self, record: dict[str, Any], lineno: int, column: int) -> None:
        self.summary.events += 1
        key = (record.get("station"), record.get("conn"))  # made hashable by _record
        event = record.get("event")
        midway = self.midway
        if midway is not None and event in ("connect", "close") and key not in midway.evented:
            midway.evented.add(key)  # it ends whatever the connection was before the chunk
            midway.defer(("close", key, lineno))
        if event == "connect":
            self._close(key)
            conn = self.conns[key] = _Conn(first_line=lineno)
            sub = record.get("subprotocol")
            if sub:
                conn.version = get_version(str(sub))
                if conn.version is None:
                    self._add(
                        Finding(WARNING, "record", f"unknown subprotocol {sub!r}", "ocpp1.6, ocpp2.0.1 or ocpp2.1"),
                        lineno,
                        column,
                        key[0],
                    )
        elif event == "close":
            self._close(key)
        else:
            self._add(
                Finding(WARNING, "record", f"unknown event {event!r}", '"connect" or "close"'), lineno, column, key[0]
            )

    # --- version -----------------------------------------------------------------------------

    def _version(self, item: _Item, conn: _Conn) -> Version | None:
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
        if conn.version is _GUESS:
            assert self.midway is not None
            self.midway.guessed.add((item.station, item.conn))
            return self.inferred
        return conn.version or self.inferred

    def _decide(self) -> None:
        """Settle the version from the frames held back, check them, then release every finding
        held meanwhile in line order."""
        try:
            self._replay()
        finally:
            held, self.held = self.held or [], None
            held.sort(key=lambda f: f.line or 0)
            for finding in held:
                self.report.add(finding)

    def _replay(self) -> None:
        pending = self.pending or []
        self.pending = None
        calls: list[tuple[str, Any]] = []
        types: set[int] = set()
        for item in pending:
            value = item.value
            if type(value) is list and value and type(value[0]) is int:
                types.add(value[0])
                if len(value) == 4 and value[0] in (2, 6) and isinstance(value[2], str):
                    calls.append((value[2], value[3]))
        if self.named is not None:
            self.inferred = self.named
            for item in pending:
                self._check(item)
            return
        if not pending:
            return
        result = infer(self.registry, calls, types)
        self.inferred = result.version
        first = pending[0]
        severity = INFO if result.version is not None else WARNING  # unread by any schema: say so louder
        self._add(Finding(severity, "version", result.reason), first.line, first.column or 1, first.station)
        for item in pending:
            self._check(item)

    # --- checks ------------------------------------------------------------------------------

    def _item(self, item: _Item) -> None:
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
                if self.pending_calls >= _INFER_CALLS or len(pending) >= _INFER_ITEMS:
                    self._decide()
                return
        self._check(item)

    def _check(self, item: _Item) -> None:
        summary = self.summary
        summary.frames += 1
        key = (item.station, item.conn)
        conn = self.conns.get(key)
        if conn is None:
            conn = self.conns[key] = _Conn(first_line=item.line)
            if self.midway is not None and key not in self.midway.evented:
                conn.version = _GUESS
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

    def _call(self, item: _Item, frame: frames.Frame, version: Version | None, conn: _Conn) -> None:
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

    def _open(self, item: _Item, frame: frames.Frame, conn: _Conn) -> None:
        previous = conn.correlator.call(
            OpenCall(frame.id, frame.action or "", item.side, item.line, item.ts, self._column(item))
        )
        if conn.sighted is not None:
            assert self.midway is not None
            conn.sighted.append(hash(frame.id) & _HASH32)
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

    def _response(self, item: _Item, frame: frames.Frame, version: Version | None, conn: _Conn) -> None:
        summary = self.summary
        is_result = frame.type == 3
        call = conn.correlator.answer(frame.id, item.side)
        if call is None and conn.sighted is not None:  # it may answer a call from before the chunk
            assert self.midway is not None
            self.midway.defer(("answer", (item.station, item.conn), item, frame, version))
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

    def _payload(self, item: _Item, frame: frames.Frame, version: Version, action: str, kind: str) -> None:
        schema = self.registry.get(version, action, kind)
        if schema is None:
            return
        for problem in checks.frame_payload_findings(schema, frame.payload, item.text, item.exact, frame.type == 2):
            self._add(problem, item.line, self._column(item), item.station, frame.id, action)

    # --- midway chunks (validate -j) ----------------------------------------------------------

    def settle(self, step: tuple[Any, ...]) -> None:
        """Apply, to the state before a chunk, a step its midway checker deferred (see Midway),
        in its place among the chunk's findings: a response is checked as one checker would
        have; a connect or close ends the connection as it was."""
        if step[0] == "close":
            self._close(step[1])
            return
        _, key, item, frame, version = step
        self._response(item, frame, version, self.conns.get(key) or _Conn())

    def can_settle(
        self,
        first: int,
        sighted: dict[tuple[Any, Any], array[int]],
        steps: Iterable[tuple[Any, ...]],
        guessed: set[tuple[Any, Any]],
    ) -> bool:
        """Whether a chunk's midway result, settled on this state, is what one checker would
        have given: False when a call in the chunk reused the unique id of a call still open
        from before it (a duplicate-id, or an answer paired otherwise, that the chunk could not
        see), or when the chunk assumed a connection's version that its connect said otherwise."""
        for key in guessed:
            mine = self.conns.get(key)
            if mine is not None and mine.version is not None and mine.version is not self.inferred:
                return False
        hits: list[tuple[int, tuple[Any, Any], str]] = []
        for key, calls in sighted.items():
            mine = self.conns.get(key)
            if mine is None or not mine.correlator.open:
                continue
            before: dict[int, list[str]] = {}  # two ids open may share a hash: each is a suspect
            for _, uid in mine.correlator.open:
                before.setdefault(hash(uid) & _HASH32, []).append(uid)
            if before.keys().isdisjoint(calls[0::2]):
                continue
            hits += [
                (first + calls[i + 1], key, uid) for i in range(0, len(calls), 2) for uid in before.get(calls[i], ())
            ]
        if not hits:
            return True
        # Replay the chunk's deferred steps on a copy of the calls open before it, in line order.
        still = {key: Correlator() for _, key, _ in hits}
        for key, copy in still.items():
            copy.open = dict(self.conns[key].correlator.open)
        hits.sort(key=lambda hit: hit[0])
        at = 0
        for step in steps:
            line = step[2] if step[0] == "close" else step[2].line
            while at < len(hits) and hits[at][0] < line:
                if _is_open(still[hits[at][1]], hits[at][2]):
                    return False
                at += 1
            replay = still.get(step[1])
            if replay is None:
                continue
            if step[0] == "close":
                replay.open.clear()
            else:
                replay.answer(step[3].id, step[2].side)
        return not any(_is_open(still[key], uid) for _, key, uid in hits[at:])

    def adopt(self, conns: dict[tuple[Any, Any], _Conn]) -> None:
        """Take over the connections a chunk's checker ended with (after settle): a partial one
        continues the connection from before the chunk, its open calls after those still open
        from before. (Answered ids are not merged: only a CALLRESULTERROR reads them, and a chunk
        holding one is checked by the checker holding the state before it, not midway.)"""
        for key, conn in conns.items():
            mine = self.conns.get(key)
            if conn.sighted is not None:
                if mine is not None:
                    mine.correlator.open.update(conn.correlator.open)
                    continue
                conn.version = None  # it was _GUESS (a copy of it, come through a pipe)
                conn.sighted = None
            self.conns[key] = conn

    # --- end ---------------------------------------------------------------------------------

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

    def finish(self) -> None:
        """End of input: decide a pending version, report calls still open, and say so when
        the input held no frame at all (the wrong file, or a log that needs --pattern)."""
        if self.pending is not None:
            self._decide()
        for key in list(self.conns):
            self._close(key)
        for stats in self.summary.actions.values():
            stats.latency.fold()
        skipped = self.summary.skipped_lines - self._skipped_before
        if self.summary.frames == self._frames_before and skipped:
            self._add(
                Finding(
                    WARNING,
                    "record",
                    f"no OCPP-J frame found in {skipped} line{'s' if skipped != 1 else ''}",
                    "the --pattern matched no line: check it against a line of the file"
                    if self.options.pattern is not None
                    else "is it a capture? --pattern '...(?P<frame>\\[.*\\])' tells where frames sit in log lines",
                ),
                None,
                None,
                None,
            )

    # --- helpers -----------------------------------------------------------------------------

    def _column(self, item: _Item) -> int:
        if item.column:
            return item.column
        item.column = column_of_raw(item.source or "")
        return item.column

    def _add_opt(self, finding: Finding | None, item: _Item, frame: frames.Frame) -> None:
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
            finding.id = uid
        if finding.action is None:
            finding.action = action
        if self.held is not None:
            self.held.append(finding)
        else:
            self.report.add(finding)


def _is_open(correlator: Correlator, uid: str) -> bool:
    return any(open_uid == uid for _, open_uid in correlator.open)


def _scalar(value: Any) -> bool:
    return value is None or type(value) in (str, int, float)


def key_text(value: Any) -> Any:
    """A record's station or conn as something that can key a connection."""
    if value is None or type(value) is str:
        return value
    return dumps(value) if not _scalar(value) else str(value)


def _sniff(line: str, pattern: bool) -> str:
    """'json' or 'log', from the first line that is not blank. A log line may start with '['
    too ("[2026-11-22 10:00:00] CP001 >> [2,...]"): it is a log when it is not JSON and a frame
    starts further along it."""
    if pattern or line[:1] not in ("{", "["):
        return "log"
    try:
        decode(line)
        return "json"
    except JsonSyntaxError:
        found = find_in_log(line)
        return "log" if found is not None and found.column > 1 else "json"


class UndecodableLine(ValueError):
    """A line of bytes that is not UTF-8: the input cannot be read on (the CLI's exit 2)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line} is not UTF-8 ({reason})")
        self.line = line
        self.reason = reason


def check_payload(
    registry: SchemaRegistry, version: Version, action: str, kind: str, text: str, report: Report, file: str
) -> None:
    """`validate --action NAME [--response]`: a file holding one bare payload (kind: request,
    response or send; the CLI has checked the action exists)."""
    schema = registry.get(version, action, kind)
    if schema is None:
        raise LookupError(f"no {kind} schema for {action} in OCPP {version.name}")
    report.summary.frames += 1
    try:
        payload, exact = decode(text)
    except JsonSyntaxError as exc:
        report.add(
            Finding(ERROR, "json-syntax", f"not JSON: {exc.message}", json_hint(exc), None, file, exc.line, exc.column)
        )
        return
    # The payload inside a frame, so the reference engine can re-read it exactly if need be.
    wrapped = f'[3,"p",{text}]' if kind == "response" else f'[2,"p","{action}",{text}]'
    found = checks.duplicate_key_findings(text, payload)  # in the order a frame gets them
    found += checks.frame_payload_findings(schema, payload, wrapped, exact, kind != "response")
    for problem in found:
        problem.file = file
        problem.line = 1
        problem.column = 1
        problem.action = action
        report.add(problem)
