"""One OCPP-J peer over one WebSocket: the driver under every role (listen's hub, send in both
roles, the simulated station, the REPL's links).

Like websockets' own drivers around its protocol object, this only moves text and time; the
RpcSession decides and checks. What it adds is what OCPP-J asks of a peer:

- one read loop: every frame in or out is checked by the session and told to the observer as a
  Flow (in the order it crossed the wire: a frame is told before it is written);
- one CALL outstanding per direction (OCPP-J 4.1.1): our calls wait their turn in a FIFO queue,
  and a call's timeout counts from when it is sent, not from when it was queued;
- one responder for the peer's calls, guarded: a CALL that breaks its schema, its direction or
  the frame rules gets the CALLERROR the spec names (core/rpcerrors.py) unless `answer_invalid`;
  a responder that fails on a payload gets InternalError; calls the responder asks to make
  afterwards (`after`) join the queue without holding up the reader;
- as a CSMS, calls wait for the station's boot (B02/B01: a CSMS answers the BootNotification
  before it calls), for at most `boot_grace` seconds after the link opened;
- writes bounded in time: a peer that stops reading is dropped, never the event loop stuck;
- one close path: waiters learn why the link ended, observers get one close event;
- as half of a proxy (`forward`), the peer's messages go on to the other link unchanged
  (never answered, never rejected here) but for the answers to calls of ours (injected ones),
  and `relay` writes the other link's messages as they came.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ocppctl.core.frames import CALL, Frame
from ocppctl.core.jsontext import JsonSyntaxError, loads
from ocppctl.core.rpc import Event, Refused, RpcSession, Sent, call_errors
from ocppctl.core.rpcerrors import RpcError, call_error, malformed_error
from ocppctl.errors import LinkError, TimedOut
from ocppctl.io.recorder import utc_stamp
from ocppctl.transport.flow import Flow

Verdict = tuple[str, Any]  # ("result", payload) or ("error", (code, description))
Responder = Callable[[Any, str, Any], Verdict]  # (version, action, payload) -> verdict
After = Callable[[Frame, Verdict], None]  # told once an automatic answer went out
Forward = Callable[[str | bytes, Event], Awaitable[None]]  # the peer's message, to the other link
WRITE_TIMEOUT = 10.0  # seconds a frame may take to leave before the peer is taken to be stuck
RELAY_HOLD = 30.0  # seconds a relayed CALL holds the turn at most when its answer does not come
T = TypeVar("T")
CLOSE_TIMEOUT = 2.0  # seconds the closing handshake may take before the TCP link is dropped


def _unobserved(flow: Flow) -> None:
    """The observer until one is given."""


class Peer:
    """One open link, seen from the session's side. `run()` reads until the link ends."""

    def __init__(
        self,
        socket: Any,
        session: RpcSession,
        number: int,
        observe: Callable[[Flow], None] = _unobserved,
        responder: Responder | None = None,
        *,
        after: After | None = None,
        auto: bool = True,
        answer_invalid: bool = False,
        boot_grace: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        write_timeout: float = WRITE_TIMEOUT,
        forward: Forward | None = None,
    ) -> None:
        self.socket = socket
        self.session = session
        self.number = number
        self.observe = observe
        self.responder = responder
        self.after = after
        self.auto = auto
        self.answer_invalid = answer_invalid
        self.clock = clock
        self.write_timeout = write_timeout
        self.forward = forward
        self.opened_at = clock()
        self.boot_grace = boot_grace
        self.booted = asyncio.Event()  # as a CSMS: a BootNotification was answered Accepted/Pending
        self.closed = asyncio.Event()
        self.why_closed = ""
        self.stuck = ""  # why the link was dropped for not reading, once it was
        self.close_code: int | None = None
        self.close_reason = ""
        self.queued = 0  # our calls waiting for their turn
        self._turn = asyncio.Lock()  # FIFO: the one CALL of ours outstanding
        self._waiters: dict[str, asyncio.Future[Event]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._call_hooks: list[Callable[[Event], None]] = []
        self._ended = False
        self._relayed_call: str | None = None  # the other link's CALL relayed, holding the turn
        self._hold: asyncio.TimerHandle | None = None

    @property
    def station(self) -> str:
        return self.session.station or ""

    @property
    def version(self) -> Any:
        return self.session.version

    def holding(self) -> str | None:
        """Why a call made now would not leave at once, or None: what `send` and the REPL say
        while a call waits."""
        if self.boot_grace is not None and not self.booted.is_set() and not self.closed.is_set():
            left = self.opened_at + self.boot_grace - self.clock()
            if left > 0:
                return f"waiting for {self.station}'s BootNotification (at most {math.ceil(left)} s more; --boot-wait)"
        ahead = self.queued + (1 if self._turn.locked() else 0)
        if ahead:
            return f"queued behind {ahead} call{'s' if ahead > 1 else ''} to {self.station} (one at a time)"
        return None

    def on_call(self, hook: Callable[[Event], None]) -> Callable[[], None]:
        """`hook(event)` for each call of the peer's, after it was answered (or kept); returns
        what unhooks it."""
        self._call_hooks.append(hook)
        return lambda: self._call_hooks.remove(hook)

    # --- reading ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Read the peer's frames until the link ends, then end it here too."""
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in self.socket:
                await self._receive(message)
        except ConnectionClosed:
            pass
        except LinkError:  # our answer could not be written: the link is gone
            pass
        finally:
            await self._end()

    async def _receive(self, message: str | bytes) -> None:
        session = self.session
        event = session.receive(message, self.clock())
        answers = event.call.action if event.call is not None else None
        self._flow(
            session.peer,
            event.text or "",
            event.frame,
            event.findings,
            rtt_ms=event.rtt_ms,
            answers=answers,
            binary=not isinstance(message, str),
        )
        if self.forward is not None and not self._ours(event):
            if event.kind in ("result", "error") and event.frame is not None:
                self._relay_answered(event.frame.id)
            await self.forward(message, event)
            if event.kind == "call":
                for hook in self._call_hooks:
                    hook(event)
            return
        if event.kind in ("result", "error") and event.call is not None:
            future = self._waiters.get(event.call.id)
            if future is not None and not future.done():
                future.set_result(event)
        elif event.kind == "call" and event.frame is not None:
            if self.auto:
                await self._answer(event.frame, event.findings)
            for hook in self._call_hooks:
                hook(event)
        elif event.kind == "malformed":
            await self._reject_malformed(event)

    def _ours(self, event: Event) -> bool:
        """Whether an answer is to a call this peer made (not one it relayed)."""
        return event.kind in ("result", "error") and event.call is not None and event.call.id in self._waiters

    async def _answer(self, frame: Frame, findings: list[Any]) -> None:
        """The peer's call answered: the spec's CALLERROR when it is invalid, else the responder's."""
        verdict = self.verdict(frame, findings)
        await self._write(self.session.respond(frame.id, verdict, self.clock()))
        self._answered(frame.action, verdict)
        if self.after is not None:
            self.after(frame, verdict)

    def verdict(self, frame: Frame, findings: list[Any]) -> Verdict:
        """What this peer answers to the call `frame` in which the checks found `findings`."""
        version = self.session.version
        if not self.answer_invalid:
            error = call_error(self.session.registry, version, frame, findings)
            if error is not None:
                return "error", (error.code, error.description)
        if self.responder is None:
            return "error", ("NotImplemented", f"ocppctl answers no {frame.action} calls on this link")
        try:
            return self.responder(version, frame.action or "", frame.payload)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            return "error", ("InternalError", f"ocppctl failed on this payload: {type(exc).__name__}")

    async def _reject_malformed(self, event: Event) -> None:
        try:
            value = loads(event.text or "")
        except JsonSyntaxError:
            value = None
        error: RpcError | None = malformed_error(self.session.version, value, event.findings)
        if error is not None:
            await self._write(self.session.reject(error.id, error.code, error.description, self.clock()))

    # --- our calls ---------------------------------------------------------------------------------

    async def call(
        self,
        action: str,
        payload: Any,
        timeout: float,
        uid: str | None = None,
        check: bool = True,
        on_sent: Callable[[Sent, float], None] | None = None,
        queue_timeout: float | None = None,
    ) -> Event:
        """Our call, sent when its turn comes; the event answering it. Refused (nothing sent)
        when `check` finds an error; TimedOut when no answer comes within `timeout` of sending
        (or the call waited its turn longer than `queue_timeout`); LinkError when the link ends
        first. `on_sent(sent, seconds_queued)` is told as it leaves."""
        session = self.session
        if check:
            errors = call_errors(session.registry, session.version, session.local, action, payload)
            if errors:
                raise Refused(errors)
        queued_at = self.clock()
        self.queued += 1
        try:
            turn = await self._take_turn(queue_timeout)
        finally:
            self.queued -= 1
        if not turn:
            raise TimedOut(
                f"{action} still queued after {queue_timeout:g} s: {self.station} has not answered the call before it"
            )
        try:
            if self.closed.is_set():
                raise LinkError(self.why_closed)
            # checked above; a unique id of the caller's is checked again: it may be one still open
            sent = session.call(action, payload, self.clock(), timeout, uid=uid, check=check and uid is not None)
            future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
            self._waiters[sent.frame.id] = future
            try:
                await self._write(sent)
                if on_sent is not None:
                    on_sent(sent, self.clock() - queued_at)
                expiry = asyncio.get_running_loop().call_later(timeout, _expire, future)
                try:
                    return await future
                finally:
                    expiry.cancel()
            except TimeoutError:
                raise TimedOut(f"no answer to {action} within {timeout:g} s (--timeout)") from None
            finally:  # answered, timed out or given up (Ctrl-C): a later answer is an orphan
                self._waiters.pop(sent.frame.id, None)
                session.pending.pop(sent.frame.id, None)
        finally:
            self._turn.release()

    def call_soon(self, action: str, payload: Any, timeout: float = 30.0) -> asyncio.Task[Event | None]:
        """A call of ours that nobody awaits (NotifyReport parts after GetBaseReport, the
        station's own messages): queued like any other; its answer reaches observers and hooks."""

        async def make() -> Event | None:
            try:
                return await self.call(action, payload, timeout, check=False)
            except (TimedOut, LinkError):
                return None

        return self.spawn(make())

    async def settle(self, timeout: float) -> None:
        """Wait until no call of ours is open or queued (at most `timeout` seconds): a station
        about to reboot lets its last messages be answered first."""
        deadline = self.clock() + timeout
        await asyncio.sleep(0)  # calls just spawned take their place in the queue first
        while (self.queued or self._turn.locked()) and not self.closed.is_set() and self.clock() < deadline:
            await asyncio.sleep(0.02)

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` beside the reader (a call nobody awaits), kept until it ends. Such work
        ends by itself when the link does: its calls get LinkError."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _take_turn(self, timeout: float | None) -> bool:
        """Wait for the boot, then for the one outstanding call of ours to end; False when
        `timeout` passed first. Whatever ends the wait (a timeout, the caller cancelled), the
        turn is either held and returned, or left for the next in line."""

        if not self._turn.locked() and self._boot_settled():  # the common case: nothing to wait for
            await self._turn.acquire()
            return True

        async def take() -> None:
            await self._wait_for_boot()
            await self._turn.acquire()

        task = asyncio.ensure_future(take())
        try:
            await asyncio.wait({task}, timeout=timeout)
        except BaseException:
            await self._abandon(task)
            raise
        if task.done():
            task.result()
            return True
        await self._abandon(task)
        return False

    async def _abandon(self, task: asyncio.Task[None]) -> None:
        """Stop waiting for the turn; a turn taken meanwhile goes to the next in line."""
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if not task.cancelled() and task.exception() is None:
            self._turn.release()

    def _boot_settled(self) -> bool:
        return self.boot_grace is None or self.booted.is_set() or self.closed.is_set()

    async def _wait_for_boot(self) -> None:
        """As a CSMS, hold calls until the station's boot was answered, or its grace is over."""
        grace = self.boot_grace
        if grace is None or self._boot_settled():
            return
        left = self.opened_at + grace - self.clock()
        if left > 0:
            waiting = [asyncio.ensure_future(self.booted.wait()), asyncio.ensure_future(self.closed.wait())]
            _, pending = await asyncio.wait(waiting, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        if not self.booted.is_set() and not self.closed.is_set() and self.boot_grace is not None:
            self._event("note", message=f"no BootNotification within {self.boot_grace:g} s: calling anyway")
            self.boot_grace = None  # said once

    # --- answers by hand -------------------------------------------------------------------------

    async def reply(self, call_id: str, payload: Any, check: bool = True) -> None:
        sent = self.session.reply(call_id, payload, self.clock(), check=check)
        await self._write(sent)
        self._answered(sent.frame.action, ("result", payload))

    def _answered(self, action: str | None, verdict: Verdict) -> None:
        """As a CSMS, a BootNotification answered Accepted or Pending lets calls go."""
        if action == "BootNotification" and verdict[0] == "result" and _admits(verdict[1]):
            self.booted.set()

    async def fail(self, call_id: str, code: str, description: str, check: bool = True) -> None:
        await self._write(self.session.fail(call_id, code, description, {}, self.clock(), check=check))

    # --- writing and closing -----------------------------------------------------------------------

    async def _write(self, sent: Sent) -> None:
        """Tell the frame, then write it; LinkError when the link is gone or the peer stopped
        reading for `write_timeout` seconds (the link is then dropped)."""
        self._flow(self.session.local, sent.text, sent.frame, sent.findings)
        await self._send(sent.text)

    async def relay(self, message: str | bytes, call_id: str | None = None, hold: float = RELAY_HOLD) -> None:
        """Write a message of the other link exactly as it came (text as text, binary as
        binary); the session learns of it (so the answer matches it), observers do not: the
        peer that read it told them. LinkError as for our own frames.

        `call_id` says the message is a CALL: one CALL outstanding per direction (OCPP-J 4.1.1)
        then holds across the relayed calls and ours: it waits while a call of ours is open
        and takes the turn until its answer comes (at most `hold` seconds), so ours wait for
        it. A relayed CALL while another relayed one is open goes at once: the other link broke
        the rule, and a relay shows that rather than hides it."""
        if call_id is not None and self._relayed_call is None:
            await self._take_turn(None)
            self._relayed_call = call_id
            self._hold = asyncio.get_running_loop().call_later(hold, self._relay_answered, call_id)
        self.session.relayed(message, self.clock())
        await self._send(message)

    def _relay_answered(self, call_id: str) -> None:
        """The relayed CALL `call_id` was answered (or held the turn long enough): the turn is free."""
        if self._relayed_call is None or call_id != self._relayed_call:
            return
        self._relayed_call = None
        if self._hold is not None:
            self._hold.cancel()
        self._turn.release()

    async def _send(self, message: str | bytes) -> None:
        from websockets.exceptions import ConnectionClosed

        from ocppctl.transport.client import closed_reason

        timer = asyncio.get_running_loop().call_later(self.write_timeout, self._stuck)  # no task a frame
        try:
            await self.socket.send(message)
        except ConnectionClosed as exc:
            raise LinkError(self.stuck or closed_reason(exc, waiting=False)) from None
        finally:
            timer.cancel()
        if self.stuck:
            raise LinkError(self.stuck)

    def _stuck(self) -> None:
        """A frame did not leave within `write_timeout`: the peer stopped reading; drop it."""
        self.stuck = f"{self.station} stopped reading: nothing written for {self.write_timeout:g} s"
        self._drop()

    def _drop(self) -> None:
        """End the TCP link now, with no closing handshake (a peer that does not read)."""
        transport = getattr(self.socket, "transport", None)
        if transport is not None:
            transport.abort()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the link (the closing handshake, bounded in time) and wait until it has ended."""
        try:
            await asyncio.wait_for(self.socket.close(code, reason), CLOSE_TIMEOUT)
        except (TimeoutError, OSError):
            self._drop()
        await self._end()

    async def _end(self) -> None:
        if self._ended:
            return
        self._ended = True
        from ocppctl.transport.client import closed_reason

        socket = self.socket
        with contextlib.suppress(TimeoutError, AttributeError):  # a dropped link closes in a moment
            await asyncio.wait_for(socket.wait_closed(), CLOSE_TIMEOUT)
        close_exc = _close_exc(socket)
        self.why_closed = self.stuck or (
            closed_reason(close_exc, waiting=False) if close_exc is not None else "the link was lost"
        )
        self.close_code = getattr(socket, "close_code", None)
        self.close_reason = getattr(socket, "close_reason", None) or ""
        self.closed.set()
        if self._relayed_call is not None:  # calls of ours waiting for the turn learn the link ended
            self._relay_answered(self._relayed_call)
        waiting = self.stuck or (closed_reason(close_exc) if close_exc is not None else self.why_closed)
        for future in self._waiters.values():
            if not future.done():
                future.set_exception(LinkError(waiting))
        self._event("close", code=self.close_code, reason=self.close_reason)

    # --- what observers see ----------------------------------------------------------------------

    def _flow(self, side: str, text: str, frame: Frame | None, findings: list[Any], **extra: Any) -> None:
        self._tell(
            Flow(utc_stamp(), self.station, self.number, side, self.version, text, findings, frame=frame, **extra)
        )

    def _event(self, event: str, **detail: Any) -> None:
        self._tell(Flow(utc_stamp(), self.station, self.number, None, self.version, event=event, detail=detail))

    def opened(self, **detail: Any) -> None:
        """Tell observers the link is open (`subprotocol`, `remote`, ...)."""
        self._event("connect", subprotocol=self.version.subprotocol, **detail)

    def _tell(self, flow: Flow) -> None:
        with contextlib.suppress(Exception):  # an observer's failure (a closed stdout) never ends the link
            self.observe(flow)


class FollowUps:
    """The peer's calls of one action that follow the answer to a call of ours (NotifyReport
    after GetBaseReport): `count` of them, else (until_done) up to the one whose tbc is not
    true, else one. Made before the call is sent, so none is missed."""

    def __init__(self, peer: Peer, action: str, count: int | None, until_done: bool) -> None:
        self.action = action
        self.wanted = count if count is not None else (None if until_done else 1)
        self._arrived: asyncio.Queue[Event] = asyncio.Queue()
        self.stop = peer.on_call(self._seen)

    def _seen(self, event: Event) -> None:
        if event.frame is not None and event.frame.action == self.action:
            self._arrived.put_nowait(event)

    def taken(self, frame: Frame | None) -> bool:
        """Whether a frame is one of the calls gathered here (printers show those apart)."""
        return frame is not None and frame.type == CALL and frame.action == self.action

    async def collect(self, timeout: float, on_found: Callable[[Event], None] | None = None) -> list[Event]:
        """The calls, each within `timeout` of the one before; TimedOut when one does not come."""
        found: list[Event] = []
        while self.wanted is None or len(found) < self.wanted:
            try:
                event = await asyncio.wait_for(self._arrived.get(), timeout)
            except TimeoutError:
                seen = f" after {len(found)}" if found else ""
                raise TimedOut(f"no {self.action} call{seen} within {timeout:g} s (--timeout)") from None
            found.append(event)
            if on_found is not None:
                on_found(event)
            payload = event.frame.payload if event.frame is not None else None
            if self.wanted is None and not (isinstance(payload, dict) and payload.get("tbc") is True):
                break
        return found


def follow_on(event: Event) -> bool:
    """Whether the peer's calls may follow an answer: a CALLRESULT that does not say a status
    other than Accepted (GetBaseReport EmptyResultSet or NotSupported: no NotifyReport comes)."""
    if event.kind != "result" or event.frame is None:
        return False
    payload = event.frame.payload
    return not isinstance(payload, dict) or payload.get("status", "Accepted") == "Accepted"


def remote_of(socket: Any) -> str | None:
    """`host:port` of the other end, when the socket knows it."""
    address = getattr(socket, "remote_address", None)
    return f"{address[0]}:{address[1]}" if address else None


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _close_exc(socket: Any) -> Any:
    """The ConnectionClosed telling how the link ended, or None while websockets does not know."""
    try:
        return socket.protocol.close_exc
    except (AttributeError, AssertionError):
        return None


def _admits(answer: Any) -> bool:
    """A boot answer after which a CSMS may call: Accepted, or Pending (B02: the CSMS may then
    configure the station); not Rejected."""
    return isinstance(answer, dict) and answer.get("status") in ("Accepted", "Pending")
