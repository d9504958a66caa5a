"""Findings: the one currency of validate, send, the proxy and the REPL.

A Finding says *what happened* and where; how it is shown (text, JSON lines, a toolbar) is
the renderers' business. Codes are stable: users select and ignore them by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

# Stable finding codes, with what they mean (shown by `ocppctl validate --help` and docs/).
CODES: dict[str, str] = {
    "json-syntax": "the text is not JSON (NaN and Infinity are not JSON)",
    "frame-shape": "not an OCPP-J frame: wrong length or element types",
    "message-type": "message type not defined for the version",
    "unique-id": "unique id is not a string of at most 36 characters",
    "unknown-action": "action not defined for the version",
    "schema": "payload breaks the action's JSON schema",
    "format": "a value breaks its schema format (date-time, uri)",
    "error-code": "CALLERROR code not defined for the version",
    "direction": "action sent by a side that may not initiate it",
    "orphan-response": "response with no open CALL for its unique id",
    "unanswered-call": "CALL still open at the end of its connection or input",
    "duplicate-id": "unique id reused while its CALL is open",
    "duplicate-key": "an object holds the same key twice",
    "vendor-id": "vendorId is not in reverse-DNS form (P01.FR.02, P02.FR.03)",
    "truncated": "a frame a logger shortened (an ellipsis, a cut line): not checked",
    "record": "a capture record that cannot be used (bad ocpp, from or event), or no frame in a file",
    "version": "which OCPP version the input was read as, and why",
}


@dataclass(slots=True)
class Finding:
    """One thing found in a frame or a stream; location fields are filled by the caller."""

    severity: str
    code: str
    message: str
    hint: str | None = None
    path: str | None = None  # JSON pointer (RFC 6901) into the payload
    file: str | None = None
    line: int | None = None
    column: int | None = None
    station: str | None = None
    id: str | None = None
    action: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Every key present, in the documented order; None where unknown."""
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "station": self.station,
            "id": self.id,
            "action": self.action,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


def pointer(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """JSON pointer for a path of keys and indexes, escaping '~' and '/' per RFC 6901."""
    out = []
    for part in parts:
        text = str(part)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        out.append("/" + text)
    return "".join(out)
