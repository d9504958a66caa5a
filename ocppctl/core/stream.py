"""One input stream read line by line: the engine behind `ocppctl validate`.

Each line is read for what it is (docs/capture-format.md): a capture record, a bare frame, or a
log line searched for a frame (gathered over the next lines when its JSON goes on, reported as
`truncated` when a logger cut it). The frames go to the checker core (core/checker.py); the
common record or bare frame is settled by the fast path (core/fastpath.py). Nothing here reads
files or prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core import checks
from ocppctl.core.capture import (
    JOIN_BYTES,
    JOIN_LINES,
    DocItem,
    LogFrame,
    LongLine,
    cut_frame_head,
    find_in_log,
    frame_start_at_end,
    normalize_side,
    truncation,
)
from ocppctl.core.checker import JSON_HINT, CheckOptions, Conn, FrameChecker, Item, json_hint
from ocppctl.core.findings import ERROR, WARNING, Finding
from ocppctl.core.jsontext import JsonSyntaxError, decode, dumps, raw_decode
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.settle import DeferredClose
from ocppctl.core.summary import Report
from ocppctl.core.versions import Version, get_version

__all__ = ["CheckOptions", "StreamChecker", "UndecodableLine", "check_payload", "key_text"]


_JSON_STARTS = ("{", "[")  # a line that may be a record or a frame
_TRUNCATED_HINT = "log the whole message to check it"


@dataclass(slots=True)
class _Joining:
    """A frame whose JSON goes on past the end of its line (a logger's pretty print): the
    lines taken since, until the value closes or the bound is reached (see capture.JOIN_*)."""

    found: LogFrame
    line: int
    source: str
    lines: list[tuple[str, int]] = field(default_factory=list)
    size: int = 0
    opener: bool = False  # the line only ended with '[': the value must turn out a frame


class StreamChecker(FrameChecker):
    """Checks one file or stdin. Feed lines (or document items), then call finish()."""

    def __init__(self, registry: SchemaRegistry, report: Report, file: str, options: CheckOptions) -> None:
        super().__init__(registry, report, file, options)
        self.joining: _Joining | None = None  # a frame spread over lines, being gathered
        self._frames_before = report.summary.frames
        self._skipped_before = report.summary.skipped_lines
        self._events_before = report.summary.events
        self.fast_caches: Any = None  # the fast path's per-action entries (core/fastpath.py)
        self.line = 0  # the last line feed_lines took

    def feed_lines(self, lines: Iterable[Any], start: int = 1) -> None:
        """Lines of a file (line ends on or off, str or bytes), the first numbered `start`: the
        fast path settles the common record, the general path the rest. Afterwards (or when the
        lines' iterator raised) `self.line` is the number of the last line fed."""
        from ocppctl.core.fastpath import feed_fast

        feed_fast(self, lines, start)

    def feed_general(self, line: str | bytes | LongLine, lineno: int) -> bool:
        """The general path for one line (str, or bytes to decode); returns whether the fast
        path may try the next line: not while a version is inferred or a frame gathered, nor
        after a log line (the next is most likely one too: no JSON parse is tried on it)."""
        if isinstance(line, bytes):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UndecodableLine(lineno, exc.reason) from None
        elif isinstance(line, LongLine):
            self._long_line(line, lineno)
            return self.pending is None and self.joining is None
        else:
            text = line
        self.feed_line(text.rstrip("\r\n"), lineno)
        return self.pending is None and self.joining is None and text[:1] in _JSON_STARTS

    def feed_line(self, line: str, lineno: int) -> None:
        """One line of JSON Lines, bare frames or log text (CR and BOM already removed). Each
        line is read for what it is, whatever the lines before it were: a record or a frame is
        one; any other line is searched for a frame (docs/capture-format.md)."""
        if self.joining is not None:
            self._join(line, lineno)
            return
        first = line[:1]
        if first in ("", " ", "\t"):
            line = line.strip()
            if not line:
                return
            first = line[0]
        if self.options.pattern is not None:
            self._log_line(line, lineno)
        elif first == "\ufeff" and line[1:2] in ("[", "{"):  # files joined with their BOMs: say so
            self._frame_text(line, lineno, 1, None, None, None, None, None, None)
        elif first == "{":
            self._record(line, lineno)
        elif first == "[":
            try:
                value, exact = decode(line)
            except JsonSyntaxError as exc:
                # A frame broken after its first element is one; "[ocpp] DEBUG ...", a frame
                # with text after it or one that goes on on the next line are log lines.
                # Two frames on a line (bare CR line ends) stay a syntax error.
                if "," in line[: exc.pos] and (
                    line[exc.pos : exc.pos + 1] in ("[", "{")
                    or (find_in_log(line) is None and frame_start_at_end(line) is None)
                ):
                    self._frame_text(line, lineno, 1, None, None, None, None, None, None)
                else:
                    self._log_line(line, lineno)
                return
            self._item(Item(lineno, 1, line, value, exact, None, None, None, None, None, None))
        else:
            self._log_line(line, lineno)

    def feed_item(self, item: DocItem) -> None:
        """One element of a JSON document: a frame or a capture record."""
        if item.error is not None:
            self.summary.frames += 1
            self._add(Finding(ERROR, "json-syntax", f"not JSON: {item.error}", JSON_HINT), item.line, item.column, None)
        elif item.text.startswith("{"):
            self._record(item.text, item.line, item.column)
        else:
            self._frame_text(item.text, item.line, item.column, None, None, None, None, None, None)

    def _log_line(self, line: str, lineno: int, join: bool = True) -> None:
        """A line that is neither a record nor a frame: the frame inside it, if any. A frame
        whose JSON runs past the line's end is gathered over the next lines (`_join`); one a
        logger cut short is a `truncated` warning, not a syntax error."""
        found = find_in_log(line, self.options.pattern)
        if found is None:
            if join and self.options.pattern is None:
                at = frame_start_at_end(line)
                if at is not None:
                    self.joining = _Joining(LogFrame(line[at:], at + 1), lineno, line, opener=True)
                    self.joining.size = len(line)
                    return
            self.summary.skipped_lines += 1
            return
        if self.options.pattern is None:
            try:
                value, exact = decode(found.text)
            except JsonSyntaxError as exc:
                if join and exc.pos >= len(found.text.rstrip()):  # the value goes on: gather it
                    self.joining = _Joining(found, lineno, line, size=len(line))
                    return
                if self._truncated(found, line, lineno, None):
                    return
            else:
                if not self._truncated(found, line, lineno, value):
                    self._item(
                        Item(
                            lineno,
                            found.column,
                            found.text,
                            value,
                            exact,
                            found.station,
                            None,
                            found.side,
                            None,
                            found.ts,
                            line,
                        )
                    )
                return
        self._frame_text(found.text, lineno, found.column, found.station, None, found.side, None, found.ts, line)

    def _long_line(self, line: LongLine, lineno: int) -> None:
        """A line past the bound: one finding, as for a line meant to hold a frame that cannot
        be read."""
        while self.joining is not None:
            self._give_up()
        self.summary.frames += 1
        self._add(
            Finding(
                ERROR,
                "record",
                f"line of {line.size:,} bytes, longer than the bound of {line.bound:,}: not read",
                "--max-line BYTES raises the bound, if the line holds a frame",
            ),
            lineno,
            None,
            None,
        )

    def _truncated(self, found: LogFrame, line: str, lineno: int, value: Any) -> bool:
        """Report a frame a logger shortened (capture.truncation) as one warning; it is not
        checked nor correlated, since what is missing is not known."""
        why = truncation(line, found, value)
        if why is None:
            return False
        self.summary.frames += 1
        head = cut_frame_head(found.text)
        if head is not None:  # what it says of correlation is kept: no false orphan or unanswered call
            mtype, uid = head
            conn = self.conns.get((found.station, None))
            if conn is None:
                conn = self.conns[(found.station, None)] = Conn(first_line=lineno)
            if mtype == 2:
                conn.cut = conn.cut or set()
                conn.cut.add(uid)
            elif mtype in (3, 4):
                conn.correlator.answer(uid, found.side)
        self._add(
            Finding(WARNING, "truncated", f"frame cut short by the logger ({why}): not checked", _TRUNCATED_HINT),
            lineno,
            found.column,
            found.station,
        )
        return True

    def _join(self, line: str, lineno: int) -> None:
        """The next line of a frame spread over lines: done when the JSON closes; given up, and
        the lines read again one by one, when it breaks or grows past the bound."""
        joining = self.joining
        assert joining is not None
        joining.lines.append((line, lineno))
        joining.size += len(line) + 1
        if "]" in line:
            text = joining.found.text + "".join("\n" + part for part, _ in joining.lines)
            try:
                value, end = raw_decode(text, 0)
            except JsonSyntaxError as exc:
                if exc.pos < len(text.rstrip()):
                    self._give_up()
                    return
            else:
                self.joining = None
                if joining.opener and not _looks_like_frame(value):
                    self._give_up(joining)
                    return
                found = joining.found
                found.text = text[:end]
                if not self._truncated(found, joining.source, joining.line, value):
                    exact = decode(found.text)[1]
                    self._item(
                        Item(
                            joining.line,
                            found.column,
                            found.text,
                            value,
                            exact,
                            found.station,
                            None,
                            found.side,
                            None,
                            found.ts,
                            joining.source,
                        )
                    )
                return
        if len(joining.lines) >= JOIN_LINES or joining.size >= JOIN_BYTES:
            self._give_up()

    def _give_up(self, joining: _Joining | None = None) -> None:
        """The gathered lines were no frame after all: the first line on its own, then each
        line after it read again as if it came now."""
        joining = joining or self.joining
        assert joining is not None
        self.joining = None
        self._log_line(joining.source, joining.line, join=False)
        for line, lineno in joining.lines:
            self.feed_line(line, lineno)

    def _record(self, line: str, lineno: int, column: int = 1) -> None:
        try:
            record, _ = decode(line)
        except JsonSyntaxError as exc:
            if column == 1:
                found = find_in_log(line)
                if found is not None and found.column > 1:  # "{ts} CP1 >> [2,...]": a log line
                    self._log_line(line, lineno)
                    return
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
            item = Item(
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

    def _event(self, record: dict[str, Any], lineno: int, column: int) -> None:
        self.summary.events += 1
        key = (record.get("station"), record.get("conn"))  # made hashable by _record
        event = record.get("event")
        midway = self.midway
        if midway is not None and event in ("connect", "close") and key not in midway.evented:
            midway.evented.add(key)  # it ends whatever the connection was before the chunk
            midway.defer(DeferredClose(key, lineno))
        if event == "connect":
            self._close(key)
            conn = self.conns[key] = Conn(first_line=lineno)
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

    def finish(self) -> None:
        """End of input: decide a pending version, report calls still open, and say so when
        the input held no frame at all (the wrong file, or a log that needs --pattern)."""
        while self.joining is not None:  # the input ended inside a frame spread over lines
            self._give_up()
        self.end()
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
        elif self.summary.frames == self._frames_before and self.summary.events == self._events_before:
            self._add(
                Finding(
                    WARNING, "record", "no OCPP-J frame in the input: it is empty or blank", "is it the right file?"
                ),
                None,
                None,
                None,
            )


def _looks_like_frame(value: Any) -> bool:
    """Whether a value gathered from a line that only ended in '[' is meant as a frame."""
    return type(value) is list and len(value) > 2 and value[0] in (2, 3, 4, 5, 6) and type(value[1]) is str


def _scalar(value: Any) -> bool:
    return value is None or type(value) in (str, int, float)


def key_text(value: Any) -> Any:
    """A record's station or conn as something that can key a connection."""
    if value is None or type(value) is str:
        return value
    return dumps(value) if not _scalar(value) else str(value)


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
    whole_frame = isinstance(payload, list) and len(payload) >= 3 and payload[0] in (2, 3, 4, 5, 6)
    for problem in found:
        if whole_frame and problem.path in (None, "", "/"):  # `[2,"1","Heartbeat",{}]` given to --action
            problem.hint = "this is a whole OCPP-J frame, not a payload: drop --action"
        problem.file = file
        problem.line = 1
        problem.column = 1
        problem.action = action
        report.add(problem)
