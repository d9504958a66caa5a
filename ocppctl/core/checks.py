"""Checks on one frame: schema, action, direction, error code, lints. Findings out, no I/O.

Location fields (file, line, station, ...) are left for the caller to stamp.
"""

from __future__ import annotations

import re
from typing import Any

from ocppctl.core import jsontext
from ocppctl.core.findings import ERROR, WARNING, Finding, pointer
from ocppctl.core.frames import CALLRESULTERROR, Frame
from ocppctl.core.hints import closest, listing
from ocppctl.core.schemas import ActionSchema, TooDeep, Violation
from ocppctl.core.versions import VERSIONS, Version, counterpart

_FORMAT_HINTS = {
    "date-time": "RFC 3339 with a time zone offset, e.g. 2026-11-22T10:00:00Z or 2026-11-22T11:00:00.5+01:00",
    "uri": "an absolute URI (RFC 3986), e.g. https://host.example/path",
}


def unknown_action(version: Version, action: str) -> Finding:
    return Finding(
        ERROR,
        "unknown-action",
        f"{quote(action)} is not an OCPP {version.name} action",
        action_hint(version, action),
        action=action,
    )


def action_hint(version: Version, action: str) -> str:
    """What an unknown action most likely meant: the other generation's name for it, a near
    spelling, or where to look."""
    other = counterpart(action, version)
    if other is not None:
        return f"OCPP {version.name} does this with {other}"
    elsewhere = [v.name for v in VERSIONS.values() if action in v.actions]
    if elsewhere:
        return f"{action} is an OCPP {' and '.join(elsewhere)} action: is the version right?"
    near = closest(action, version.actions, cutoff=0.6)
    return f'did you mean "{near}"?' if near else f"`ocppctl actions --ocpp {version.name}` lists them"


def resolve_action(version: Version, name: str, response: bool) -> tuple[str, str]:
    """(action, schema kind) for an action a user named (on the command line, in the REPL); a
    usage error if the version has no such action, or if a SEND message is asked for its
    response."""
    from ocppctl.errors import UsageFailure

    if name not in version.actions:
        raise UsageFailure(f"{quote(name)} is not an OCPP {version.name} action ({action_hint(version, name)})")
    if name in version.send_actions:
        if response:
            raise UsageFailure(f"{name} is a SEND message: it has no response")
        return name, "send"
    return name, "response" if response else "request"


def direction(version: Version, frame: Frame, side: str) -> Finding | None:
    """An action sent by the side that may not initiate it (side: 'station' or 'csms')."""
    action = frame.action
    if action is None or action not in version.actions or version.may_initiate(action, side):
        return None
    other = "CSMS" if side == "station" else "station"
    return Finding(
        ERROR,
        "direction",
        f"{action} is sent by the {other}, not by the {'CSMS' if side == 'csms' else 'station'}",
        "check the record's 'from', or which side of the link sent it",
        action=action,
    )


def error_code(version: Version, frame: Frame) -> Finding | None:
    code = frame.error_code or ""
    if code in version.error_codes:
        return None
    near = closest(code, version.error_codes, cutoff=0.6)
    hint = f'OCPP {version.name} spells it "{near}"' if near else "codes: " + listing(sorted(version.error_codes))
    name = "CALLRESULTERROR" if frame.type == CALLRESULTERROR else "CALLERROR"
    return Finding(ERROR, "error-code", f"{quote(code)} is not an OCPP {version.name} {name} code", hint)


def frame_payload_findings(
    schema: ActionSchema, payload: Any, frame_text: str | None, exact: bool, is_call: bool, valid: bool | None = None
) -> list[Finding]:
    """What a frame's payload breaks, in the order validate reports it: its schema and format
    violations, then its vendorId lints (those need the text only to skip a payload that
    holds no vendorId). Validate's general path and its fast path both report through this;
    `valid` is the fast engine's verdict when the caller has it already."""
    out = payload_findings(schema, payload, frame_text, exact, valid)
    if frame_text is None or "vendorId" in frame_text:
        scan = frame_text is None or "customData" in frame_text
        out.extend(vendor_findings(schema.action, is_call, payload, scan))
    return out


def payload_findings(
    schema: ActionSchema, payload: Any, frame_text: str | None, exact: bool, valid: bool | None = None
) -> list[Finding]:
    """Every schema and format violation of a payload, [] if it is valid.

    `exact` says the payload was parsed by the exact parser (numbers beyond a double's range):
    the reference engine judges those. A failing payload whose text holds a 19+ digit run is
    re-judged by the reference too, since orjson rounds integers beyond 64 bits. A payload
    nested deeper than the engines explain (no OCPP payload is) is one finding that says so.
    """
    try:
        return [
            finding
            for violation in _violations(schema, payload, frame_text, exact, valid)
            for finding in describe(schema, violation, payload)
        ]
    except (TooDeep, RecursionError):
        what = "breaks its schema, nested too deeply to say where" if not exact else "nested too deeply to check"
        return [
            Finding(
                ERROR,
                "schema",
                f"{schema.action} {schema.kind}: {what}",
                "an OCPP payload nests a few levels: look for a runaway array or object",
            )
        ]


def _violations(
    schema: ActionSchema, payload: Any, frame_text: str | None, exact: bool, valid: bool | None
) -> list[Violation]:
    if not exact:
        if valid if valid is not None else schema.is_valid(payload):
            return []
        violations = schema.violations(payload)
        # orjson rounds integers beyond 64 bits into floats: only a float can be such a victim.
        suspect = any(isinstance(v.instance, float) for v in violations)
        if suspect and frame_text is not None and jsontext.may_be_inexact(frame_text):
            violations = _reference(schema, frame_text)
    elif frame_text is not None:
        violations = _reference(schema, frame_text)
    else:
        violations = schema.reference_violations(payload)
    return violations


def _reference(schema: ActionSchema, frame_text: str) -> list[Violation]:
    value = jsontext.loads_decimal(frame_text)
    payload = value[2] if schema.kind == "response" else value[3]
    return schema.reference_violations(payload)


def describe(schema: ActionSchema, v: Violation, payload: Any) -> list[Finding]:
    """Human findings for one violation: message, JSON pointer and a hint users can act on."""
    what = f"{schema.action} {schema.kind}"
    path = list(v.path)
    hint: str | None = None
    code = "schema"
    kw = v.keyword
    if kw == "required":
        prop = str(v.detail)
        message = f'{what}: required property "{prop}" is missing'
        if isinstance(v.instance, dict):
            near = closest(prop, [k for k in v.instance if isinstance(k, str)], cutoff=0.8)
            if near:
                hint = f'"{near}" is here: did you mean "{prop}"?'
    elif kw == "additionalProperties":
        node = schema.node(v.schema_path[:-1]) or {}
        allowed = sorted(node.get("properties", {})) if isinstance(node, dict) else []
        out = []
        for name in v.detail or []:
            near = closest(str(name), allowed)
            h = f'did you mean "{near}"?' if near else ("allowed here: " + listing(allowed) if allowed else None)
            if str(name) == "customData" or "customData" in allowed and h is None:
                h = "customData holds vendor extensions: put them under it"
            out.append(
                Finding(
                    ERROR,
                    "schema",
                    f"{what}: property {quote(name)} is not allowed here",
                    h,
                    pointer(path + [name]),
                )
            )
        return out
    elif kw == "enum":
        options = list(v.detail or [])
        message = f"{what}: {_show(v.instance)} is not an allowed value"
        near = closest(str(v.instance), [str(o) for o in options], cutoff=0.6) if isinstance(v.instance, str) else None
        hint = (f'did you mean "{near}"? ' if near else "") + "allowed: " + listing(options, 30)
    elif kw == "type":
        expected = " or ".join(v.detail or [])
        got = "null" if v.instance is None else f"{_type_name(v.instance)} {_show(v.instance)}"
        message = f"{what}: expected {expected}, got {got}"
        hint = _type_hint(schema, v)
    elif kw == "format":
        code = "format"
        fmt = str(v.detail)
        message = f"{what}: {_show(v.instance)} is not a valid {fmt}"
        hint = _FORMAT_HINTS.get(fmt)
    elif kw in ("maxLength", "minLength"):
        length = len(v.instance) if isinstance(v.instance, str) else 0
        bound = "at most" if kw == "maxLength" else "at least"
        message = f"{what}: string of {length} characters, {bound} {v.detail} allowed"
    elif kw in ("maxItems", "minItems"):
        count = len(v.instance) if isinstance(v.instance, list) else 0
        bound = "at most" if kw == "maxItems" else "at least"
        message = f"{what}: array of {count} items, {bound} {v.detail} allowed"
    elif kw in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
        message = f"{what}: {_show(v.instance)} is {'above the' if 'ax' in kw else 'below the'} {kw} {v.detail}"
    elif kw == "multipleOf":
        message = f"{what}: {_show(v.instance)} is not a multiple of {v.detail}"
    else:
        message = f"{what}: {v.message}"
    overlay = schema.overlay_for(v.schema_path)
    if overlay is not None:
        note = f"schema corrected by overlay {overlay.id} ({overlay.note})"
        hint = f"{hint}; {note}" if hint else note
    return [Finding(ERROR, code, message, hint, pointer(path))]


def _type_hint(schema: ActionSchema, v: Violation) -> str | None:
    expected = v.detail or []
    value = v.instance
    if isinstance(value, str) and any(t in ("integer", "number") for t in expected):
        try:
            float(value)
            return f"a number in quotes is a string: write {value} without quotes"
        except ValueError:
            return None
    if isinstance(value, float) and "integer" in expected and value.is_integer():
        return f"OCPP {schema.version.name} schemas are draft-04: {value!r} is not an integer there, write {int(value)}"
    if isinstance(value, bool) and any(t in ("integer", "number") for t in expected):
        return "booleans are not numbers in JSON Schema"
    if isinstance(value, (int, float)) and "string" in expected:
        return f'write it as a string: "{value}"'
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float,)) or type(value).__name__ == "Decimal":
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def quote(text: Any) -> str:
    """A name from a user or a peer in double quotes, on one line whatever it holds: a line
    break shows as \\n (other control characters are escaped where the text is shown)."""
    if not isinstance(text, str):
        return _show(text)
    return '"' + text.replace("\r", "\\r").replace("\n", "\\n") + '"'


def _show(value: Any, limit: int = 60) -> str:
    try:
        text = jsontext.dumps(value)
    except TypeError:
        try:
            text = str(value)
        except RecursionError:
            text = "(a value nested too deeply to show)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- vendorId lint (OCPP 2.0.1 P01.FR.02 / P02.FR.03; OCPP 1.6 §4.3) -------------------------

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$")
_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "mil",
        "int",
        "info",
        "biz",
        "name",
        "pro",
        "io",
        "co",
        "ai",
        "app",
        "dev",
        "tech",
        "energy",
        "eco",
        "green",
        "solar",
        "eu",
        "asia",
        "mobi",
        "xyz",
        "online",
        "site",
        "cloud",
        "global",
        "group",
        "solutions",
        "systems",
        "network",
        "digital",
        "auto",
        "car",
        "cars",
        "technology",
        "services",
        "company",
        "software",
        "world",
        "one",
        "top",
        "shop",
        "store",
        "charity",
    ]
)


def vendor_id_problem(vendor_id: str) -> str | None:
    """Why a vendorId is not in reverse-DNS form ('com.example.feature'), or None."""
    labels = vendor_id.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return "is not a dotted reverse-DNS name"
    first = labels[0].lower()
    if first in _TLDS or (len(first) == 2 and first.isalpha()):
        return None
    last = labels[-1].lower()
    if last in _TLDS or (len(last) == 2 and last.isalpha()):
        return "looks like a forward DNS name"
    return "does not start with a top-level domain"


def vendor_findings(action: str | None, is_call: bool, payload: Any, scan_custom: bool) -> list[Finding]:
    """vendorId lints for DataTransfer requests and, when `scan_custom`, every customData."""
    out: list[Finding] = []
    if action == "DataTransfer" and is_call and isinstance(payload, dict):
        _vendor(out, payload.get("vendorId"), ["vendorId"], "DataTransfer vendorId")
    if scan_custom:
        for path, vendor in _custom_data(payload, []):
            _vendor(out, vendor, path + ["vendorId"], "customData vendorId")
    return out


def _vendor(out: list[Finding], vendor: Any, path: list[str | int], what: str) -> None:
    if not isinstance(vendor, str):
        return
    problem = vendor_id_problem(vendor)
    if problem is None:
        return
    labels = vendor.split(".")
    suggestion = ".".join(reversed(labels)) if problem.startswith("looks like") else "com.example.feature"
    out.append(
        Finding(
            WARNING,
            "vendor-id",
            f'{what} "{vendor}" {problem} (P01.FR.02, P02.FR.03)',
            f'use the vendor\'s reversed domain, e.g. "{suggestion}"',
            pointer(path),
        )
    )


def _custom_data(value: Any, path: list[str | int]) -> list[tuple[list[str | int], Any]]:
    """Every customData object in the value, depth first in document order: (its path, its
    vendorId). Walked with a stack, not recursion: a payload may nest a thousand levels deep."""
    found: list[tuple[list[str | int], Any]] = []
    stack: list[tuple[bool, Any, list[str | int]]] = [(False, value, path)]
    while stack:
        is_found, item, where = stack.pop()
        if is_found:
            found.append((where, item))
            continue
        children = item.items() if isinstance(item, dict) else enumerate(item)
        todo: list[tuple[bool, Any, list[str | int]]] = []
        for key, child in children:
            if isinstance(item, dict) and key == "customData" and isinstance(child, dict):
                todo.append((True, child.get("vendorId"), where + [key]))
            elif isinstance(child, (dict, list)):
                todo.append((False, child, where + [key]))
        stack.extend(reversed(todo))
    return found


def duplicate_key_findings(text: str, value: Any) -> list[Finding]:
    return [
        Finding(
            WARNING,
            "duplicate-key",
            f'key "{key}" occurs twice in one object; receivers keep one of them',
            "remove the repeated key",
        )
        for key in jsontext.duplicate_keys(text, value)
    ]


def binary_message() -> Finding:
    """A frame that came as a binary WebSocket message (OCPP-J 4.1: frames are text)."""
    return Finding(
        ERROR,
        "frame-shape",
        "a binary WebSocket message: OCPP-J frames travel as text messages",
        "send each frame as a text message (opcode 1), UTF-8",
    )
