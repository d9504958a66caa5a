"""Live traffic as `listen` and `sim station` print it: a frame or connection event a line (the
payload cut to the terminal's width), the whole frame (`--full`), or the frame pretty-printed
over several lines (`--pretty`, the REPL's renderer); or a JSON record a line (`--json`).

Everything that came from a peer is escaped before it is written."""

from __future__ import annotations

from typing import TextIO

from ocppctl.core.frames import TYPE_NAMES
from ocppctl.core.jsontext import dumps
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape_line, paint
from ocppctl.transport.flow import Flow

VIEWS = ("compact", "full", "pretty", "json")
CUT = "…"  # the end of a payload cut to the width; --full shows it whole
_MIN_BODY = 16  # a payload keeps at least this much, even when the head alone fills the line


class FlowPrinter:
    """Writes each Flow to `out`: `view` is one of VIEWS; `width` the terminal's columns for the
    compact view (None: not a terminal, lines are not cut); `local` the side this process plays
    (its frames get →, the peer's ←); `control` the control socket `listening` announces."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        color: bool = False,
        view: str = "compact",
        width: int | None = None,
        local: str = "csms",
        control: str | None = None,
    ) -> None:
        if view not in VIEWS:
            raise ValueError(f"no view {view!r}")
        self.out = out
        self.err = err
        self.color = color
        self.view = view
        self.width = width
        self.local = local
        self.control = control

    def listening(self, host: str, port: int) -> None:
        """Where the server listens (and its control socket), on stderr: stdout is the traffic."""
        self.err.write(f"ocppctl: listening on {host}:{port} (Ctrl-C stops)\n")
        if self.control:
            self.err.write(f"ocppctl: control socket {self.control} (send --via)\n")
        self.err.flush()

    def flow(self, flow: Flow) -> None:
        """One frame or connection event, as the view says."""
        if self.view == "json":
            self.out.write(dumps(flow.as_record()) + "\n")
        elif flow.event is not None:
            self.out.write(self._event(flow) + "\n")
        elif self.view == "pretty":
            self.out.write(self._pretty(flow) + "\n")
        else:
            self.out.write(self._line(flow) + "\n")
            for finding in flow.findings:
                self.out.write("    " + finding_text(finding, self.color).replace("\n", "\n    ") + "\n")
        self.out.flush()

    def _event(self, flow: Flow) -> str:
        detail = " ".join(f"{k}={v}" for k, v in flow.detail.items() if v not in (None, ""))
        text = f"{flow.ts[11:23]} {escape_line(flow.station)} {escape_line(flow.event or '')} {escape_line(detail)}"
        return paint("faint", text.rstrip(), self.color)

    def _line(self, flow: Flow) -> str:
        """`10:00:00.123 CP001 ← CALL BootNotification 19223201 {...}`, the payload cut to the width."""
        arrow = "→" if flow.side == self.local else "←"
        when, who = flow.ts[11:23], escape_line(flow.station)
        frame = flow.frame
        if frame is None:
            label, body = "", escape_line(flow.text or "")
        else:
            action = frame.action or flow.answers
            label = escape_line(" ".join(str(x) for x in (TYPE_NAMES.get(frame.type, "?"), action, frame.id) if x))
            if frame.error_code is not None:
                body = escape_line(f"{frame.error_code} {dumps(frame.error_description)}")
            else:
                body = escape_line(dumps(frame.payload))
        plain_head = " ".join(x for x in (when, who, arrow, label) if x)
        if self.view == "compact" and self.width is not None:
            room = max(self.width - len(plain_head) - 1, _MIN_BODY)
            if len(body) > room:
                body = body[: room - len(CUT)] + CUT
        head = " ".join(
            x
            for x in (when, paint("bold", who, self.color), arrow, paint("cyan", label, self.color) if label else "")
            if x
        )
        return f"{head} {body}"

    def _pretty(self, flow: Flow) -> str:
        from ocppctl.render.traffic import traffic_text

        return traffic_text(
            ts=flow.ts,
            station=flow.station,
            outgoing=flow.side == self.local,
            frame=flow.frame,
            text=flow.text or "",
            action=flow.answers,
            findings=flow.findings,
            rtt_ms=flow.rtt_ms,
            color=self.color,
            max_lines=1 << 30,
        ).text
