"""What to complete at the cursor of a REPL line: a pure function of the text before it.

Lines are `ACTION {json}`, `ACTION path=value path:=json ...` or `:meta args`. The answer says
which kind of thing is being typed (an action, a property, an enum value, a boolean, a
meta-command) and the candidates, property names required first; the prompt-toolkit completer
is a thin adapter over it (tested with tables, as pgcli and litecli do).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version


@dataclass(frozen=True)
class Suggestion:
    kind: str  # action, meta, property, enum, boolean, time, station, pending, folded, file, none
    word: str  # the part of the line the candidates replace
    values: list[str] = field(default_factory=list)


def suggest(
    text: str,
    version: Version,
    side: str,
    registry: SchemaRegistry,
    names: Mapping[str, list[str]] | None = None,
) -> Suggestion:
    """The completion at the end of `text` for a link of `version` seen from `side`; `names`
    holds what the session knows now (station ids, ids of pending calls and folded payloads)."""
    stripped = text.lstrip()
    if stripped.startswith(":"):
        return _meta(stripped, version, side, names or {})
    if " " not in stripped:
        return _actions(stripped, version, side)
    action, rest = stripped.split(" ", 1)
    schema = _schema(registry, version, action)
    if schema is None:
        return Suggestion("none", "")
    if rest.lstrip().startswith("{"):
        return _in_json(rest.lstrip(), schema)
    return _in_items(rest, schema)


def _actions(word: str, version: Version, side: str) -> Suggestion:
    names = sorted(a for a in version.actions if version.may_initiate(a, side))
    return Suggestion("action", word, [n for n in names if n.lower().startswith(word.lower())])


def _meta(text: str, version: Version, side: str, names: Mapping[str, list[str]]) -> Suggestion:
    from ocppctl.repl.commands import COMMANDS

    if " " not in text:
        return Suggestion("meta", text, [m for m in COMMANDS if m.startswith(text)])
    command, argument = text.split(" ", 1)
    found = COMMANDS.get(command)
    kind = found.completes if found is not None else None
    if kind is None or " " in argument:
        return Suggestion("none", argument)
    if kind in ("action", "peer-action"):
        peer = "csms" if side == "station" else "station"
        pool = sorted(a for a in version.actions if kind == "action" or version.may_initiate(a, peer))
        return Suggestion("action", argument, [n for n in pool if n.lower().startswith(argument.lower())])
    if kind == "onoff":
        return Suggestion("meta", argument, [v for v in ("on", "off") if v.startswith(argument)])
    if kind == "file":
        return Suggestion("file", argument)
    return Suggestion(kind, argument, [n for n in names.get(kind, []) if n.startswith(argument)])


def _schema(registry: SchemaRegistry, version: Version, action: str) -> Any:
    if action not in version.actions:
        return None
    kind = "send" if action in version.send_actions else "request"
    compiled = registry.get(version, action, kind)
    return compiled.document if compiled is not None else None


def _resolve(node: Any, document: dict[str, Any]) -> Any:
    for _ in range(16):
        if not isinstance(node, dict) or "$ref" not in node:
            return node
        target: Any = document
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
    return node


def _node_at(document: dict[str, Any], path: list[str | int]) -> Any:
    """The schema node for a payload path (names and indexes), or None."""
    node = _resolve(document, document)
    for step in path:
        if isinstance(step, int):
            node = _resolve(node.get("items", {}), document) if isinstance(node, dict) else None
        else:
            props = node.get("properties", {}) if isinstance(node, dict) else {}
            node = _resolve(props.get(step), document) if step in props else None
        if node is None:
            return None
    return node


def _properties(node: Any, word: str, present: set[str] | None = None) -> list[str]:
    if not isinstance(node, dict):
        return []
    props = node.get("properties", {})
    required = [name for name in node.get("required", []) if name in props]
    ordered = required + sorted(name for name in props if name not in required)
    return [n for n in ordered if n.startswith(word) and n not in (present or set())]


def _values(node: Any, word: str, quoted: bool) -> Suggestion:
    if isinstance(node, dict) and "enum" in node:
        options = [str(v) for v in node["enum"]]
        bare = word.strip('"')
        shown = [f'"{o}"' if quoted else o for o in options if o.startswith(bare)]
        return Suggestion("enum", word, shown)
    if isinstance(node, dict) and node.get("type") == "boolean":
        return Suggestion("boolean", word, [v for v in ("true", "false") if v.startswith(word)])
    return Suggestion("none", word)


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _in_items(rest: str, document: dict[str, Any]) -> Suggestion:
    token = rest.split(" ")[-1]
    for separator in (":=", "="):
        if separator in token:
            path_text, value = token.split(separator, 1)
            node = _node_at(document, _path(path_text))
            if separator == ":=" and isinstance(node, dict) and node.get("format") == "date-time":
                return Suggestion("time", value, [v for v in ("now",) if v.startswith(value)])  # `t:=now-5m`
            return _values(node, value, quoted=False)
    head, dot, word = token.rpartition(".")
    if not dot and "[" in token and token.endswith("]"):
        return Suggestion("none", "")
    node = _node_at(document, _path(head)) if dot else _resolve(document, document)
    return Suggestion("property", word, _properties(node, word))


def _path(text: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _STEP.findall(text)]


@dataclass
class _Container:
    """An object or array open at the cursor, and how it was entered from its parent."""

    kind: str  # object or array
    entered_by: str | int | None  # the parent's key, 0 for an array item, None at the top
    keys: set[str] = field(default_factory=set)
    key: str | None = None  # the key whose value comes next (objects)


def _in_json(text: str, document: dict[str, Any]) -> Suggestion:
    """Walk partial JSON to the cursor: a key or a value expected, inside which containers."""
    open_: list[_Container] = []
    expect = "value"
    word = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            if end is None:  # an unfinished string: the word being typed
                word = text[i:]
                break
            if open_ and open_[-1].kind == "object" and expect == "key":
                open_[-1].key = text[i + 1 : end]
                open_[-1].keys.add(open_[-1].key)
            expect = "colon" if expect == "key" else "comma"
            i = end + 1
            continue
        if ch in "{[":
            parent = open_[-1] if open_ else None
            entered: str | int | None = None
            if parent is not None:
                entered = parent.key if parent.kind == "object" else 0
            open_.append(_Container("object" if ch == "{" else "array", entered))
            expect = "key" if ch == "{" else "value"
        elif ch in "}]":
            if open_:
                open_.pop()
            expect = "comma"
        elif ch == ":":
            expect = "value"
        elif ch == ",":
            expect = "key" if open_ and open_[-1].kind == "object" else "value"
        elif not ch.isspace():
            end = i
            while end < len(text) and text[end] not in ",}] \t\n":
                end += 1
            if end >= len(text):  # an unfinished number, true, false or null
                word = text[i:]
                break
            i = end
            expect = "comma"
            continue
        i += 1
    if not open_:
        return Suggestion("none", word)
    path: list[str | int] = [c.entered_by for c in open_[1:] if c.entered_by is not None]
    top = open_[-1]
    if top.kind == "object" and expect == "key":
        node = _node_at(document, path)
        return Suggestion("property", word, [f'"{n}"' for n in _properties(node, word.strip('"'), top.keys)])
    if top.kind == "object" and expect == "value" and top.key is not None:
        return _values(_node_at(document, [*path, top.key]), word, quoted=True)
    if top.kind == "array" and expect == "value":
        return _values(_node_at(document, [*path, 0]), word, quoted=True)
    return Suggestion("none", word)


def _string_end(text: str, start: int) -> int | None:
    """Index of the quote closing the string that opens at `start`, or None if unfinished."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return None
