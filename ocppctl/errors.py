"""Exceptions users can act on; each becomes one line and an exit code at the CLI's edge.

    OcppctlError            one line for the user; exit code set by the subclass
     +-- UsageFailure       bad arguments or options (exit 2)
     +-- InputError         an input that cannot be opened, decompressed or decoded (exit 2)

The core never raises these for bad *content*: a frame that is not JSON is a finding.
"""

from __future__ import annotations


class OcppctlError(Exception):
    """A failure with a one-line message; `exit_code` is one of cli.status.ExitCode."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageFailure(OcppctlError):
    exit_code = 2


class InputError(OcppctlError):
    exit_code = 2
