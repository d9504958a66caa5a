"""Capture records appended to a file, one a line, flushed per record (docs/capture-format.md):
a recording cut short by Ctrl-C or SIGTERM loses nothing that was on the wire."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import IO, Any

from ocppctl.core.jsontext import dumps


def utc_stamp(moment: datetime | None = None) -> str:
    """RFC 3339 UTC with microseconds, as capture records carry it: a response's latency is
    read from two stamps, and on a local link it is well under a millisecond."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def ocpp_time() -> str:
    """The time now for a payload (currentTime, timestamp): milliseconds, as OCPP allows."""
    from ocppctl.core.payloads import time_text

    return time_text(datetime.now(timezone.utc))


class Recorder:
    """Appends records to an open text file."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def frame(self, ts: str, station: str, conn: int, side: str, ocpp: str, raw: str) -> None:
        self._write({"ts": ts, "station": station, "conn": conn, "from": side, "ocpp": ocpp, "raw": raw})

    def event(self, ts: str, station: str, conn: int, event: str, **extra: Any) -> None:
        self._write({"ts": ts, "station": station, "conn": conn, "event": event, **extra})

    def write(self, record: dict[str, Any] | None) -> None:
        """Append one record as it is (None: nothing)."""
        if record is not None:
            self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        self.handle.write(dumps(record) + "\n")
        self.handle.flush()
