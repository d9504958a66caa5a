"""CLI fixtures: run `ocppctl` in-process through `run(argv, env)` with captured streams.

Every run also checks the promise of the CLI's edge: no Python traceback on stderr unless
--debug asked for one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

DATA = Path(__file__).resolve().parent.parent / "data" / "cli"


@dataclass
class Result:
    """What one command line did: exit code and the text of both streams."""

    code: int
    out: str
    err: str

    def json_lines(self) -> list[Any]:
        """stdout parsed as one JSON value a line."""
        return [json.loads(line) for line in self.out.splitlines()]


Ocppctl = Callable[..., Result]


def invoke(
    *argv: str,
    stdin: bytes | None = None,
    stdin_isatty: bool = False,
    stdout_isatty: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Result:
    """Run one ocppctl command line as a user would, but with every stream captured."""
    env = Env(
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin=io.BytesIO(stdin) if stdin is not None else None,
        environ=dict(environ or {}),
        stdout_isatty=stdout_isatty,
        stdin_isatty=stdin_isatty,
    )
    code = run(list(argv), env)
    result = Result(code, env.stdout.getvalue(), env.stderr.getvalue())  # type: ignore[attr-defined]
    if "--debug" not in argv:
        assert "Traceback" not in result.err, result.err
    return result


@pytest.fixture
def ocppctl() -> Ocppctl:
    """`ocppctl("validate", "x.jsonl", stdin=b"...", stdout_isatty=True, environ={...})` -> Result."""
    return invoke


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work from tests/data/cli/, so findings name files as a user typing there would see them."""
    monkeypatch.chdir(DATA)
    return DATA


def _record(seq: int, side: str, raw: str, station: str = "CP001", ocpp: str = "2.0.1") -> str:
    return json.dumps(
        {
            "ts": f"2026-11-22T10:00:{seq:02d}.000Z",
            "station": station,
            "conn": 1,
            "from": side,
            "ocpp": ocpp,
            "raw": raw,
        }
    )


@pytest.fixture
def record() -> Callable[..., str]:
    """`record(seq, side, raw, station="CP001", ocpp="2.0.1")`: one capture record line, keys in the
    documented order, the timestamp at second `seq`."""
    return _record


FINDING_KEYS = ("severity", "code", "file", "line", "column", "station", "id", "action", "path", "message", "hint")


def _finding(**fields: Any) -> dict[str, Any]:
    unknown = set(fields) - set(FINDING_KEYS)
    assert not unknown, unknown
    return {key: fields.get(key) for key in FINDING_KEYS}


@pytest.fixture
def finding() -> Callable[..., dict[str, Any]]:
    """`finding(severity=..., code=..., ...)`: a JSON finding with every documented key, null unless given."""
    return _finding
