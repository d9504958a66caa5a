"""A device-model report (2.0.1 B07/B08): NotifyReport parts put together by requestId and
seqNo, what went wrong on the way (gaps, duplicates, a last part that never came), its items as
rows, and the model file `sim station --model` loads. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ocppctl.core.addressing import from_json

BASES = ("FullInventory", "ConfigurationInventory", "SummaryInventory")
_SHORT = {"ReadOnly": "RO", "ReadWrite": "RW", "WriteOnly": "WO"}


@dataclass
class Assembled:
    """The reportData items in seqNo order, and one line per problem met."""

    items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def assemble(parts: list[Any], request_id: int) -> Assembled:
    """The report of `request_id` from NotifyReport payloads as they came. Parts of another
    request are left out (and said); a seqNo seen twice keeps its first part; a seqNo missing
    below the last, or a last part still saying tbc, is a problem."""
    out = Assembled()
    by_seq: dict[int, dict[str, Any]] = {}
    for part in parts:
        if not isinstance(part, dict):
            continue
        if part.get("requestId") != request_id:
            out.problems.append(f"a part of request {part.get('requestId')} (not {request_id}) left out")
            continue
        seq = part.get("seqNo")
        if not isinstance(seq, int):
            continue
        if seq in by_seq:
            out.problems.append(f"seqNo {seq} came twice: the first kept")
            continue
        by_seq[seq] = part
    if not by_seq:
        out.problems.append("no part came")
        return out
    last = max(by_seq)
    missing = [seq for seq in range(last + 1) if seq not in by_seq]
    if missing:
        out.problems.append(f"seqNo {', '.join(map(str, missing))} never came")
    if by_seq[last].get("tbc") is True:
        out.problems.append(f"the last part (seqNo {last}) says more follow (tbc), and none came")
    for seq in sorted(by_seq):
        data = by_seq[seq].get("reportData")
        out.items.extend(item for item in data or [] if isinstance(item, dict))
    return out


def item_row(item: dict[str, Any]) -> tuple[str, str, str, str, str, str, str]:
    """(component, variable, attributes, dataType, unit, range, valuesList) of a ReportDataType:
    attributes as `Type=value RW persistent constant`, each attribute after the other."""
    address = from_json(item.get("component"), item.get("variable"))
    attributes = []
    for attribute in item.get("variableAttribute") or []:
        if not isinstance(attribute, dict):
            continue
        text = str(attribute.get("type", "Actual"))
        if "value" in attribute:
            text += f"={attribute['value']}"
        text += " " + _SHORT.get(str(attribute.get("mutability", "ReadWrite")), "?")
        if attribute.get("persistent"):
            text += " persistent"
        if attribute.get("constant"):
            text += " constant"
        attributes.append(text)
    chars = _obj(item.get("variableCharacteristics"))
    low, high = chars.get("minLimit"), chars.get("maxLimit")
    limits = "" if low is None and high is None else f"{'' if low is None else low}..{'' if high is None else high}"
    return (
        address.component_text(),
        address.variable_text(),
        ", ".join(attributes),
        str(chars.get("dataType", "")),
        str(chars.get("unit", "")),
        limits,
        str(chars.get("valuesList", "")),
    )


def to_model(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The reported variables in the layout `sim station --model` loads (handlers/sim.py
    DEFAULT_MODEL): one entry per variable with its Actual value and mutability, dataType and
    valuesList. The simulated station keys variables by component, its instance and variable
    name: evse and variable instances are kept as `evse` and `variableInstance`, which it
    ignores today."""
    variables = []
    for item in items:
        component, variable = _obj(item.get("component")), _obj(item.get("variable"))
        actual = next(
            (
                a
                for a in item.get("variableAttribute") or []
                if isinstance(a, dict) and a.get("type", "Actual") == "Actual"
            ),
            {},
        )
        chars = _obj(item.get("variableCharacteristics"))
        entry: dict[str, Any] = {"component": component.get("name"), "variable": variable.get("name")}
        for key, value in (
            ("instance", component.get("instance")),
            ("evse", component.get("evse")),
            ("variableInstance", variable.get("instance")),
            ("value", actual.get("value")),
            ("mutability", actual.get("mutability")),
            ("dataType", chars.get("dataType")),
            ("valuesList", chars.get("valuesList")),
        ):
            if value is not None:
                entry[key] = value
        variables.append(entry)
    return {"variables": variables}


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def from_model(model: Any) -> list[dict[str, Any]]:
    """ReportData items from a model file (to_model's layout, or DEFAULT_MODEL's): the inverse
    of to_model, for comparing a saved model with a report."""
    items = []
    for entry in _obj(model).get("variables") or []:
        if not isinstance(entry, dict):
            continue
        component: dict[str, Any] = {"name": entry.get("component")}
        for key, name in (("instance", "instance"), ("evse", "evse")):
            if entry.get(key) is not None:
                component[name] = entry[key]
        variable: dict[str, Any] = {"name": entry.get("variable")}
        if entry.get("variableInstance") is not None:
            variable["instance"] = entry["variableInstance"]
        attribute: dict[str, Any] = {"type": "Actual", "mutability": entry.get("mutability", "ReadWrite")}
        if entry.get("value") is not None:
            attribute["value"] = entry["value"]
        chars = {"dataType": entry.get("dataType", "string")}
        items.append(
            {
                "component": component,
                "variable": variable,
                "variableAttribute": [attribute],
                "variableCharacteristics": chars,
            }
        )
    return items


def _flat(items: list[dict[str, Any]]) -> dict[str, str]:
    """ADDRESS:TYPE -> `value (mutability, dataType)` of every attribute."""
    out = {}
    for item in items:
        address = from_json(item.get("component"), item.get("variable"))
        data_type = _obj(item.get("variableCharacteristics")).get("dataType")
        for attribute in item.get("variableAttribute") or []:
            if not isinstance(attribute, dict):
                continue
            key = f"{address}:{attribute.get('type', 'Actual')}"
            value = attribute.get("value")
            shown = "(no value)" if value is None else repr(str(value))
            out[key] = f"{shown} {attribute.get('mutability', 'ReadWrite')} {data_type or 'string'}"
    return out


def diff(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[tuple[str, str, str | None, str | None]]:
    """What changed from one report to another, sorted by ADDRESS:TYPE: ("-", key, before,
    None) gone, ("+", key, None, after) new, ("~", key, before, after) changed; each side
    is `'value' mutability dataType`."""
    old, new = _flat(before), _flat(after)
    changes: list[tuple[str, str, str | None, str | None]] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            changes.append(("-", key, old[key], None))
        elif key not in old:
            changes.append(("+", key, None, new[key]))
        elif old[key] != new[key]:
            changes.append(("~", key, old[key], new[key]))
    return changes
