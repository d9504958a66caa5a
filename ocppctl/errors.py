"""Exceptions users can act on; each becomes one line and an exit code at the CLI's edge.

    OcppctlError            one line for the user; `exit_code` set by the subclass
     +-- UsageFailure       bad arguments or options (exit 2)
     +-- InputError         an input that cannot be opened, decompressed or decoded (exit 2)
     +-- LinkError          a link that could not be made, or was lost (exit 5)
     +-- TimedOut           no answer, or no station, in time (exit 4)
     +-- PeerRefusedCall    the peer answered with a CALLERROR (exit 3)

The codes are cli.status.ExitCode's (docs/exit-codes.md); they are written out here so the
transports and the REPL can raise these without importing the CLI. The core never raises these
for bad *content*: a frame that is not JSON is a finding, a call that breaks its schema is
core.rpc.Refused (exit 1 where a command reports it).
"""

from __future__ import annotations

FINDINGS, USAGE, CALLERROR, TIMEOUT, CONNECTION = 1, 2, 3, 4, 5


class OcppctlError(Exception):
    """A failure with a one-line message; `exit_code` is one of cli.status.ExitCode."""

    exit_code = USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageFailure(OcppctlError):
    exit_code = USAGE


class InputError(OcppctlError):
    exit_code = USAGE


class LinkError(OcppctlError):
    """A link that could not be made or was lost: one line for the user."""

    exit_code = CONNECTION


class TimedOut(OcppctlError):
    """No answer (or no station) in time."""

    exit_code = TIMEOUT


class PeerRefusedCall(OcppctlError):
    exit_code = CALLERROR
