"""The control protocol's messages, typed, for both ends (docs/listen.md, "Its protocol"): a
client's `Request` and the hub's `Reply`, each with its parse function and its encoding. Neither
end trusts the other's line: anything that does not fit this schema becomes one ControlError,
which carries the exit code the client ends with.

    request  {"op": "stations"} | {"op": "watch"}
             | {"op": "call", "station": str, "action": str, "payload": any JSON,
                "id": str|null, "check": bool, "timeout": seconds, 0 < timeout <= MAX_TIMEOUT}
    reply    {"ok": true, "stations": [str]}
             | {"ok": true, "version": str, "sent": frame text, "sent_findings": [finding],
                "kind": "result"|"error", "answer": frame text, "rtt_ms": number|null,
                "findings": [finding]}
             | {"ok": false, "exit": 1..5, "error": str, and "version", "sent", "sent_findings"
                when the call went out} | {"ok": false, "exit": 1, "refused": [finding]}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from ocppctl.core.findings import SEVERITIES, Finding
from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads
from ocppctl.transport.client import LinkError

MAX_TIMEOUT = 1e6  # seconds (11.6 days): a request's timeout beyond it is refused
FAILURE_EXITS = (1, 2, 3, 4, 5)  # the exit codes a failed reply may carry (docs/exit-codes.md)
OPS = ("stations", "call", "watch")


class ControlError(LinkError):
    """A control socket or message that cannot be trusted or used: one line, and the exit code
    it ends a command with (docs/exit-codes.md): 2 for a request that is malformed (the hub
    replies so), 4 for a reply that did not come in time, 5 for a control socket path that is
    refused or a hub's reply that is malformed."""

    def __init__(self, message: str, exit_code: int = 5) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Request:
    """What a client asks a hub. Build a call with `call_request` (it checks the timeout)."""

    op: str
    station: str = ""
    action: str = ""
    payload: Any = None
    id: str | None = None
    check: bool = True
    timeout: float = 30.0

    def encode(self) -> bytes:
        """One line of exact JSON (core/jsontext: payloads may hold what orjson cannot)."""
        if self.op != "call":
            return dumps({"op": self.op}).encode() + b"\n"
        message = {"op": "call", "station": self.station, "action": self.action, "payload": self.payload}
        message.update(id=self.id, check=self.check, timeout=self.timeout)
        return dumps(message).encode() + b"\n"


def call_request(station: str, action: str, payload: Any, uid: str | None, check: bool, timeout: float) -> Request:
    """A `call` request; ControlError (exit 2) for a timeout that is not a number of seconds in
    (0, MAX_TIMEOUT], before anything is sent."""
    return Request("call", station, action, payload, uid, check, _timeout(timeout))


def parse_request(line: bytes) -> Request:
    """The request in a client's line; ControlError (exit 2, the hub replies with it) when the
    line is no JSON object of the schema above."""
    message = _object(line, "request", 2)
    op = message.get("op")
    if op not in OPS:
        raise ControlError(f"bad control request: unknown op {_show(op)}", 2)
    if op != "call":
        return Request(op)
    station, action, uid = message.get("station"), message.get("action"), message.get("id")
    check = message.get("check", True)
    if not isinstance(station, str) or not station:
        raise ControlError("bad control request: `station` is not a station id", 2)
    if not isinstance(action, str) or not action:
        raise ControlError("bad control request: `action` is not an action name", 2)
    if uid is not None and not isinstance(uid, str):
        raise ControlError("bad control request: `id` is not a string", 2)
    if not isinstance(check, bool):
        raise ControlError("bad control request: `check` is not true or false", 2)
    return Request(
        "call", station, action, message.get("payload", {}), uid, check, _timeout(message.get("timeout", 30))
    )


def _timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):  # Decimal: 1e400
        raise ControlError(f"bad control request: timeout {_show(value)} is not a number of seconds", 2)
    # float() of a 400-digit integer overflows: such a one is simply too long
    seconds = math.inf if isinstance(value, int) and abs(value) > MAX_TIMEOUT else float(value)
    if not 0 < seconds <= MAX_TIMEOUT:  # nan fails this too
        raise ControlError(f"bad control request: timeout {_show(value)} is not in (0, {MAX_TIMEOUT:g}] s", 2)
    return seconds


@dataclass(frozen=True)
class Reply:
    """What a hub answers. `exit` is 0 when `ok`, else one of FAILURE_EXITS; `refused` is set
    when the call was refused before it was sent (its findings)."""

    ok: bool
    exit: int = 0
    error: str | None = None
    stations: list[str] | None = None
    version: str | None = None
    sent: str | None = None
    sent_findings: list[Finding] = field(default_factory=list)
    refused: list[Finding] | None = None
    kind: str | None = None
    answer: str | None = None
    rtt_ms: float | None = None
    findings: list[Finding] = field(default_factory=list)

    def encode(self) -> bytes:
        message: dict[str, Any] = {"ok": self.ok}
        if not self.ok:
            message["exit"] = self.exit
        if self.error is not None:
            message["error"] = self.error
        if self.stations is not None:
            message["stations"] = self.stations
        if self.refused is not None:
            message["refused"] = [f.as_dict() for f in self.refused]
        if self.sent is not None:
            message.update(
                version=self.version, sent=self.sent, sent_findings=[f.as_dict() for f in self.sent_findings]
            )
        if self.answer is not None:
            message.update(kind=self.kind, answer=self.answer, rtt_ms=self.rtt_ms)
            message["findings"] = [f.as_dict() for f in self.findings]
        return dumps(message).encode() + b"\n"


def stations_reply(stations: list[str]) -> Reply:
    return Reply(True, stations=sorted(stations))


def failure_reply(exit_code: int, error: str, sent: Any = None, version: str | None = None) -> Reply:
    """A failed request: `exit` one of FAILURE_EXITS; `sent` (a core.rpc.Sent) when the call
    went out before it failed."""
    if sent is None:
        return Reply(False, exit_code, error)
    return Reply(False, exit_code, error, version=version, sent=sent.text, sent_findings=list(sent.findings))


def refused_reply(findings: list[Finding]) -> Reply:
    """The call broke its schema or direction: nothing was sent (exit 1)."""
    return Reply(False, 1, refused=list(findings))


def answer_reply(version: str, sent: Any, event: Any) -> Reply:
    """The station's answer (a core.rpc.Event, result or error) to the call `sent`."""
    return Reply(
        True,
        version=version,
        sent=sent.text,
        sent_findings=list(sent.findings),
        kind=event.kind,
        answer=event.text,
        rtt_ms=event.rtt_ms,
        findings=list(event.findings),
    )


def parse_reply(line: bytes, path: str) -> Reply:
    """The hub's reply in `line` (from the hub at `path`); ControlError (exit 5) when it does
    not fit the schema above: a client never passes on what it cannot vouch for (an `exit` of
    99, an error with exit 0, an answer that is no frame)."""
    message = _object(line, f"reply from {path}", 5)
    try:
        return _reply(message)
    except (TypeError, ValueError) as exc:
        raise ControlError(f"{path} sent a malformed reply: {exc}") from None


def _reply(message: dict[str, Any]) -> Reply:
    ok = _typed(message, "ok", bool, required=True)
    exit_code = _typed(message, "exit", int, 0 if ok else None)
    if ok and exit_code != 0 or not ok and exit_code not in FAILURE_EXITS:
        raise ValueError(f"exit {_show(message.get('exit'))} with ok {_show(ok)}")
    error = _typed(message, "error", str)
    refused = _findings(message, "refused") if "refused" in message else None
    if not ok and error is None and refused is None:
        raise ValueError("a failure without an error")
    stations = _typed(message, "stations", list)
    if stations is not None and not all(isinstance(s, str) for s in stations):
        raise ValueError("stations are not strings")
    sent = _frame_text(message, "sent")
    answer = _frame_text(message, "answer")
    kind = _typed(message, "kind", str)
    if ok and stations is None and answer is None:
        raise ValueError("neither stations nor an answer")
    if answer is not None and kind not in ("result", "error"):
        raise ValueError(f"kind {_show(kind)} is not result or error")
    rtt = _typed(message, "rtt_ms", (int, float))
    return Reply(
        ok,
        exit_code,
        error,
        stations,
        _typed(message, "version", str),
        sent,
        _findings(message, "sent_findings"),
        refused,
        kind,
        answer,
        None if rtt is None else float(rtt),
        _findings(message, "findings"),
    )


def _typed(message: dict[str, Any], key: str, kind: Any, default: Any = None, required: bool = False) -> Any:
    value = message.get(key)
    if value is None:
        if required:
            raise ValueError(f"no `{key}`")
        return default
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise ValueError(f"`{key}` is {_show(value)}")
    return value


def _frame_text(message: dict[str, Any], key: str) -> str | None:
    """A frame's text (`sent`, `answer`): a JSON array, as the hub read or wrote it."""
    text = _typed(message, key, str)
    if text is not None:
        try:
            value = loads(text)
        except JsonSyntaxError:
            raise ValueError(f"`{key}` is not JSON") from None
        if not isinstance(value, list):
            raise ValueError(f"`{key}` is not a frame")
    return text


_FINDING_FIELDS = {f.name: f for f in fields(Finding)}


def _findings(message: dict[str, Any], key: str) -> list[Finding]:
    items = _typed(message, key, list, [])
    out = []
    for item in items:
        if not isinstance(item, dict) or not set(item) <= set(_FINDING_FIELDS):
            raise ValueError(f"`{key}` holds something that is not a finding")
        for name in ("severity", "code", "message"):
            if not isinstance(item.get(name), str):
                raise ValueError(f"a finding in `{key}` has no {name}")
        if item["severity"] not in SEVERITIES:
            raise ValueError(f"a finding in `{key}` has severity {_show(item['severity'])}")
        for name in ("line", "column"):
            if item.get(name) is not None and (isinstance(item[name], bool) or not isinstance(item[name], int)):
                raise ValueError(f"a finding in `{key}` has {name} {_show(item[name])}")
        for name in ("hint", "path", "file", "station", "id", "action"):
            if item.get(name) is not None and not isinstance(item[name], str):
                raise ValueError(f"a finding in `{key}` has {name} {_show(item[name])}")
        out.append(Finding(**item))
    return out


def _object(line: bytes, what: str, exit_code: int) -> dict[str, Any]:
    try:
        value = loads(line.decode("utf-8"))
    except (UnicodeDecodeError, JsonSyntaxError):
        raise ControlError(f"the {what} is not JSON: {_show_bytes(line)}", exit_code) from None
    if not isinstance(value, dict):
        raise ControlError(f"the {what} is not a JSON object: {_show_bytes(line)}", exit_code)
    return value


def _show(value: Any) -> str:
    """A value from the other end, short, for a message of ours (escaped where it is shown)."""
    text = dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _show_bytes(line: bytes) -> str:
    return repr(line[:60]) + ("..." if len(line) > 60 else "")
