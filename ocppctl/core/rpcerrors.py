"""The CALLERROR OCPP-J names for a CALL that cannot be taken, spelled for its version.

A peer that judges other implementations must answer a bad CALL as the RPC framework says,
never with a CALLRESULT: OCPP-J 1.6 section 4.2.3 and OCPP 2.0.1 Part 4 section 4.2.3 define the
codes. The mapping, from what the checks found:

    unknown action                           NotImplemented
    an action the sender may not initiate    NotSupported
    unique id not a string                   RpcFrameworkError (2.x) / ProtocolError (1.6)
    schema: an unexpected property           FormatViolation (1.6: FormationViolation)
    schema: a property missing, too few or
            too many items                   OccurrenceConstraintViolation (1.6: Occurence...)
    schema: a value of the wrong type        TypeConstraintViolation
    schema: any other broken constraint      PropertyConstraintViolation (enum, length,
                                             range, pattern, date-time, ...)

A message that is not a usable frame is answered only where an answer can be addressed: a
CALL (message type 2) whose shape is wrong gets FormatViolation / 1.6 FormationViolation; in
2.x an unknown message type gets MessageTypeNotSupported, and a message whose unique id cannot
be read (not JSON, not an array) gets RpcFrameworkError with the unique id "-1". Anything else
(a malformed answer) is never answered: a CALLERROR only ever answers a CALL.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ocppctl.core.findings import ERROR, Finding
from ocppctl.core.frames import CALL, Frame
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version

_DESCRIPTION_LIMIT = 255  # errorDescription is at most 255 characters in 2.x (1.6: no limit stated)

# schema keyword -> the kind of constraint it is, in the order the answer prefers them
_OCCURRENCE = frozenset({"required", "minItems", "maxItems", "minProperties", "maxProperties", "dependencies"})
_STRUCTURE = frozenset({"additionalProperties", "additionalItems"})


class RpcError(NamedTuple):
    """A CALLERROR to send: the unique id it answers, its code and description."""

    id: str
    code: str
    description: str


def _is_16(version: Version) -> bool:
    return version.name == "1.6"


def format_violation(version: Version) -> str:
    """The code for a payload that is not the PDU's structure (1.6 spells it FormationViolation)."""
    return "FormationViolation" if _is_16(version) else "FormatViolation"


def occurrence_violation(version: Version) -> str:
    return "OccurenceConstraintViolation" if _is_16(version) else "OccurrenceConstraintViolation"


def code_for_keyword(version: Version, keyword: str) -> str:
    """The RPC error code of a broken JSON schema keyword."""
    if keyword in _STRUCTURE:
        return format_violation(version)
    if keyword in _OCCURRENCE:
        return occurrence_violation(version)
    if keyword == "type":
        return "TypeConstraintViolation"
    return "PropertyConstraintViolation"


_PREFERENCE = ("Format", "Formation", "Occur", "Type", "Property")


def _rank(code: str) -> int:
    return next((i for i, prefix in enumerate(_PREFERENCE) if code.startswith(prefix)), len(_PREFERENCE))


def call_error(registry: SchemaRegistry, version: Version, frame: Frame, findings: list[Finding]) -> RpcError | None:
    """The CALLERROR for the peer's CALL `frame`, given what the checks found in it; None when
    the call may be answered. Only errors count: a warning (a vendorId not in reverse-DNS form,
    a duplicate id) is the sender's business, not a reason to refuse."""
    errors = [f for f in findings if f.severity == ERROR]
    codes = {f.code for f in errors}
    action = frame.action or ""
    if "unknown-action" in codes:
        return _error(frame.id, "NotImplemented", f"{action} is not an OCPP {version.name} action")
    if "unique-id" in codes:
        code = "ProtocolError" if _is_16(version) else "RpcFrameworkError"
        return _error(frame.id, code, next(f.message for f in errors if f.code == "unique-id"))
    if "direction" in codes:
        return _error(frame.id, "NotSupported", next(f.message for f in errors if f.code == "direction"))
    broken = [f for f in errors if f.code in ("schema", "format")]
    if not broken:
        return None
    schema = registry.get(version, action, "request")
    violations = schema.violations(frame.payload) if schema is not None else []
    if not violations:  # judged by the exact engine only (numbers beyond a double): a value's range
        return _error(frame.id, "PropertyConstraintViolation", _described(broken[0]))
    worst = min(violations, key=lambda v: _rank(code_for_keyword(version, v.keyword)))
    finding = next((f for f in broken if f.path == _pointer(worst.path)), broken[0])
    return _error(frame.id, code_for_keyword(version, worst.keyword), _described(finding))


def malformed_error(version: Version, value: Any, findings: list[Finding]) -> RpcError | None:
    """The CALLERROR for a message that is not a usable frame (`value` its JSON, or None when
    it is not JSON), or None when no answer can or may be addressed."""
    if not isinstance(value, list) or not value:
        if _is_16(version):
            return None
        return _error("-1", "RpcFrameworkError", _first(findings, "not an OCPP-J frame"))
    uid = value[1] if len(value) > 1 and isinstance(value[1], str) else None
    kind = value[0]
    if kind == CALL and type(kind) is int:
        if uid is None:
            return None if _is_16(version) else _error("-1", "RpcFrameworkError", _first(findings, "no unique id"))
        return _error(uid, format_violation(version), _first(findings, "not a CALL frame"))
    if type(kind) is int and kind not in (3, 4, 5, 6) and uid is not None and not _is_16(version):
        return _error(uid, "MessageTypeNotSupported", f"message type {kind} is not supported")
    return None


def _first(findings: list[Finding], default: str) -> str:
    return next((f.message for f in findings if f.severity == ERROR), default)


def _described(finding: Finding) -> str:
    where = f" at {finding.path}" if finding.path and finding.path not in finding.message else ""
    return finding.message + where


def _pointer(path: tuple[str | int, ...]) -> str:
    from ocppctl.core.findings import pointer

    return pointer(list(path))


def _error(uid: str, code: str, description: str) -> RpcError:
    return RpcError(uid, code, description[:_DESCRIPTION_LIMIT])
