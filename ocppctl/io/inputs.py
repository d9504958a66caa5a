"""Opening inputs: paths, '-' for stdin, gzip (by its magic bytes), UTF-8 with or without BOM.

Problems opening or decoding become InputError, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import functools
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from ocppctl.core.capture import LongLine
from ocppctl.errors import InputError

_GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, taken off line 1
READ_BUFFER = 1 << 20  # bytes read from a capture file at a time


MAX_LINE = 16 << 20  # validate --max-line's default, in bytes: no OCPP message comes near it


@dataclass
class Input:
    """One input stream: its display name and a binary handle."""

    name: str
    handle: BinaryIO
    is_document: bool  # a .json file: one frame or an array, read whole
    compressed: bool = False
    file: BinaryIO | None = None  # the file we opened under a gzip handle (closing that leaves it open)
    max_line: int = MAX_LINE

    def close(self) -> None:
        self.handle.close()
        if self.file is not None:
            self.file.close()

    def lines(self, skipped: int = 0, head: bytes = b"") -> Iterator[bytes | LongLine]:
        """The lines as bytes, line ends kept, a UTF-8 BOM removed; a line longer than
        `max_line` as a LongLine. The checker decodes them (orjson reads UTF-8 bytes directly),
        so a line that is not UTF-8 is named exactly and every line before it is still checked.
        `skipped` and `head`: what skip_blank said."""
        count = skipped
        limit = self.max_line
        read = functools.partial(self.handle.readline, limit)
        try:
            if head:
                rest = b"" if head[-1:] == b"\n" else self.handle.readline(max(limit - len(head), 0) + 1)
                line = head + rest
                if line:
                    count += 1
                    if len(line) > limit and line[-1:] != b"\n":
                        yield _long_line(line, read, limit)
                    else:
                        yield line
            for line in iter(read, b""):
                count += 1
                if count == 1 and line.startswith(BOM):
                    line = line[len(BOM) :]
                if len(line) >= limit and line[-1:] != b"\n":
                    yield _long_line(line, read, limit)
                    continue
                yield line
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(self.read_failure(exc, count)) from None

    def skip_blank(self) -> tuple[int, bytes]:
        """Read past the blank lines a capture starts with, a block at a time and keeping none
        of them (40 MB of them held as lines took 1.1 GB): the number of lines read past, and
        the start of the line read last when it is not blank (give both to lines())."""
        handle = self.handle
        count = 0
        try:
            while True:
                peek = handle.peek(1 << 16)  # type: ignore[attr-defined]
                if not peek or (count == 0 and peek.startswith(BOM)):
                    return count, b""  # lines() takes the BOM off line 1
                text = peek.lstrip()
                # where the line holding the first non-blank byte starts (all blank: the line
                # the block ends inside, kept whole for its columns)
                start = peek.rfind(b"\n", 0, len(peek) - len(text)) + 1
                if start:
                    count += peek.count(b"\n", 0, start)
                    handle.read(start)
                    if text:
                        return count, b""
                    continue
                line = handle.readline(self.max_line)  # type: ignore[call-arg] # the buffer ends in a blank start
                if line.strip() or line[-1:] != b"\n":
                    return count, line
                count += 1
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(self.read_failure(exc, count)) from None

    def read_failure(self, exc: BaseException, count: int) -> str:
        """The one-line message for a read that failed after `count` lines."""
        if self.compressed:
            return f"{self.name}: cannot decompress: {_reason(exc)}"
        if count:
            return f"{self.name}: cannot read past line {count}: {_reason(exc)}"
        return f"{self.name}: cannot read: {_reason(exc)}"

    def read_text(self) -> str:
        try:
            data = self.handle.read()
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.name}: not UTF-8 at byte {exc.start} ({exc.reason}); re-encode the file as UTF-8"
            ) from None
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(self.read_failure(exc, 0)) from None


def _long_line(head: bytes, read: Any, limit: int) -> LongLine:
    """Read on to the end of a line whose first `max_line` bytes were `head`, keeping nothing."""
    size = len(head)
    while True:
        part = read()
        size += len(part)
        if not part or part[-1:] == b"\n":
            return LongLine(size, limit)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[0].lower() + text[1:]


def open_input(path: str, stdin: BinaryIO | None) -> Input:
    """Open a path (or '-' for stdin), unwrapping gzip; raise InputError if it cannot be read."""
    if path == "-":
        if stdin is None:
            raise InputError("no standard input to read")
        raw: BinaryIO = stdin
        name = "<stdin>"
    else:
        name = path
        raw = open_file(path)
    try:
        return _unwrap(raw, name, path)
    except InputError:
        if path != "-":
            raw.close()
        raise


def open_file(path: str, name: str | None = None) -> BinaryIO:
    """A capture file opened for reading (closed by the caller); InputError naming it (`name`,
    else its path) when it cannot be. A big buffer: line by line through the default 8 KiB one
    costs a read system call every dozen records, which on a virtual machine is a third of
    reading a capture."""
    name = name or path
    try:
        return open(path, "rb", buffering=READ_BUFFER)  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a capture file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot open: {exc.strerror or exc}") from None


def _unwrap(raw: BinaryIO, name: str, path: str) -> Input:
    """The Input over an opened file or stdin: gzip is recognised by its magic bytes."""
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type,type-var]
    try:
        head = buffered.peek(2)[:2]  # type: ignore[attr-defined]
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc}") from None
    handle: BinaryIO = buffered
    stem = path[:-3] if path.endswith(".gz") else path
    if head == _GZIP_MAGIC:
        import gzip

        handle = gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]
        try:
            handle.peek(1)  # type: ignore[attr-defined]
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{name}: cannot decompress: {_reason(exc)}") from None
    elif path.endswith(".gz"):
        raise InputError(f"{name}: not gzip data, though the name ends in .gz")
    compressed = head == _GZIP_MAGIC
    opened = buffered if compressed and path != "-" else None
    return Input(name, handle, is_document=stem.endswith(".json"), compressed=compressed, file=opened)


def read_text_file(path: str) -> str:
    """The text of a small file a user named, with or without a BOM; InputError in one line
    when it cannot be read or is not UTF-8."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 at byte {exc.start} ({exc.reason}); re-encode the file as UTF-8") from None


def read_json_file(path: str) -> Any:
    """The JSON value of a small file a user named (a payload, a device model), with or without
    a BOM; InputError in one line when it cannot be read, is not UTF-8 or is not JSON."""
    from ocppctl.core.jsontext import JsonSyntaxError, loads

    text = read_text_file(path)
    try:
        return loads(text)
    except JsonSyntaxError as exc:
        raise InputError(f"{path}: not JSON: {exc.message} (line {exc.line}, column {exc.column})") from None
