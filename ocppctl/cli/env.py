"""The one way commands reach stdin, stdout, stderr and the environment, so tests can swap them."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO


@dataclass
class Env:
    stdout: TextIO
    stderr: TextIO
    stdin: BinaryIO | None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stdout_isatty: bool = False
    stdin_isatty: bool = False
    debug: bool = False
    columns: int | None = None  # the terminal's width when stdout is one (COLUMNS respected)

    @classmethod
    def from_process(cls) -> Env:
        return cls(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin=sys.stdin.buffer if sys.stdin is not None else None,
            environ=os.environ,
            stdout_isatty=sys.stdout.isatty(),
            stdin_isatty=sys.stdin is not None and sys.stdin.isatty(),
            columns=shutil.get_terminal_size().columns if sys.stdout.isatty() else None,
        )
