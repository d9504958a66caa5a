"""One OCPP-J frame of live traffic as terminal text, for the REPL (printed above the prompt).

Pure: the caller owns the clock and the terminal. Everything that came from the peer goes
through escape(), so a control character in a frame is shown, never obeyed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ocppctl.core.findings import Finding, pointer
from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT, CALLRESULTERROR, SEND, TYPE_NAMES, Frame
from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads
from ocppctl.render.findings import finding_text
from ocppctl.render.highlight import highlight_json
from ocppctl.render.style import escape, escape_line, escape_lines, paint

_TYPE_COLORS = {CALL: "cyan", SEND: "cyan", CALLRESULT: "green", CALLERROR: "brightred", CALLRESULTERROR: "brightred"}


@dataclass(slots=True)
class Rendered:
    """What to print (no trailing newline); `folded` tells the REPL that `:show ID` has more."""

    text: str
    folded: bool


def traffic_text(
    *,
    ts: str,
    station: str,
    outgoing: bool,
    frame: Frame | None,
    text: str,
    action: str | None = None,
    findings: Sequence[Finding] = (),
    rtt_ms: float | None = None,
    color: bool = False,
    max_lines: int = 20,
) -> Rendered:
    """Header, payload (folded beyond max_lines), decoded DataTransfer data, customData, findings.

    `action` names the call a CALLRESULT/CALLERROR answers: response frames carry none.
    """
    head = f"{paint('faint', ts[11:23], color)} {paint('bold', escape_line(station), color)} {'→' if outgoing else '←'}"
    if frame is None:
        lines, folded = [f"{head} {escape(text)}"], False
    else:
        lines, folded = _frame_lines(head, frame, frame.action or action, rtt_ms, color, max_lines)
    lines += ["    " + finding_text(f, color).replace("\n", "\n    ") for f in findings]
    return Rendered("\n".join(lines), folded)


def _frame_lines(
    head: str, frame: Frame, action: str | None, rtt_ms: float | None, color: bool, max_lines: int
) -> tuple[list[str], bool]:
    """Header, payload, decoded DataTransfer data, customData marks; and whether any was folded."""
    lines, folded = _body(frame, color, max_lines)
    if action == "DataTransfer" and isinstance(frame.payload, dict):
        decoded, cut = _decoded(frame.payload.get("data"), frame.id, color, max_lines)
        lines, folded = lines + decoded, folded or cut
    lines += _custom_data(frame.payload if frame.error_code is None else frame.error_details, color)
    return [f"{head} {_header(frame, action, rtt_ms, color)}", *lines], folded


def _header(frame: Frame, action: str | None, rtt_ms: float | None, color: bool) -> str:
    """`TYPE ACTION ID (12.3 ms)`, the type and action coloured by outcome."""
    label = " ".join(str(x) for x in (TYPE_NAMES.get(frame.type, "?"), action) if x)
    text = f"{paint(_TYPE_COLORS.get(frame.type, ''), escape_line(label), color)} {escape_line(str(frame.id))}"
    return text if rtt_ms is None else f"{text} ({rtt_ms:.1f} ms)"


def _body(frame: Frame, color: bool, max_lines: int) -> tuple[list[str], bool]:
    """The payload; for an error, `errorCode: "description"` and then any errorDetails."""
    if frame.error_code is None:
        return _block(_json(frame.payload), "  ", frame.id, color, max_lines)
    description = _json(frame.error_description or "", indent=False)
    lines = [f"  {paint('brightred', escape_line(str(frame.error_code)), color)}: {description}"]
    if not frame.error_details:
        return lines, False
    details, folded = _block(_json(frame.error_details), "  ", frame.id, color, max_lines)
    return lines + details, folded


def _block(pretty: str, indent: str, frame_id: str, color: bool, max_lines: int) -> tuple[list[str], bool]:
    """Pretty JSON lines, indented, the tail beyond max_lines folded; only kept lines highlighted."""
    lines = pretty.split("\n")
    total = len(lines)
    if total > max_lines:
        lines = lines[: max(max_lines - 1, 0)]
    more = total - len(lines)
    if color and lines:
        painted = highlight_json("\n".join(lines)).split("\n")
        lines = painted if len(painted) == len(lines) else lines
    out = [indent + line for line in lines]
    if more:
        out.append(f"{indent}… {more} more lines (:show {escape_line(str(frame_id))})")
    return out, bool(more)


def _decoded(data: Any, frame_id: str, color: bool, max_lines: int) -> tuple[list[str], bool]:
    """DataTransfer's `data` often carries JSON as a string: show an object or array decoded."""
    if not isinstance(data, str):
        return [], False
    try:
        value = loads(data)
    except (JsonSyntaxError, ValueError, RecursionError):
        return [], False
    if not isinstance(value, (dict, list)):
        return [], False
    block, folded = _block(_json(value), "    ", frame_id, color, max_lines)
    return ["  data, decoded:", *block], folded


def _custom_data(value: Any, color: bool) -> list[str]:
    """A line per object holding customData, at any depth (a stack: deep nesting cannot recurse)."""
    out: list[str] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if "customData" in node:
                where = escape_line(pointer([*path, "customData"]))
                out.append(paint("magenta", f"  ★ customData at {where}: {_vendor(node['customData'])}", color))
            children: list[tuple[str | int, Any]] = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        stack.extend((child, (*path, key)) for key, child in reversed(children))
    return out


def _vendor(custom: Any) -> str:
    """`vendorId "X", 3 more keys`: whose extension it is, and how much else it carries."""
    if not isinstance(custom, dict):
        return "not an object"
    others = len(custom) - ("vendorId" in custom)
    text = f"vendorId {_json(custom['vendorId'], indent=False)}" if "vendorId" in custom else "no vendorId"
    if others:
        text += f", {others} {'more ' if 'vendorId' in custom else ''}key{'' if others == 1 else 's'}"
    return text


def _json(value: Any, indent: bool = True) -> str:
    """JSON in received key order, escaped (orjson leaves C1 controls be); whatever our parsers
    returned can be written, at any depth (jsontext.dumps); a value no parser of ours makes is
    named instead."""
    try:
        text = dumps(value, indent=indent)
    except TypeError:
        text = "(a value too odd to show)"
    return escape_lines(text)
