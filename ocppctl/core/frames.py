"""OCPP-J RPC frames: CALL 2, CALLRESULT 3, CALLERROR 4, and 2.1's CALLRESULTERROR 5 and SEND 6.

`from_value` turns a parsed JSON value into a Frame and the frame-level findings
(frame-shape, message-type, unique-id); it never raises. `encode` is the inverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ocppctl.core.findings import ERROR, Finding
from ocppctl.core.jsontext import dumps
from ocppctl.core.versions import Version


class MessageType(IntEnum):
    CALL = 2
    CALLRESULT = 3
    CALLERROR = 4
    CALLRESULTERROR = 5
    SEND = 6


CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND = 2, 3, 4, 5, 6
TYPE_NAMES = {t.value: t.name for t in MessageType}
MAX_ID_LENGTH = 36

# Expected element types per message type, after [type, id]: (name, python types, JSON name)
_LAYOUT: dict[int, tuple[tuple[str, type | tuple[type, ...], str], ...]] = {
    CALL: (("action", str, "a string"), ("payload", dict, "an object")),
    CALLRESULT: (("payload", dict, "an object"),),
    CALLERROR: (
        ("errorCode", str, "a string"),
        ("errorDescription", str, "a string"),
        ("errorDetails", dict, "an object"),
    ),
}
_LAYOUT[SEND] = _LAYOUT[CALL]
_LAYOUT[CALLRESULTERROR] = _LAYOUT[CALLERROR]
_USAGE = {
    CALL: '[2, "<uniqueId>", "<Action>", {payload}]',
    CALLRESULT: '[3, "<uniqueId>", {payload}]',
    CALLERROR: '[4, "<uniqueId>", "<errorCode>", "<errorDescription>", {errorDetails}]',
    CALLRESULTERROR: '[5, "<uniqueId>", "<errorCode>", "<errorDescription>", {errorDetails}]',
    SEND: '[6, "<uniqueId>", "<Action>", {payload}]',
}


@dataclass(slots=True)
class Frame:
    """One RPC message. `payload` is set for CALL, CALLRESULT and SEND."""

    type: int
    id: str
    action: str | None = None
    payload: Any = None
    error_code: str | None = None
    error_description: str | None = None
    error_details: Any = None

    @property
    def is_response(self) -> bool:
        return self.type in (CALLRESULT, CALLERROR)

    def to_list(self) -> list[Any]:
        if self.type in (CALL, SEND):
            return [self.type, self.id, self.action, self.payload]
        if self.type == CALLRESULT:
            return [self.type, self.id, self.payload]
        return [
            self.type,
            self.id,
            self.error_code,
            self.error_description or "",
            self.error_details if self.error_details is not None else {},
        ]


def encode(frame: Frame) -> str:
    """Compact wire text of a frame."""
    return dumps(frame.to_list())


def _shape(message: str, hint: str | None = None) -> Finding:
    return Finding(ERROR, "frame-shape", message, hint)


def from_value(value: Any, version: Version | None) -> tuple[Frame | None, list[Finding]]:
    """Check the frame's shape; return the Frame (None if unusable) and frame-level findings."""
    if type(value) is not list:
        return None, [_shape(f"a frame is a JSON array, got {_json_type(value)}")]
    if not value or type(value[0]) is not int:
        return None, [
            _shape(
                "a frame starts with its message type number",
                'e.g. [2, "<uniqueId>", "<Action>", {payload}]',
            )
        ]
    mtype = value[0]
    if mtype not in _LAYOUT:
        return None, [Finding(ERROR, "message-type", f"unknown message type {mtype}", _types_hint(version))]
    if version is not None and mtype not in version.message_types:
        return None, [
            Finding(
                ERROR,
                "message-type",
                f"{TYPE_NAMES[mtype]} ({mtype}) is not a message type of OCPP {version.name}",
                _types_hint(version),
            )
        ]
    layout = _LAYOUT[mtype]
    name = TYPE_NAMES[mtype]
    if len(value) != len(layout) + 2:
        return None, [
            _shape(
                f"a {name} has {len(layout) + 2} elements, this one has {len(value)}",
                _USAGE[mtype],
            )
        ]
    findings: list[Finding] = []
    uid = value[1]
    if type(uid) is not str:
        number = isinstance(uid, (int, float)) and not isinstance(uid, bool)
        text = dumps(uid) if not number else str(uid)
        findings.append(
            Finding(
                ERROR,
                "unique-id",
                f"unique id must be a string, got {_json_type(uid)}",
                f'quote it: "{text}"' if number else None,
            )
        )
        uid = JsonId(text)
    elif len(uid) > MAX_ID_LENGTH or not uid:
        findings.append(
            Finding(
                ERROR,
                "unique-id",
                f"unique id must be 1 to {MAX_ID_LENGTH} characters long, this one has {len(uid)}",
                "a UUID in its 36-character text form fits",
            )
        )
    for index, (field, kind, kind_name) in enumerate(layout, start=2):
        if type(value[index]) is not kind:
            findings.append(
                _shape(
                    f"{name} element {index} ({field}) must be {kind_name}, got {_json_type(value[index])}",
                    _USAGE[mtype],
                )
            )
            return None, findings
    if mtype in (CALL, SEND):
        return Frame(mtype, uid, value[2], value[3]), findings
    if mtype == CALLRESULT:
        return Frame(mtype, uid, None, value[2]), findings
    return Frame(mtype, uid, None, None, value[2], value[3], value[4]), findings


class JsonId(str):
    """A unique id that is not a string (123, null), kept as its JSON text: it never matches the
    string of the same text ("123" answers no CALL whose id was 123), and findings show it as
    JSON (`null`, `123`), not as the string 'null'."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is JsonId and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("json", str(self)))

    def __repr__(self) -> str:
        return str(self)


def _types_hint(version: Version | None) -> str:
    if version is None:
        return "message types are 2 CALL, 3 CALLRESULT, 4 CALLERROR (2.1 adds 5 CALLRESULTERROR, 6 SEND)"
    names = ", ".join(f"{t} {TYPE_NAMES[t]}" for t in sorted(version.message_types))
    return f"OCPP {version.name} message types: {names}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
