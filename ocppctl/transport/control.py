"""The client side of a control socket (a hub's, a simulated station's): one JSON request, one
JSON reply; or a hub's live traffic (`watch_hub`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import tempfile
from collections.abc import AsyncIterator
from typing import Any

from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads
from ocppctl.transport.client import LinkError

RECORD_LIMIT = 1 << 26  # the longest record line a watch reads (a frame's raw text is in it, escaped)
CONTROL_LIMIT = 1 << 24  # the longest request or reply line (a payload and two frames' text in it)


class ControlError(LinkError):
    """A control socket or message that cannot be trusted or used: one line, and the exit code
    it ends a command with (docs/exit-codes.md): 2 for a request that is malformed, 5 for a
    control socket path that is refused or a hub's reply that is malformed."""

    def __init__(self, message: str, exit_code: int = 5) -> None:
        super().__init__(message)
        self.exit_code = exit_code


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
    reader, writer = await _connect(path, missing, CONTROL_LIMIT)
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
        server = await asyncio.start_unix_server(client, path)
    except OSError as exc:
        raise LinkError(f"cannot open the control socket {path}: {exc.strerror or exc}") from None
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return server
