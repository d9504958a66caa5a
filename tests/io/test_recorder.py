"""Record files (io/recorder.py): created 0600, as the history file, since they hold the same
payloads (passwords in SetVariables); a stricter umask wins; an existing file keeps its mode."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocppctl.io.recorder import Recorder, open_record


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def test_a_new_record_file_is_0600_under_the_usual_umask(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "r.jsonl"
    with open_record(str(path)) as handle:
        Recorder(handle).event("2026-11-22T10:00:00.000Z", "CP1", 1, "connect")
    assert _mode(path) == "0o600"
    assert path.read_text() == '{"ts":"2026-11-22T10:00:00.000Z","station":"CP1","conn":1,"event":"connect"}\n'


def test_a_stricter_umask_wins(tmp_path: Path, umask: None) -> None:
    os.umask(0o277)
    path = tmp_path / "r.jsonl"
    open_record(str(path)).close()
    assert _mode(path) == "0o400"


def test_an_existing_file_is_appended_to_and_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("first\n")
    path.chmod(0o640)
    with open_record(str(path)) as handle:
        handle.write("second\n")
    assert (_mode(path), path.read_text()) == ("0o640", "first\nsecond\n")
