"""The writer of long-running commands (cli/terminal_out.py): writing never blocks, whether the
reader is slow, stopped, or gone; what is dropped is counted and said."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from collections.abc import Iterator

import pytest

from ocppctl.cli.terminal_out import TerminalOut


class _Pipe:
    """os.pipe() whose ends the test may close, each closed once."""

    def __init__(self) -> None:
        self.read, self.write = os.pipe()
        self._open = {self.read, self.write}

    def close(self, fd: int) -> None:
        if fd in self._open:
            self._open.discard(fd)
            os.close(fd)

    def close_all(self) -> None:
        for fd in list(self._open):
            self.close(fd)


@pytest.fixture
def pipe() -> Iterator[_Pipe]:
    ends = _Pipe()
    try:
        yield ends
    finally:
        ends.close_all()


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_pipe_nobody_reads_never_blocks_the_writer_and_drops_are_counted(pipe: _Pipe) -> None:
    read, write = pipe.read, pipe.write
    stream = open(write, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - the fixture closes the fd
    out = TerminalOut(stream, max_lines=100)
    line = "x" * 99 + "\n"  # 100 bytes: a pipe (64 KiB) holds ~650 of them
    started = time.monotonic()
    for _ in range(20_000):  # 2 MB: far more than the pipe holds
        out.write(line)
    assert time.monotonic() - started < 2  # a blocking writer would never have returned
    assert out.dropped > 0
    reader = threading.Thread(target=lambda: got.append(_read_all(read)))
    got: list[bytes] = []
    reader.start()  # the reader wakes up: what is queued and the count go out
    out.close(timeout=10)
    pipe.close(write)
    reader.join(10)
    text = got[0].decode()
    notices = [n for n in text.splitlines() if n.startswith("... ")]
    assert notices and all(n.endswith(" lines dropped (the terminal did not keep up)") for n in notices)
    shown = text.count(line)
    assert shown + sum(int(n.split()[1]) for n in notices) == 20_000 == shown + out.dropped
    assert len(text.splitlines()) == shown + len(notices)  # nothing else, no line cut


def test_a_pipe_closed_by_its_reader_stops_the_printing_only(pipe: _Pipe) -> None:
    read, write = pipe.read, pipe.write
    stream = open(write, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    out = TerminalOut(stream)
    out.write("first\n")
    assert os.read(read, 100) == b"first\n"
    pipe.close(read)  # `| head -1` has had its line
    for n in range(1000):
        out.write(f"line {n}\n")  # never raises BrokenPipeError
    deadline = time.monotonic() + 10
    while not out.broken and time.monotonic() < deadline:
        time.sleep(0.01)
    assert out.broken
    out.write("after\n")
    out.close(timeout=5)


def test_json_output_says_what_was_dropped_in_json() -> None:
    gate = threading.Event()

    class Slow(io.StringIO):
        def write(self, text: str) -> int:
            gate.wait(10)
            return super().write(text)

    stream = Slow()
    out = TerminalOut(stream, as_json=True, max_lines=2)
    for n in range(10):
        out.write(f'{{"n": {n}}}\n')
    gate.set()
    out.close(timeout=5)
    values = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert out.dropped > 0
    assert [v for v in values if "dropped" in v] == [{"dropped": out.dropped}]
    assert len(values) == 10 - out.dropped + 1


def test_everything_goes_out_in_order_when_the_reader_keeps_up() -> None:
    stream = io.StringIO()
    out = TerminalOut(stream)
    for n in range(1000):
        out.write(f"{n}\n")
    out.close(timeout=5)
    assert stream.getvalue() == "".join(f"{n}\n" for n in range(1000))
    assert out.dropped == 0


def test_a_non_blocking_fd_is_waited_on_not_given_up(pipe: _Pipe) -> None:
    read, write = pipe.read, pipe.write
    os.set_blocking(write, False)
    stream = open(write, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    out = TerminalOut(stream)
    line = "y" * 1023 + "\n"
    for _ in range(200):  # 200 KiB: more than the pipe holds at once
        out.write(line)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(_read_all(read)))
    reader.start()
    out.close(timeout=10)
    pipe.close(write)
    reader.join(10)
    assert not out.broken
    assert got[0].decode() == line * (200 - out.dropped) and out.dropped == 0
