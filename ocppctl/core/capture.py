"""Capture records and the other shapes captures come in, as pure functions of text.

Readers accept: capture records (JSON Lines, docs/capture-format.md), bare frames one a line,
a JSON document holding one frame or an array of frames (or of records), and plain-text log
lines with a frame somewhere inside them, found automatically or by a `--pattern` regular
expression with the named groups ts, station, dir and frame.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from ocppctl.core.jsontext import JsonSyntaxError, loads

_FRAME_START = re.compile(r'\[\s*[2-6]\s*,\s*["\d]')
_LOG_TS = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_DECODER = json.JSONDecoder()

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
    text = line[start:end]
    try:
        loads(text)
    except JsonSyntaxError:
        try:
            _, stop = _DECODER.raw_decode(line, start)
            text = line[start:stop]
        except ValueError:
            pass  # keep the widest guess: the checker reports where its JSON breaks
    ts_match = _LOG_TS.search(line, 0, start)
    return LogFrame(text, start + 1, ts_match.group(0) if ts_match else None)


def column_of_raw(line: str) -> int:
    """1-based column where a record's raw (or frame) value starts in its line."""
    for key in ('"raw"', '"frame"'):
        at = line.find(key)
        if at >= 0:
            colon = line.find(":", at + len(key))
            if colon >= 0:
                rest = len(line) - len(line[colon + 1 :].lstrip())
                return rest + 1
    return 1


@dataclass(slots=True)
class DocItem:
    """One element of a JSON document (a .json file): where it starts and its text."""

    line: int
    column: int
    text: str


def split_document(text: str) -> Iterator[DocItem] | None:
    """The frames (or records) of a JSON document holding one frame or an array of them.

    Returns None when the text is not one JSON document of that kind (read it as lines then).
    """
    stripped = text.lstrip()
    if not stripped.startswith("["):
        return None
    try:
        value = loads(text)
    except JsonSyntaxError:
        return None
    if not isinstance(value, list):
        return None
    if value and isinstance(value[0], int) and not isinstance(value[0], bool):
        offset = len(text) - len(stripped)
        return iter([DocItem(*_line_col(text, offset), text[offset:].rstrip())])
    return _elements(text)


def _elements(text: str) -> Iterator[DocItem]:
    pos = text.index("[") + 1
    ws = re.compile(r"[\s,]*")
    while True:
        pos = ws.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text) or text[pos] == "]":
            return
        _, end = _DECODER.raw_decode(text, pos)
        line, column = _line_col(text, pos)
        yield DocItem(line, column, text[pos:end])
        pos = end


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def record_fields(record: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
    """(station, conn, from, ocpp, ts) of a capture record, each None when absent."""
    get = record.get
    return get("station"), get("conn"), get("from"), get("ocpp"), get("ts")
