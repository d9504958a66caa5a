"""One input stream checked frame by frame: the engine behind `ocppctl validate`.

Text goes in a line (or a document element) at a time; findings go to a Report and counts to
its Summary. Nothing here reads files or prints. Per station connection, a Correlator pairs
responses with their calls, so a response is checked against its call's response schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ocppctl.core import checks, frames
from ocppctl.core.capture import DocItem, column_of_raw, find_in_log, normalize_side, raw_column
from ocppctl.core.findings import ERROR, INFO, WARNING, Finding
from ocppctl.core.infer import infer
from ocppctl.core.jsontext import JsonSyntaxError, decode, dumps, duplicate_keys
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.session import Correlator, OpenCall
from ocppctl.core.summary import Report
from ocppctl.core.versions import VERSIONS, Version, get_version

_INFER_CALLS = 50  # calls buffered before the version is inferred
_INFER_ITEMS = 5000  # items buffered at most while inferring
_END = float("inf")
_JSON_HINT = "OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)"


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
    version: Version | None = None
    first_line: int = 0  # where the connection was first seen: the order of end-of-input findings


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
        # Where findings are being emitted from: (line, 0) while reading, (_END, first line of a
        # connection) for what the end of input reports. Parallel runs merge findings by it.
        self.cursor: tuple[float, float] = (0, 0)
        if options.assumed is not None:  # as if the first record had named it
            self.named = self.inferred = options.assumed
            self.pending = self.held = None
        self._frames_before = report.summary.frames
        self._skipped_before = report.summary.skipped_lines
        self._fast_requests = _Cache(lambda key: (key[0].actions[key[1]], *self._fast_entry(key[0], key[1], "request")))
        self._fast_responses = _Cache(lambda key: self._fast_entry(key[0], key[1], "response"))

    # --- the fast path -------------------------------------------------------------------------

    def feed_lines(self, lines: Iterable[Any], start: int = 1, numbered: bool = False) -> None:
        """Lines of a file (line ends still on). The common case, a capture record holding a
        well-formed, valid CALL or CALLRESULT whose correlation is plain, is settled here in one
        pass; anything else takes the general path (`feed_line`), which finds and explains it.
        Both paths give the same findings and counts (tests/core/test_fast_path.py)."""
        loads = orjson.loads
        dumps = orjson.dumps
        fromiso = datetime.fromisoformat
        vendor_lint = checks.vendor_findings
        by_name: dict[Any, Version | None] = {**VERSIONS, None: None}
        forced = self.options.version
        conns = self.conns
        requests = self._fast_requests
        responses = self._fast_responses
        other = _OTHER
        slow = self._slow
        raw_key = b'"raw":"'  # where a compact record's frame starts: the column of its findings
        frames = calls = results = 0
        fast = self.mode == "json" and self.pending is None
        try:
            for lineno, line in lines if numbered else enumerate(lines, start):
                if not fast:
                    fast = slow(line, lineno)
                    continue
                try:
                    record = loads(line)
                    raw = record["raw"]
                    value = loads(raw)
                    get = record.get
                    conn = conns[(get("station"), get("conn"))]
                    version = forced or by_name[get("ocpp")] or conn.version or self.inferred
                    uid = value[1]
                    side = get("from")
                    if type(uid) is not str or not 0 < len(uid) <= 36 or side not in other or type(value) is not list:
                        raise LookupError
                    open_calls = conn.correlator.open
                    mtype = value[0]
                    if mtype == 2 and len(value) == 4:
                        action = value[2]
                        payload = value[3]
                        who, is_valid, stats, scan, empty_ok = requests[(version, action)]
                        key = (side, uid)
                        if (
                            (side is not None and who != side and who != "both")
                            or key in open_calls
                            or type(payload) is not dict
                            or (
                                not empty_ok  # an empty payload has no key to repeat and no vendorId
                                if not payload
                                else not is_valid(payload)
                                or dumps(value) != raw.encode()
                                or (
                                    scan
                                    and "vendorId" in raw
                                    and vendor_lint(action, True, payload, "customData" in raw)
                                )
                            )
                        ):
                            raise LookupError
                        frames += 1
                        calls += 1
                        stats.calls += 1
                        at = line.find(raw_key) if type(line) is bytes else -1
                        column = at + 7 if at >= 0 and line.isascii() else column_of_raw(line)
                        open_calls[key] = (uid, action, side, lineno, get("ts"), column)
                        continue
                    if mtype != 3 or len(value) != 3:
                        raise LookupError
                    payload = value[2]
                    key = (other[side], uid)
                    call = open_calls[key]
                    action = call[1]
                    is_valid, stats, scan, empty_ok = responses[(version, action)]
                    if type(payload) is not dict or (
                        not empty_ok
                        if not payload
                        else not is_valid(payload)
                        or dumps(value) != raw.encode()
                        or (scan and "vendorId" in raw and vendor_lint(action, False, payload, "customData" in raw))
                    ):
                        raise LookupError
                except Exception:  # noqa: BLE001 - anything unusual: the general path finds and explains it
                    fast = slow(line, lineno)
                    continue
                # A valid, plain result: close its call.
                del open_calls[key]
                frames += 1
                results += 1
                stats.results += 1
                if version is _V21:
                    recent = conn.correlator.recent
                    recent[uid] = action
                    if len(recent) > 256:
                        recent.popitem(last=False)
                ts = get("ts")
                started = call[4]
                if ts is not None and started is not None:
                    ms: float | None
                    try:
                        ms = (fromiso(ts) - fromiso(started)).total_seconds() * 1000.0
                    except (TypeError, ValueError):
                        ms = _latency_ms(started, ts)
                    if ms is not None:
                        waiting = stats.latency.pending
                        waiting.append(ms)
                        if len(waiting) >= 4096:
                            stats.latency.fold()
        finally:
            summary = self.summary
            summary.frames += frames
            summary.calls += calls
            summary.results += results

    def _slow(self, line: str | bytes, lineno: int) -> bool:
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

    def _fast_entry(self, version: Version, action: str, kind: str) -> tuple[Any, Any, bool, bool]:
        """(is_valid, stats, scan, empty_ok) for an action the fast path may settle; LookupError
        if not. `scan` says a payload may hold a vendorId to lint (DataTransfer, and customData in
        2.x); `empty_ok` is the verdict on {} (Heartbeat, most responses), judged once."""
        if action not in version.actions or action in version.send_actions:
            raise LookupError(action)
        schema = self.registry.get(version, action, kind)
        if schema is None:
            raise LookupError(action)
        stats = self.summary.actions[action]  # exists once the general path has counted one
        scan = version.name != "1.6" or action == "DataTransfer"
        return schema.fast.is_valid, stats, scan, bool(schema.fast.is_valid({}))

    # --- input ---------------------------------------------------------------------------

    def feed_line(self, line: str, lineno: int) -> None:
        """One line of JSON Lines, bare frames or log text (CR and BOM already removed)."""
        self.cursor = (lineno, 0)
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
            self._frame_text(raw, lineno, 0, station, get("conn"), side, get("ocpp"), get("ts"), line)
        elif "frame" in record:
            for key in duplicate_keys(line, record):
                self._add(
                    Finding(
                        WARNING,
                        "duplicate-key",
                        f'key "{key}" occurs twice in one object; receivers keep one of them',
                        "remove the repeated key",
                    ),
                    lineno,
                    column,
                    station,
                )
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
                self._add(Finding(ERROR, "json-syntax", f"not JSON: {exc.message}", _JSON_HINT), lineno, at, station)
            return
        self._item(_Item(lineno, column, text, value, exact, station, conn, side, ocpp, ts, source))

    def _syntax(self, exc: JsonSyntaxError, lineno: int, column: int, station: Any) -> None:
        line = lineno + exc.line - 1
        col = exc.column + (column - 1 if exc.line == 1 else 0)
        self._add(
            Finding(
                ERROR,
                "json-syntax",
                f"not JSON: {exc.message}",
                _JSON_HINT,
            ),
            line,
            col,
            station,
        )

    def _event(self, record: dict[str, Any], lineno: int, column: int) -> None:
        self.summary.events += 1
        key = (record.get("station"), record.get("conn"))  # made hashable by _record
        event = record.get("event")
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
            ms = _latency_ms(call.ts, item.ts)
            if ms is not None:
                stats.latency.add(ms)
        if is_result and version is not None and call.action in version.actions:
            self._payload(item, frame, version, call.action, "response")

    def _payload(self, item: _Item, frame: frames.Frame, version: Version, action: str, kind: str) -> None:
        schema = self.registry.get(version, action, kind)
        if schema is None:
            return
        payload = frame.payload
        text = item.text
        for problem in checks.payload_findings(schema, payload, text, item.exact):
            self._add(problem, item.line, self._column(item), item.station, frame.id, action)
        if text is None or "vendorId" in text:
            scan = text is None or "customData" in text
            for problem in checks.vendor_findings(frame.action, frame.type == 2, payload, scan):
                self._add(problem, item.line, self._column(item), item.station, frame.id, action)

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
            self.cursor = (_END, self.conns[key].first_line)
            self._close(key)
        for stats in self.summary.actions.values():
            stats.latency.fold()
        self.cursor = (_END, _END)
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


class _Cache(dict):  # type: ignore[type-arg]
    """A dict that fills a missing key from a function (which may raise LookupError)."""

    def __init__(self, fill: Any) -> None:
        super().__init__()
        self.fill = fill

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fill(key)
        return value


_OTHER: dict[Any, Any] = {"station": "csms", "csms": "station", None: None}  # side -> the other
_V21 = VERSIONS["2.1"]
_new_tuple = tuple.__new__


def _latency_ms(start: Any, end: Any) -> float | None:
    """Milliseconds between two RFC 3339 timestamps (or two clock readings in seconds)."""
    if isinstance(start, (int, float)) and isinstance(end, (int, float)):
        return (end - start) * 1000.0
    try:
        a = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        b = datetime.fromisoformat(str(end).replace("Z", "+00:00"))
        return (b - a).total_seconds() * 1000.0
    except (ValueError, TypeError):
        return None


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
            Finding(ERROR, "json-syntax", f"not JSON: {exc.message}", _JSON_HINT, None, file, exc.line, exc.column)
        )
        return
    # The payload inside a frame, so the reference engine can re-read it exactly if need be.
    wrapped = f'[3,"p",{text}]' if kind == "response" else f'[2,"p","{action}",{text}]'
    found = checks.duplicate_key_findings(text, payload)  # in the order a frame gets them
    found += checks.payload_findings(schema, payload, wrapped, exact)
    found += checks.vendor_findings(action, kind != "response", payload, "customData" in text)
    for problem in found:
        problem.file = file
        problem.line = 1
        problem.column = 1
        problem.action = action
        report.add(problem)
