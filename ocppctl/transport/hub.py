"""A CSMS for any number of stations (`ocppctl listen`): every frame checked by a session per
connection, the station's calls answered with the default answers, each frame handed to an
observer (the printer, the recorder) as it flows."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core.jsontext import dumps
from ocppctl.core.rpc import Refused, RpcSession
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import BY_SUBPROTOCOL, Version
from ocppctl.handlers.defaults import CsmsState, csms_answerer
from ocppctl.io.recorder import utc_stamp
from ocppctl.transport.client import LinkError, LinkOptions, station_id
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
    stations_reply,
)
from ocppctl.transport.flow import Flow
from ocppctl.transport.security import ServerSecurity

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
                writer.write(dumps({"ok": False, "exit": 5, "error": watcher.dropped}).encode() + b"\n")
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


async def serve_hub(
    host: str,
    port: int,
    versions: list[Version],
    registry: SchemaRegistry,
    state: CsmsState,
    observe: Callable[[Flow], None],
    on_listening: Callable[[str, int], None],
    stop: asyncio.Event,
    security: ServerSecurity | None = None,
    options: LinkOptions | None = None,
    control: str | None = None,
) -> None:
    """Serve until `stop` is set; LinkError if the port (or the control socket) cannot be had.

    With `control`, a Unix socket at that path (mode 0600) lets other commands reach the
    stations connected here (`ocppctl send --via`): one JSON request a connection, one reply
    (ops `stations`, `call`); or, for `{"op": "watch"}`, a stream of the traffic (`Watchers`)."""
    from websockets.exceptions import ConnectionClosed

    watchers = Watchers()
    observe = watchers.tee(observe)  # every Flow below also goes to each watcher
    counter = itertools.count(1)
    answer = csms_answerer(registry, state, utc_stamp)
    stations: dict[str, tuple[Any, RpcSession, Version, int]] = {}
    waiting: dict[tuple[str, str], asyncio.Future[Any]] = {}

    async def handler(connection: Any) -> None:
        name = station_id(connection.request.path)
        version = BY_SUBPROTOCOL.get(str(connection.subprotocol))
        if version is None:
            await connection.close(1002, "no OCPP subprotocol")
            return
        conn = next(counter)
        address = connection.remote_address
        remote = f"{address[0]}:{address[1]}" if address else None
        observe(
            Flow(
                utc_stamp(),
                name,
                conn,
                None,
                version,
                event="connect",
                detail={"subprotocol": version.subprotocol, "remote": remote},
            )
        )
        session = RpcSession(registry, version, "csms", lambda: str(uuid.uuid4()), station=name)
        stations[name] = (connection, session, version, conn)
        code: int | None = None
        reason = ""
        try:
            async for message in connection:
                event = session.receive(message, time.monotonic())
                text = event.text
                timing: dict[str, Any] = {}
                if event.call is not None:  # the answer to a call of the hub's: its round trip
                    timing = {"rtt_ms": event.rtt_ms, "answers": event.call.action}
                observe(
                    Flow(utc_stamp(), name, conn, "station", version, text, event.findings, frame=event.frame, **timing)
                )
                if event.kind in ("result", "error") and event.call is not None:
                    future = waiting.pop((name, event.call.id), None)
                    if future is not None and not future.done():
                        future.set_result(event)
                if event.kind == "call" and event.frame is not None:
                    verdict = answer(version, event.frame.action or "", event.frame.payload)
                    sent = session.respond(event.frame.id, verdict, time.monotonic())
                    await connection.send(sent.text)
                    observe(Flow(utc_stamp(), name, conn, "csms", version, sent.text, sent.findings, frame=sent.frame))
        except ConnectionClosed:
            pass
        finally:
            if stations.get(name, (None,))[0] is connection:
                del stations[name]
            for key in [k for k in waiting if k[0] == name]:
                future = waiting.pop(key)
                if not future.done():
                    future.set_exception(LinkError(f"station {name} closed the link before answering"))
            if connection.close_code is not None:
                code, reason = connection.close_code, connection.close_reason or ""
            observe(
                Flow(utc_stamp(), name, conn, None, version, event="close", detail={"code": code, "reason": reason})
            )

    from ocppctl.transport.server import open_server

    server = await open_server(handler, host, port, versions, security, options)

    async def call(request: Request) -> Reply:
        name = request.station
        entry = stations.get(name)
        if entry is None:
            connected = ", ".join(sorted(stations)) or "none"
            return failure_reply(5, f"station {name} is not connected to this hub (connected: {connected})")
        connection, session, version, conn = entry
        timeout = request.timeout
        try:
            sent = session.call(
                request.action, request.payload, time.monotonic(), timeout, uid=request.id, check=request.check
            )
        except Refused as refused:
            return refused_reply(refused.findings)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        waiting[(name, sent.frame.id)] = future
        await connection.send(sent.text)
        observe(Flow(utc_stamp(), name, conn, "csms", version, sent.text, sent.findings, frame=sent.frame))
        try:
            event = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            waiting.pop((name, sent.frame.id), None)
            error = f"no answer to {sent.frame.action} within {timeout:g} s (--timeout)"
            return failure_reply(4, error, sent, version.name)
        except LinkError as exc:
            return failure_reply(5, exc.message, sent, version.name)
        return answer_reply(version.name, sent, event)

    async def control_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = parse_request(await read_request_line(reader))
            if request.op == "watch":
                await watchers.serve(reader, writer, {name: entry[2].name for name, entry in stations.items()})
                return
            reply = stations_reply(list(stations)) if request.op == "stations" else await call(request)
        except ControlError as exc:
            reply = failure_reply(exc.exit_code, exc.message)
        except (ValueError, TypeError) as exc:  # from the session, on a payload it cannot take
            reply = failure_reply(2, f"bad control request: {exc}")
        with contextlib.suppress(ConnectionError):
            writer.write(reply.encode())
            await writer.drain()
            writer.close()

    control_server = await open_control(control, control_client) if control is not None else None
    try:
        bound = server.sockets[0].getsockname()[1] if server.sockets else port
        on_listening(host, bound)
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        if control_server is not None:
            control_server.close()
            with contextlib.suppress(OSError):
                os.unlink(str(control))
        await watchers.close()
