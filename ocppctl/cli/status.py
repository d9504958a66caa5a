"""Exit codes of every command (docs/exit-codes.md). When several apply, the first of
2, 5, 4, 3, 1 wins."""

from __future__ import annotations

from enum import IntEnum

from ocppctl import errors


class ExitCode(IntEnum):
    """The numbers are ocppctl/errors.py's, where the exceptions that carry them live."""

    OK = 0
    FINDINGS = errors.FINDINGS  # validation findings of severity error (warnings too with --strict)
    USAGE = errors.USAGE  # usage error, or an input that cannot be opened, decompressed or decoded
    CALLERROR = errors.CALLERROR  # the peer answered with a CALLERROR
    TIMEOUT = errors.TIMEOUT
    CONNECTION = errors.CONNECTION  # connection, TLS or handshake failure, the peer closing mid-call included
    INTERNAL = 70  # a bug in ocppctl: --debug shows the traceback
    INTERRUPTED = 130


PRECEDENCE = (ExitCode.USAGE, ExitCode.CONNECTION, ExitCode.TIMEOUT, ExitCode.CALLERROR, ExitCode.FINDINGS)


def combine(*codes: int) -> int:
    """The exit code that wins when several apply."""
    present = set(codes)
    for code in PRECEDENCE:
        if code in present:
            return int(code)
    return int(ExitCode.INTERRUPTED) if ExitCode.INTERRUPTED in present else 0


EXIT_CODES_HELP = """\b
Exit codes:
  0    success, no errors
  1    errors found (with --strict, warnings too)
  2    usage error, or an input that cannot be opened, decompressed or decoded
  3    the peer answered with a CALLERROR
  4    timeout
  5    connection, TLS or handshake failure
  70   internal error (a bug: --debug shows the traceback)
  130  interrupted
When several apply, the first of 2, 5, 4, 3, 1 wins."""
