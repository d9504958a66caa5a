"""Reading and writing for `ocppctl redact`; the redaction itself is core.redact."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TextIO

from ocppctl.cli.env import Env
from ocppctl.core.capture import LongLine
from ocppctl.core.redact import Redactor
from ocppctl.errors import InputError
from ocppctl.io.inputs import open_input


def run_redact(env: Env, path: str, output: str) -> int:
    """Redact `path` into `output` ('-': stdout); an output file is written whole or not at all."""
    source = open_input(path, env.stdin)
    redactor = Redactor()
    try:
        if output == "-":
            _copy(source.name, source.lines(), redactor, env.stdout)
            return 0
        partial = f"{output}.part"
        try:
            with open(partial, "w", encoding="utf-8", newline="") as sink:
                _copy(source.name, source.lines(), redactor, sink)
            os.replace(partial, output)
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from None
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        return 0
    finally:
        source.close()


def _copy(name: str, lines: Iterable[bytes | LongLine], redactor: Redactor, sink: TextIO) -> None:
    for number, line in enumerate(lines, 1):
        if isinstance(line, LongLine):
            raise InputError(f"{name}:{number}: a line of {line.size} bytes, longer than any capture holds")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}:{number}: not UTF-8 at byte {exc.start}; re-encode the file as UTF-8") from None
        sink.write(redactor.line(text))
