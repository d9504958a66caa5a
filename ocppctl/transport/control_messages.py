"""The control protocol's messages, typed, for both ends (docs/listen.md, "Its protocol"): a
client's `Request` and the hub's `Reply`, each with its parse function and its encoding. Neither
end trusts the other's line: anything that does not fit this schema becomes one ControlError,
which carries the exit code the client ends with.

    request  {"op": "stations"} | {"op": "watch"}
             | {"op": "call", "station": str ("" or absent: the one connected), "action": str,
                "payload": any JSON, "id": str|null, "check": bool,
                "timeout": seconds, 0 < timeout <= MAX_TIMEOUT,
                "wait": null | {"action": str, "count": int >= 1|null, "until_done": bool}}
    reply    {"ok": true, "stations": [str], "versions": {station: version}}
             | {"ok": true, "station": str, "version": str, "sent": frame text,
                "sent_findings": [finding], "queued_s": number, "kind": "result"|"error",
                "answer": frame text, "rtt_ms": number|null, "findings": [finding],
                "calls": [{"raw": frame text, "findings": [finding]}] (with `wait`)}
             | {"ok": false, "exit": 1..5, "error": str, and "station", "version", "sent", ...
                as far as the call went} | {"ok": false, "exit": 1, "refused": [finding], ...}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from ocppctl.core.findings import SEVERITIES, Finding
from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads
from ocppctl.errors import LinkError

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
class Wait:
    """send --wait: the station's calls of `action` that follow the answer (`count` of them,
    else until one's tbc is not true with `until_done`, else one)."""

    action: str
    count: int | None = None
    until_done: bool = False


@dataclass(frozen=True)
class Request:
    """What a client asks a hub. Build a call with `call_request` (it checks the timeout)."""

    op: str
    station: str = ""  # "" for a call: the one station connected
    action: str = ""
    payload: Any = None
    id: str | None = None
    check: bool = True
    timeout: float = 30.0
    wait: Wait | None = None

    def encode(self) -> bytes:
        """One line of exact JSON (core/jsontext: payloads may hold what orjson cannot)."""
        if self.op != "call":
            return dumps({"op": self.op}).encode() + b"\n"
        message = {"op": "call", "station": self.station, "action": self.action, "payload": self.payload}
        message.update(id=self.id, check=self.check, timeout=self.timeout)
        if self.wait is not None:
            message["wait"] = {"action": self.wait.action, "count": self.wait.count, "until_done": self.wait.until_done}
        return dumps(message).encode() + b"\n"


def call_request(
    station: str | None,
    action: str,
    payload: Any,
    uid: str | None,
    check: bool,
    timeout: float,
    wait: Wait | None = None,
) -> Request:
    """A `call` request; ControlError (exit 2) for a timeout that is not a number of seconds in
    (0, MAX_TIMEOUT], before anything is sent."""
    return Request("call", station or "", action, payload, uid, check, _timeout(timeout), wait)


def parse_request(line: bytes) -> Request:
    """The request in a client's line; ControlError (exit 2, the hub replies with it) when the
    line is no JSON object of the schema above."""
    message = _object(line, "request", 2)
    op = message.get("op")
    if op not in OPS:
        raise ControlError(f"bad control request: unknown op {_show(op)}", 2)
    if op != "call":
        return Request(op)
    station, action, uid = message.get("station") or "", message.get("action"), message.get("id")
    check = message.get("check", True)
    if not isinstance(station, str):
        raise ControlError("bad control request: `station` is not a station id", 2)
    if not isinstance(action, str) or not action:
        raise ControlError("bad control request: `action` is not an action name", 2)
    if uid is not None and not isinstance(uid, str):
        raise ControlError("bad control request: `id` is not a string", 2)
    if not isinstance(check, bool):
        raise ControlError("bad control request: `check` is not true or false", 2)
    timeout = _timeout(message.get("timeout", 30))
    return Request("call", station, action, message.get("payload", {}), uid, check, timeout, _wait(message.get("wait")))


def _wait(value: Any) -> Wait | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ControlError("bad control request: `wait` is not an object", 2)
    action, count, until_done = value.get("action"), value.get("count"), value.get("until_done", False)
    if not isinstance(action, str) or not action:
        raise ControlError("bad control request: `wait.action` is not an action name", 2)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10**6):
        raise ControlError(f"bad control request: `wait.count` {_show(count)} is not a count", 2)
    if not isinstance(until_done, bool):
        raise ControlError("bad control request: `wait.until_done` is not true or false", 2)
    return Wait(action, count, until_done)


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
    when the call was refused before it was sent (its findings); `calls` are the station's
    calls gathered for `wait`, as (frame text, findings)."""

    ok: bool
    exit: int = 0
    error: str | None = None
    stations: list[str] | None = None
    versions: dict[str, str] = field(default_factory=dict)
    station: str | None = None
    version: str | None = None
    sent: str | None = None
    sent_findings: list[Finding] = field(default_factory=list)
    queued_s: float | None = None
    refused: list[Finding] | None = None
    kind: str | None = None
    answer: str | None = None
    rtt_ms: float | None = None
    findings: list[Finding] = field(default_factory=list)
    calls: list[tuple[str, list[Finding]]] = field(default_factory=list)

    def encode(self) -> bytes:
        message: dict[str, Any] = {"ok": self.ok}
        if not self.ok:
            message["exit"] = self.exit
        if self.error is not None:
            message["error"] = self.error
        if self.stations is not None:
            message.update(stations=self.stations, versions=self.versions)
        for key in ("station", "version"):
            if getattr(self, key) is not None:
                message[key] = getattr(self, key)
        if self.refused is not None:
            message["refused"] = [f.as_dict() for f in self.refused]
        if self.sent is not None:
            message.update(sent=self.sent, sent_findings=[f.as_dict() for f in self.sent_findings])
            message["queued_s"] = self.queued_s
        if self.answer is not None:
            message.update(kind=self.kind, answer=self.answer, rtt_ms=self.rtt_ms)
            message["findings"] = [f.as_dict() for f in self.findings]
        if self.calls:
            message["calls"] = [{"raw": raw, "findings": [f.as_dict() for f in found]} for raw, found in self.calls]
        return dumps(message).encode() + b"\n"


# The builders the hub replies with. `progress` is how far a call went, as Reply's fields:
# station, version, and once it was sent, sent, sent_findings, queued_s (`sent_progress`).


def stations_reply(versions: dict[str, str]) -> Reply:
    """The stations connected (sorted), each with its OCPP version."""
    return Reply(True, stations=sorted(versions), versions=dict(versions))


def sent_progress(sent: Any, queued_s: float) -> dict[str, Any]:
    """A Reply's fields for the call's frame (a core.rpc.Sent, or a frame with `text` and
    `findings`) once sent, after `queued_s` seconds waiting its turn."""
    return {"sent": sent.text, "sent_findings": list(sent.findings), "queued_s": queued_s}


def failure_reply(exit_code: int, error: str, **progress: Any) -> Reply:
    """A failed request: `exit` one of FAILURE_EXITS."""
    return Reply(False, exit_code, error, **progress)


def refused_reply(findings: list[Finding], **progress: Any) -> Reply:
    """The call broke its schema or direction: nothing was sent (exit 1)."""
    return Reply(False, 1, refused=list(findings), **progress)


def answer_reply(event: Any, calls: list[Any] | None = None, **progress: Any) -> Reply:
    """The station's answer (a core.rpc.Event, result or error) to the call, and the calls
    gathered for `wait` (Events)."""
    gathered = [(str(call.text), list(call.findings)) for call in calls or []]
    answer = {"kind": event.kind, "answer": event.text, "rtt_ms": event.rtt_ms, "findings": list(event.findings)}
    return Reply(True, **answer, calls=gathered, **progress)


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
    queued = _typed(message, "queued_s", (int, float))
    versions = _typed(message, "versions", dict, {})
    if not all(isinstance(v, str) for v in versions.values()):
        raise ValueError("versions are not strings")
    calls = []
    for call in _typed(message, "calls", list, []):
        if not isinstance(call, dict):
            raise ValueError("`calls` holds something that is not a call")
        raw = _frame_text(call, "raw")
        if raw is None:
            raise ValueError("a call without `raw`")
        calls.append((raw, _findings(call, "findings")))
    return Reply(
        ok,
        exit_code,
        error,
        stations,
        versions,
        _typed(message, "station", str),
        _typed(message, "version", str),
        sent,
        _findings(message, "sent_findings"),
        None if queued is None else float(queued),
        refused,
        kind,
        answer,
        None if rtt is None else float(rtt),
        _findings(message, "findings"),
        calls,
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
