"""The simulated station's life on the peer engine: connect, boot, heartbeat, answer the CSMS,
and come back when the link drops, as a real station does.

What the station decides (answers, what it does after them, back-off delays, which messages
wait while offline) is handlers/station.py's SimStation; this only keeps time and links:

- a BootNotification when it starts and after each reboot (not after a mere reconnect, as OCPP
  says: 1.6 4.2, 2.0.1 B01), sent again after the interval a Pending or Rejected answer gives;
  heartbeats at the interval in use once a boot was accepted;
- a link that drops (the CSMS closing it, normally or not) is reported and made again after
  the station's back-off (2.0.1 OCPPCommCtrlr RetryBackOff*); `exit_on_close` ends the run
  instead (exit 0 for a normal close, 5 otherwise);
- transaction messages that could not be sent wait offline and go out after the next accepted
  boot, in order;
- Reset reboots: the link is closed, made again at once, and the station boots;
- a control socket takes `sim set` (a value changes as a sensor's would; monitors raise
  NotifyEvent).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import Callable
from typing import Any

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version
from ocppctl.errors import LinkError, TimedOut
from ocppctl.handlers.sim import DeviceModel
from ocppctl.handlers.station import Call, Reboot, SimStation, Step
from ocppctl.io.recorder import ocpp_time, utc_stamp
from ocppctl.transport.client import LinkOptions, connect_peer
from ocppctl.transport.control import decode_message, encode_message, open_control
from ocppctl.transport.flow import Flow
from ocppctl.transport.peer import Peer
from ocppctl.transport.security import ClientSecurity

CALL_TIMEOUT = 30.0  # seconds the station waits for the CSMS's answer to each of its calls
NORMAL_CLOSE = (1000, 1001)


class SimulatedStation:
    """One simulated station across all its connections."""

    def __init__(
        self,
        url: str,
        versions: list[Version],
        registry: SchemaRegistry,
        model: DeviceModel,
        connect_timeout: float,
        security: ClientSecurity,
        options: LinkOptions,
        observe: Callable[[Flow], None],
        *,
        heartbeat: float | None = None,
        exit_on_close: bool = False,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.url = url
        self.versions = versions
        self.registry = registry
        self.model = model
        self.connect_timeout = connect_timeout
        self.security = security
        self.options = options
        self.observe = observe
        self.heartbeat = heartbeat  # --heartbeat: fixed, whatever the CSMS says
        self.exit_on_close = exit_on_close
        self.rand = rand
        self.station: SimStation | None = None
        self.peer: Peer | None = None
        self.offline: list[Call] = []  # transaction messages that wait for the link
        self._reboot = asyncio.Event()
        self._numbers = 0

    # --- the life of the station ---------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, boot and serve until `stop` is set, reconnecting as needed; LinkError when
        the first connection fails, or when a link ends abnormally with `exit_on_close`."""
        attempt = 0
        while not stop.is_set():
            try:
                peer = await self._connect()
            except LinkError as exc:
                if self.station is None:
                    raise  # never connected: most likely a wrong URL or credentials
                delay = self.station.retry_delay(attempt, self.rand())
                attempt += 1
                self._note("reconnect", why=exc.message, attempt=attempt, delay_s=round(delay, 1))
                await _sleep(delay, stop)
                continue
            attempt = 0
            ended = await self._serve(peer, stop)
            if stop.is_set():
                break
            if self._reboot.is_set():
                self._reboot.clear()
                continue  # Reset: boot again at once
            if self.exit_on_close:
                if peer.close_code in NORMAL_CLOSE:
                    return
                raise LinkError(peer.why_closed)
            assert self.station is not None
            delay = self.station.retry_delay(attempt, self.rand())
            attempt += 1
            self._note("reconnect", why=ended, attempt=attempt, delay_s=round(delay, 1))
            await _sleep(delay, stop)

    async def _connect(self) -> Peer:
        self._numbers += 1
        peer: Peer = await connect_peer(
            self.url,
            self.versions,
            self.registry,
            self.connect_timeout,
            security=self.security,
            options=self.options,
            number=self._numbers,
            observe=self.observe,
        )
        if self.station is None:
            self.station = SimStation(self.model, self.registry, peer.version, heartbeat=self.heartbeat)
        station = self.station
        peer.responder = lambda version, action, payload: station.answer(action, payload, ocpp_time())
        peer.after = lambda frame, verdict: self._steps(
            peer, station.after_answer(frame.action or "", frame.payload, verdict, ocpp_time())
        )
        return peer

    async def _serve(self, peer: Peer, stop: asyncio.Event) -> str:
        """One connection's life: boot, heartbeats, the offline queue; why it ended."""
        assert self.station is not None
        self.peer = peer
        self.station.connected()
        reader = asyncio.ensure_future(peer.run())
        living = asyncio.ensure_future(self._live(peer))
        stopping = asyncio.ensure_future(stop.wait())
        rebooting = asyncio.ensure_future(self._reboot.wait())
        try:
            await asyncio.wait({reader, stopping, rebooting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (living, stopping, rebooting):
                task.cancel()
            if not reader.done():
                reason = "reset" if self._reboot.is_set() else "the station is stopping"
                await peer.close(1000, reason)
            await asyncio.gather(reader, living, stopping, rebooting, return_exceptions=True)
            self.station.disconnected()
            self.peer = None
        return peer.why_closed

    async def _live(self, peer: Peer) -> None:
        """Boot until accepted (unless the station was booted before the link dropped: a
        station boots when it reboots, not when its link comes back), then send what waited
        offline, then heartbeat."""
        station = self.station
        assert station is not None
        while not station.booted:
            boot = station.boot(ocpp_time())
            try:
                event = await peer.call(boot.action, boot.payload, CALL_TIMEOUT, check=False)
            except TimedOut:
                continue
            answer = event.frame.payload if event.frame is not None and event.kind == "result" else None
            if isinstance(answer, dict):
                self._steps(peer, station.after_result(boot.action, boot.payload, answer, ocpp_time()))
            if not station.booted:  # Pending or Rejected: again after the interval it gave
                interval = answer.get("interval") if isinstance(answer, dict) else None
                await asyncio.sleep(interval if isinstance(interval, int) and interval > 0 else 60)
        waiting, self.offline = self.offline, []
        for call in waiting:
            self._send(peer, call)
        while True:
            await asyncio.sleep(station.heartbeat_interval())
            self._send(peer, Call("Heartbeat", {}))

    # --- what the station does ---------------------------------------------------------------------

    def _steps(self, peer: Peer, steps: list[Step]) -> None:
        for step in steps:
            if isinstance(step, Reboot):
                self._note("reboot", reason=step.reason)
                self._reboot.set()
                return
            self._send(peer, step)

    def _send(self, peer: Peer | None, call: Call) -> None:
        """A call of the station's, queued on the link; a transaction message waits offline
        when there is no link, or the link ends before it is answered."""
        station = self.station
        if peer is None or peer.closed.is_set():
            if station is not None and call.action in station.transaction_actions:
                self.offline.append(call)
            return

        async def make() -> None:
            assert station is not None
            try:
                event = await peer.call(call.action, call.payload, CALL_TIMEOUT, check=False)
            except LinkError:
                if call.action in station.transaction_actions:
                    self.offline.append(call)
                return
            except TimedOut:
                return
            if event.kind == "result" and event.frame is not None:
                self._steps(peer, station.after_result(call.action, call.payload, event.frame.payload, ocpp_time()))

        peer.spawn(make())

    def set_value(self, component: str, variable: str, value: str) -> int:
        """`sim set`: the value changes; the NotifyEvents its monitors raise are sent (or, with no
        link, dropped); how many events. ValueError when the value does not fit."""
        station = self.station
        if station is None:
            raise ValueError("the station has not connected yet")
        calls = station.set_value(component, variable, value, ocpp_time())
        for call in calls:
            self._send(self.peer, call)
        return sum(len(c.payload.get("eventData", [])) for c in calls if isinstance(c.payload, dict))

    def _note(self, event: str, **detail: Any) -> None:
        peer = self.peer
        version = self.station.version if self.station is not None else self.versions[0]
        name = peer.station if peer is not None else _station_of(self.url)
        with contextlib.suppress(Exception):
            self.observe(Flow(utc_stamp(), name, self._numbers, None, version, event=event, detail=detail))

    # --- the control socket ----------------------------------------------------------------------

    async def control_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One `sim set` request: {"op": "set", "component", "variable", "value"}."""
        try:
            request = decode_message(await reader.readline())
            events = self.set_value(str(request["component"]), str(request["variable"]), str(request["value"]))
            reply: dict[str, Any] = {"ok": True, "events": events}
        except (ValueError, KeyError, TypeError) as exc:
            reply = {"ok": False, "error": str(exc) if isinstance(exc, ValueError) else f"bad control request: {exc}"}
        with contextlib.suppress(ConnectionError):
            writer.write(encode_message(reply))
            await writer.drain()
            writer.close()


async def run_station(station: SimulatedStation, stop: asyncio.Event, control: str | None = None) -> None:
    """Run `station` until `stop` is set, with its control socket at `control`."""
    server = await open_control(control, station.control_client) if control is not None else None
    try:
        await station.run(stop)
    finally:
        if server is not None:
            server.close()
            with contextlib.suppress(OSError):
                os.unlink(str(control))


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    """Sleep, or less when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def _station_of(url: str) -> str:
    from ocppctl.transport.client import station_id

    return station_id(url)
