"""A control socket (a hub's, a simulated station's): where it lives and who may use it
(`open_control`, `check_control_path`); the client side: one JSON request, one JSON reply
(`ask_hub`, typed by control_messages), or a hub's live traffic (`watch_hub`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import tempfile
from collections.abc import AsyncIterator
from typing import Any

from ocppctl.core.frames import from_value
from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads
from ocppctl.core.rpc import Event, Refused, Sent
from ocppctl.errors import LinkError
from ocppctl.transport.control_messages import (  # noqa: F401 - the protocol's names, from here too
    ControlError,
    Reply,
    Request,
    Wait,
    answer_reply,
    call_request,
    failure_reply,
    parse_reply,
    parse_request,
    refused_reply,
    sent_progress,
    stations_reply,
)

RECORD_LIMIT = 1 << 26  # the longest record line a watch reads (a frame's raw text is in it, escaped)
CONTROL_LIMIT = 1 << 24  # the longest request or reply line (a payload and two frames' text in it)


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
    """The JSON object of a line the other end of `path` sent; ControlError when it is none."""
    try:
        value = decode_message(line)
    except ValueError:  # a UnicodeDecodeError too
        value = None
    if not isinstance(value, dict):
        raise ControlError(f"{path} sent a line that is not a JSON object: {line[:80]!r}")
    return value


async def control_request(
    path: str, request: dict[str, Any], missing: str, timeout: float | None = None
) -> dict[str, Any]:
    """Ask what is listening at `path` (a simulated station's `set`, a hub's `stations`): the
    JSON object it answers; LinkError(`missing`) when nothing listens, ControlError when the
    answer is late (exit 4), over CONTROL_LIMIT or no JSON object (exit 5)."""
    return _object_line(path, await _exchange(path, encode_message(request), missing, timeout))


async def read_request_line(reader: asyncio.StreamReader) -> bytes:
    """A client's request line, as the hub's control server reads it (at most CONTROL_LIMIT
    bytes, the limit `open_control` sets); ControlError (exit 2) when longer."""
    try:
        return await reader.readline()
    except ValueError:
        raise ControlError(f"bad control request: over {CONTROL_LIMIT} bytes", 2) from None


async def ask_hub(path: str, request: Request, missing: str, timeout: float | None = None) -> Reply:
    """The hub's reply to a request (`stations`, `call`), checked (`parse_reply`);
    LinkError(`missing`) when no hub listens at `path`, ControlError (with its exit code) for
    anything else amiss."""
    return parse_reply(await _exchange(path, request.encode(), missing, timeout), path)


async def _exchange(path: str, line: bytes, missing: str, timeout: float | None) -> bytes:
    """Send one request line to `path`, read one reply line (at most CONTROL_LIMIT bytes,
    within `timeout` seconds)."""
    reader, writer = await _connect(path, missing, CONTROL_LIMIT)
    try:
        writer.write(line)
        await writer.drain()
        reply = await asyncio.wait_for(reader.readline(), timeout)
    except asyncio.TimeoutError:
        raise ControlError(f"{path} did not answer within {timeout:g} s", 4) from None
    except ValueError:  # no line end within CONTROL_LIMIT
        raise ControlError(f"{path} sent a reply over {CONTROL_LIMIT} bytes") from None
    except ConnectionError as exc:
        raise ControlError(f"{path}: the control link broke: {exc.strerror or exc}") from None
    finally:
        writer.close()
    if not reply:
        raise ControlError(f"{path} closed the control link without an answer")
    return reply


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
    reader, writer = await _connect(path, missing, RECORD_LIMIT)
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


def hub_answer(reply: Reply) -> tuple[Sent | None, Event | None]:
    """(Sent, Event) from a hub's checked reply to a `call` op: the frame it sent (None when it
    sent none) and the answer (None when there was none: the reply's `error` and `exit` say
    why). Refused when the hub refused the call before sending it."""
    if reply.refused is not None:
        raise Refused(reply.refused)
    sent = None
    if reply.sent is not None:
        frame, _ = from_value(loads(reply.sent), None)
        sent = Sent(reply.sent, frame, reply.sent_findings) if frame is not None else None
    if not reply.ok or reply.answer is None:
        return sent, None
    answer, _ = from_value(loads(reply.answer), None)
    return sent, Event(reply.kind or "result", answer, None, reply.rtt_ms, reply.findings, reply.answer)


def hub_calls(reply: Reply) -> list[Event]:
    """The station's calls a hub gathered after the answer (a `call` op with `wait`), as Events."""
    calls = []
    for raw, findings in reply.calls:
        frame, _ = from_value(loads(raw), None)
        calls.append(Event("call", frame, findings=findings, text=raw))
    return calls


def default_control_path(name: str = "hub") -> str:
    """Where a control socket lives when no --control/--via says: `ocppctl/` under
    XDG_RUNTIME_DIR, else `ocppctl-UID/` in the system's temp directory (short: Unix socket
    paths are ~100 bytes). The folder is made and checked by open_control and before each
    connection (`check_control_path`), not here."""
    return os.path.join(_default_folder(), f"{name}.sock")


def _default_folder() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "ocppctl")
    return os.path.join(tempfile.gettempdir(), f"ocppctl-{os.getuid()}")


def _refuse(path: str, why: str) -> ControlError:
    return ControlError(f"refusing the control socket {path}: {why}")


def _check_folder(folder: str, path: str) -> None:
    """The folder of a control socket must be ours and closed to others: whoever can write to
    it can swap the socket for theirs (and read the calls and passwords sent through it).
    Ours means owned by us (or by root, for /run/user and /tmp), not writable by group or
    others unless sticky (like /tmp); the default folder, made by us, exactly: ours, mode
    0700, not a symlink."""
    try:
        info = os.lstat(folder)
    except OSError as exc:
        raise _refuse(path, f"cannot check {folder}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(path, f"{folder} is a symlink")
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse(path, f"{folder} is not a directory")
    mode = stat.S_IMODE(info.st_mode)
    if os.path.abspath(folder) == os.path.abspath(_default_folder()):
        if info.st_uid != os.getuid():
            raise _refuse(path, f"{folder} is owned by uid {info.st_uid}, not by you")
        if mode != 0o700:
            raise _refuse(path, f"{folder} has mode {mode:04o}, not 0700")
        return
    if info.st_uid not in (os.getuid(), 0):
        raise _refuse(path, f"{folder} is owned by uid {info.st_uid}, not by you")
    if mode & 0o022 and not mode & stat.S_ISVTX:
        raise _refuse(path, f"{folder} has mode {mode:04o}: others can write to it")


def _check_socket(path: str) -> bool:
    """True when a socket of ours is at `path`, False when nothing is; refused when anything
    else is (a file, a directory, a symlink, a socket of another user's)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _refuse(path, exc.strerror or str(exc)) from None
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(path, "it is a symlink")
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "it is a directory")
    if not stat.S_ISSOCK(info.st_mode):
        raise _refuse(path, "it is a file, not a socket (ocppctl never replaces one)")
    if info.st_uid != os.getuid():
        raise _refuse(path, f"the socket is owned by uid {info.st_uid}, not by you")
    return True


def check_control_path(path: str) -> bool:
    """Before connecting to a control socket: True when a socket of ours is there, False when
    none is; ControlError when its folder or the file there is not ours (`_check_folder`)."""
    folder = os.path.dirname(path) or "."
    if not os.path.lexists(folder):
        return False
    _check_folder(folder, path)
    return _check_socket(path)


async def _connect(path: str, missing: str, limit: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to the control socket at `path`, checked first (`check_control_path`);
    LinkError(`missing`) when nothing listens there."""
    if not check_control_path(path):
        raise LinkError(missing)
    try:
        return await asyncio.open_unix_connection(path, limit=limit)
    except OSError:
        raise LinkError(missing) from None


async def open_control(path: str, client: Any) -> Any:
    """The control socket, mode 0600 in a folder of ours (`_check_folder`; the default one is
    made 0700); a stale socket of ours is replaced, a live hub's is not, anything else there is
    refused and left alone."""
    folder = os.path.dirname(path) or "."
    if not os.path.lexists(folder):
        try:
            os.makedirs(folder, mode=0o700)
            os.chmod(folder, 0o700)  # whatever the umask
        except FileExistsError:
            pass  # made by someone else meanwhile: checked below
        except OSError as exc:
            raise LinkError(f"cannot make {folder} for the control socket: {exc.strerror or exc}") from None
    _check_folder(folder, path)
    if _check_socket(path):
        try:
            _, writer = await asyncio.open_unix_connection(path)
        except OSError:
            os.unlink(path)  # left behind by a hub that is gone
        else:
            writer.close()
            raise LinkError(f"a hub already answers at {path} (--control names another socket)")
    old = os.umask(0o177)
    try:
        server = await asyncio.start_unix_server(client, path, limit=CONTROL_LIMIT)
    except OSError as exc:
        raise LinkError(f"cannot open the control socket {path}: {exc.strerror or exc}") from None
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return server
