"""`ocppctl listen`'s hub: a CSMS for any number of stations (transport/csms.py) that other
commands reach through its control socket: `send --via`, `repl --via`, watches of the traffic.

Calls made through the hub are the stations' peers' calls like any other: they wait their turn
(one CALL outstanding per station), and for the station's boot."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ocppctl import errors
from ocppctl.core.jsontext import dumps
from ocppctl.core.rpc import Refused
from ocppctl.errors import LinkError, OcppctlError
from ocppctl.transport.control import (
    ControlError,
    Reply,
    Request,
    answer_reply,
    failure_reply,
    open_control,
    parse_request,
    read_request_line,
    refused_reply,
    sent_progress,
    stations_reply,
)
from ocppctl.transport.csms import Csms
from ocppctl.transport.flow import Flow
from ocppctl.transport.peer import FollowUps, Peer, follow_on

if TYPE_CHECKING:
    from ocppctl.transport.proxy import Proxy

WATCH_BACKLOG = 10_000  # lines a watcher may fall behind before it is dropped
WATCH_BYTES = 1 << 24  # bytes of such lines (16 MiB): frames can be large, the hub's memory is not


@dataclass(eq=False)
class _Watcher:
    queue: asyncio.Queue[bytes | None]
    pump: asyncio.Task[None] = field(init=False)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    queued: int = 0  # bytes in `queue`
    dropped: str = ""  # why it was dropped, once it was


class Watchers:
    """The control socket's `watch` streams. Each watcher has a queue of its own, fed by
    `publish` (so by every observed Flow, see `tee`) and emptied onto its socket by a task of
    its own: a slow reader never holds up the hub, and one that falls `backlog` lines or
    `max_bytes` bytes behind is dropped (its queue emptied at once, a last `{"ok": false,
    "error": ...}` line, then the socket closes)."""

    def __init__(self, backlog: int = WATCH_BACKLOG, max_bytes: int = WATCH_BYTES) -> None:
        self.backlog = backlog
        self.max_bytes = max_bytes
        self._watchers: set[_Watcher] = set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._watchers)

    def tee(self, observe: Callable[[Flow], None]) -> Callable[[Flow], None]:
        """`observe`, then every watcher's queue."""

        def both(flow: Flow) -> None:
            try:
                observe(flow)
            finally:  # a printer that fails (a closed stdout) never starves the watchers
                self.publish(flow)

        return both

    def publish(self, flow: Flow) -> None:
        if not self._watchers:
            return
        line = dumps(flow.as_record()).encode() + b"\n"
        for watcher in self._watchers:
            if watcher.dropped:
                continue  # its serve() is ending
            if watcher.queued + len(line) > self.max_bytes:
                self._drop(watcher, f"dropped: more than {self.max_bytes} bytes behind")
                continue
            try:
                watcher.queue.put_nowait(line)
            except asyncio.QueueFull:
                self._drop(watcher, f"dropped: more than {self.backlog} records behind")
            else:
                watcher.queued += len(line)

    @staticmethod
    def _drop(watcher: _Watcher, why: str) -> None:
        """Let `watcher` go: its backlog freed now, not when its socket is done."""
        watcher.dropped = why
        watcher.pump.cancel()
        while not watcher.queue.empty():
            watcher.queue.get_nowait()
        watcher.queued = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, versions: dict[str, str]) -> None:
        """Stream to one control client: `{"ok": true, "stations": [...], "versions": {id:
        version}}`, then a line per Flow, until it hangs up, falls behind, or `close()`."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(max(self.backlog, 1))
        first = dumps({"ok": True, "stations": sorted(versions), "versions": versions}).encode() + b"\n"
        queue.put_nowait(first)
        if self._closed:  # the hub is stopping: the stations line, then the end
            queue.put_nowait(None)
        # registered with no await since `stations` was read: no Flow falls between the two
        watcher = _Watcher(queue, queued=len(first))
        watcher.pump = asyncio.ensure_future(_pump(watcher, writer))
        self._watchers.add(watcher)
        hangup = asyncio.ensure_future(_until_eof(reader))
        try:
            await asyncio.wait({watcher.pump, hangup}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._watchers.discard(watcher)
            for task in (watcher.pump, hangup):
                task.cancel()
            await asyncio.gather(watcher.pump, hangup, return_exceptions=True)
            if watcher.dropped:
                writer.write(dumps({"ok": False, "exit": errors.CONNECTION, "error": watcher.dropped}).encode() + b"\n")
            writer.close()
            watcher.ended.set()

    async def close(self, grace: float = 2.0) -> None:
        """End every stream: what is queued goes out first (for up to `grace` seconds), then
        the socket closes; returns when every `serve` has."""
        self._closed = True
        watchers = list(self._watchers)
        for watcher in watchers:
            try:
                watcher.queue.put_nowait(None)  # the pump stops there
            except asyncio.QueueFull:
                watcher.pump.cancel()  # that far behind: what is queued is lost
        if not watchers:
            return
        ends = [asyncio.ensure_future(w.ended.wait()) for w in watchers]
        _, late = await asyncio.wait(ends, timeout=grace)
        if late:
            for watcher in watchers:
                watcher.pump.cancel()
            await asyncio.wait(late)


async def _pump(watcher: _Watcher, writer: asyncio.StreamWriter) -> None:
    while (line := await watcher.queue.get()) is not None:
        watcher.queued -= len(line)
        writer.write(line)
        await writer.drain()


async def _until_eof(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(ConnectionError):
        while await reader.read(1 << 16):
            pass  # a watcher has nothing more to say; whatever it sends is ignored


class Hub:
    """A Csms whose stations other commands reach through the control socket at `control`:
    one JSON request a connection, one reply (ops `stations`, `call`), or for `{"op": "watch"}`
    a stream of the traffic (Watchers)."""

    def __init__(self, csms: Csms | Proxy, control: str | None) -> None:
        self.csms = csms
        self.control = control
        self.watchers = Watchers()
        csms.observe = self.watchers.tee(csms.observe)  # every Flow also goes to each watcher
        self._control_server: Any = None

    async def serve(self, host: str, port: int, on_listening: Callable[[str, int], None], stop: asyncio.Event) -> None:
        """Serve until `stop` is set; LinkError if the control socket (checked first: a wrong
        --control is said whatever the port) or the port cannot be had."""
        try:
            if self.control is not None:
                self._control_server = await open_control(self.control, self._client)
            bound = await self.csms.start(host, port)
            on_listening(host, bound)
            await stop.wait()
        finally:
            await self.csms.stop()
            if self._control_server is not None:
                self._control_server.close()
                with contextlib.suppress(OSError):
                    os.unlink(str(self.control))
            await self.watchers.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = parse_request(await read_request_line(reader))
            versions = {name: version.name for name, version in self.csms.versions_of().items()}
            if request.op == "watch":
                await self.watchers.serve(reader, writer, versions)
                return
            reply = stations_reply(versions) if request.op == "stations" else await self.call(request)
        except ControlError as exc:
            reply = failure_reply(exc.exit_code, exc.message)
        with contextlib.suppress(ConnectionError):
            writer.write(reply.encode())
            await writer.drain()
            writer.close()

    def _station(self, name: str) -> Peer:
        """The peer a request names; with no name ("") and one station connected, that one."""
        peers = self.csms.peers
        if not name and len(peers) == 1:
            return next(iter(peers.values()))
        peer = peers.get(name) if name else None
        if peer is None:
            connected = ", ".join(sorted(peers)) or "none"
            if not name:
                raise LinkError(f"which station? --station names one (connected: {connected})")
            raise LinkError(f"station {name} is not connected to this hub (connected: {connected})")
        return peer

    async def call(self, request: Request) -> Reply:
        """The `call` op: the station's peer makes the call; with `wait` (`action`, `count`,
        `until_done`), the station's calls of that action that follow the answer come back too."""
        try:
            peer = self._station(request.station)
        except LinkError as exc:
            return failure_reply(exc.exit_code, exc.message)
        timeout = request.timeout
        progress: dict[str, Any] = {"station": peer.station, "version": peer.version.name}
        wait = request.wait
        follow = FollowUps(peer, wait.action, wait.count, wait.until_done) if wait is not None else None

        def sent(frame: Any, queued: float) -> None:
            progress.update(sent_progress(frame, queued))

        try:
            event = await peer.call(
                request.action,
                request.payload,
                timeout,
                uid=request.id,
                check=request.check,
                on_sent=sent,
                queue_timeout=timeout,
            )
            calls = await follow.collect(timeout) if follow is not None and follow_on(event) else []
            return answer_reply(event, calls, **progress)
        except Refused as refused:
            return refused_reply(refused.findings, **progress)
        except OcppctlError as exc:  # TimedOut, LinkError
            return failure_reply(exc.exit_code, exc.message, **progress)
        except (ValueError, TypeError) as exc:  # a payload the session cannot take
            return failure_reply(errors.USAGE, f"bad control request: {exc}", **progress)
        finally:
            if follow is not None:
                follow.stop()
