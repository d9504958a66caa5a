"""Schema registry: (version, action, kind) -> compiled validator, built once on first use.

Two engines judge a payload. jsonschema-rs, compiled from each file with the draft the file
declares (draft-04 and draft-06 both occur in the 1.6 folder), is the fast path. The python
`jsonschema` package is the reference: it judges the rare payloads the fast engine cannot
represent exactly (integers beyond 64 bits, numbers that overflow a double), parsing numbers as
Decimal so that `multipleOf: 0.1` accepts 21.4. Both enforce formats: date-time is RFC 3339
with an offset; uri is RFC 3986.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ocppctl.core import overlays as _overlays
from ocppctl.core.versions import Version

Loader = Callable[[str], bytes]
"""Returns the bytes of a schema file by its path under schemas/ ('v16/Authorize.json');
raises FileNotFoundError when there is none."""

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT6 = "http://json-schema.org/draft-06/schema#"


@dataclass(slots=True)
class Violation:
    """One way a payload breaks its schema, whichever engine found it."""

    path: tuple[str | int, ...]  # into the payload
    keyword: str  # the failing JSON Schema keyword: required, enum, type, format, ...
    instance: Any
    detail: Any  # keyword-specific: missing property, unexpected names, enum options, ...
    schema_path: tuple[str | int, ...]  # where the keyword sits in the schema document
    message: str


class TooDeep(Exception):
    """A payload nested too deeply for its violations to be explained (never an OCPP payload)."""


@dataclass
class ActionSchema:
    """One schema file, compiled lazily for each engine."""

    version: Version
    action: str
    kind: str  # request, response or send
    file: str
    document: dict[str, Any]
    draft: str
    overlays: list[_overlays.Overlay] = field(default_factory=list)
    _fast: Any = None
    _reference: Any = None

    @property
    def fast(self) -> Any:
        if self._fast is None:
            import jsonschema_rs

            cls = jsonschema_rs.Draft4Validator if self.draft == DRAFT4 else jsonschema_rs.Draft6Validator
            self._fast = cls(self.document, validate_formats=True)
        return self._fast

    def is_valid(self, payload: Any) -> bool:
        return bool(self.fast.is_valid(payload))

    def violations(self, payload: Any) -> list[Violation]:
        """Every violation, from the fast engine; TooDeep when it cannot hand back the failing
        value (it refuses to convert one nested past about 250 levels)."""
        try:
            return [_from_fast(error) for error in self.fast.iter_errors(payload)]
        except ValueError as exc:
            if "Recursion limit" in str(exc):
                raise TooDeep from None
            raise

    def reference_violations(self, payload: Any) -> list[Violation]:
        """Every violation, from python `jsonschema` (numbers should be parsed as Decimal)."""
        if self._reference is None:
            from ocppctl.core.reference import build_reference

            self._reference = build_reference(self.document, self.draft)
        return [_from_reference(error, self.document) for error in self._reference.iter_errors(payload)]

    def node(self, schema_path: Iterable[str | int]) -> Any:
        """The schema node at a path into the document (None if there is none)."""
        node: Any = self.document
        for part in schema_path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def overlay_for(self, schema_path: tuple[str | int, ...]) -> _overlays.Overlay | None:
        """The overlay that changed the schema at this path, if any."""
        for overlay in self.overlays:
            target = overlay.schema_path
            if tuple(str(p) for p in schema_path[: len(target) - 1]) == target[:-1]:
                return overlay
        return None


class SchemaRegistry:
    """Compiled schemas by (version, action, kind); files are read through the injected loader."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        self._cache: dict[tuple[str, str, str], ActionSchema | None] = {}
        self._lock = threading.Lock()

    def get(self, version: Version, action: str, kind: str) -> ActionSchema | None:
        """The schema of an action's request, response or SEND payload; None if unknown."""
        key = (version.name, action, kind)
        try:
            return self._cache[key]
        except KeyError:
            pass
        with self._lock:
            schema = self._load(version, action, kind)
            self._cache[key] = schema
        return schema

    def _load(self, version: Version, action: str, kind: str) -> ActionSchema | None:
        if action not in version.actions:
            return None
        if (kind == "send") != (action in version.send_actions):
            return None
        file = version.schema_file(action, kind)
        try:
            raw = self._loader(f"{version.folder}/{file}")
        except FileNotFoundError:
            return None
        document = orjson.loads(raw)
        applied = _overlays.apply(version.name, file, document)
        draft = document.get("$schema", DRAFT6)
        draft = DRAFT4 if draft.rstrip("#") == DRAFT4.rstrip("#") else DRAFT6
        return ActionSchema(version, action, kind, file, document, draft, applied)

    def raw(self, version: Version, action: str, kind: str) -> bytes | None:
        """The schema file's bytes as shipped (for `ocppctl schema`)."""
        if action not in version.actions:
            return None
        try:
            return self._loader(f"{version.folder}/{version.schema_file(action, kind)}")
        except FileNotFoundError:
            return None


def _from_fast(error: Any) -> Violation:
    kind = error.kind
    name = type(kind).__name__
    schema_path = tuple(error.schema_path)
    detail: Any = None
    if name in _FAST_KINDS:
        keyword, attr = _FAST_KINDS[name]
        if attr is not None:
            detail = getattr(kind, attr, None)
    else:
        keyword = str(schema_path[-1]) if schema_path else name
    return Violation(tuple(error.instance_path), keyword, error.instance, detail, schema_path, error.message)


_FAST_KINDS: dict[str, tuple[str, str | None]] = {
    "Required": ("required", "property"),
    "AdditionalProperties": ("additionalProperties", "unexpected"),
    "Enum": ("enum", "options"),
    "Type": ("type", "types"),
    "Format": ("format", "format"),
    "MaxLength": ("maxLength", "limit"),
    "MinLength": ("minLength", "limit"),
    "Maximum": ("maximum", "limit"),
    "Minimum": ("minimum", "limit"),
    "MaxItems": ("maxItems", "limit"),
    "MinItems": ("minItems", "limit"),
    "MultipleOf": ("multipleOf", "multiple_of"),
    "AdditionalItems": ("additionalItems", "limit"),
    "UniqueItems": ("uniqueItems", None),
    "ExclusiveMaximum": ("exclusiveMaximum", "limit"),
    "ExclusiveMinimum": ("exclusiveMinimum", "limit"),
    "Constant": ("const", "expected_value"),
    "Pattern": ("pattern", "pattern"),
}


def _from_reference(error: Any, document: dict[str, Any]) -> Violation:
    keyword = error.validator
    detail: Any = error.validator_value
    instance = error.instance
    if keyword == "required":
        missing = [p for p in error.validator_value if isinstance(instance, dict) and p not in instance]
        detail = next((p for p in missing if repr(p) in error.message), missing[0] if missing else None)
    elif keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        detail = [k for k in instance if k not in known] if isinstance(instance, dict) else []
    elif keyword == "type":
        detail = [detail] if isinstance(detail, str) else list(detail)
    path = tuple(error.absolute_path)
    schema_path = tuple(_resolve_schema_path(document, tuple(error.absolute_schema_path)))
    return Violation(path, keyword, instance, detail, schema_path, error.message)


def _resolve_schema_path(document: dict[str, Any], parts: tuple[Any, ...]) -> list[Any]:
    """The path of a failing keyword in the document itself, following each $ref on the way.

    python-jsonschema leaves $ref out of its paths; where a step is missing from a node that
    holds a $ref, the path continues at the referenced definition."""
    resolved: list[Any] = []
    node: Any = document
    for part in parts:
        hops = 0
        while isinstance(node, dict) and part not in node and isinstance(node.get("$ref"), str) and hops < 16:
            target = node["$ref"]
            if not target.startswith("#/"):
                break
            resolved = target[2:].split("/")
            node = document
            for step in resolved:
                node = node[step]
            hops += 1
        resolved.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return resolved
