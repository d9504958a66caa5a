"""ocppctl.io.inputs.open_input: paths and stdin, gzip found by its magic bytes, the BOM, and
every way an input can fail to be read (InputError, which the CLI turns into exit 2)."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest

from ocppctl.errors import InputError
from ocppctl.io.inputs import open_input

TEXT = '[2,"1","Heartbeat",{}]\r\n\r\n[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\n'


def _lines(path: str, stdin: io.BytesIO | None = None) -> list[str]:
    """The lines an input hands out (bytes; the stream checker decodes them), as text."""
    source = open_input(path, stdin)
    try:
        return [line.decode("utf-8") for line in source.lines()]
    finally:
        source.handle.close()


def test_plain_file_lines_keep_their_line_ends(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_bytes(TEXT.encode())
    source = open_input(str(tmp_path / "c.jsonl"), None)
    assert (source.name, source.is_document) == (str(tmp_path / "c.jsonl"), False)
    assert list(source.lines()) == [
        b'[2,"1","Heartbeat",{}]\r\n',
        b"\r\n",
        b'[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\n',
    ]
    source.handle.close()


def test_bom_is_removed(tmp_path: Path) -> None:
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    assert _lines(str(tmp_path / "bom.jsonl"))[0] == '[2,"1","Heartbeat",{}]\r\n'
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf[]")
    source = open_input(str(tmp_path / "bom.json"), None)
    assert source.read_text() == "[]"
    source.handle.close()


def test_only_the_leading_bom_is_removed(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_bytes(b'["\xef\xbb\xbf"]\n')
    assert _lines(str(tmp_path / "c.jsonl")) == ['["\ufeff"]\n']


@pytest.mark.parametrize(
    ("name", "is_document"),
    [("c.json", True), ("c.json.gz", True), ("c.jsonl", False), ("c.jsonl.gz", False), ("c.log", False)],
)
def test_json_files_are_documents(tmp_path: Path, name: str, is_document: bool) -> None:
    data = b"[]"
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    source = open_input(str(tmp_path / name), None)
    assert source.is_document is is_document
    assert source.read_text() == "[]"
    source.handle.close()


def test_gzip_is_found_by_its_magic_bytes_whatever_the_name(tmp_path: Path) -> None:
    (tmp_path / "capture.log.1").write_bytes(gzip.compress(TEXT.encode()))
    assert "".join(_lines(str(tmp_path / "capture.log.1"))) == TEXT
    (tmp_path / "capture.jsonl.gz").write_bytes(gzip.compress(b"\xef\xbb\xbf" + TEXT.encode()))
    assert "".join(_lines(str(tmp_path / "capture.jsonl.gz"))) == TEXT


def test_stdin_is_dash(tmp_path: Path) -> None:
    source = open_input("-", io.BytesIO(TEXT.encode()))
    assert (source.name, source.is_document) == ("<stdin>", False)
    assert b"".join(source.lines()) == TEXT.encode()


def test_gzip_on_stdin() -> None:
    source = open_input("-", io.BytesIO(gzip.compress(TEXT.encode())))
    assert b"".join(source.lines()) == TEXT.encode()


def test_empty_stdin_and_empty_file(tmp_path: Path) -> None:
    assert list(open_input("-", io.BytesIO(b"")).lines()) == []
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert _lines(str(tmp_path / "empty.jsonl")) == []


def test_no_stdin_to_read() -> None:
    with pytest.raises(InputError) as raised:
        open_input("-", None)
    assert raised.value.message == "no standard input to read"
    assert raised.value.exit_code == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        open_input(str(tmp_path / "nope.jsonl"), None)
    assert raised.value.message == f"{tmp_path / 'nope.jsonl'}: no such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        open_input(str(tmp_path), None)
    assert raised.value.message == f"{tmp_path}: is a directory, not a capture file"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.jsonl"
    path.write_text(TEXT)
    path.chmod(0)
    try:
        with pytest.raises(InputError) as raised:
            open_input(str(path), None)
    finally:
        path.chmod(0o600)
    assert raised.value.message == f"{path}: cannot open: Permission denied"


def test_gz_name_without_gzip_content(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl.gz").write_bytes(TEXT.encode())
    with pytest.raises(InputError) as raised:
        open_input(str(tmp_path / "c.jsonl.gz"), None)
    assert raised.value.message == f"{tmp_path / 'c.jsonl.gz'}: not gzip data, though the name ends in .gz"


def test_gzip_magic_then_garbage(tmp_path: Path) -> None:
    (tmp_path / "bad").write_bytes(b"\x1f\x8b" + b"\x00" * 30)
    with pytest.raises(InputError) as raised:
        open_input(str(tmp_path / "bad"), None)
    assert raised.value.message == f"{tmp_path / 'bad'}: cannot decompress: unknown compression method"


def test_gzip_cut_short_fails_while_reading_not_silently(tmp_path: Path) -> None:
    body = "".join(f'[2,"{i}","Heartbeat",{{}}]\n' for i in range(5000)).encode()
    data = gzip.compress(body, mtime=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    message = (
        f"{tmp_path / 'cut.jsonl.gz'}: cannot decompress: "
        "compressed file ended before the end-of-stream marker was reached"
    )
    with pytest.raises(InputError) as raised:
        _lines(str(tmp_path / "cut.jsonl.gz"))
    assert raised.value.message == message
    source = open_input(str(tmp_path / "cut.jsonl.gz"), None)
    with pytest.raises(InputError) as raised:
        source.read_text()
    source.handle.close()
    assert raised.value.message == message


def test_lines_are_handed_out_undecoded(tmp_path: Path) -> None:
    """Decoding is the stream checker's (orjson reads UTF-8 bytes itself); a line that is not
    UTF-8 comes out as it is, and the checker names it (tests/cli: exit 2 with its line)."""
    (tmp_path / "latin1.jsonl").write_bytes(b'[1]\n["M\xfcller"]\n')
    source = open_input(str(tmp_path / "latin1.jsonl"), None)
    try:
        assert list(source.lines()) == [b"[1]\n", b'["M\xfcller"]\n']
    finally:
        source.handle.close()


def test_non_utf8_document(tmp_path: Path) -> None:
    (tmp_path / "latin1.json").write_bytes(b'["M\xfcller"]')
    source = open_input(str(tmp_path / "latin1.json"), None)
    with pytest.raises(InputError) as raised:
        source.read_text()
    source.handle.close()
    assert raised.value.message == (
        f"{tmp_path / 'latin1.json'}: not UTF-8 at byte 3 (invalid start byte); re-encode the file as UTF-8"
    )


def test_no_file_is_left_open_behind_a_gzip_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a gzip handle leaves the file under it open: Input.close closes both, and an
    input that turns out unreadable closes what it opened before saying so."""
    import builtins

    from ocppctl.io import inputs

    opened: list[object] = []
    real_open = builtins.open

    def spy(*args: object, **kwargs: object) -> object:
        handle = real_open(*args, **kwargs)  # type: ignore[call-overload]
        opened.append(handle)
        return handle

    monkeypatch.setattr(inputs, "open", spy, raising=False)
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(TEXT.encode()))
    (tmp_path / "fake.jsonl.gz").write_bytes(b"not gzip")
    (tmp_path / "cut.jsonl.gz").write_bytes(b"\x1f\x8bxx")
    source = open_input(str(tmp_path / "c.jsonl.gz"), None)
    assert len(source.lines().__next__()) > 0
    source.close()
    for name in ("fake.jsonl.gz", "cut.jsonl.gz"):
        with pytest.raises(InputError):
            open_input(str(tmp_path / name), None)
    assert len(opened) == 3 and all(handle.closed for handle in opened)  # type: ignore[attr-defined]
    stdin = io.BufferedReader(io.BytesIO(gzip.compress(TEXT.encode())))  # as sys.stdin.buffer is
    open_input("-", stdin).close()
    assert not stdin.closed  # standard input is not ours to close


# --- bounded memory (issue 17 item 10) ---------------------------------------------------------


def test_leading_blank_lines_are_counted_not_kept(tmp_path: Path) -> None:
    """Blank lines before the first frame were held as a list until it came: 40 MB of " \\n"
    took 1.1 GB. They are read past a block at a time; the line numbers stay right."""
    capture = tmp_path / "blank.jsonl"
    capture.write_bytes(b" \n" * 300_000 + b'  [2,"1","Heartbeat",{}]\n[3,"1",{}]\n')
    source = open_input(str(capture), None)
    try:
        blank, head = source.skip_blank()
        assert blank == 300_000
        assert list(source.lines(blank, head)) == [b'  [2,"1","Heartbeat",{}]\n', b'[3,"1",{}]\n']
    finally:
        source.close()


def test_a_blank_start_cut_by_the_read_buffer_keeps_the_line_whole(tmp_path: Path) -> None:
    """When the read buffer ends inside the first line that is not blank, that line comes whole,
    its leading spaces (its columns) included."""
    capture = tmp_path / "cut.jsonl"
    pad = b"\n" * ((1 << 20) - 3)  # the 1 MiB read buffer ends 3 spaces into the frame's line
    capture.write_bytes(pad + b'      [2,"1","Heartbeat",{}]\n')
    source = open_input(str(capture), None)
    try:
        blank, head = source.skip_blank()
        assert (blank, list(source.lines(blank, head))) == ((1 << 20) - 3, [b'      [2,"1","Heartbeat",{}]\n'])
    finally:
        source.close()


def test_a_gzip_of_newlines_is_read_past_in_blocks(tmp_path: Path) -> None:
    capture = tmp_path / "newlines.gz"
    capture.write_bytes(gzip.compress(b"\n" * 5_000_000))
    source = open_input(str(capture), None)
    try:
        blank, head = source.skip_blank()
        assert (blank, head, list(source.lines(blank, head))) == (5_000_000, b"", [])
    finally:
        source.close()


def test_a_line_past_the_bound_is_its_size_only(tmp_path: Path) -> None:
    from ocppctl.core.capture import LongLine

    capture = tmp_path / "long.jsonl"
    capture.write_bytes(b"[" + b"1," * 5000 + b"1]\n" + b'[2,"1","Heartbeat",{}]\n' + b"x" * 3000)
    source = open_input(str(capture), None)
    source.max_line = 1024
    try:
        assert list(source.lines()) == [LongLine(10004, 1024), b'[2,"1","Heartbeat",{}]\n', LongLine(3000, 1024)]
    finally:
        source.close()
