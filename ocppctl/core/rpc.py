"""The RPC session of one live OCPP-J link, with no I/O: text in, events and text out.

Like websockets' protocol object, it never touches a socket or reads a clock: the transport
passes received text and the time in, sends the text it gets back, and calls expire() when
next_deadline() comes. Every frame, in or out, is checked and correlated by the same
checker core (core/checker.py) that `ocppctl validate` feeds from a file; the session adds what a live link
needs on top: unique ids for its own calls, deadlines, and events.

An outgoing call or answer that breaks its schema, or a call the local side may not send, is
refused before it is sent (Refused) unless `check=False`: users send bad frames on purpose to
test a peer's error handling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core import checks
from ocppctl.core.checker import CheckOptions, FrameChecker
from ocppctl.core.findings import ERROR, Finding
from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT, SEND, Frame, encode
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.session import other_side
from ocppctl.core.summary import Report, Summary
from ocppctl.core.versions import Version


class Refused(Exception):
    """An outgoing frame that breaks its schema or its direction; nothing was sent."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message if findings else "refused")
        self.findings = findings


@dataclass
class Pending:
    """A call of ours waiting for its answer."""

    id: str
    action: str
    sent_at: float
    deadline: float


@dataclass
class Sent:
    """A frame to send, and what the checks said of it."""

    text: str
    frame: Frame
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Event:
    """Something the peer's text (or the clock) brought.

    kind: call (the peer calls us), send (a 2.1 SEND from the peer), result / error (the
    answer to a call of ours; `call` and `rtt_ms` set), unmatched (an answer to nothing open,
    or a CALLRESULTERROR), malformed (not a usable frame), timeout (a call of ours expired)."""

    kind: str
    frame: Frame | None = None
    call: Pending | None = None
    rtt_ms: float | None = None
    findings: list[Finding] = field(default_factory=list)
    text: str | None = None


class RpcSession:
    """One link, seen from `local` ('station' or 'csms'), speaking one OCPP version."""

    def __init__(
        self,
        registry: SchemaRegistry,
        version: Version,
        local: str,
        new_id: Callable[[], str],
        station: str | None = None,
    ) -> None:
        self.registry = registry
        self.version = version
        self.local = local
        self.peer = other_side(local) or "csms"
        self.station = station
        self._new_id = new_id
        self.summary = Summary()
        self._found: list[Finding] = []
        self._checker = FrameChecker(
            registry, Report(self.summary, self._found.append), "<link>", CheckOptions(version)
        )
        self.pending: dict[str, Pending] = {}
        self.incoming: dict[str, Frame] = {}  # the peer's calls not yet answered, by id

    # --- what we send ------------------------------------------------------------------------

    def call(
        self, action: str, payload: Any, now: float, timeout: float, uid: str | None = None, check: bool = True
    ) -> Sent:
        """A CALL (or a 2.1 SEND) of ours: its text to send; Refused when `check` finds an error."""
        frame = call_frame(self.version, action, payload, uid if uid is not None else self._new_id())
        if check:
            self._refuse_errors(self._preflight_call(frame))
        sent = self._send(frame, now)
        if frame.type == CALL:
            self.pending[frame.id] = Pending(frame.id, action, now, now + timeout)
        return sent

    def reply(self, call_id: str, payload: Any, now: float, check: bool = True) -> Sent:
        """A CALLRESULT answering the peer's call `call_id`."""
        call = self.incoming.get(call_id)
        frame = Frame(CALLRESULT, call_id, call.action if call else None, payload)
        if check and call is None:
            raise Refused([_no_such_call(call_id)])
        if check and call is not None and call.action in self.version.actions:
            schema = self.registry.get(self.version, call.action or "", "response")
            if schema is not None:
                self._refuse_errors(checks.payload_findings(schema, payload, encode(frame), False))
        self.incoming.pop(call_id, None)
        return self._send(frame, now)

    def fail(self, call_id: str, code: str, description: str, details: Any, now: float, check: bool = True) -> Sent:
        """A CALLERROR answering the peer's call `call_id`."""
        frame = Frame(CALLERROR, call_id, None, None, code, description, details if details is not None else {})
        if check:
            found = [f for f in [checks.error_code(self.version, frame)] if f is not None]
            if call_id not in self.incoming:
                found.append(_no_such_call(call_id))
            self._refuse_errors(found)
        self.incoming.pop(call_id, None)
        return self._send(frame, now)

    def reject(self, uid: str, code: str, description: str, now: float) -> Sent:
        """A CALLERROR answering a message that was no usable CALL (core/rpcerrors.py): the
        correlator never saw a call to close, so it is not fed this answer either."""
        frame = Frame(CALLERROR, uid, None, None, code, description, {})
        return Sent(encode(frame), frame)

    def respond(self, call_id: str, verdict: tuple[str, Any], now: float) -> Sent:
        """A handler's verdict on the peer's call, sent as it is (handlers are trusted: no
        check): ("result", payload) a CALLRESULT, ("error", (code, description)) a CALLERROR."""
        kind, body = verdict
        if kind == "result":
            return self.reply(call_id, body, now, check=False)
        return self.fail(call_id, body[0], body[1], {}, now, check=False)

    def relayed(self, message: str | bytes, now: float) -> None:
        """A message of another link sent on as it is (the proxy): correlated as ours so the
        peer's answer matches it, its findings dropped (the session that received it reported
        them). A CALL relayed waits for its answer with no deadline: the caller keeps the time."""
        text = message if isinstance(message, str) else message.decode("utf-8", "replace")
        kind, frame, _ = self._feed(text, self.local, now)
        self._found.clear()
        if frame is None:
            return
        if kind == "call" and frame.type == CALL:
            self.pending[frame.id] = Pending(frame.id, frame.action or "", now, math.inf)
        elif kind == "answer":
            self.incoming.pop(frame.id, None)

    # --- what we receive -----------------------------------------------------------------------

    def receive(self, message: str | bytes, now: float) -> Event:
        """The peer's WebSocket message: what it is, with the findings of the same checks as
        validate. A binary message is read as UTF-8 text all the same, and said to be one."""
        text = message if isinstance(message, str) else message.decode("utf-8", "replace")
        kind, frame, _ = self._feed(text, self.peer, now)
        found = self._take()
        if not isinstance(message, str):
            found.insert(0, checks.binary_message())
        if kind == "call" and frame is not None:
            if frame.type == SEND:
                return Event("send", frame, findings=found, text=text)
            self.incoming[frame.id] = frame
            return Event("call", frame, findings=found, text=text)
        if kind == "answer" and frame is not None:
            mine = self.pending.pop(frame.id, None)
            if mine is None:  # answered after its deadline: we had given up on it
                return Event("unmatched", frame, findings=found, text=text)
            rtt = (now - mine.sent_at) * 1000.0
            return Event("result" if frame.type == CALLRESULT else "error", frame, mine, rtt, found, text)
        if kind in ("orphan", "resulterror"):
            return Event("unmatched", frame, findings=found, text=text)
        return Event("malformed", None, findings=found, text=text)

    def expire(self, now: float) -> list[Event]:
        """Our calls whose deadline has passed: a timeout event each, oldest first."""
        due = [p for p in self.pending.values() if p.deadline <= now]
        for pending in due:
            del self.pending[pending.id]
        return [Event("timeout", call=pending) for pending in sorted(due, key=lambda p: p.deadline)]

    def next_deadline(self) -> float | None:
        """When expire() should next be called, or None with nothing pending."""
        return min((p.deadline for p in self.pending.values()), default=None)

    # --- helpers ---------------------------------------------------------------------------------

    def _preflight_call(self, frame: Frame) -> list[Finding]:
        found = preflight(self.registry, self.version, self.local, frame)
        if frame.id in self.pending:
            found.append(Finding(ERROR, "duplicate-id", f"unique id {frame.id!r} is still waiting for its answer"))
        return found

    def _refuse_errors(self, found: list[Finding]) -> None:
        errors = [f for f in found if f.severity == ERROR]
        if errors:
            raise Refused(errors)

    def _send(self, frame: Frame, now: float) -> Sent:
        text = encode(frame)
        self._feed(text, self.local, now)
        return Sent(text, frame, self._take())

    def _feed(self, text: str, side: str, now: float) -> tuple[str, Frame | None, Any]:
        return self._checker.feed_frame(text, side, now, self.station)

    def _take(self) -> list[Finding]:
        found = list(self._found)
        self._found.clear()
        for finding in found:  # a live frame has no file position
            finding.file = finding.line = finding.column = None
        return found


def call_frame(version: Version, action: str, payload: Any, uid: str) -> Frame:
    """A CALL, or a SEND for the 2.1 actions that are sent without an answer."""
    return Frame(SEND if action in version.send_actions else CALL, uid, action, payload)


def call_errors(registry: SchemaRegistry, version: Version, local: str, action: str, payload: Any) -> list[Finding]:
    """The errors that refuse a call of `action` before it is sent (preflight's, errors only)."""
    found = preflight(registry, version, local, call_frame(version, action, payload, "-"))
    return [f for f in found if f.severity == ERROR]


def preflight(registry: SchemaRegistry, version: Version, local: str, frame: Frame) -> list[Finding]:
    """What is wrong with a call (or SEND) `local` is about to make: an unknown action, a
    direction it may not send, its schema. The REPL's toolbar shows the first as you type."""
    action = frame.action or ""
    if action not in version.actions:
        return [checks.unknown_action(version, action)]
    found = [f for f in [checks.direction(version, frame, local)] if f is not None]
    for finding in found:  # our own call: no record to check, the role is the choice to make
        finding.hint = (
            f"ocppctl is the {'CSMS' if local == 'csms' else 'station'} on this link (--no-validate sends it anyway)"
        )
    kind = "send" if frame.type == SEND else "request"
    schema = registry.get(version, action, kind)
    if schema is not None:
        found += checks.payload_findings(schema, frame.payload, encode(frame), False)
    return found


def _no_such_call(call_id: str) -> Finding:
    return Finding(ERROR, "orphan-response", f"no call {call_id!r} of the peer is waiting for an answer")
