"""What observers (the printer, the recorder, a hub's watchers, the REPL) are told: one frame on
one link, or a connection event. Both roles produce them, so they live apart from either."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ocppctl.core.findings import Finding
from ocppctl.core.frames import Frame
from ocppctl.core.versions import VERSIONS, Version


@dataclass
class Flow:
    """One frame on one link, or a connection event, for observers."""

    ts: str
    station: str
    conn: int
    side: str | None  # who sent it; None for a connection event
    version: Version
    text: str | None = None
    findings: list[Finding] = field(default_factory=list)
    event: str | None = None  # connect or close
    detail: dict[str, Any] = field(default_factory=dict)
    frame: Frame | None = None  # the frame as read (None when it was not one)
    answers: str | None = None  # of an answer: the action of the call it answers
    rtt_ms: float | None = None  # of an answer to a call of ours: its round trip
    binary: bool = False  # the frame came as a binary WebSocket message

    def capture(self) -> dict[str, Any] | None:
        """The capture record of this flow (docs/capture-format.md): a frame, or a connect or
        close event; None for what a capture does not hold (notes, refusals, reconnects)."""
        base: dict[str, Any] = {"ts": self.ts, "station": self.station, "conn": self.conn}
        if self.event in ("connect", "close"):
            return {**base, "event": self.event, **self.detail}
        if self.event is not None or self.side is None or self.text is None:
            return None
        record = {**base, "from": self.side, "ocpp": self.version.name, "raw": self.text}
        if self.binary:
            record["binary"] = True
        return record

    def as_record(self) -> dict[str, Any]:
        """The flow as `listen --json` prints it and the control socket's `watch` streams it:
        `ts`, `station`, `conn`, `ocpp`, then `event` and its detail (`subprotocol`, `remote`;
        `code`, `reason`) or `from` (station|csms), `raw` (the wire text) and `findings`; an
        answer to a call the hub made also carries `rtt_ms`."""
        record: dict[str, Any] = {"ts": self.ts, "station": self.station, "conn": self.conn, "ocpp": self.version.name}
        if self.event is not None:
            record.update(event=self.event, **self.detail)
        else:
            record.update({"from": self.side, "raw": self.text, "findings": [f.as_dict() for f in self.findings]})
            if self.rtt_ms is not None:
                record["rtt_ms"] = round(self.rtt_ms, 3)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any], default: Version) -> Flow:
        """The inverse of as_record (a watch's line back into a Flow, its frame read again);
        `default` stands for a version the record does not name."""
        from ocppctl.core.frames import from_value
        from ocppctl.core.jsontext import JsonSyntaxError, loads

        version = VERSIONS.get(str(record.get("ocpp")), default)
        flow = cls(
            str(record.get("ts", "")), str(record.get("station", "")), int(record.get("conn") or 0), None, version
        )
        if "event" in record:
            flow.event = str(record["event"])
            flow.detail = {k: v for k, v in record.items() if k not in ("ts", "station", "conn", "ocpp", "event")}
            return flow
        flow.side = record.get("from")
        flow.text = str(record.get("raw", ""))
        flow.findings = [Finding(**f) for f in record.get("findings", [])]
        flow.rtt_ms = record.get("rtt_ms")
        try:
            flow.frame, _ = from_value(loads(flow.text), version)
        except JsonSyntaxError:  # not JSON: shown as the text it is
            flow.frame = None
        return flow
