"""Payloads built from schemas (the minimal valid template of an action) and from request items.

A template holds the required properties only, each with a valid example value: the first
enum value (PowerUp where it is one), the minimum of a number, an RFC 3339 date-time, one
item of a required array. No clock is read: the example time is fixed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

EXAMPLE_TIME = "2026-01-01T00:00:00Z"
EXAMPLE_URI = "https://example.com/"
EXAMPLE_VENDOR_ID = "com.example"  # reverse DNS, as P01.FR.02 asks


# enum values a template prefers to the first one listed, where the first would mislead: a
# station starts with BootNotification reason PowerUp, not ApplicationReset.
PREFERRED_ENUM = ("PowerUp",)


def template(document: dict[str, Any]) -> Any:
    """A minimal payload that the schema `document` accepts."""
    return _value(document, document, "value", 0)


def _resolve(node: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 32:
        ref = node["$ref"]
        target: Any = document
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        node = target
        seen += 1
    return node


def _value(node: dict[str, Any], document: dict[str, Any], name: str, depth: int) -> Any:
    node = _resolve(node, document)
    if "enum" in node:
        return next((v for v in PREFERRED_ENUM if v in node["enum"]), node["enum"][0])
    kind = node.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object" or (kind is None and "properties" in node):
        out: dict[str, Any] = {}
        props = node.get("properties", {})
        for key in node.get("required", []):
            out[key] = _value(props.get(key, {}), document, key, depth + 1)
        return out
    if kind == "array":
        count = max(int(node.get("minItems", 0)), 0)
        return [_value(node.get("items", {}), document, name, depth + 1) for _ in range(count)]
    if kind == "integer" or kind == "number":
        low = node.get("minimum", 0)
        if "maximum" in node and low > node["maximum"]:
            low = node["maximum"]
        return int(low) if kind == "integer" else low
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date-time":
            return EXAMPLE_TIME
        if fmt == "uri":
            return EXAMPLE_URI
        text = EXAMPLE_VENDOR_ID if name == "vendorId" else name
        limit = node.get("maxLength")
        if isinstance(limit, int):
            text = text[:limit]
        need = node.get("minLength", 0)
        if len(text) < need:
            text = text + "x" * (need - len(text))
        return text
    if kind == "null":
        return None
    return {}


# --- payloads from request items: `path=value` (a string) and `path:=json` (any JSON) ---------


class ItemError(ValueError):
    """A request item that cannot be used; `column` (0-based) points into `item`."""

    def __init__(self, message: str, item: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.item = item
        self.column = column

    def caret(self) -> str:
        """The item and a caret under the problem, for a terminal."""
        return f"{self.item}\n{' ' * self.column}^"


Clock = Callable[[], datetime]

# `:=now`, `:=now-5m`, `:=now+1h30m`: the current time as an RFC 3339 string. `now` is not JSON,
# so after `:=` it can never be meant as a value of its own.
_NOW = re.compile(r"now(?:([+-])((?:\d+[smhd])+))?")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def apply_items(items: list[str], base: dict[str, Any] | None = None, clock: Clock | None = None) -> dict[str, Any]:
    """A payload built from `base` (untouched) and items such as `chargingStation.model=X`,
    `getVariableData[0].component.name=FiscalMetering` or `interval:=300`.

    `=` sets a string, `:=` any JSON value; `.` and `[N]` walk into objects and arrays (an index
    may be one past the end, which appends). A backslash escapes `.`, `[`, `=`, `:` and itself
    in a key. `:=now` (and `:=now-5m`, `:=now+1h30m`; units s, m, h, d) sets the time `clock`
    gives (an aware datetime), shifted, as RFC 3339 UTC with milliseconds: the caller passes
    the clock, this module never reads one."""
    import copy

    payload: dict[str, Any] = copy.deepcopy(base) if base is not None else {}
    once = _once(clock) if clock is not None else None
    for item in items:
        path, value = _split_item(item, once)
        _assign(payload, path, value, item)
    return payload


def string_items(items: list[str]) -> dict[str, tuple[str, str]]:
    """JSON pointer -> (path as written, value), for the items that set a string with `=` (`interval=60`), so a
    finding at that pointer can say how to write the item, not the JSON. Items that cannot be
    read are left out (apply_items says what is wrong with them)."""
    out: dict[str, tuple[str, str]] = {}
    for item in items:
        try:
            path, value = _split_item(item)  # `:=now` raises here: no clock, and no string item
        except ItemError:
            continue
        key_end = len(item) - len(value) - 1 if isinstance(value, str) and item.endswith(value) else -1
        if key_end >= 0 and item[key_end] == "=" and (key_end == 0 or item[key_end - 1] != ":"):
            from ocppctl.core.findings import pointer

            out[pointer([step for step, _ in path])] = (item[:key_end], value)
    return out


def _once(clock: Clock) -> Clock:
    """`clock`, read on first use only: every `now` of one payload is the same instant."""
    instant: list[datetime] = []

    def read() -> datetime:
        if not instant:
            instant.append(clock())
        return instant[0]

    return read


def now_text(raw: str, clock: Clock | None) -> str | None:
    """The RFC 3339 text of `now`, `now-5m`, `now+1h30m` at the time `clock` gives; None when
    `raw` is not of that form. ValueError when it is but no clock was passed."""
    match = _NOW.fullmatch(raw.strip())
    if match is None:
        return None
    if clock is None:
        raise ValueError("no clock to read `now` from")
    sign, offset = match.groups()
    seconds = sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)([smhd])", offset or ""))
    return time_text(clock() + timedelta(seconds=-seconds if sign == "-" else seconds))


def time_text(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, for times inside payloads: OCPP allows at most three
    decimal places of seconds (OCPP 2.0.1 part 2, "Time values")."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _split_item(item: str, clock: Clock | None = None) -> tuple[list[tuple[str | int, int]], Any]:
    from ocppctl.core.jsontext import JsonSyntaxError, loads

    key_chars: list[str] = []
    i = 0
    while i < len(item):
        ch = item[i]
        if ch == "\\" and i + 1 < len(item):
            key_chars.append(item[i : i + 2])
            i += 2
            continue
        if ch == ":" and item[i + 1 : i + 2] == "=":
            raw = item[i + 2 :]
            try:
                value: Any = now_text(raw, clock)
            except ValueError as exc:
                raise ItemError(str(exc), item, i + 2) from None
            if value is not None:
                return _parse_path("".join(key_chars), item), value
            if raw.strip().startswith("now"):
                raise ItemError(
                    "a time is now, now-OFFSET or now+OFFSET (e.g. now-5m, now+1h30m; s, m, h, d)", item, i + 2
                )
            try:
                value = loads(raw)
            except JsonSyntaxError as exc:
                raise ItemError(f"not JSON after ':=': {exc.message}", item, i + 2 + exc.pos) from None
            return _parse_path("".join(key_chars), item), value
        if ch == "=":
            return _parse_path("".join(key_chars), item), item[i + 1 :]
        key_chars.append(ch)
        i += 1
    raise ItemError("an item is path=value (a string) or path:=json", item, len(item))


def _parse_path(key: str, item: str) -> list[tuple[str | int, int]]:
    """Steps of a path with the column each starts at: names (str) and indexes (int)."""
    steps: list[tuple[str | int, int]] = []
    name: list[str] = []
    start = 0
    i = 0

    def close_name(at: int) -> None:
        if name:
            steps.append(("".join(name), start))
            name.clear()

    while i < len(key):
        ch = key[i]
        if ch == "\\" and i + 1 < len(key):
            if not name:
                start = i
            name.append(key[i + 1])
            i += 2
            continue
        if ch == ".":
            if not name and (not steps or isinstance(steps[-1][0], str)):
                raise ItemError("empty name in path", item, i)
            close_name(i)
            i += 1
            start = i
            continue
        if ch == "[":
            close_name(i)
            end = key.find("]", i)
            text = key[i + 1 : end] if end > 0 else ""
            if end < 0 or not text.isdigit():
                raise ItemError("an index is a number in brackets, e.g. [0]", item, i)
            steps.append((int(text), i))
            i = end + 1
            start = i
            continue
        if not name:
            start = i
        name.append(ch)
        i += 1
    close_name(i)
    if not steps:
        raise ItemError("the path before '=' is empty", item, 0)
    if not isinstance(steps[0][0], str):
        raise ItemError("a payload is an object: the path starts with a name", item, 0)
    return steps


def _assign(payload: dict[str, Any], path: list[tuple[str | int, int]], value: Any, item: str) -> None:
    node: Any = payload
    for (step, column), (following, _) in zip(path, [*path[1:], (None, 0)], strict=True):
        last = following is None
        fresh: Any = value if last else ([] if isinstance(following, int) else {})
        if isinstance(step, str):
            if not isinstance(node, dict):
                raise ItemError(f'"{step}" needs an object here, but this is {_kind(node)}', item, column)
            if last or step not in node:
                node[step] = fresh
            node = node[step]
        else:
            if not isinstance(node, list):
                raise ItemError(f"[{step}] needs an array here, but this is {_kind(node)}", item, column)
            if step > len(node):
                raise ItemError(f"index {step} skips past the end (the array has {len(node)} items)", item, column)
            if step == len(node):
                node.append(fresh)
            elif last:
                node[step] = fresh
            node = node[step]


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a value"
