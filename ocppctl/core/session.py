"""Correlation of responses to calls, per station connection; the heart of the RPC session.

Unique ids belong to the side that sent the CALL, so open calls are keyed by (caller, id):
both sides of a 1.6 link counting from "1" is no clash. When a capture does not say which side
sent a frame, the caller is None and the id alone matches. Only open calls are kept, so
memory stays flat however long the capture.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple

RECENT = 256  # answered ids kept for CALLRESULTERROR (2.1), which refers to a CALLRESULT


class OpenCall(NamedTuple):
    """A CALL waiting for its answer. A tuple, because a capture holds millions of them."""

    id: str
    action: str
    caller: str | None
    line: int | None = None
    ts: Any = None  # whatever the feeder uses for time (a float clock or an RFC 3339 string)
    column: int = 0  # where the frame starts in its line (0: unknown)


def other_side(side: str | None) -> str | None:
    if side == "station":
        return "csms"
    if side == "csms":
        return "station"
    return None


class Correlator:
    """Open calls of one station connection."""

    __slots__ = ("open", "recent")

    def __init__(self) -> None:
        # Values are OpenCall, or plain tuples of the same fields (validate's fast path).
        self.open: dict[tuple[str | None, str], Any] = {}
        self.recent: OrderedDict[str, str] = OrderedDict()

    def call(self, call: OpenCall) -> OpenCall | None:
        """Register a CALL; return the call it displaces when its id is still open."""
        key = (call.caller, call.id)
        previous = self.open.get(key)
        self.open[key] = call
        return _as_call(previous)

    def answer(self, uid: str, responder: str | None) -> OpenCall | None:
        """Close and return the open call a CALLRESULT/CALLERROR answers, or None (orphan)."""
        caller = other_side(responder)
        call = self.open.pop((caller, uid), None)
        if call is None and caller is not None:
            call = self.open.pop((None, uid), None)
        if call is None and responder is None:
            call = self.open.pop(("station", uid), None) or self.open.pop(("csms", uid), None)
        if call is not None:
            call = _as_call(call)
            self.recent[uid] = call.action
            if len(self.recent) > RECENT:
                self.recent.popitem(last=False)
        return call

    def answered(self, uid: str) -> str | None:
        """Action of a recently answered call with this id (a CALLRESULTERROR's referent)."""
        return self.recent.get(uid)

    def drain(self) -> list[OpenCall]:
        """Every call still open, oldest first; the correlator is empty afterwards."""
        calls = [_as_call(call) for call in self.open.values()]
        self.open.clear()
        return calls  # type: ignore[return-value]


def _as_call(value: Any) -> Any:
    """Open calls are stored as plain tuples by validate's fast path; give them their names."""
    if value is None or type(value) is OpenCall:
        return value
    return OpenCall._make(value)
