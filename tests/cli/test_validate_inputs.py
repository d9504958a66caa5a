"""Every input shape `ocppctl validate` reads (DESIGN.md, capture format), and the inputs it
cannot read: exit 2 with one line on stderr, the other files still checked."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

HEARTBEAT_OK = '[2,"1","Heartbeat",{}]\n[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\n'
CLEAN_HEARTBEAT = (
    "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings\n"
    "  action       calls  results  CALLERRORs\n"
    "  Heartbeat        1        1           0\n"
)
UNANSWERED_HINT = "    hint: the connection closed or the input ended before its CALLRESULT/CALLERROR\n"
NOT_ALLOWED_X = (
    'error: Heartbeat request: property "x" is not allowed here [schema] at /x\n    hint: allowed here: customData\n'
)


# --- the shapes captures come in ------------------------------------------------------------


def test_capture_records_in_json_lines(ocppctl, tmp_path: Path, record) -> None:
    capture = tmp_path / "c.jsonl"
    capture.write_text(
        "\n".join(
            [
                record(0, "station", '[2,"1","Heartbeat",{"x":1}]'),
                record(1, "csms", '[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]'),
            ]
        )
        + "\n"
    )
    result = ocppctl("validate", str(capture))
    assert result.code == 1
    assert result.out == (
        f"{capture}:1:110: {NOT_ALLOWED_X}\n"
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 1 error, 0 warnings\n"
        "  action       calls  results  CALLERRORs    p50 ms    p95 ms    max ms\n"
        "  Heartbeat        1        1           0    1000.0    1000.0    1000.0\n"
    )


def test_records_holding_the_frame_as_a_json_value(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "f.jsonl"
    capture.write_text(
        '{"station": "CP9", "ocpp": "2.0.1", "from": "station", "frame": [2, "1", "Heartbeat", {"x": 1}]}\n'
        '{"station": "CP9", "ocpp": "2.0.1", "from": "csms", "frame": [3, "1", {"currentTime": "2026-11-22T10:00:01Z"}]}\n'
    )
    result = ocppctl("validate", str(capture))
    assert result.code == 1
    assert result.out.startswith(f"{capture}:1:65: {NOT_ALLOWED_X}\n1 file: 2 frames, 1 call, 1 result,")


@pytest.mark.parametrize("broken_first", [False, True])
def test_broken_record_line_counts_as_a_frame(ocppctl, tmp_path: Path, record, broken_first: bool) -> None:
    """Like a broken frame line, a record line that is not JSON was meant to hold one frame; first in
    the file or not, it is one finding and the lines after it are still read as records."""
    broken = '{"ts":"2026-11-22T10:00:00.500Z","station":"CP001",'
    call = record(0, "station", '[2,"1","Heartbeat",{}]')
    result_line = record(1, "csms", '[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]')
    capture = tmp_path / "c.jsonl"
    lines = [broken, call, result_line] if broken_first else [call, broken, result_line]
    capture.write_text("\n".join(lines) + "\n")
    result = ocppctl("validate", str(capture))
    assert (result.code, result.err) == (1, "")
    line = 1 if broken_first else 2
    assert result.out == (
        f"{capture}:{line}:{len(broken) + 1}: error: not JSON: Expecting property name enclosed in double quotes "
        "[json-syntax]\n"
        "\n"
        "1 file: 3 frames, 1 call, 1 result, 0 CALLERRORs; 1 error, 0 warnings\n"
        "  action       calls  results  CALLERRORs    p50 ms    p95 ms    max ms\n"
        "  Heartbeat        1        1           0    1000.0    1000.0    1000.0\n"
    )


def test_bare_frames_one_per_line(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "bare.jsonl"
    capture.write_text(HEARTBEAT_OK + '[2,"2","Heartbeat",{"x":1}]\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert result.code == 1
    assert result.out == (
        f"{capture}:3:1: {NOT_ALLOWED_X}"
        f"{capture}:3:1: warning: Heartbeat call '2' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
        "\n"
        "1 file: 3 frames, 2 calls, 1 result, 0 CALLERRORs; 1 error, 1 warning\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        2        1           0\n"
    )


def test_json_file_holding_one_pretty_printed_frame(ocppctl, tmp_path: Path) -> None:
    document = tmp_path / "one.json"
    document.write_text('[\n  2, "1", "Heartbeat",\n  {"x": 1}\n]\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", str(document))
    assert result.code == 1
    assert result.out == (
        f"{document}:1:1: {NOT_ALLOWED_X}"
        f"{document}:1:1: warning: Heartbeat call '1' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
        "\n"
        "1 file: 1 frame, 1 call, 0 results, 0 CALLERRORs; 1 error, 1 warning\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        0           0\n"
    )


def test_json_file_holding_an_array_of_frames_gives_each_frames_line(ocppctl, in_data: Path) -> None:
    """frames.json spreads its second frame over lines 3-7 and leaves a blank line 8."""
    result = ocppctl("validate", "--ocpp", "2.0.1", "frames.json")
    assert result.code == 1
    assert result.out == (
        'frames.json:3:3: error: Heartbeat response: "yesterday" is not a valid date-time [format] at /currentTime\n'
        "    hint: RFC 3339 with a time zone offset, e.g. 2026-11-22T10:00:00Z or 2026-11-22T11:00:00.5+01:00\n"
        'frames.json:9:3: error: Heartbeat request: property "bad" is not allowed here [schema] at /bad\n'
        "    hint: allowed here: customData\n"
        f"frames.json:9:3: warning: Heartbeat call '2' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
        "\n"
        "1 file: 3 frames, 2 calls, 1 result, 0 CALLERRORs; 2 errors, 1 warning\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        2        1           0\n"
    )


def test_bad_element_in_a_json_array_is_a_finding_and_the_rest_is_read(ocppctl, tmp_path: Path) -> None:
    document = tmp_path / "arr.json"
    document.write_text(
        '[\n  [2, "1", "Heartbeat", {}],\n  [2, "2", "Heartbeat", {,}],\n'
        '  [3, "1", {"currentTime": "2026-11-22T10:00:00Z"}]\n]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(document))
    assert result.code == 1
    assert result.out == (
        f"{document}:3:26: error: not JSON: Expecting property name enclosed in double quotes [json-syntax]\n"
        "    hint: OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)\n"
        "\n"
        "1 file: 3 frames, 1 call, 1 result, 0 CALLERRORs; 1 error, 0 warnings\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        1           0\n"
    )


def test_json_file_holding_bare_frames_one_a_line_is_read_as_lines(ocppctl, tmp_path: Path) -> None:
    """Not one JSON document but JSON Lines under a .json name: each line is a frame, and a broken
    line is a finding of its own while the lines after it are still read."""
    document = tmp_path / "lines.json"
    document.write_text(HEARTBEAT_OK + '[2,"2","Heartbeat",{"x":1}\n[2,"3","Heartbeat",{"x":1}]\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", str(document))
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"{document}:3:27: error: not JSON: Expecting ',' delimiter [json-syntax]\n"
        f"{document}:4:1: {NOT_ALLOWED_X}"
        f"{document}:4:1: warning: Heartbeat call '3' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
        "\n"
        "1 file: 4 frames, 2 calls, 1 result, 0 CALLERRORs; 2 errors, 1 warning\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        2        1           0\n"
    )


# --- standard input -------------------------------------------------------------------------


def test_stdin_with_dash(ocppctl) -> None:
    result = ocppctl("validate", "--ocpp", "2.0.1", "-", stdin=HEARTBEAT_OK.encode() + b'[2,"2","Heartbeat",{"x":1}]\n')
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"<stdin>:3:1: {NOT_ALLOWED_X}"
        f"<stdin>:3:1: warning: Heartbeat call '2' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
        "\n"
        "1 file: 3 frames, 2 calls, 1 result, 0 CALLERRORs; 1 error, 1 warning\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        2        1           0\n"
    )


def test_stdin_without_file_when_stdin_is_not_a_tty(ocppctl) -> None:
    result = ocppctl("validate", "--ocpp", "2.0.1", stdin=HEARTBEAT_OK.encode(), stdin_isatty=False)
    assert (result.code, result.out, result.err) == (0, CLEAN_HEARTBEAT, "")


def test_no_file_and_stdin_a_tty_is_a_one_line_usage_error(ocppctl) -> None:
    result = ocppctl("validate", stdin=b"", stdin_isatty=True)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: give a capture file, or - to read standard input (see 'ocppctl validate --help')\n"
    )


def test_gzip_on_stdin(ocppctl) -> None:
    result = ocppctl("validate", "--ocpp", "2.0.1", "-", stdin=gzip.compress(HEARTBEAT_OK.encode()))
    assert (result.code, result.out, result.err) == (0, CLEAN_HEARTBEAT, "")


def test_pretty_printed_document_on_stdin_is_read_as_a_document(ocppctl, in_data: Path) -> None:
    """`ocppctl validate - < frames.json`: the content, not the name, says it is one document."""
    from_file = ocppctl("validate", "--ocpp", "2.0.1", "frames.json")
    from_stdin = ocppctl("validate", "--ocpp", "2.0.1", "-", stdin=(in_data / "frames.json").read_bytes())
    assert (from_stdin.code, from_stdin.out) == (from_file.code, from_file.out.replace("frames.json:", "<stdin>:"))


def test_pretty_printed_document_under_another_name_is_read_as_a_document(
    ocppctl, in_data: Path, tmp_path: Path
) -> None:
    """A capture saved as frames.log or gzipped with a BOM: still one document, same findings."""
    from_file = ocppctl("validate", "--ocpp", "2.0.1", "frames.json")
    (tmp_path / "frames.log").write_bytes((in_data / "frames.json").read_bytes())
    as_log = ocppctl("validate", "--ocpp", "2.0.1", str(tmp_path / "frames.log"))
    assert (as_log.code, as_log.out) == (
        from_file.code,
        from_file.out.replace("frames.json:", f"{tmp_path}/frames.log:"),
    )
    zipped = gzip.compress(b"\xef\xbb\xbf" + (in_data / "frames.json").read_bytes())
    from_stdin = ocppctl("validate", "--ocpp", "2.0.1", "-", stdin=zipped)
    assert (from_stdin.code, from_stdin.out) == (from_file.code, from_file.out.replace("frames.json:", "<stdin>:"))


# --- gzip -----------------------------------------------------------------------------------


def test_gzip_with_gz_suffix(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(HEARTBEAT_OK.encode()))
    result = ocppctl("validate", "--ocpp", "2.0.1", str(tmp_path / "c.jsonl.gz"))
    assert (result.code, result.out, result.err) == (0, CLEAN_HEARTBEAT, "")


def test_gzip_content_without_gz_suffix(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "rotated.log.1").write_bytes(gzip.compress(HEARTBEAT_OK.encode()))
    result = ocppctl("validate", "--ocpp", "2.0.1", str(tmp_path / "rotated.log.1"))
    assert (result.code, result.out, result.err) == (0, CLEAN_HEARTBEAT, "")


def test_gzipped_json_document_is_read_as_a_document(ocppctl, in_data: Path, tmp_path: Path) -> None:
    (tmp_path / "frames.json.gz").write_bytes(gzip.compress((in_data / "frames.json").read_bytes()))
    plain = ocppctl("validate", "--ocpp", "2.0.1", "--json", "frames.json").json_lines()
    zipped = ocppctl("validate", "--ocpp", "2.0.1", "--json", str(tmp_path / "frames.json.gz")).json_lines()
    for found in zipped[:-1]:
        found["file"] = "frames.json"
    assert zipped == plain


def test_corrupt_gz_says_cannot_decompress_in_one_line(ocppctl, tmp_path: Path) -> None:
    """Cut inside its first deflate block: the file opens (gzip header intact) but yields nothing."""
    data = gzip.compress(HEARTBEAT_OK.encode(), mtime=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(data[:20])
    result = ocppctl("validate", str(tmp_path / "cut.jsonl.gz"))
    assert result.code == 2
    assert result.err == (
        f"ocppctl: error: {tmp_path / 'cut.jsonl.gz'}: cannot decompress: "
        "compressed file ended before the end-of-stream marker was reached\n"
    )
    assert result.out == "1 file: 0 frames, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n"


def test_gzip_magic_with_garbage_after_it(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b" + b"x" * 40)
    result = ocppctl("validate", str(tmp_path / "bad.gz"))
    assert result.code == 2
    assert result.err == f"ocppctl: error: {tmp_path / 'bad.gz'}: cannot decompress: unknown compression method\n"


def test_gz_name_on_plain_text_is_exit_2(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "plain.jsonl.gz").write_text(HEARTBEAT_OK)
    result = ocppctl("validate", str(tmp_path / "plain.jsonl.gz"))
    assert result.code == 2
    assert result.err == f"ocppctl: error: {tmp_path / 'plain.jsonl.gz'}: not gzip data, though the name ends in .gz\n"


def test_gzip_truncated_mid_stream_keeps_what_was_read_and_exits_2(ocppctl, tmp_path: Path) -> None:
    text = "".join(
        f'[2,"{i}","Heartbeat",{{}}]\n[3,"{i}",{{"currentTime":"2026-11-22T10:00:01Z"}}]\n' for i in range(3000)
    )
    data = gzip.compress(text.encode())
    (tmp_path / "half.jsonl.gz").write_bytes(data[: len(data) // 2])
    result = ocppctl("validate", "--ocpp", "2.0.1", "-q", str(tmp_path / "half.jsonl.gz"))
    assert result.code == 2
    assert result.err == (
        f"ocppctl: error: {tmp_path / 'half.jsonl.gz'}: cannot decompress: "
        "compressed file ended before the end-of-stream marker was reached\n"
    )
    # What was decompressed is checked (gzip.compress output is deterministic); the call left open
    # where the data broke off is no unanswered-call: the input did not end, it broke.
    assert result.out == "1 file: 2,971 frames, 1,486 calls, 1,485 results, 0 CALLERRORs; 0 errors, 0 warnings\n"


# --- inputs that cannot be read -------------------------------------------------------------


def test_missing_file_is_exit_2_and_the_other_files_are_still_checked(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "ok.jsonl").write_text('[2,"1","Heartbeat",{"x":1}]\n[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\n')
    missing = tmp_path / "nope.jsonl"
    result = ocppctl("validate", "--ocpp", "2.0.1", str(missing), str(tmp_path / "ok.jsonl"))
    assert result.code == 2  # 2 wins over the 1 of the error found in ok.jsonl
    assert result.err == f"ocppctl: error: {missing}: no such file\n"
    assert result.out == (
        f"{tmp_path / 'ok.jsonl'}:1:1: {NOT_ALLOWED_X}\n"
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 1 error, 0 warnings\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        1           0\n"
    )


def test_directory_is_exit_2(ocppctl, tmp_path: Path) -> None:
    result = ocppctl("validate", str(tmp_path))
    assert result.code == 2
    assert result.err == f"ocppctl: error: {tmp_path}: is a directory, not a capture file\n"


def test_non_utf8_json_lines_is_exit_2(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "latin1.jsonl").write_bytes('[2,"1","Heartbeat",{"who":"Müller"}]\n'.encode("latin-1"))
    result = ocppctl("validate", "--ocpp", "2.0.1", str(tmp_path / "latin1.jsonl"))
    assert result.code == 2
    assert result.err == (
        f"ocppctl: error: {tmp_path / 'latin1.jsonl'}: line 1 is not UTF-8 (invalid start byte); "
        "re-encode the file as UTF-8\n"
    )


def test_non_utf8_error_names_the_line_holding_the_bad_byte_and_the_lines_before_are_checked(
    ocppctl, tmp_path: Path
) -> None:
    capture = tmp_path / "latin1.jsonl"
    capture.write_bytes(
        b'[2,"1","Heartbeat",{"x":1}]\n[2,"2","Heartbeat",{"who":"M\xfcller"}]\n[2,"3","Heartbeat",{"x":1}]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert result.code == 2
    assert (
        result.err
        == f"ocppctl: error: {capture}: line 2 is not UTF-8 (invalid start byte); re-encode the file as UTF-8\n"
    )
    assert result.out == (
        f"{capture}:1:1: {NOT_ALLOWED_X}\n"
        "1 file: 1 frame, 1 call, 0 results, 0 CALLERRORs; 1 error, 0 warnings\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        0           0\n"
    )


BUFFERED_WHOLE = (
    "BUG: when the first line looks like JSON but does not parse on its own (NaN, a truncated frame), validate "
    "reads the whole input into memory to try it as one pretty-printed document before checking any line"
)


def test_non_utf8_line_after_a_broken_first_line_still_has_the_lines_before_checked(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "latin1.jsonl"
    capture.write_bytes(
        b'[2,"1","Heartbeat",{"a":NaN}]\n[2,"2","Heartbeat",{"x":1}]\n[2,"3","Heartbeat",{"who":"M\xfcller"}]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert result.code == 2
    assert result.err == (
        f"ocppctl: error: {capture}: line 3 is not UTF-8 (invalid start byte); re-encode the file as UTF-8\n"
    )
    assert result.out == (
        f"{capture}:1:25: error: not JSON: NaN is not JSON [json-syntax]\n"
        "    hint: OCPP-J frames are strict JSON (no NaN, Infinity, comments or trailing commas)\n"
        f"{capture}:2:1: {NOT_ALLOWED_X}\n"
        "1 file: 2 frames, 1 call, 0 results, 0 CALLERRORs; 2 errors, 0 warnings\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        0           0\n"
    )


class _LineByLine(io.RawIOBase):
    """A pipe's stdin: one line a read, noting what ocppctl had printed when it first found the input's end."""

    def __init__(self, lines: list[bytes], stdout: io.StringIO) -> None:
        self.lines = lines
        self.stdout = stdout
        self.printed_at_end: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if not self.lines:
            if self.printed_at_end is None:
                self.printed_at_end = self.stdout.getvalue()
            return 0
        line = self.lines.pop(0)
        buffer[: len(line)] = line
        return len(line)


@pytest.mark.parametrize(
    "first",
    [
        b'[2,"1","Heartbeat",{}]\n',
        pytest.param(b'[2,"1","Heartbeat",{"a":NaN}]\n'),
    ],
)
def test_stdin_is_checked_as_it_comes(first: bytes) -> None:
    """`tail -F capture.jsonl | ocppctl validate -`: a finding shows before the input ends, and memory stays flat."""
    stdout = io.StringIO()
    stdin = _LineByLine([first, b'[2,"2","Heartbeat",{"x":1}]\n'], stdout)
    env = Env(stdout=stdout, stderr=io.StringIO(), stdin=stdin, environ={})  # type: ignore[arg-type]
    assert run(["validate", "--ocpp", "2.0.1", "-"], env) == 1
    assert f"<stdin>:2:1: {NOT_ALLOWED_X}" in (stdin.printed_at_end or "")


def test_broken_first_frame_line_is_one_finding(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "c.jsonl"
    capture.write_text('["2","1","Heartbeat",{}\n' + HEARTBEAT_OK)
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"{capture}:1:24: error: not JSON: Expecting ',' delimiter [json-syntax]\n"
        "\n"
        "1 file: 3 frames, 1 call, 1 result, 0 CALLERRORs; 1 error, 0 warnings\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        1           0\n"
    )


def test_non_utf8_line_far_beyond_the_first_read_chunk(ocppctl, tmp_path: Path) -> None:
    """The decoder reads ahead in chunks; the line named is still the one holding the byte."""
    capture = tmp_path / "long.jsonl"
    good = b"".join(b'[2,"%d","Heartbeat",{}]\n' % i for i in range(2000))
    capture.write_bytes(good + b'[2,"x","Heartbeat",{"who":"M\xfcller"}]\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", "-q", str(capture))
    assert result.code == 2
    assert result.err == (
        f"ocppctl: error: {capture}: line 2001 is not UTF-8 (invalid start byte); re-encode the file as UTF-8\n"
    )
    assert result.out == "1 file: 2,000 frames, 2,000 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n"


def test_non_utf8_json_document_is_exit_2(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "latin1.json").write_bytes(b'[2,"1","Heartbeat",{"who":"M\xfcller"}]')
    result = ocppctl("validate", "--ocpp", "2.0.1", str(tmp_path / "latin1.json"))
    assert result.code == 2
    assert result.err == (
        f"ocppctl: error: {tmp_path / 'latin1.json'}: not UTF-8 at byte 28 (invalid start byte); "
        "re-encode the file as UTF-8\n"
    )


# --- BOM, CRLF, blank lines ----------------------------------------------------------------


def test_bom_crlf_and_blank_lines_are_fine(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "win.jsonl"
    capture.write_bytes(
        b"\xef\xbb\xbf" + HEARTBEAT_OK.replace("\n", "\r\n").replace("]\r\n[3", "]\r\n\r\n  \r\n[3").encode()
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert (result.code, result.out, result.err) == (0, CLEAN_HEARTBEAT, "")


def test_bom_crlf_and_blank_lines_keep_line_and_column_numbers(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "win.jsonl"
    capture.write_bytes(
        b'\xef\xbb\xbf[2,"1","Heartbeat",{"x":1}]\r\n\r\n\r\n[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\r\n'
        b'[2,"2","Heartbeat",{"x":1}]\r\n[3,"2",{"currentTime":"2026-11-22T10:00:01Z"}]\r\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", "--select", "schema", str(capture))
    assert result.out.startswith(f"{capture}:1:1: {NOT_ALLOWED_X}{capture}:5:1: {NOT_ALLOWED_X}\n")


def test_bom_and_crlf_in_a_json_document(ocppctl, tmp_path: Path) -> None:
    document = tmp_path / "win.json"
    document.write_bytes(b'\xef\xbb\xbf[\r\n  [2,"1","Heartbeat",{}],\r\n\r\n  [2,"2","Heartbeat",{"x":1}]\r\n]\r\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", "--select", "schema", str(document))
    assert result.out.startswith(f"{document}:4:3: {NOT_ALLOWED_X}\n")


# --- plain-text logs ------------------------------------------------------------------------


def test_frames_are_found_inside_log_lines(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--ocpp", "2.0.1", "field.log")
    assert result.code == 1
    assert result.out == (
        'field.log:4:45: error: Heartbeat request: property "oops" is not allowed here [schema] at /oops\n'
        "    hint: allowed here: customData\n"
        f"field.log:4:45: warning: Heartbeat call '2' was never answered [unanswered-call]\n{UNANSWERED_HINT}"
        "\n"
        "1 file: 3 frames, 2 calls, 1 result, 0 CALLERRORs; 1 error, 1 warning (1 line without a frame skipped)\n"
        "  action       calls  results  CALLERRORs    p50 ms    p95 ms    max ms\n"
        "  Heartbeat        2        1           0     200.0     200.0     200.0\n"
    )
    summary = ocppctl("validate", "--ocpp", "2.0.1", "--json", "field.log").json_lines()[-1]["summary"]
    assert summary["skipped_lines"] == 1


def test_log_lines_starting_with_a_bracket_are_still_logs(ocppctl, tmp_path: Path) -> None:
    """A '[timestamp]' prefix is no JSON array: the frame further along the line is found."""
    log = tmp_path / "bracket.log"
    log.write_text(
        '[2026-11-22 10:00:00.100] CP001 >> [2,"1","Heartbeat",{}]\n'
        '[2026-11-22 10:00:00.300] CP001 << [3,"1",{"currentTime":"2026-11-22T10:00:00Z"}]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(log))
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings\n"
        "  action       calls  results  CALLERRORs    p50 ms    p95 ms    max ms\n"
        "  Heartbeat        1        1           0     200.0     200.0     200.0\n"
    )


def test_log_lines_starting_with_a_level_in_brackets_are_still_logs(ocppctl, tmp_path: Path) -> None:
    log = tmp_path / "info.log"
    log.write_text(
        '[INFO] CP001 [2,"1","Heartbeat",{}]\n[INFO] CSMS [3,"1",{"currentTime":"2026-11-22T10:00:00Z"}]\n[INFO] ping\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(log))
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings (1 line without a frame skipped)\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        1           0\n"
    )


def test_file_without_any_frame_gets_a_warning(ocppctl, tmp_path: Path, finding) -> None:
    """Not an OCPP capture at all (wrong file, or a log format the extractor does not see): say so
    instead of a clean bill of health. A warning, so only --strict fails on it."""
    log = tmp_path / "app.log"
    log.write_text("server started\nlistening on :9000\n")
    result = ocppctl("validate", str(log))
    assert (result.code, result.err) == (0, "")
    hint = "is it a capture? --pattern '...(?P<frame>\\[.*\\])' tells where frames sit in log lines"
    assert result.out == (
        f"{log}: warning: no OCPP-J frame found in 2 lines [record]\n"
        f"    hint: {hint}\n"
        "\n"
        "1 file: 0 frames, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 1 warning (2 lines without a frame skipped)\n"
    )
    found = ocppctl("validate", "--json", str(log)).json_lines()
    assert found[0] == finding(
        severity="warning", code="record", file=str(log), message="no OCPP-J frame found in 2 lines", hint=hint
    )
    assert (found[1]["summary"]["skipped_lines"], found[1]["summary"]["codes"]) == (2, {"record": 1})
    assert ocppctl("validate", "--strict", "-q", str(log)).code == 1
    one = ocppctl("validate", "-", stdin=b"server started\n")
    assert one.out.startswith("<stdin>: warning: no OCPP-J frame found in 1 line [record]\n")


def test_empty_and_blank_files_are_a_warning_not_a_pass(ocppctl, tmp_path: Path) -> None:
    """An empty capture (a recorder that never ran, a wrong path in CI) passed silently."""
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "blank.jsonl").write_text("\n\n")
    files = (str(tmp_path / "empty.jsonl"), str(tmp_path / "blank.jsonl"))
    result = ocppctl("validate", *files)
    assert (result.code, result.out) == (
        0,
        f"{files[0]}: warning: no OCPP-J frame in the input: it is empty or blank [record]\n"
        "    hint: is it the right file?\n"
        f"{files[1]}: warning: no OCPP-J frame in the input: it is empty or blank [record]\n"
        "    hint: is it the right file?\n"
        "\n"
        "2 files: 0 frames, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 2 warnings\n",
    )
    assert ocppctl("validate", "--strict", "-q", files[0]).code == 1


def test_connection_events_alone_are_no_empty_input(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "events.jsonl"
    capture.write_text('{"station":"CP1","conn":1,"event":"connect","subprotocol":"ocpp1.6"}\n')
    assert ocppctl("validate", "-q", "--strict", str(capture)).code == 0


def test_pattern_matching_no_line_does_not_advise_a_pattern(ocppctl, tmp_path: Path) -> None:
    """The user gave a --pattern already: the hint is to check it, not to add one."""
    log = tmp_path / "app.log"
    log.write_text("server started\nlistening on :9000\n")
    result = ocppctl("validate", "--pattern", r"OCPP (?P<frame>\[.*\])", str(log))
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"{log}: warning: no OCPP-J frame found in 2 lines [record]\n"
        "    hint: the --pattern matched no line: check it against a line of the file\n"
        "\n"
        "1 file: 0 frames, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 1 warning (2 lines without a frame skipped)\n"
    )


PATTERN = r"^[^|]*\|(?P<ts>[^|]*)\|(?P<station>[^|]*)\|(?P<dir>[^|]*)\|(?P<frame>.*)$"


def test_pattern_with_named_groups_gives_ts_station_and_side(ocppctl, tmp_path: Path, finding) -> None:
    log = tmp_path / "pipe.log"
    log.write_text(
        'a|2026-11-22T10:00:00.100Z|CP7|station|[2,"1","Heartbeat",{}]\n'
        'b|2026-11-22T10:00:00.250Z|CP7|csms|[3,"1",{"currentTime":"2026-11-22T10:00:00Z"}]\n'
        "noise line\n"
        'c|2026-11-22T10:00:01.000Z|CP7|csms|[2,"2","Heartbeat",{}]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", "--pattern", PATTERN, "--json", str(log))
    assert result.code == 1
    found = result.json_lines()
    assert found[0] == finding(
        severity="error",
        code="direction",
        file=str(log),
        line=4,
        column=37,
        station="CP7",
        id="2",
        action="Heartbeat",
        message="Heartbeat is sent by the station, not by the CSMS",
        hint="check the record's 'from', or which side of the link sent it",
    )
    summary = found[-1]["summary"]
    assert (summary["frames"], summary["skipped_lines"]) == (3, 1)
    assert summary["actions"]["Heartbeat"]["latency"] == {
        "count": 1,
        "mean_ms": 150.0,
        "p50_ms": 150.0,
        "p95_ms": 150.0,
        "max_ms": 150.0,
    }


def test_pattern_reads_lines_that_would_pass_for_json(ocppctl, tmp_path: Path) -> None:
    """--pattern means log mode, even when a line starts with '['."""
    log = tmp_path / "bracket.log"
    log.write_text('[INFO] CP001 [2,"1","Heartbeat",{}]\n[INFO] CSMS [3,"1",{"currentTime":"2026-11-22T10:00:00Z"}]\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", "--pattern", r"\] \S+ (?P<frame>\[.*)$", str(log))
    assert (result.code, result.out) == (0, CLEAN_HEARTBEAT)


def test_pattern_without_a_frame_group_is_exit_2(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--pattern", r"(?P<ts>\S+) (?P<station>\S+)", "field.log")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: Invalid value for '--pattern': needs a named group (?P<frame>...) around the frame; "
        "ts, station and dir are optional (see 'ocppctl validate --help')\n"
    )


def test_bad_regex_is_exit_2(ocppctl, in_data: Path) -> None:
    result = ocppctl("validate", "--pattern", "(?P<frame>[", "field.log")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: Invalid value for '--pattern': not a regular expression: "
        "unterminated character set at position 10 (see 'ocppctl validate --help')\n"
    )


# --- --action: a bare payload ---------------------------------------------------------------


def test_action_checks_a_bare_request_payload(ocppctl, tmp_path: Path) -> None:
    payload = tmp_path / "boot.json"
    payload.write_text('{"reason": "PowerUp", "chargingStation": {"model": "M1", "vendorName": "Acme"}}\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", "--action", "BootNotification", str(payload))
    assert (result.code, result.err) == (0, "")
    assert result.out == "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n"


def test_action_reports_what_the_payload_breaks(ocppctl, tmp_path: Path, finding) -> None:
    payload = tmp_path / "boot.json"
    payload.write_text('{"reason": "PowerUp", "chargingStation": {"model": "M1"}}\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", "--action", "BootNotification", str(payload))
    assert result.code == 1
    assert result.out == (
        f'{payload}:1:1: error: BootNotification request: required property "vendorName" is missing [schema] '
        "at /chargingStation\n"
        "\n"
        "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 1 error, 0 warnings\n"
    )
    found = ocppctl("validate", "--ocpp", "2.0.1", "--action", "BootNotification", "--json", str(payload))
    assert found.json_lines()[0] == finding(
        severity="error",
        code="schema",
        file=str(payload),
        line=1,
        column=1,
        action="BootNotification",
        path="/chargingStation",
        message='BootNotification request: required property "vendorName" is missing',
    )


def test_action_with_response_checks_the_response_schema(ocppctl) -> None:
    payload = b'{"currentTime": "2026-11-22T10:00:00Z", "interval": 300, "status": "Accepted"}'
    ok = ocppctl("validate", "--ocpp", "2.0.1", "--action", "BootNotification", "--response", "-", stdin=payload)
    assert (ok.code, ok.out) == (0, "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n")
    as_request = ocppctl("validate", "--ocpp", "2.0.1", "--action", "BootNotification", "-", stdin=payload)
    assert as_request.code == 1
    allowed = "    hint: allowed here: chargingStation, customData, reason\n"
    assert as_request.out == (
        '<stdin>:1:1: error: BootNotification request: required property "reason" is missing [schema]\n'
        '<stdin>:1:1: error: BootNotification request: required property "chargingStation" is missing [schema]\n'
        '<stdin>:1:1: error: BootNotification request: property "currentTime" is not allowed here [schema] '
        f"at /currentTime\n{allowed}"
        '<stdin>:1:1: error: BootNotification request: property "interval" is not allowed here [schema] '
        f"at /interval\n{allowed}"
        '<stdin>:1:1: error: BootNotification request: property "status" is not allowed here [schema] '
        f"at /status\n{allowed}"
        "\n"
        "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 5 errors, 0 warnings\n"
    )


def test_action_payload_that_is_not_json(ocppctl) -> None:
    result = ocppctl("validate", "--ocpp", "2.0.1", "--action", "Heartbeat", "-", stdin=b'{"reason":')
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "<stdin>:1:11: error: not JSON: Expecting value [json-syntax]\n"
        "\n"
        "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 1 error, 0 warnings\n"
    )


def test_action_needs_ocpp(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{}")
    result = ocppctl("validate", "--action", "Heartbeat", str(tmp_path / "p.json"))
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: --action needs --ocpp: a bare payload does not say its version "
        "(see 'ocppctl validate --help')\n"
    )


def test_response_without_action_is_a_usage_error(ocppctl, tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{}")
    result = ocppctl("validate", "--response", str(tmp_path / "p.json"))
    assert (result.code, result.out) == (2, "")
    assert result.err == "ocppctl: error: --response goes with --action NAME (see 'ocppctl validate --help')\n"


@pytest.mark.parametrize(
    ("ocpp", "action", "hint"),
    [
        ("2.0.1", "BootNotif", 'did you mean "BootNotification"?'),
        ("2.0.1", "StartTransaction", "OCPP 2.0.1 does this with TransactionEvent"),
        ("1.6", "TransactionEvent", "OCPP 1.6 does this with StartTransaction, StopTransaction or MeterValues"),
        ("2.0.1", "Xyzzy", "`ocppctl actions --ocpp 2.0.1` lists them"),
        ("2.0.1", "BatterySwap", "BatterySwap is an OCPP 2.1 action: is the version right?"),
        (
            "1.6",
            "NotifyEVChargingNeeds",
            "NotifyEVChargingNeeds is an OCPP 2.0.1 and 2.1 action: is the version right?",
        ),
    ],
)
def test_unknown_action_name_is_a_usage_error(ocppctl, ocpp: str, action: str, hint: str) -> None:
    """A misspelt --action is a mistake on the command line, not a finding in the file: exit 2, nothing read."""
    result = ocppctl("validate", "--ocpp", ocpp, "--action", action, "-", stdin=b"{}")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"ocppctl: error: \"{action}\" is not an OCPP {ocpp} action ({hint}) (see 'ocppctl validate --help')\n"
    )


def test_action_accepts_a_send_payload(ocppctl) -> None:
    payload = b'{"id": 0, "pending": 0, "basetime": "2026-01-01T00:00:00Z", "data": [{"t": 0, "v": "v"}]}'
    result = ocppctl("validate", "--ocpp", "2.1", "--action", "NotifyPeriodicEventStream", "-", stdin=payload)
    assert (result.code, result.out, result.err) == (
        0,
        "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n",
        "",
    )


def test_action_checks_a_send_payload_against_the_send_schema(ocppctl, finding) -> None:
    result = ocppctl("validate", "--ocpp", "2.1", "--action", "NotifyPeriodicEventStream", "--json", "-", stdin=b"{}")
    assert result.code == 1
    found = result.json_lines()
    assert [line["message"] for line in found[:-1]] == [
        f'NotifyPeriodicEventStream send: required property "{name}" is missing'
        for name in ("id", "pending", "basetime", "data")
    ]
    assert found[0] == finding(
        severity="error",
        code="schema",
        file="<stdin>",
        line=1,
        column=1,
        action="NotifyPeriodicEventStream",
        path="",
        message='NotifyPeriodicEventStream send: required property "id" is missing',
    )


def test_action_payload_gets_the_same_lints_as_a_frame(ocppctl) -> None:
    """A repeated key and a vendorId that is no reverse-DNS name are warnings in a bare payload as in a frame,
    at 1:1 like every finding of a payload."""
    payload = b'{"vendorId":"com.acme","vendorId":"ACME"}'
    result = ocppctl("validate", "--ocpp", "2.0.1", "--action", "DataTransfer", "-", stdin=payload)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        '<stdin>:1:1: warning: key "vendorId" occurs twice in one object; receivers keep one of them [duplicate-key]\n'
        "    hint: remove the repeated key\n"
        '<stdin>:1:1: warning: DataTransfer vendorId "ACME" is not a dotted reverse-DNS name (P01.FR.02, P02.FR.03) '
        "[vendor-id] at /vendorId\n"
        '    hint: use the vendor\'s reversed domain, e.g. "com.example.feature"\n'
        "\n"
        "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 2 warnings\n"
    )
    strict = ocppctl("validate", "--ocpp", "2.0.1", "--action", "DataTransfer", "--strict", "-q", "-", stdin=payload)
    assert strict.code == 1


def test_action_given_a_whole_frame_says_to_drop_action(ocppctl) -> None:
    result = ocppctl("validate", "--ocpp", "2.0.1", "--action", "Heartbeat", "-", stdin=b'[2,"1","Heartbeat",{}]')
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        '<stdin>:1:1: error: Heartbeat request: expected object, got array [2,"1","Heartbeat",{}] [schema]\n'
        "    hint: this is a whole OCPP-J frame, not a payload: drop --action\n"
        "\n"
        "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 1 error, 0 warnings\n"
    )


def test_response_of_a_send_action_is_a_usage_error(ocppctl) -> None:
    result = ocppctl(
        "validate", "--ocpp", "2.1", "--action", "NotifyPeriodicEventStream", "--response", "-", stdin=b"{}"
    )
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: NotifyPeriodicEventStream is a SEND message: it has no response "
        "(see 'ocppctl validate --help')\n"
    )


def test_an_integer_of_5000_digits_is_a_json_syntax_finding(ocppctl, tmp_path: Path) -> None:
    """Python refuses to convert integers of more than 4,300 digits: validate says where the
    number is and goes on with the next line (it was an internal error, exit 70)."""
    capture = tmp_path / "long.jsonl"
    capture.write_text('[2,"1","Heartbeat",{"a":' + "9" * 5000 + "}]\n" + HEARTBEAT_OK)
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        f"{capture}:1:25: error: not JSON: number 99999999999999999999... (5000 characters) is out of any "
        "range ocppctl can hold [json-syntax]\n"
        "\n"
        "1 file: 3 frames, 1 call, 1 result, 0 CALLERRORs; 1 error, 0 warnings\n"
        "  action       calls  results  CALLERRORs\n"
        "  Heartbeat        1        1           0\n"
    )


def test_a_lone_surrogate_in_a_payload_is_shown_escaped_in_text_and_json(ocppctl, tmp_path: Path) -> None:
    """ "\\ud800" is JSON no terminal or UTF-8 file can hold once decoded: findings quoting it
    (an enum value, a property name, a vendorId) were an internal error, exit 70."""
    capture = tmp_path / "surrogate.jsonl"
    capture.write_text(
        '[2,"1","Authorize",{"idToken":{"idToken":"x","type":"\\ud800"}}]\n'
        '[2,"2","DataTransfer",{"vendorId":"\\ud800","\\udc00":1}]\n'
    )
    text = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert (text.code, text.err) == (1, "")
    assert text.out.splitlines()[:5] == [
        f'{capture}:1:1: error: Authorize request: "\\ud800" is not an allowed value [schema] at /idToken/type',
        "    hint: allowed: Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization",
        f'{capture}:2:1: error: DataTransfer request: property "\\udc00" is not allowed here [schema] at /\\udc00',
        "    hint: allowed here: customData, data, messageId, vendorId",
        f'{capture}:2:1: warning: DataTransfer vendorId "\\ud800" is not a dotted reverse-DNS name (P01.FR.02, '
        "P02.FR.03) [vendor-id] at /vendorId",
    ]
    as_json = ocppctl("validate", "--ocpp", "2.0.1", "--json", str(capture))
    assert (as_json.code, as_json.err) == (1, "")
    found = as_json.json_lines()
    assert [(f.get("code"), f.get("path")) for f in found[:3]] == [
        ("schema", "/idToken/type"),
        ("schema", "/\udc00"),
        ("vendor-id", "/vendorId"),
    ]
    assert found[-1]["summary"]["errors"] == 2


def test_a_bom_inside_the_file_and_bare_cr_line_ends_are_named(ocppctl, tmp_path: Path) -> None:
    """Two ways a capture breaks that the generic JSON hint does not explain: files joined with
    their BOMs, and a file whose lines end in a bare CR (read as one line)."""
    joined = tmp_path / "joined.jsonl"
    joined.write_bytes(b'[2,"1","Heartbeat",{}]\n\xef\xbb\xbf[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\n')
    cr = tmp_path / "cr.jsonl"
    cr.write_bytes(b'[2,"1","Heartbeat",{}]\r[3,"1",{"currentTime":"2026-11-22T10:00:01Z"}]\r')
    result = ocppctl("validate", "--ocpp", "2.0.1", "--select", "json-syntax", str(joined), str(cr))
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:4] == [
        f"{joined}:2:1: error: not JSON: Expecting value [json-syntax]",
        "    hint: a byte order mark (U+FEFF) inside the file, where files were joined: remove it",
        f"{cr}:1:24: error: not JSON: Extra data [json-syntax]",
        "    hint: a carriage return without a line feed before it: do lines end in a bare CR? "
        "tr '\\r' '\\n' converts them",
    ]


def test_payloads_nested_a_thousand_levels_are_findings(ocppctl, tmp_path: Path) -> None:
    """orjson reads 1,000 levels; the vendorId lint walked them by recursion and the fast engine
    refuses to hand back a value nested past ~250: both were internal errors (exit 70)."""
    deep = "[" * 1000 + "]" * 1000
    nested = '{"a":' * 1000 + '{"customData":{"vendorId":"x"}}' + "}" * 1000
    capture = tmp_path / "deep.jsonl"
    capture.write_text(
        f'[2,"1","DataTransfer",{{"vendorId":"com.example","data":{nested}}}]\n'
        '[2,"2","TransactionEvent",{"eventType":"Started","timestamp":"2026-11-22T10:00:00Z",'
        f'"triggerReason":"Authorized","seqNo":0,"transactionInfo":{deep}}}]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", "--ignore", "unanswered-call", str(capture))
    assert (result.code, result.err) == (1, "")
    lines = result.out.splitlines()
    assert lines[0].startswith(f'{capture}:1:1: warning: customData vendorId "x" is not a dotted reverse-DNS name')
    assert lines[0].endswith("/a/customData/vendorId")
    assert lines[2:4] == [
        f"{capture}:2:1: error: TransactionEvent request: breaks its schema, nested too deeply to say where [schema]",
        "    hint: an OCPP payload nests a few levels: look for a runaway array or object",
    ]


def test_a_bare_payload_nested_too_deeply_is_one_finding(ocppctl, tmp_path: Path) -> None:
    """--action goes through the same explanation as a frame's payload (it was exit 70)."""
    payload = tmp_path / "deep.json"
    payload.write_text(
        '{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"},"x":' + "[" * 300 + "]" * 300 + "}"
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", "--action", "BootNotification", str(payload))
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:2] == [
        f"{payload}:1:1: error: BootNotification request: breaks its schema, nested too deeply to say where [schema]",
        "    hint: an OCPP payload nests a few levels: look for a runaway array or object",
    ]


def test_names_holding_a_line_break_stay_on_one_line(ocppctl, tmp_path: Path) -> None:
    """An action named on the command line, or a property or action of a frame, quoted in an
    error: a line break in it shows as \\n (the property test found a two-line usage error)."""
    payload = tmp_path / "payload.json"
    payload.write_text("{}")
    named = ocppctl("validate", "--action", "Heart\nbeat", "--ocpp", "2.0.1", str(payload))
    assert named.code == 2
    assert named.err == (
        'ocppctl: error: "Heart\\nbeat" is not an OCPP 2.0.1 action (did you mean "Heartbeat"?) '
        "(see 'ocppctl validate --help')\n"
    )
    capture = tmp_path / "names.jsonl"
    capture.write_text('[2,"1","Heart\\nbeat",{}]\n[2,"2","Heartbeat",{"a\\nb":1}]\n')
    found = ocppctl("validate", "--ocpp", "2.0.1", "--select", "unknown-action,schema", str(capture))
    assert (
        found.out.splitlines()[0]
        == f'{capture}:1:1: error: "Heart\\nbeat" is not an OCPP 2.0.1 action [unknown-action]'
    )
    lines = found.out.splitlines()
    assert (
        lines[2] == f'{capture}:2:1: error: Heartbeat request: property "a\\nb" is not allowed here [schema] at /a\\nb'
    )
    assert any(line.startswith("  Heart\\nbeat ") for line in lines)


def test_a_line_past_max_line_is_one_finding_and_the_next_lines_are_read(ocppctl, tmp_path: Path) -> None:
    capture = tmp_path / "long.jsonl"
    big = '{"vendorId":"com.example","data":"' + "x" * 5000 + '"}'
    capture.write_text(f'[2,"1","DataTransfer",{big}]\n[2,"2","Heartbeat",{{}}]\n[3,"2",{{}}]\n')
    result = ocppctl("validate", "--ocpp", "1.6", "--max-line", "4096", "--select", "record", str(capture))
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:3] == [
        f"{capture}:1: error: line of 5,060 bytes, longer than the bound of 4,096: not read [record]",
        "    hint: --max-line BYTES raises the bound, if the line holds a frame",
        "",
    ]
    assert "3 frames, 1 call, 1 result" in result.out
    by_default = ocppctl("validate", "--ocpp", "1.6", "--select", "record", str(capture))  # 16 MiB
    assert by_default.out.startswith("1 file: 3 frames, 2 calls, 1 result")


def test_blank_lines_before_a_pretty_document_keep_its_line_numbers(ocppctl, tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("\n\n\n[\n" + '  [2,"1","Heartbeat",{"x":1}]\n]\n')
    result = ocppctl("validate", "--ocpp", "2.0.1", "--select", "schema", str(document))
    assert result.out.startswith(f"{document}:5:3: error: Heartbeat request")


@pytest.mark.parametrize("name", ["two.json", "two.jsonl", "two.log"])
def test_a_file_of_two_pretty_printed_frames_is_read_under_any_name(ocppctl, tmp_path: Path, name: str) -> None:
    """It was "no OCPP-J frame found" (or json-syntax errors) for a file holding two frames a
    logger printed with indent."""
    capture = tmp_path / name
    capture.write_text(
        '[\n  2,\n  "a1",\n  "Heartbeat",\n  {}\n]\n[\n  3,\n  "a1",\n  {\n    "currentTime": "2026-11-22T10:00:00Z"\n  }\n]\n'
    )
    result = ocppctl("validate", "--ocpp", "2.0.1", str(capture))
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("1 file: 2 frames, 1 call, 1 result, 0 CALLERRORs; 0 errors, 0 warnings\n")
