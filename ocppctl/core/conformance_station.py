"""The checks `ocppctl check station` runs, as a CSMS: the judges both versions share, the
checks of a boot answered Pending or Rejected, and the list for a station's version (2.0.1 in
conformance_201.py, 1.6 in conformance_16.py, the other 1.6 profiles in
conformance_profiles16.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ocppctl.core.conformance import (
    Await,
    Check,
    Run,
    after,
    calls_of,
    need,
    result_of,
    status,
    statuses_after,
)
from ocppctl.core.frames import CALL

S = "station"


# --- shared judges ---------------------------------------------------------------------------


def booted(run: Run) -> None:
    """A BootNotification, answered Accepted, then a StatusNotification (B01: the station tells
    the state of each connector once accepted; 1.6 §4.2/§4.9 the same)."""
    boots = calls_of(run.frames, "BootNotification", S)
    need(boots, "no BootNotification")
    accepted = [s for s in run.frames if s.answers == "BootNotification" and status(s.payload()) == "Accepted"]
    need(accepted, "the BootNotification was not accepted")
    later = run.frames[run.frames.index(accepted[0]) :]
    need(calls_of(later, "StatusNotification", S), "no StatusNotification after the boot was accepted")


def availability(run: Run) -> None:
    for nth, (wanted, state) in enumerate((("Inoperative", "Unavailable"), ("Operative", "Available"))):
        answer = result_of(run.frames, "ChangeAvailability", S, nth)
        need(status(answer) == "Accepted", f"ChangeAvailability {wanted}: status {status(answer)}, not Accepted")
        seen = statuses_after(run, "ChangeAvailability", nth)
        need(state in seen, f"ChangeAvailability {wanted}: no StatusNotification {state} (saw {seen or 'none'})")


def trigger_heartbeat(run: Run) -> None:
    need(status(result_of(run.frames, "TriggerMessage", S)) == "Accepted", "TriggerMessage Heartbeat not Accepted")
    need(calls_of(after(run.frames, "TriggerMessage", S), "Heartbeat", S), "no Heartbeat after TriggerMessage")


def unknown_vendor(run: Run) -> None:
    got = status(result_of(run.frames, "DataTransfer", S))
    need(got == "UnknownVendorId", f"DataTransfer for an unknown vendorId: status {got}, not UnknownVendorId")


def rebooted(run: Run) -> None:
    got = status(result_of(run.frames, "Reset", S))
    need(got in ("Accepted", "Scheduled"), f"Reset: status {got}")
    if got == "Accepted":
        boots = calls_of(after(run.frames, "Reset", S), "BootNotification", S)
        need(boots, "no BootNotification after an accepted Reset")
        reason = boots[0].payload().get("reason")
        need(reason in (None, "RemoteReset"), f"the boot after Reset says reason {reason}, not RemoteReset")


def _refused_boot(answer: str) -> Any:
    """After a boot answered `answer` (Pending or Rejected), the station's next call is a
    BootNotification again: B02 (Pending: no other requests until accepted; the CSMS may
    call it meanwhile), B03 (Rejected: no message at all until the interval has passed)."""

    def judge(run: Run) -> None:
        frames = run.frames
        refused = [s for s in frames if s.answers == "BootNotification" and status(s.payload()) == answer]
        need(refused, f"no BootNotification was answered {answer}")
        rest = frames[frames.index(refused[0]) + 1 :]
        calls = [s for s in rest if s.side == S and s.frame.type == CALL]
        need(calls, f"no BootNotification after the one answered {answer}")
        need(
            calls[0].frame.action == "BootNotification",
            f"after a boot answered {answer}, the station sent {calls[0].frame.action} before booting again",
        )
        if answer == "Rejected":
            between = [s for s in rest[: rest.index(calls[0])] if s.side == S]
            need(not between, f"after a boot answered Rejected, the station sent {len(between)} message(s)")

    return judge


def boot_checks(answers: list[str], version: str) -> tuple[Check, ...]:
    """The checks of the first boots answered `answers` (Pending, Rejected), in that order."""
    use_case = {"Pending": "B02", "Rejected": "B03"}
    spec = "1.6 §4.2" if version == "1.6" else ""
    return tuple(
        Check(
            f"boot-{answer.lower()}",
            f"Cold boot answered {answer}: the station boots again",
            S,
            version,
            "Core" if version == "1.6" else use_case[answer],
            f"{spec or use_case[answer]}: after {answer}, BootNotification again"
            + (" and nothing before it" if answer == "Rejected" else ", no other request first"),
            (Await("BootNotification", count=len(answers) + 1),),
            _refused_boot(answer),
        )
        for answer in dict.fromkeys(answers)
    )


def station_checks(
    version: str, boots: list[str] | None = None, profiles: list[str] | None = None
) -> tuple[Check, ...]:
    """The checks of a station speaking `version` (2.1 is checked as 2.0.1 is); `boots` are the
    answers given to its first boots (Pending, Rejected) before the one Accepted; `profiles`
    the 1.6 profiles beyond Core to check too (before Reset, which stays last)."""
    from ocppctl.core.conformance_16 import CHECKS_16
    from ocppctl.core.conformance_201 import CHECKS_201
    from ocppctl.core.conformance_profiles16 import profile_checks

    main = CHECKS_16[:-1] + profile_checks(profiles or []) + CHECKS_16[-1:] if version == "1.6" else CHECKS_201
    checks = boot_checks(boots or [], version) + main
    return tuple(replace(check, version=version) for check in checks)


class BootAnswers:
    """The status and interval of the answer to each boot: `first` ones in turn (each with the
    retry `interval`), then Accepted. Pure: the CSMS's responder asks it."""

    def __init__(self, first: list[str], interval: int) -> None:
        self.left = list(first)
        self.interval = interval

    def next(self, heartbeat: int) -> tuple[str, int]:
        if self.left:
            return self.left.pop(0), self.interval
        return "Accepted", heartbeat
