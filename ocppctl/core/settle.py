"""validate -j's settlement: a checker that starts in the middle of a capture (every range
after the first) defers what depends on the state before its first line, as typed steps; the
checker holding that state settles them in their place (Settling, mixed into the checker core).
cli/validate_jobs.py (validate -j) drives it."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ocppctl.core.session import Correlator

if TYPE_CHECKING:
    from ocppctl.core.checker import Conn, Item
    from ocppctl.core.frames import Frame
    from ocppctl.core.versions import Version

HASH32 = 0xFFFFFFFF  # unique ids noted by a 32-bit hash: a clash only costs a needless re-check
GUESS = object()  # a partial connection's version: the capture's, unless it said otherwise before


@dataclass(frozen=True, slots=True)
class DeferredAnswer:
    """A response that answers no call the range has seen: it may answer one from before it."""

    key: tuple[Any, Any]  # (station, conn)
    item: Item
    frame: Frame
    version: Version | None


@dataclass(frozen=True, slots=True)
class DeferredClose:
    """The first connect or close of a connection in the range: it ends the connection as it
    was before the range."""

    key: tuple[Any, Any]
    line: int


Step = DeferredAnswer | DeferredClose


@dataclass
class Midway:
    """What a checker that starts in the middle of a capture (validate -j: every chunk after the
    first) cannot settle alone, because a connection may have begun before its first line. A
    response that answers no call it has seen, and the first connect or close of a connection,
    are deferred: handed to `defer` in their place in the stream of findings, for the checker
    holding the state before the chunk to settle (Settling.settle). Connections whose
    version had to be assumed are listed in `guessed`; the calls opened on a connection that
    may have begun before the chunk, in `sighted`: pairs of the unique id's hash (32 bits: a
    clash only costs a needless re-check) and the line, counted from `first`."""

    defer: Callable[[Step], None]
    first: int = 1  # the chunk's first line
    evented: set[tuple[Any, Any]] = field(default_factory=set)
    guessed: set[tuple[Any, Any]] = field(default_factory=set)
    sighted: dict[tuple[Any, Any], array[int]] = field(default_factory=dict)


class _Host(Protocol):
    """What Settling needs of the checker it is mixed into."""

    conns: dict[tuple[Any, Any], Conn]
    inferred: Version | None

    def _close(self, key: tuple[Any, Any]) -> None: ...
    def _response(self, item: Item, frame: Frame, version: Version | None, conn: Conn) -> None: ...
    def blank_conn(self) -> Conn: ...


class Settling:
    """The checker's side of the settlement (mixed into FrameChecker)."""

    def settle(self: _Host, step: Step) -> None:
        """Apply, to the state before a chunk, a step its midway checker deferred (see Midway),
        in its place among the chunk's findings: a response is checked as one checker would
        have; a connect or close ends the connection as it was."""
        if isinstance(step, DeferredClose):
            self._close(step.key)
            return
        self._response(step.item, step.frame, step.version, self.conns.get(step.key) or self.blank_conn())

    def can_settle(
        self: _Host,
        first: int,
        sighted: dict[tuple[Any, Any], array[int]],
        steps: Iterable[Step],
        guessed: set[tuple[Any, Any]],
    ) -> bool:
        """Whether a chunk's midway result, settled on this state, is what one checker would
        have given: False when a call in the chunk reused the unique id of a call still open
        from before it (a duplicate-id, or an answer paired otherwise, that the chunk could not
        see), or when the chunk assumed a connection's version that its connect said otherwise."""
        for key in guessed:
            mine = self.conns.get(key)
            if mine is not None and mine.version is not None and mine.version is not self.inferred:
                return False
        hits: list[tuple[int, tuple[Any, Any], str]] = []
        for key, calls in sighted.items():
            mine = self.conns.get(key)
            if mine is None or not mine.correlator.open:
                continue
            before: dict[int, list[str]] = {}  # two ids open may share a hash: each is a suspect
            for _, uid in mine.correlator.open:
                before.setdefault(hash(uid) & HASH32, []).append(uid)
            if before.keys().isdisjoint(calls[0::2]):
                continue
            hits += [
                (first + calls[i + 1], key, uid) for i in range(0, len(calls), 2) for uid in before.get(calls[i], ())
            ]
        if not hits:
            return True
        # Replay the chunk's deferred steps on a copy of the calls open before it, in line order.
        still = {key: Correlator() for _, key, _ in hits}
        for key, copy in still.items():
            copy.open = dict(self.conns[key].correlator.open)
        hits.sort(key=lambda hit: hit[0])
        at = 0
        for step in steps:
            line = step.line if isinstance(step, DeferredClose) else step.item.line
            while at < len(hits) and hits[at][0] < line:
                if _is_open(still[hits[at][1]], hits[at][2]):
                    return False
                at += 1
            replay = still.get(step.key)
            if replay is None:
                continue
            if isinstance(step, DeferredClose):
                replay.open.clear()
            else:
                replay.answer(step.frame.id, step.item.side)
        return not any(_is_open(still[key], uid) for _, key, uid in hits[at:])

    def adopt(self: _Host, conns: dict[tuple[Any, Any], Conn]) -> None:
        """Take over the connections a chunk's checker ended with (after settle): a partial one
        continues the connection from before the chunk, its open calls after those still open
        from before. (Answered ids are not merged: only a CALLRESULTERROR reads them, and a chunk
        holding one is checked by the checker holding the state before it, not midway.)"""
        for key, conn in conns.items():
            mine = self.conns.get(key)
            if conn.sighted is not None:
                if mine is not None:
                    mine.correlator.open.update(conn.correlator.open)
                    continue
                conn.version = None  # it was GUESS (a copy of it, come through a pipe)
                conn.sighted = None
            self.conns[key] = conn


def _is_open(correlator: Correlator, uid: str) -> bool:
    return any(open_uid == uid for _, open_uid in correlator.open)
