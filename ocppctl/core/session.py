"""Correlation of responses to calls, per station connection; the heart of the RPC session.

Unique ids belong to the side that sent the CALL, so open calls are keyed by (caller, id):
both sides of a 1.6 link counting from "1" is no clash. When a capture does not say which side
sent a frame, the caller is None and the id alone matches. Only open calls are kept, so
memory stays flat however long the capture.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

_RECENT = 256  # answered ids kept for CALLRESULTERROR (2.1), which refers to a CALLRESULT


@dataclass(slots=True)
class OpenCall:
    id: str
    action: str
    caller: str | None
    line: int | None = None
    ts: Any = None  # whatever the feeder uses for time (a float clock or an RFC 3339 string)


def other_side(side: str | None) -> str | None:
    if side == "station":
        return "csms"
    if side == "csms":
        return "station"
    return None


class Correlator:
    """Open calls of one station connection."""

    __slots__ = ("open", "_recent")

    def __init__(self) -> None:
        self.open: dict[tuple[str | None, str], OpenCall] = {}
        self._recent: OrderedDict[str, str] = OrderedDict()

    def call(self, call: OpenCall) -> OpenCall | None:
        """Register a CALL; return the call it displaces when its id is still open."""
        key = (call.caller, call.id)
        previous = self.open.get(key)
        self.open[key] = call
        return previous

    def answer(self, uid: str, responder: str | None) -> OpenCall | None:
        """Close and return the open call a CALLRESULT/CALLERROR answers, or None (orphan)."""
        caller = other_side(responder)
        call = self.open.pop((caller, uid), None)
        if call is None and caller is not None:
            call = self.open.pop((None, uid), None)
        if call is None and responder is None:
            call = self.open.pop(("station", uid), None) or self.open.pop(("csms", uid), None)
        if call is not None:
            self._recent[uid] = call.action
            if len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return call

    def answered(self, uid: str) -> str | None:
        """Action of a recently answered call with this id (a CALLRESULTERROR's referent)."""
        return self._recent.get(uid)

    def drain(self) -> list[OpenCall]:
        """Every call still open, oldest first; the correlator is empty afterwards."""
        calls = list(self.open.values())
        self.open.clear()
        return calls
