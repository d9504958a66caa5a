"""The client side of a control socket (a hub's, a simulated station's): one JSON request, one
JSON reply; or a hub's live traffic (`watch_hub`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from typing import Any

from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads
from ocppctl.errors import LinkError

RECORD_LIMIT = 1 << 26  # the longest record line a watch reads (a frame's raw text is in it, escaped)


def encode_message(message: dict[str, Any]) -> bytes:
    """One line of the control protocol. Written and read by the exact JSON of core/jsontext, as
    payloads may hold what orjson cannot carry (integers beyond 64 bits, 1e400, a lone
    surrogate escape)."""
    return dumps(message).encode() + b"\n"


def decode_message(line: bytes) -> Any:
    """The value of a control protocol line; ValueError when it is not JSON."""
    try:
        return loads(line.decode("utf-8"))
    except JsonSyntaxError as exc:
        raise ValueError(exc.message) from None


def no_hub(path: str) -> str:
    """What to say when no hub answers at `path`."""
    return f"no hub at {path}: start `ocppctl listen` (or give --url or --listen)"


def _object_line(path: str, line: bytes) -> dict[str, Any]:
    """The JSON object of a line the other end of `path` sent; LinkError when it is none."""
    try:
        value = decode_message(line)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise LinkError(f"{path} sent a line that is not a JSON object: {line[:80]!r}")
    return value


async def control_request(
    path: str, request: dict[str, Any], missing: str, timeout: float | None = None
) -> dict[str, Any]:
    """Ask what is listening at `path`; LinkError(`missing`) when nothing is."""
    try:
        reader, writer = await asyncio.open_unix_connection(path)
    except OSError:
        raise LinkError(missing) from None
    writer.write(encode_message(request))
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), timeout)
    writer.close()
    if not line:
        raise LinkError(f"{path} closed the control link without an answer")
    return _object_line(path, line)


class HubWatch:
    """A hub's traffic as it flows, from `watch_hub`: `stations`, the ids connected when the
    watch began (sorted), then, iterated, one record per frame or connection event, the dict
    `listen --json` prints (`Flow.as_record`): `ts`, `station`, `conn`, `ocpp`, and either
    `event` (connect|close) with its detail, or `from` (station|csms), `raw`, `findings`.

    Iteration ends when the hub closes the stream (it stopped); LinkError when the hub dropped
    this watch (it fell more than the hub's backlog behind) or the link broke."""

    def __init__(self, path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stations: list[str]):
        self.path = path
        self.stations = stations
        self.versions: dict[str, str] = {}  # station id -> OCPP version, of those in `stations`
        self._reader = reader
        self._writer = writer

    def __aiter__(self) -> HubWatch:
        return self

    async def __anext__(self) -> dict[str, Any]:
        record = await self._next()
        if record is None:
            raise StopAsyncIteration
        return record

    async def _next(self) -> dict[str, Any] | None:
        try:
            line = await self._reader.readline()
        except ValueError:  # longer than RECORD_LIMIT
            raise LinkError(f"{self.path} sent a record over {RECORD_LIMIT} bytes") from None
        except ConnectionError as exc:
            raise LinkError(f"{self.path}: the watch link broke: {exc.strerror or exc}") from None
        if not line:
            return None
        record = _object_line(self.path, line)
        if record.get("ok") is False:  # the hub's last word: why it ends this watch
            raise LinkError(str(record.get("error", "the hub ended the watch")))
        return record

    async def close(self) -> None:
        """Hang up (the hub forgets this watcher); idempotent."""
        if not self._writer.is_closing():
            self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()


@contextlib.asynccontextmanager
async def watch_hub(path: str, missing: str, timeout: float | None = None) -> AsyncIterator[HubWatch]:
    """Watch the traffic of the hub whose control socket is `path` (`{"op": "watch"}`):

        async with watch_hub(path, missing) as feed:
            show(feed.stations)
            async for record in feed:
                show(record)

    LinkError(`missing`) when nothing listens there, LinkError when the hub's first line is no
    `{"ok": true, "stations": [...]}` (within `timeout` seconds, None waits), or is a refusal
    (its `error`). Leaving the block hangs up."""
    try:
        reader, writer = await asyncio.open_unix_connection(path, limit=RECORD_LIMIT)
    except OSError:
        raise LinkError(missing) from None
    feed = HubWatch(path, reader, writer, [])
    try:
        try:
            writer.write(encode_message({"op": "watch"}))
            await writer.drain()
            first = await asyncio.wait_for(feed._next(), timeout)
        except asyncio.TimeoutError:
            raise LinkError(f"{path} did not answer the watch within {timeout:g} s") from None
        except ConnectionError as exc:
            raise LinkError(f"{path}: the watch link broke: {exc.strerror or exc}") from None
        if first is None:
            raise LinkError(f"{path} closed the control link without an answer")
        stations = first.get("stations")
        if first.get("ok") is not True or not isinstance(stations, list):
            raise LinkError(f"{path} answered the watch with {dumps(first)[:200]}")
        feed.stations = [str(s) for s in stations]
        versions = first.get("versions")
        feed.versions = {str(k): str(v) for k, v in versions.items()} if isinstance(versions, dict) else {}
        yield feed
    finally:
        await feed.close()


def hub_answer(reply: dict[str, Any]) -> tuple[Any, Any]:
    """(Sent, Event) from a hub's reply to a `call` op: the frame it sent (None when it sent
    none) and the answer (None when there was none: the reply's `error` and `exit` say why).
    Refused when the hub refused the call before sending it."""
    from ocppctl.core.findings import Finding
    from ocppctl.core.frames import from_value
    from ocppctl.core.jsontext import loads
    from ocppctl.core.rpc import Event, Refused, Sent

    def findings(key: str) -> list[Finding]:
        return [Finding(**data) for data in reply.get(key, [])]

    if "refused" in reply:
        raise Refused(findings("refused"))
    sent = None
    if "sent" in reply:
        frame, _ = from_value(loads(reply["sent"]), None)
        sent = Sent(reply["sent"], frame, findings("sent_findings")) if frame is not None else None
    if not reply.get("ok"):
        return sent, None
    answer, _ = from_value(loads(reply["answer"]), None)
    event = Event(reply["kind"], answer, None, reply.get("rtt_ms"), findings("findings"), reply["answer"])
    return sent, event


def hub_calls(reply: dict[str, Any]) -> list[Any]:
    """The station's calls a hub gathered after the answer (a `call` op with `wait`), as Events."""
    from ocppctl.core.findings import Finding
    from ocppctl.core.frames import from_value
    from ocppctl.core.jsontext import loads
    from ocppctl.core.rpc import Event

    calls = []
    for call in reply.get("calls") or []:
        frame, _ = from_value(loads(call["raw"]), None)
        calls.append(Event("call", frame, findings=[Finding(**f) for f in call.get("findings", [])], text=call["raw"]))
    return calls


def default_control_path(name: str = "hub") -> str:
    """Where a control socket lives when no --control/--via says: under XDG_RUNTIME_DIR, else a
    per-user folder of the system's temp directory (short: Unix socket paths are ~100 bytes)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = (
        os.path.join(runtime, "ocppctl") if runtime else os.path.join(tempfile.gettempdir(), f"ocppctl-{os.getuid()}")
    )
    return os.path.join(folder, f"{name}.sock")


async def open_control(path: str, client: Any) -> Any:
    """The control socket, mode 0600 in a 0700 folder; a stale socket file is replaced, a live
    hub's is not."""
    folder = os.path.dirname(path) or "."
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise LinkError(f"cannot make {folder} for the control socket: {exc.strerror or exc}") from None
    if os.path.exists(path):
        try:
            _, writer = await asyncio.open_unix_connection(path)
        except OSError:
            os.unlink(path)  # left behind by a hub that is gone
        else:
            writer.close()
            raise LinkError(f"a hub already answers at {path} (--control names another socket)")
    old = os.umask(0o177)
    try:
        server = await asyncio.start_unix_server(client, path)
    except OSError as exc:
        raise LinkError(f"cannot open the control socket {path}: {exc.strerror or exc}") from None
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return server
