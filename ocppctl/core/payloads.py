"""Payloads built from schemas: the minimal valid template of an action.

A template holds the required properties only, each with a valid example value: the first
enum value, the minimum of a number, an RFC 3339 date-time, one item of a required array.
No clock is read: the example time is fixed.
"""

from __future__ import annotations

from typing import Any

EXAMPLE_TIME = "2026-01-01T00:00:00Z"
EXAMPLE_URI = "https://example.com/"
EXAMPLE_VENDOR_ID = "com.example"  # reverse DNS, as P01.FR.02 asks


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
        return node["enum"][0]
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
