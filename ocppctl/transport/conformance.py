"""Runs the checks of core/conformance*.py over a live link, on the peer engine: as a CSMS against
a station (`check station`), as a station against a CSMS (`check csms`).

Every frame of every link of the run is recorded (the observer of the peers) as a `Seen`; a
check's frames are those from its first step to its last; its judge is pure. A call the peer
does not answer in time, or a follow-up that does not come, ends that check's steps: the judge
then says what is missing. A link that ends fails the checks left.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from ocppctl.core.conformance import FAIL, Ask, Await, Check, Outcome, Result, Run, Seen, judge
from ocppctl.core.conformance_station import BootAnswers
from ocppctl.core.frames import CALL
from ocppctl.core.rpc import Refused
from ocppctl.errors import LinkError, TimedOut
from ocppctl.io.recorder import utc_stamp
from ocppctl.transport.flow import Flow
from ocppctl.transport.peer import FollowUps, Peer, Responder


class Recorder:
    """The frames of the run in wire order, for the judges; `changed` wakes those waiting for one."""

    def __init__(self, also: Callable[[Flow], None] | None = None) -> None:
        self.frames: list[Seen] = []
        self.also = also
        self.changed = asyncio.Event()
        self._calls: dict[tuple[str, int, str], str] = {}  # (station, conn, id) -> action of a call

    def observe(self, flow: Flow) -> None:
        frame = flow.frame
        if frame is not None and flow.side is not None:
            answers = flow.answers
            if frame.type == CALL:
                self._calls[(flow.station, flow.conn, frame.id)] = frame.action or ""
            elif answers is None:  # our own answer to the peer's call: the action it answers
                answers = self._calls.get((flow.station, flow.conn, frame.id))
            self.frames.append(Seen(flow.side, frame, tuple(flow.findings), answers))
            self.changed.set()
        if self.also is not None:
            self.also(flow)

    async def wait_for(self, side: str, action: str, count: int, since: int, timeout: float) -> bool:
        """Until `count` calls of `action` by `side` are recorded after index `since`; False when
        `timeout` passes first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            seen = [
                s for s in self.frames[since:] if s.side == side and s.frame.action == action and s.frame.type == CALL
            ]
            if len(seen) >= count:
                return True
            left = deadline - loop.time()
            if left <= 0:
                return False
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return False


class Runner:
    """The checks over one peer (replaced when the tested side reconnects, as after a Reset)."""

    def __init__(
        self,
        peer: Peer,
        recorder: Recorder,
        timeout: float,
        arrivals: asyncio.Queue[Peer] | None = None,
        reconnect_timeout: float = 30.0,
        skew: float = 60.0,
        now: Callable[[], str] = utc_stamp,
    ) -> None:
        self.peer = peer
        self.recorder = recorder
        self.timeout = timeout
        self.arrivals = arrivals
        self.reconnect_timeout = reconnect_timeout
        self.skew = skew
        self.now = now
        self.tested = "station" if peer.session.local == "csms" else "csms"
        self.refused = ""  # why ocppctl could not send a call of the check being run

    async def run(self, checks: tuple[Check, ...], told: Callable[[Result], None] | None = None) -> list[Result]:
        """Each check in turn; `told(result)` as each ends."""
        results: list[Result] = []
        waited = False
        for check in checks:
            if self.peer.closed.is_set() and not waited:  # once: a station that left may come back
                waited = True
                await self._come_back()
            if self.peer.closed.is_set():
                result = Result(check, Outcome(FAIL, f"not run: {self.peer.why_closed}"))
            else:
                result = await self.one(check)
            results.append(result)
            if told is not None:
                told(result)
        return results

    async def one(self, check: Check) -> Result:
        frames = self.recorder.frames
        mark = len(frames)
        for step in check.steps:
            going = await (self._await(step) if isinstance(step, Await) else self._ask(step))
            if not going:
                break
        await asyncio.sleep(0)  # frames told in this turn of the loop are in
        whole = check.whole_run or not (check.steps and isinstance(check.steps[0], Ask))
        mine = frames[:] if whole else frames[mark:]
        outcome = judge(check, Run(tuple(mine), self.now(), self.skew))
        if self.refused:
            outcome, self.refused = Outcome(FAIL, self.refused), ""
        if outcome.status == FAIL and self.peer.closed.is_set():
            outcome = Outcome(FAIL, f"{outcome.why} (the link ended: {self.peer.why_closed})")
        if check.whole_run:  # what it judged: the peer's calls and our answers to them
            ids = {s.frame.id for s in mine if s.side == self.tested and s.frame.type == CALL}
            mine = [s for s in mine if s.frame.id in ids and (s.side == self.tested) == (s.frame.type == CALL)]
        return Result(check, outcome, list(mine))

    async def _await(self, step: Await) -> bool:
        return await self.recorder.wait_for(self.tested, step.action, step.count, 0, self.timeout)

    async def _ask(self, step: Ask) -> bool:
        payload = step.payload
        if callable(payload):
            payload = payload(tuple(self.recorder.frames), self.now())
            if payload is None:  # nothing to ask with (no transaction to stop): the judge says so
                return True
        peer = self.peer
        follows = [FollowUps(peer, e.action, None if e.until_done else e.count, e.until_done) for e in step.expect]
        try:
            event = await peer.call(step.action, payload, self.timeout)
            answer = event.frame.payload if event.kind == "result" and event.frame is not None else None
            state = answer.get("status") if isinstance(answer, dict) else None
            for follow, expect in zip(follows, step.expect, strict=True):
                if event.kind == "result" and (not expect.when or state in expect.when):
                    await follow.collect(self.timeout)
            if step.settle:
                await asyncio.sleep(step.settle)
            if step.reconnect and event.kind == "result" and state == "Accepted":
                return await self._reconnected()
        except (TimedOut, LinkError):
            return False
        except Refused as refused:  # a payload of ours the schema refuses: a bug here, not the peer's
            self.refused = f"ocppctl's own {step.action} was refused before sending: {refused}"
            return False
        finally:
            for follow in follows:
                follow.stop()
        return True

    async def _come_back(self) -> None:
        """A station whose link dropped is given `reconnect_timeout` to connect again (and
        boot), as a station does after its back-off; the checks go on over the new link."""
        if self.arrivals is None:
            return
        with contextlib.suppress(TimeoutError):
            self.peer = await asyncio.wait_for(self.arrivals.get(), self.reconnect_timeout)
            await asyncio.wait_for(self.peer.booted.wait(), self.timeout)

    async def _reconnected(self) -> bool:
        """After a Reset: the station's next link, once it has booted."""
        if self.arrivals is None:
            return False
        try:
            self.peer = await asyncio.wait_for(self.arrivals.get(), self.reconnect_timeout)
            await asyncio.wait_for(self.peer.booted.wait(), self.timeout)
        except TimeoutError:
            return False
        return True


def station_answerer(registry: Any, boots: BootAnswers, now: Callable[[], str] = utc_stamp) -> Responder:
    """The CSMS's default answers (handlers/defaults.py), boots answered as `boots` says."""
    from ocppctl.handlers.defaults import CsmsState, csms_answer

    state = CsmsState()
    heartbeat = state.heartbeat_interval

    def answer(version: Any, action: str, payload: Any) -> tuple[str, Any]:
        if action == "BootNotification":
            state.boot_status, state.heartbeat_interval = boots.next(heartbeat)
        return csms_answer(registry, version, action, payload, now(), state)

    return answer


def chain(first: Callable[[Peer], None] | None, then: Callable[[Peer], None]) -> Callable[[Peer], None]:
    """`first(peer)` then `then(peer)`: a second listener of a Csms's new peers."""

    def both(peer: Peer) -> None:
        if first is not None:
            first(peer)
        then(peer)

    return both


def summary(results: list[Result]) -> dict[str, Any]:
    counts = {"pass": 0, "fail": 0, "skipped": 0}
    for result in results:
        counts[result.outcome.status] += 1
    return {"checks": len(results), **counts}
