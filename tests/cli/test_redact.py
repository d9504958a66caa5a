"""`ocppctl redact`: what a user sees on stdout, in the output file and in the exit status."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from .conftest import Ocppctl

AUTHORIZE = '{"station": "CP1", "from": "station", "ocpp": "1.6", "raw": "[2,\\"1\\",\\"Authorize\\",{\\"idTag\\":\\"04A2C91A\\"}]"}\n'
REDACTED = '{"station": "CP1", "from": "station", "ocpp": "1.6", "raw": "[2,\\"1\\",\\"Authorize\\",{\\"idTag\\":\\"idTag-1x\\"}]"}\n'
CONNECT = '{"station": "CP1", "event": "connect", "remote": "198.51.100.23:40112"}\n'


def test_stdin_to_stdout(ocppctl: Ocppctl) -> None:
    result = ocppctl("redact", "-", stdin=(CONNECT + AUTHORIZE + AUTHORIZE).encode())
    assert (result.code, result.err) == (0, "")
    assert result.out == CONNECT.replace("198.51.100.23", "192.0.2.1") + REDACTED + REDACTED


def test_gzip_file_to_output_file(ocppctl: Ocppctl, tmp_path: Path) -> None:
    source = tmp_path / "capture.jsonl.gz"
    source.write_bytes(gzip.compress(AUTHORIZE.encode()))
    out = tmp_path / "shared.jsonl"
    result = ocppctl("redact", str(source), "-o", str(out))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert out.read_text(encoding="utf-8") == REDACTED
    assert not (tmp_path / "shared.jsonl.part").exists()


def test_bare_frames(ocppctl: Ocppctl) -> None:
    result = ocppctl("redact", "-", stdin=b'[2, "1", "Authorize", {"idTag": "04A2C91A"}]\n[3,"1",{}]\n')
    assert result.out == '[2,"1","Authorize",{"idTag":"idTag-1x"}]\n[3,"1",{}]\n'


def test_missing_file_is_exit_2(ocppctl: Ocppctl, tmp_path: Path) -> None:
    result = ocppctl("redact", str(tmp_path / "none.jsonl"))
    assert (result.code, result.out) == (2, "")
    assert result.err == f"ocppctl: error: {tmp_path / 'none.jsonl'}: no such file\n"


def test_unwritable_output_is_exit_2_and_leaves_nothing(ocppctl: Ocppctl, tmp_path: Path) -> None:
    source = tmp_path / "c.jsonl"
    source.write_text(AUTHORIZE, encoding="utf-8")
    out = tmp_path / "no-such-dir" / "x.jsonl"
    result = ocppctl("redact", str(source), "-o", str(out))
    assert result.code == 2
    assert result.err == f"ocppctl: error: {out}: cannot write: No such file or directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl"]


def test_an_error_never_prints_a_secret(ocppctl: Ocppctl, tmp_path: Path) -> None:
    source = tmp_path / "c.jsonl"
    source.write_bytes(AUTHORIZE.encode() + b'{"raw": "[2,\\"2\\",\\"Authorize\\",{\\"idTag\\":\\"SECRET\xff\\"}]"}\n')
    out = tmp_path / "shared.jsonl"
    result = ocppctl("redact", str(source), "-o", str(out))
    assert result.code == 2
    assert result.err == f"ocppctl: error: {source}:2: not UTF-8 at byte 51; re-encode the file as UTF-8\n"
    assert "SECRET" not in result.err + result.out
    assert not out.exists()  # a file is written whole or not at all


def test_redacted_example_validates_the_same(ocppctl: Ocppctl, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent.parent / "examples" / "capture-2.0.1.jsonl"
    out = tmp_path / "capture-2.0.1.jsonl"
    assert ocppctl("redact", str(example), "-o", str(out)).code == 0
    assert "VB22-000417\\" not in out.read_text(encoding="utf-8")  # the serial number in the boot
    before = ocppctl("validate", "--json", str(example))
    after = ocppctl("validate", "--json", str(out))
    assert before.code == after.code == 1

    def where(lines: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return [(f.get("code"), f.get("line"), f.get("column"), f.get("path")) for f in lines if "code" in f]

    assert where(after.json_lines()) == where(before.json_lines())
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["remote"] == "192.0.2.1:50412"
