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
from ocppctl.core.rpc import Event, Refused
from ocppctl.errors import LinkError, OcppctlError
from ocppctl.transport.control import decode_message, encode_message, open_control
from ocppctl.transport.csms import Csms
from ocppctl.transport.flow import Flow
from ocppctl.transport.peer import FollowUps, Peer

if TYPE_CHECKING:
    from ocppctl.transport.proxy import Proxy

WATCH_BACKLOG = 10_000  # lines a watcher may fall behind before it is dropped


@dataclass(eq=False)
class _Watcher:
    queue: asyncio.Queue[bytes | None]
    pump: asyncio.Task[None]
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: bool = False


class Watchers:
    """The control socket's `watch` streams. Each watcher has a queue of its own, fed by
    `publish` (so by every observed Flow, see `tee`) and emptied onto its socket by a task of
    its own: a slow reader never holds up the hub, and one that falls `backlog` lines behind is
    dropped (a last `{"ok": false, "error": ...}` line, then the socket closes)."""

    def __init__(self, backlog: int = WATCH_BACKLOG) -> None:
        self.backlog = backlog
        self._watchers: set[_Watcher] = set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._watchers)

    def tee(self, observe: Callable[[Flow], None]) -> Callable[[Flow], None]:
        """`observe`, then every watcher's queue."""

        def both(flow: Flow) -> None:
            observe(flow)
            self.publish(flow)

        return both

    def publish(self, flow: Flow) -> None:
        if not self._watchers:
            return
        line = dumps(flow.as_record()).encode() + b"\n"
        for watcher in self._watchers:
            if watcher.dropped:
                continue  # its serve() is ending
            try:
                watcher.queue.put_nowait(line)
            except asyncio.QueueFull:
                watcher.dropped = True
                watcher.pump.cancel()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, versions: dict[str, str]) -> None:
        """Stream to one control client: `{"ok": true, "stations": [...], "versions": {id:
        version}}`, then a line per Flow, until it hangs up, falls behind, or `close()`."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(max(self.backlog, 1))
        first = {"ok": True, "stations": sorted(versions), "versions": versions}
        queue.put_nowait(dumps(first).encode() + b"\n")
        if self._closed:  # the hub is stopping: the stations line, then the end
            queue.put_nowait(None)
        # registered with no await since `stations` was read: no Flow falls between the two
        watcher = _Watcher(queue, asyncio.ensure_future(_pump(queue, writer)))
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
                error = f"dropped: more than {self.backlog} records behind"
                writer.write(dumps({"ok": False, "exit": errors.CONNECTION, "error": error}).encode() + b"\n")
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


async def _pump(queue: asyncio.Queue[bytes | None], writer: asyncio.StreamWriter) -> None:
    while (line := await queue.get()) is not None:
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
        """Serve until `stop` is set; LinkError if the port (or the control socket) cannot be had."""
        bound = await self.csms.start(host, port)
        try:
            if self.control is not None:
                self._control_server = await open_control(self.control, self._client)
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
            request = decode_message(await reader.readline())
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
            if request.get("op") == "watch":
                versions = {name: version.name for name, version in self.csms.versions_of().items()}
                await self.watchers.serve(reader, writer, versions)
                return
            if request.get("op") == "stations":
                versions = {name: version.name for name, version in self.csms.versions_of().items()}
                reply: dict[str, Any] = {"ok": True, "stations": sorted(versions), "versions": versions}
            elif request.get("op") == "call":
                reply = await self.call(request)
            else:
                reply = {"ok": False, "exit": errors.USAGE, "error": f"unknown op {request.get('op')!r}"}
        except (ValueError, KeyError, TypeError) as exc:
            reply = {"ok": False, "exit": errors.USAGE, "error": f"bad control request: {exc}"}
        with contextlib.suppress(ConnectionError):
            writer.write(encode_message(reply))
            await writer.drain()
            writer.close()

    def _station(self, request: dict[str, Any]) -> Peer:
        """The peer a request names; with no name and one station connected, that one."""
        peers = self.csms.peers
        name = request.get("station") or None
        if name is None and len(peers) == 1:
            return next(iter(peers.values()))
        peer = peers.get(str(name)) if name is not None else None
        if peer is None:
            connected = ", ".join(sorted(peers)) or "none"
            if name is None:
                raise LinkError(f"which station? --station names one (connected: {connected})")
            raise LinkError(f"station {name} is not connected to this hub (connected: {connected})")
        return peer

    async def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """The `call` op: the station's peer makes the call; with `wait` (`action`, `count`,
        `until_done`), the station's calls of that action that follow the answer come back too."""
        try:
            peer = self._station(request)
        except LinkError as exc:
            return {"ok": False, "exit": exc.exit_code, "error": exc.message}
        timeout = float(request.get("timeout", 30))
        reply: dict[str, Any] = {"station": peer.station, "version": peer.version.name}
        wait = request.get("wait")
        follow = None
        if isinstance(wait, dict) and wait.get("action"):
            follow = FollowUps(peer, str(wait["action"]), _count(wait.get("count")), bool(wait.get("until_done")))

        def sent(frame: Any, queued: float) -> None:
            reply.update(sent=frame.text, sent_findings=[f.as_dict() for f in frame.findings], queued_s=queued)

        try:
            event = await peer.call(
                str(request["action"]),
                request.get("payload", {}),
                timeout,
                uid=request.get("id"),
                check=bool(request.get("check", True)),
                on_sent=sent,
                queue_timeout=timeout,
            )
            reply.update(_answer(event), ok=True)
            if follow is not None and event.kind == "result":
                calls = await follow.collect(timeout)
                reply["calls"] = [{"raw": e.text, "findings": [f.as_dict() for f in e.findings]} for e in calls]
        except Refused as refused:
            return {**reply, "ok": False, "exit": errors.FINDINGS, "refused": [f.as_dict() for f in refused.findings]}
        except OcppctlError as exc:  # TimedOut, LinkError
            return {**reply, "ok": False, "exit": exc.exit_code, "error": exc.message}
        finally:
            if follow is not None:
                follow.stop()
        return reply


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _answer(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "answer": event.text,
        "rtt_ms": event.rtt_ms,
        "findings": [f.as_dict() for f in event.findings],
    }
