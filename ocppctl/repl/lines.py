"""A REPL line as data: `ACTION {json}`, `ACTION path=value path:=json ...` or `:meta args`.

Pure, like suggest(): the payload comes from the same reader as `ocppctl send`'s arguments,
and the check of a call is the one the session makes before sending (core.rpc.preflight), so
what the toolbar says as you type is what Enter will meet.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from ocppctl.core.findings import ERROR, Finding
from ocppctl.core.rpc import call_errors
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version
from ocppctl.errors import OcppctlError, UsageFailure
from ocppctl.io.payload_args import item_hints, read_payload


@dataclass(frozen=True)
class CallLine:
    action: str
    payload: Any


@dataclass(frozen=True)
class MetaLine:
    name: str
    argument: str


def _no_stdin() -> bytes:
    raise UsageFailure("- (standard input) cannot be read in the REPL: give the payload on the line")


def payload_of(rest: str) -> Any:
    """The payload of the text after an action: JSON, @FILE, or items (shell-style quoting)."""
    rest = rest.strip()
    if not rest:
        return {}
    if rest.startswith("{"):
        return read_payload((rest,), None, _no_stdin)
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        raise UsageFailure(f"cannot split the items: {exc}") from None
    return read_payload(tuple(words), None, _no_stdin)


def line_items(text: str) -> list[str]:
    """The items of a call line (`Reset type=Immediate evseId=2`); [] for JSON, a meta-command
    or a line that cannot be split."""
    head, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    if head.startswith(":") or not rest or rest.startswith(("{", "@")):
        return []
    try:
        return shlex.split(rest)
    except ValueError:
        return []


def parse_line(text: str) -> CallLine | MetaLine | None:
    """What a line asks for; None for a blank line; UsageFailure when its payload is bad."""
    stripped = text.strip()
    if not stripped:
        return None
    head, *tail = re.split(r"\s+", stripped, maxsplit=1)
    rest = tail[0] if tail else ""
    if head.startswith(":"):
        return MetaLine(head, rest)
    return CallLine(head, payload_of(rest))


def unbalanced(text: str) -> bool:
    """True while the line's JSON payload (`ACTION {...`, `:reply ID {...`) is still open: Enter
    continues the line. Items (`data='{'`) never hold a line open."""
    words = text.lstrip().split(None, 2 if text.lstrip().startswith(":reply") else 1)
    rest = words[-1] if len(words) > (2 if text.lstrip().startswith(":reply") else 1) else ""
    return rest.lstrip().startswith("{") and _depth(rest) > 0


_COMMAND_START = re.compile(r"\s*(?::|([A-Za-z][A-Za-z0-9]*)(?:\s|$))")


def starts_command(line: str) -> bool:
    """Whether a line begins a command (`:meta ...`, `ACTION ...`): never the next line of a JSON
    payload, where a line starts with a string, a number, a bracket or true/false/null."""
    match = _COMMAND_START.match(line)
    return match is not None and match.group(1) not in ("true", "false", "null")


def _depth(text: str) -> int:
    """How many JSON objects and arrays are open at the end of `text` (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return depth


def first_problem(text: str, registry: SchemaRegistry, version: Version, side: str) -> Finding | None:
    """The first error Enter would meet on this line (a call refused, a payload that cannot be
    read), or None when it would go out as it is. Meta-commands are not checked here."""
    try:
        line = parse_line(text)
    except OcppctlError as exc:
        return Finding(ERROR, "payload", exc.message)
    if not isinstance(line, CallLine):
        return None
    errors = item_hints(call_errors(registry, version, side, line.action, line.payload), line_items(text))
    return next(iter(errors), None)
