"""The payload a command line or a REPL line gives: a JSON object, @FILE, - (stdin), or request
items (path=value, path:=json), resolved in one place for `send` and the REPL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ocppctl.errors import UsageFailure


def utc_now() -> datetime:
    """The clock `path:=now` items read (the core never reads one itself)."""
    return datetime.now(timezone.utc)


def read_payload(
    args: tuple[str, ...],
    base: dict[str, Any] | None,
    read_stdin: Callable[[], bytes],
    clock: Callable[[], datetime] = utc_now,
) -> Any:
    """The payload the arguments give: a JSON object, @file, - (stdin, read as bytes), or
    request items (`path:=now-5m` reads `clock`)."""
    from ocppctl.core.jsontext import JsonSyntaxError, loads
    from ocppctl.core.payloads import ItemError, apply_items

    source = ""  # what the text below came from
    text: str | None = None
    if len(args) == 1 and args[0].lstrip().startswith("{"):
        source, text = "the payload argument", args[0]
    elif len(args) == 1 and args[0].startswith("@"):
        from ocppctl.errors import InputError
        from ocppctl.io.inputs import read_json_file

        try:
            return _object(read_json_file(args[0][1:]), args[0][1:])
        except InputError as exc:  # a command-line argument: a usage error, as the others here
            raise UsageFailure(exc.message) from None
    elif args == ("-",):
        source = "standard input"
        data = read_stdin()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageFailure(f"{source} is not UTF-8 at byte {exc.start} ({exc.reason})") from None
    if text is not None:
        try:
            value = loads(text)
        except JsonSyntaxError as exc:
            raise UsageFailure(f"{source} is not JSON: {exc.message} (line {exc.line}, column {exc.column})") from None
        return _object(value, source)
    try:
        return apply_items(list(args), base, clock)
    except ItemError as exc:
        raise UsageFailure(f"item {exc.item!r}: {exc.message} (at column {exc.column + 1})") from None


def _object(value: Any, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UsageFailure(f"{source} must hold a JSON object, the payload")
    return value


def item_hints(findings: list[Any], items: list[str]) -> list[Any]:
    """The findings of a call built from `items`, hinted in item terms: a number written
    `path=60` (a string) as `path:=60` (the check's own hint says to drop quotes the user never
    typed), a time that is no RFC 3339 date-time with `path:=now`."""
    from dataclasses import replace

    from ocppctl.core.payloads import string_items

    typed = string_items(items)
    out = []
    for finding in findings:
        written = typed.get(finding.path) if finding.path is not None else None
        if written is not None and finding.hint:
            key, value = written
            if finding.hint.startswith("a number in quotes is a string"):
                finding = replace(finding, hint=f"{key}={value} sets a string: write {key}:={value} for a number")
            elif finding.code == "format" and "date-time" in finding.message:
                finding = replace(finding, hint=f"{finding.hint}; {key}:=now (or now-5m) writes the current time")
        out.append(finding)
    return out
