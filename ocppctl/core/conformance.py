"""`ocppctl check`: the basic message sets (seeds 003 and 004) as checks, each data: what to send,
what to wait for, and a pure judge of the frames exchanged.

A check names the use case and requirement it checks (2.0.1 use cases such as B01, P01.FR.06;
1.6 sections of the specification such as 1.6 §5.3). Its steps are run by the transport
(transport/conformance.py); its judge reads the frames of the run (`Seen`) and says pass, fail
(with why) or skipped: the peer answered NotImplemented or NotSupported, so the feature is
absent rather than wrong. Nothing here reads a clock: the CSMS checks get the local time with
the frames (`Run.now`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocppctl.core.findings import Finding
from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT, Frame

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"
ABSENT = ("NotImplemented", "NotSupported")  # CALLERROR codes that make a check skipped
CHECK_TOKEN = "OCPPCTL-CHECK"  # the idTag / idToken the checks use
UNKNOWN_VENDOR = "org.ocppctl.check.unknown"  # a vendorId no station or CSMS knows
UNKNOWN_NAME = "OcppctlCheckUnknown"  # a variable, component or 1.6 key nobody has


@dataclass(frozen=True)
class Seen:
    """One frame of the run: who sent it (station|csms), the frame, what the checks found in it,
    and for an answer the action it answers."""

    side: str
    frame: Frame
    findings: tuple[Finding, ...] = ()
    answers: str | None = None

    @property
    def action(self) -> str | None:
        return self.frame.action if self.frame.type == CALL else self.answers

    def payload(self) -> dict[str, Any]:
        return self.frame.payload if isinstance(self.frame.payload, dict) else {}


Payload = Any  # a payload, or a Builder
Builder = Callable[["tuple[Seen, ...]", str], Any]  # (frames so far, now) -> payload, None: not sent


@dataclass(frozen=True)
class Expect:
    """Calls of the peer that follow an answer of `when` status (any status when empty):
    `count` of them, or (until_done) up to the one whose tbc is not true."""

    action: str
    count: int = 1
    until_done: bool = False
    when: tuple[str, ...] = ("Accepted",)


@dataclass(frozen=True)
class Ask:
    """A call of the checker's, then what it expects the peer to do after answering."""

    action: str
    payload: Payload
    expect: tuple[Expect, ...] = ()
    reconnect: bool = False  # after an accepted answer the peer reconnects and boots (Reset)
    settle: float = 0.0  # seconds to leave the peer after its expected calls (to take in our answers)


@dataclass(frozen=True)
class Await:
    """No call: wait for `count` calls of `action` from the peer since the run began."""

    action: str
    count: int = 1


Step = Ask | Await


@dataclass(frozen=True)
class Outcome:
    status: str  # pass | fail | skipped
    why: str = ""


@dataclass(frozen=True)
class Run:
    """What a judge reads: the frames of its check, in wire order; `now` is the local time the
    check ended (RFC 3339), for clock checks."""

    frames: tuple[Seen, ...]
    now: str = ""
    skew: float = 60.0  # seconds a peer's clock may differ from ours


Judge = Callable[[Run], None]  # raises Failed (or Absent) with why; returns when it passes


@dataclass(frozen=True)
class Check:
    """One check: `id` (stable, for --json and JUnit), the peer it checks (station|csms), the
    version, the use case and requirement, the steps, and the judge."""

    id: str
    title: str
    tested: str
    version: str
    use_case: str
    requirement: str
    steps: tuple[Step, ...]
    judge: Judge
    whole_run: bool = False  # judges every frame of the run (the peer's own calls), not its steps'


@dataclass
class Result:
    check: Check
    outcome: Outcome
    frames: list[Seen] = field(default_factory=list)


class Failed(Exception):
    """A judge's verdict: the check fails, for this reason."""


class Noted(Exception):
    """A judge's verdict: the check passes, with a note (a part it could not try)."""


class Absent(Exception):
    """A judge's verdict: the peer lacks what the check needs; the check is skipped."""


def need(condition: Any, why: str) -> None:
    """Fail the check with `why` unless `condition` holds."""
    if not condition:
        raise Failed(why)


def judge(check: Check, run: Run) -> Outcome:
    """The outcome of `check` over its frames: skipped when the peer said NotImplemented or
    NotSupported to a call of ours; failed on a frame of the peer's that breaks its schema, an
    unanswered call, a CALLERROR, or what the check's own judge finds; else passed."""
    tested = check.tested
    asks = [s for s in check.steps if isinstance(s, Ask)]
    for ask in asks:
        answer = answer_to(run.frames, ask.action, tested)
        if answer is not None and answer.frame.type == CALLERROR and answer.frame.error_code in ABSENT:
            return Outcome(SKIPPED, f"{ask.action}: the {tested} answered {answer.frame.error_code}")
    if asks and status(result_of(run.frames, asks[0].action, tested)) == "NotSupported":
        return Outcome(SKIPPED, f"{asks[0].action}: the {tested} answered status NotSupported")
    for seen in run.frames:
        if seen.side != tested or (check.whole_run and seen.frame.type != CALL):
            continue
        errors = [f for f in seen.findings if f.severity == "error"]
        if errors:
            where = f" at {errors[0].path}" if errors[0].path else ""
            return Outcome(FAIL, f"{seen.action or 'a frame'}{where}: {errors[0].message}")
        if seen.frame.type == CALLERROR:
            frame = seen.frame
            return Outcome(FAIL, f"{seen.action}: CALLERROR {frame.error_code} {frame.error_description or ''}".strip())
    caller = "csms" if tested == "station" else "station"
    for ask in asks:  # a call not made (nothing to make it with) is for the check's judge to explain
        if calls_of(run.frames, ask.action, caller) and answer_to(run.frames, ask.action, tested) is None:
            return Outcome(FAIL, f"no answer to {ask.action}")
    try:
        check.judge(run)
    except Failed as failed:
        return Outcome(FAIL, str(failed))
    except Absent as absent:
        return Outcome(SKIPPED, str(absent))
    except Noted as noted:
        return Outcome(PASS, str(noted))
    return Outcome(PASS)


# --- reading the frames -----------------------------------------------------------------------


def answer_to(frames: tuple[Seen, ...] | list[Seen], action: str, side: str, nth: int = 0) -> Seen | None:
    """The `nth` answer (result or error) of `side` to a call of `action`."""
    found = [s for s in frames if s.side == side and s.frame.type in (CALLRESULT, CALLERROR) and s.answers == action]
    return found[nth] if len(found) > nth else None


def result_of(frames: tuple[Seen, ...] | list[Seen], action: str, side: str, nth: int = 0) -> dict[str, Any]:
    """The payload of the `nth` CALLRESULT of `side` to `action` ({} when there is none)."""
    seen = answer_to(frames, action, side, nth)
    return seen.payload() if seen is not None and seen.frame.type == CALLRESULT else {}


def calls_of(frames: tuple[Seen, ...] | list[Seen], action: str, side: str) -> list[Seen]:
    """The calls of `action` that `side` made, in order."""
    return [s for s in frames if s.side == side and s.frame.type == CALL and s.frame.action == action]


def after(frames: tuple[Seen, ...], action: str, side: str) -> tuple[Seen, ...]:
    """The frames after the first answer of `side` to `action` (what its answer led to)."""
    answer = answer_to(frames, action, side)
    return frames[frames.index(answer) + 1 :] if answer is not None else ()


def statuses_after(run: Run, action: str, nth: int) -> list[Any]:
    """The connector statuses the station reported after its `nth` answer to `action`."""
    answers = [s for s in run.frames if s.side == "station" and s.answers == action]
    if len(answers) <= nth:
        return []
    start = run.frames.index(answers[nth])
    end = run.frames.index(answers[nth + 1]) if len(answers) > nth + 1 else len(run.frames)
    key = "connectorStatus" if any("connectorStatus" in s.payload() for s in run.frames) else "status"
    return [s.payload().get(key) for s in calls_of(run.frames[start:end], "StatusNotification", "station")]


def status(payload: dict[str, Any]) -> Any:
    return payload.get("status")


def seconds_apart(first: str, second: str) -> float | None:
    """|second - first| in seconds for two RFC 3339 times with offsets; None when one is not."""
    try:
        a = datetime.fromisoformat(first.replace("Z", "+00:00").replace("z", "+00:00"))
        b = datetime.fromisoformat(second.replace("Z", "+00:00").replace("z", "+00:00"))
        return abs((b - a).total_seconds())
    except (ValueError, TypeError, AttributeError):
        return None


def has_offset(stamp: str) -> bool:
    """Whether an RFC 3339 time says its offset (Z or ±hh:mm): a time without one is ambiguous."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00")).tzinfo is not None
    except (ValueError, TypeError, AttributeError):
        return False
