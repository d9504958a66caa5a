"""Output of long-running commands (listen, sim station) that never holds up the event loop.

A terminal that scrolls slowly, a pipe nobody reads (`listen | less`, stopped) or one closed by
its reader (`listen | head`) must not stop the hub: its stations are served and recorded
whatever becomes of the printing. `TerminalOut` is a file-like object (`write`, `flush`) whose
writes only queue text; a thread of its own writes it out. When the queue is full, lines are
dropped and counted, and `... N lines dropped` (with --json: `{"dropped": N}`) is printed once
the reader catches up; when the reader is gone (EPIPE), printing stops and the rest is
discarded.

    out = TerminalOut(env.stdout)
    printer = Printer(out.env_with(env))  # it calls env.stdout.write(line)
    ...
    out.close()  # what is queued goes out, for up to `timeout` seconds
"""

from __future__ import annotations

import collections
import contextlib
import os
import select
import threading
from dataclasses import replace
from typing import IO, TextIO, cast

from ocppctl.cli.env import Env

MAX_LINES = 100_000  # queued writes (a line each, as the printers write them): a burst, not a backlog
MAX_BYTES = 16 << 20  # queued text, in characters: what the queue may hold in memory


class TerminalOut:
    """A bounded, non-blocking stand-in for a text stream (see the module's docstring)."""

    def __init__(
        self, stream: IO[str], as_json: bool = False, max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES
    ) -> None:
        """`as_json`: the notice of dropped lines is a JSON line too, `{"dropped": N}`."""
        self.stream = stream
        self.as_json = as_json
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.dropped = 0  # lines dropped in all (shown ones and those still to show)
        self.broken = False  # the reader is gone: nothing more is printed
        self._queue: collections.deque[str] = collections.deque()
        self._size = 0
        self._unreported = 0  # dropped since the last `... N lines dropped`
        self._closing = False
        self._lock = threading.Condition()
        self._fd = _fd_of(stream)
        self._encoding = getattr(stream, "encoding", None) or "utf-8"
        self._thread = threading.Thread(target=self._run, name="ocppctl-terminal-out", daemon=True)
        self._thread.start()

    def write(self, text: str) -> int:
        """Queue `text` (never blocks); dropped, and counted, when the queue is full."""
        with self._lock:
            if self.broken or self._closing:
                return len(text)
            if len(self._queue) >= self.max_lines or self._size + len(text) > self.max_bytes:
                self.dropped += text.count("\n") or 1
                self._unreported += text.count("\n") or 1
                return len(text)
            self._queue.append(text)
            self._size += len(text)
            self._lock.notify()
        return len(text)

    def env_with(self, env: Env) -> Env:
        """`env` writing its stdout here (what a printer is given)."""
        return replace(env, stdout=cast(TextIO, self))

    def flush(self) -> None:
        """Nothing to do: the writer thread flushes each write."""

    def isatty(self) -> bool:
        with contextlib.suppress(AttributeError, ValueError, OSError):
            return bool(self.stream.isatty())
        return False

    def close(self, timeout: float = 1.0) -> None:
        """Stop taking text; let the thread write what is queued for up to `timeout` seconds
        (a reader that does not read gets no more time). The stream itself is not closed."""
        with self._lock:
            self._closing = True
            self._lock.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closing:
                    self._lock.wait()
                if not self._queue and not self._unreported:
                    return  # closing, and everything is out
                chunk = "".join(self._queue)
                self._queue.clear()
                self._size = 0
                if self._unreported:
                    chunk = self._notice(self._unreported) + chunk
                    self._unreported = 0
            try:
                self._out(chunk)
            except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
                with self._lock:  # the reader is gone (or the stream closed): stop printing
                    self.broken = True
                    self._queue.clear()
                    self._size = 0
                return

    def _notice(self, count: int) -> str:
        if self.as_json:
            return f'{{"dropped": {count}}}\n'
        return f"... {count} {'line' if count == 1 else 'lines'} dropped (the terminal did not keep up)\n"

    def _out(self, text: str) -> None:
        if self._fd is None:
            self.stream.write(text)
            self.stream.flush()
            return
        data = text.encode(self._encoding, "backslashreplace")
        while data:
            try:
                written = os.write(self._fd, data)
            except BlockingIOError:  # a non-blocking fd (set by whoever shares the terminal)
                select.select([], [self._fd], [], 1.0)
                continue
            data = data[written:]


def _fd_of(stream: IO[str]) -> int | None:
    """The file descriptor to write to directly (a thread blocked in os.write holds no lock
    that the interpreter needs at exit, unlike one blocked in sys.stdout's buffer); None for a
    stream with none (a StringIO in tests)."""
    try:
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    with contextlib.suppress(ValueError, OSError):
        stream.flush()  # what was written before goes first
    return fd
