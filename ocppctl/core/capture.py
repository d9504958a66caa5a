"""Capture records and the other shapes captures come in, as pure functions of text.

Readers accept: capture records (JSON Lines, docs/capture-format.md), bare frames one a line,
a JSON document holding one frame or an array of frames (or of records), and plain-text log
lines with a frame somewhere inside them, found automatically or by a `--pattern` regular
expression with the named groups ts, station, dir and frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from ocppctl.core.jsontext import JsonSyntaxError, is_json, loads, raw_decode
from ocppctl.core.versions import Version, get_version

_FRAME_START = re.compile(r'\[\s*[2-6]\s*,\s*["\d]')
_LOG_TS = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")

_STATION_WORDS = {"station", "cp", "chargepoint", "charge point", "charging station", "chargingstation", "evse"}
_CSMS_WORDS = {"csms", "central", "centralsystem", "central system", "server", "backend", "cpms"}


def normalize_side(text: str | None) -> str | None:
    """'station' or 'csms' for the words logs use for either side; None if unknown."""
    if not text:
        return None
    word = text.strip().lower()
    if word in _STATION_WORDS:
        return "station"
    if word in _CSMS_WORDS:
        return "csms"
    return None


@dataclass(frozen=True, slots=True)
class LongLine:
    """A line longer than the bound (validate's `--max-line`), read past but not kept: only its
    size, so a single 100 MB line costs no more memory than the bound."""

    size: int  # bytes, its line end included
    bound: int


@dataclass(slots=True)
class LogFrame:
    """A frame found inside a log line: its text, 1-based column, and what the line says."""

    text: str
    column: int
    ts: str | None = None
    station: str | None = None
    side: str | None = None


def find_in_log(line: str, pattern: re.Pattern[str] | None = None) -> LogFrame | None:
    """The frame inside a log line, or None when the line holds none.

    With a pattern, its named groups give frame (required), ts, station and dir. Without one,
    the frame starts at the first '[' that opens a message type and a unique id, and ends at the
    last ']' of the line, or where a JSON value starting there ends.
    """
    if pattern is not None:
        match = pattern.search(line)
        if match is None:
            return None
        groups = match.groupdict()
        text = groups.get("frame")
        if not text:
            return None
        start = match.start("frame")
        return LogFrame(text, start + 1, groups.get("ts"), groups.get("station"), normalize_side(groups.get("dir")))
    found = _FRAME_START.search(line)
    if found is None:
        return None
    start = found.start()
    end = line.rfind("]") + 1
    text = line[start:end] if end > start else line[start:]
    if not is_json(text):
        try:
            _, stop = raw_decode(line, start)
            text = line[start:stop]
        except JsonSyntaxError:
            pass  # keep the widest guess: the checker reports where its JSON breaks
    ts_match = _LOG_TS.search(line, 0, start)
    return LogFrame(text, start + 1, ts_match.group(0) if ts_match else None)


# A frame spread over lines (a logger's pretty print) is gathered up to this many lines or
# characters after the one it starts on; past that it is read line by line again.
JOIN_LINES = 200
JOIN_BYTES = 1 << 20
_OPENS_AT_END = re.compile(r"\[\s*(?:[2-6]\s*,?\s*)?$")


def frame_start_at_end(line: str) -> int | None:
    """Where a frame may begin at the end of a line (`[`, `[2,`: a pretty print goes on on the
    next lines), or None."""
    found = _OPENS_AT_END.search(line)
    return found.start() if found is not None else None


_BYTES_SAID = re.compile(r"\[(\d+) bytes\]\s*$")
_ELLIPSES = ("...", "\u2026")


def truncation(line: str, found: LogFrame, value: object) -> str | None:
    """Why a frame found in a log line is a copy the logger shortened, or None when it is not:
    the websockets library's debug lines (`> TEXT '[2,"...","GetC...files"]}]' [98 bytes]`)
    elide the middle and give the real length; other loggers put an ellipsis where they cut,
    or journalctl a `>` at the end of the line. `value` is the frame's JSON value, None when
    its text is not JSON."""
    rest = line[found.column - 1 :]
    said = _BYTES_SAID.search(rest)
    shown = len(found.text.encode("utf-8", "replace"))
    if said is not None and int(said.group(1)) > shown and any(mark in found.text for mark in _ELLIPSES):
        return f"the line says {said.group(1)} bytes, {shown} shown"
    if value is not None:
        return None
    if any(mark in rest for mark in _ELLIPSES):
        return "an ellipsis where text was left out"
    if rest.rstrip().endswith(">"):
        return "the line ends in '>' where it was cut"
    return None


_HEAD = re.compile(r'\[\s*([2-6])\s*,\s*"([^"\\]{1,36})"')


def cut_frame_head(text: str) -> tuple[int, str] | None:
    """The message type and unique id at the start of a frame a logger cut short, when they
    survived the cut."""
    found = _HEAD.match(text)
    return (int(found.group(1)), found.group(2)) if found is not None else None


_VALUE_OF = re.compile(r'"(raw|frame)"\s*:\s*')


def column_of_raw(line: str | bytes) -> int:
    """1-based column where a record's raw (or frame) value starts in its line.

    `"raw"` followed by a colon can only be a key in valid JSON (a quote inside a string is
    escaped), so a station named "raw" does not fool it."""
    if isinstance(line, bytes):  # columns count characters: decode what comes before
        at = line.find(b'"raw":"')
        if at >= 0 and line.isascii():
            return at + 7
        line = line.decode("utf-8", "replace")
    at = line.find('"raw":"')  # the compact form, found without a regex
    if at >= 0:
        return at + 7
    match = _VALUE_OF.search(line)
    return match.end() + 1 if match else 1


def raw_column(line: str, quote_column: int, offset: int) -> int:
    """1-based column in `line` of character `offset` of the JSON string whose opening quote
    is at `quote_column`: each escape (\\n, \\u00e9, a surrogate pair) spans several columns."""
    at = quote_column  # 0-based index of the first character after the quote
    seen = 0
    while seen < offset and at < len(line):
        if line[at] == "\\":
            if line[at + 1 : at + 2] == "u":
                code = int(line[at + 2 : at + 6], 16) if len(line) >= at + 6 else 0
                at += 6
                if 0xD800 <= code < 0xDC00 and line[at : at + 2] == "\\u":
                    at += 6  # a surrogate pair is one character once decoded
            else:
                at += 2
        else:
            at += 1
        seen += 1
    return at + 1


@dataclass(slots=True)
class DocItem:
    """One element of a JSON document (a .json file): where it starts and its text, or the
    JSON syntax error found there."""

    line: int
    column: int
    text: str
    error: str | None = None


def split_document(text: str) -> Iterator[DocItem] | None:
    """The frames (or records) of a JSON document: one frame, one record, or an array of them.

    Returns None when the text is none of these (read it as JSON Lines then). Inside an array,
    an element that is not JSON becomes an item with an error, and reading resumes at the next
    line that starts a frame or record.
    """
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    if stripped.startswith("{"):
        try:
            value = loads(text)
        except JsonSyntaxError:
            return None
        return iter([DocItem(*_line_col(text, offset), text[offset:].rstrip())]) if isinstance(value, dict) else None
    if not stripped.startswith("["):
        return None
    inner = stripped[1:].lstrip()
    if inner[:1].isdigit() or inner[:1] == "-":
        whole = text[offset:].rstrip()
        if "\n" in whole:
            try:
                loads(whole)
            except JsonSyntaxError:
                return None  # bare frames one a line, under a .json name: read it as lines
        return iter([DocItem(*_line_col(text, offset), whole)])
    return _elements(text, offset + 1)


_SEPARATORS = re.compile(r"[\s,]*")
_RESYNC = re.compile(r"\n[ \t]*(?=[\[{])")


def _elements(text: str, pos: int) -> Iterator[DocItem]:
    while True:
        pos = _SEPARATORS.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text) or text[pos] == "]":
            return
        line, column = _line_col(text, pos)
        try:
            _, end = raw_decode(text, pos)
        except JsonSyntaxError as exc:
            err_line, err_col = _line_col(text, exc.pos)
            yield DocItem(err_line, err_col, "", exc.message)
            resync = _RESYNC.search(text, max(exc.pos, pos + 1))
            if resync is None:
                return
            pos = resync.end()
            continue
        yield DocItem(line, column, text[pos:end])
        pos = end


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


# --- what a capture's first lines say (validate -j decides whether to cut it by them) ---------


def record_version(first_line: bytes) -> Version | None:
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


def is_record(line: bytes) -> bool:
    """Whether a line is a JSON object (what makes a single checker read a file as records)."""
    try:
        return type(orjson.loads(line)) is dict
    except orjson.JSONDecodeError:
        return False


def is_frame(line: bytes) -> bool:
    """Whether a line is a bare frame: a JSON array starting with a message type."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return type(value) is list and bool(value) and type(value[0]) is int


def is_event(line: bytes) -> bool:
    """Whether a capture line is a connection event record (connect, close)."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return type(record) is dict and "event" in record and "raw" not in record and "frame" not in record
