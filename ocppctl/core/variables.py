"""GetVariables/SetVariables in as many requests as a station takes, and their results as rows.

A station says how much one request may hold in DeviceDataCtrlr ItemsPerMessage and
BytesPerMessage (instances GetVariables and SetVariables, 2.0.1 B06.FR.11/B05.FR.11 ask for
a CALLERROR OccurrenceConstraintViolation beyond them). Pure: the caller makes the calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ocppctl.core.addressing import Address, AddressError, from_json, parse, parse_assignment
from ocppctl.core.jsontext import dumps

# what the list of items is called in each request and answer
REQUEST_KEY = {"GetVariables": "getVariableData", "SetVariables": "setVariableData"}
RESULT_KEY = {"GetVariables": "getVariableResult", "SetVariables": "setVariableResult"}
_FRAME_ID = "x" * 36  # a UUID's length: the size of the frame a batch goes out in
TOO_MANY = "OccurrenceConstraintViolation"


def limit_addresses(action: str) -> list[Address]:
    """DeviceDataCtrlr ItemsPerMessage and BytesPerMessage of `action` (GetVariables/SetVariables)."""
    return [
        Address("DeviceDataCtrlr", "ItemsPerMessage", variable_instance=action),
        Address("DeviceDataCtrlr", "BytesPerMessage", variable_instance=action),
    ]


@dataclass(frozen=True)
class Limits:
    """How much one request may hold; None: not said."""

    items: int | None = None
    bytes: int | None = None


def limits_from(answer: Any) -> Limits:
    """The Limits in the answer to a GetVariables of limit_addresses() (results the station did
    not accept, or whose value is not a positive integer, say nothing)."""
    found: dict[str, int] = {}
    for result in answer.get("getVariableResult", []) if isinstance(answer, dict) else []:
        value = result.get("attributeValue")
        name = (result.get("variable") or {}).get("name")
        accepted = result.get("attributeStatus") == "Accepted"
        if accepted and isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
            found[str(name)] = int(value)
    return Limits(found.get("ItemsPerMessage"), found.get("BytesPerMessage"))


def frame_size(action: str, items: list[Any]) -> int:
    """Bytes of the CALL carrying `items` (UTF-8, with a UUID for its id)."""
    return len(dumps([2, _FRAME_ID, action, {REQUEST_KEY[action]: items}]).encode())


def batches(action: str, items: list[Any], limits: Limits) -> list[list[Any]]:
    """`items` in order, in as few requests as the limits allow (an item too large on its own
    goes alone: the station's answer says what it thinks of it)."""
    out: list[list[Any]] = []
    current: list[Any] = []
    for item in items:
        candidate = [*current, item]
        too_many = limits.items is not None and len(candidate) > limits.items
        too_big = limits.bytes is not None and frame_size(action, candidate) > limits.bytes
        if current and (too_many or too_big):
            out.append(current)
            candidate = [item]
        current = candidate
    if current:
        out.append(current)
    return out


def smaller(limits: Limits, refused: int) -> Limits:
    """The limits to retry with after a request of `refused` items got OccurrenceConstraintViolation."""
    return Limits(max(1, refused // 2), limits.bytes)


@dataclass(frozen=True)
class Row:
    """One item's result: what the table shows and --json prints."""

    address: Address
    status: str
    value: str | None = None
    reason: str | None = None
    info: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": str(self.address),
            "component": self.address.component_json(),
            "variable": self.address.variable_json(),
            "attributeType": self.address.attribute or "Actual",
            "status": self.status,
            "value": self.value,
            "reason": self.reason,
            "additionalInfo": self.info,
        }


def rows_of(action: str, answer: Any, asked: list[Any]) -> list[Row]:
    """The Rows of a GetVariables/SetVariables answer, in its order. A result that leaves out
    attributeType takes the one of the item asked at its place (stations often do not echo it)."""
    rows = []
    results = answer.get(RESULT_KEY[action], []) if isinstance(answer, dict) else []
    for at, result in enumerate(results if isinstance(results, list) else []):
        if not isinstance(result, dict):
            continue
        attribute = result.get("attributeType")
        item = asked[at] if at < len(asked) and isinstance(asked[at], dict) else {}
        same = (item.get("component"), item.get("variable")) == (result.get("component"), result.get("variable"))
        if attribute is None and same:
            attribute = item.get("attributeType")
        address = from_json(result.get("component"), result.get("variable"), attribute)
        info = result.get("attributeStatusInfo")
        info = info if isinstance(info, dict) else {}
        value = result.get("attributeValue")
        rows.append(
            Row(
                address,
                str(result.get("attributeStatus", "")),
                None if value is None else str(value),
                _text(info.get("reasonCode")),
                _text(info.get("additionalInfo")),
            )
        )
    return rows


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class ItemsError(ValueError):
    """Items (from the command line or a file) that do not parse: `where` says which."""


def read_items(text: str, assign: bool) -> list[tuple[Address, str | None]]:
    """Items of a --from-file: ADDR (get) or ADDR=VALUE (set) lines (blank lines and lines
    starting with # skipped), or JSON: an array of such strings, or (set) an object
    {ADDR: VALUE} whose non-string values are written as JSON text."""
    stripped = text.lstrip("\ufeff").strip()
    if stripped[:1] in ("[", "{"):
        try:
            value = json.loads(stripped)
        except ValueError as exc:
            raise ItemsError(f"not JSON: {exc}") from None
        if isinstance(value, dict) and assign:
            return [
                (_parsed(key, f"key {key!r}"), val if isinstance(val, str) else dumps(val))
                for key, val in value.items()
            ]
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            return [one_item(x, assign, f"item {at}") for at, x in enumerate(value)]
        shape = "an object {ADDR: VALUE} or an array of ADDR=VALUE strings" if assign else "an array of ADDR strings"
        raise ItemsError(f"the JSON is {shape}")
    items = []
    for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            items.append(one_item(line.strip(), assign, f"line {lineno}"))
    return items


def one_item(text: str, assign: bool, where: str) -> tuple[Address, str | None]:
    """An ADDR or ADDR=VALUE; ItemsError saying `where` and the column."""
    try:
        if assign:
            address, value = parse_assignment(text)
            return address, value
        return parse(text), None
    except AddressError as exc:
        raise ItemsError(f"{where}: {exc}") from None


def _parsed(text: str, where: str) -> Address:
    return one_item(text, False, where)[0]
