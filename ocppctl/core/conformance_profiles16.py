"""The OCPP 1.6 profiles beyond Core that `check station --profile` adds (seed 003): Local Auth
List Management, Reservation and Smart Charging, each call answered with a status the station
may refuse. A status NotSupported (or a NotImplemented CALLERROR) skips the check: the station
lacks the profile. Firmware Management is left out on purpose: UpdateFirmware and GetDiagnostics
make a station fetch or upload files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ocppctl.core.conformance import (
    CHECK_TOKEN,
    Absent,
    Ask,
    Check,
    Expect,
    Run,
    Seen,
    need,
    result_of,
    status,
    statuses_after,
)

S = "station"
RESERVATION_ID = 4243
PROFILE_ID = 4244
PROFILES = ("LocalAuthListManagement", "Reservation", "SmartCharging")


def _refused_as_absent(run: Run, action: str, nth: int = 0) -> Any:
    """The status of the `nth` answer to `action`; Absent when it is NotSupported."""
    got = status(result_of(run.frames, action, S, nth))
    if got == "NotSupported":
        raise Absent(f"{action}: the station answered status NotSupported")
    return got


def _send_local_list(frames: tuple[Seen, ...], now: str) -> dict[str, Any] | None:
    version = result_of(frames, "GetLocalListVersion", S).get("listVersion")
    if not isinstance(version, int):
        return None
    entry = {"idTag": CHECK_TOKEN, "idTagInfo": {"status": "Accepted"}}
    return {"listVersion": max(version, 0) + 1, "updateType": "Full", "localAuthorizationList": [entry]}


def _local_list(run: Run) -> None:
    before = result_of(run.frames, "GetLocalListVersion", S).get("listVersion")
    need(isinstance(before, int), "GetLocalListVersion: no listVersion")
    got = _refused_as_absent(run, "SendLocalList")
    need(got == "Accepted", f"SendLocalList (Full, one idTag): status {got}, not Accepted")
    wanted = max(before if isinstance(before, int) else 0, 0) + 1
    after = result_of(run.frames, "GetLocalListVersion", S, 1).get("listVersion")
    need(after == wanted, f"GetLocalListVersion after SendLocalList: {after}, not {wanted}")


def _in_an_hour(frames: tuple[Seen, ...], now: str) -> dict[str, Any]:
    expiry = datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(hours=1)
    stamp = expiry.isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"connectorId": 1, "expiryDate": stamp, "idTag": CHECK_TOKEN, "reservationId": RESERVATION_ID}


def _reservation(run: Run) -> None:
    got = _refused_as_absent(run, "ReserveNow")
    need(got == "Accepted", f"ReserveNow on connector 1: status {got}, not Accepted")
    seen = statuses_after(run, "ReserveNow", 0)
    need("Reserved" in seen, f"ReserveNow: no StatusNotification Reserved (saw {seen or 'none'})")
    got = status(result_of(run.frames, "CancelReservation", S))
    need(got == "Accepted", f"CancelReservation: status {got}, not Accepted")
    seen = statuses_after(run, "CancelReservation", 0)
    need("Available" in seen, f"CancelReservation: no StatusNotification Available (saw {seen or 'none'})")


PROFILE = {
    "chargingProfileId": PROFILE_ID,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]},
}


def _smart_charging(run: Run) -> None:
    got = _refused_as_absent(run, "SetChargingProfile")
    need(got == "Accepted", f"SetChargingProfile (TxDefaultProfile, 16 A): status {got}, not Accepted")
    got = status(result_of(run.frames, "GetCompositeSchedule", S))
    need(got == "Accepted", f"GetCompositeSchedule: status {got}, not Accepted")
    got = status(result_of(run.frames, "ClearChargingProfile", S))
    need(got == "Accepted", f"ClearChargingProfile of the profile set: status {got}, not Accepted")


CHECKS: dict[str, Check] = {
    "LocalAuthListManagement": Check(
        "local-auth-list",
        "GetLocalListVersion, SendLocalList, the version after",
        S,
        "1.6",
        "LocalAuthListManagement",
        "1.6 §5.10, §5.15: a Full list Accepted, and its listVersion reported",
        (Ask("GetLocalListVersion", {}), Ask("SendLocalList", _send_local_list), Ask("GetLocalListVersion", {})),
        _local_list,
    ),
    "Reservation": Check(
        "reservation",
        "ReserveNow then CancelReservation on connector 1",
        S,
        "1.6",
        "Reservation",
        "1.6 §5.13, §5.1: Accepted, StatusNotification Reserved; cancelled, Available",
        (
            Ask("ReserveNow", _in_an_hour, (Expect("StatusNotification"),)),
            Ask("CancelReservation", {"reservationId": RESERVATION_ID}, (Expect("StatusNotification"),)),
        ),
        _reservation,
    ),
    "SmartCharging": Check(
        "smart-charging",
        "SetChargingProfile, GetCompositeSchedule, ClearChargingProfile",
        S,
        "1.6",
        "SmartCharging",
        "1.6 §5.16, §5.7, §5.5: each Accepted",
        (
            Ask("SetChargingProfile", {"connectorId": 0, "csChargingProfiles": PROFILE}),
            Ask("GetCompositeSchedule", {"connectorId": 1, "duration": 3600}),
            Ask("ClearChargingProfile", {"id": PROFILE_ID}),
        ),
        _smart_charging,
    ),
}


def profile_checks(profiles: list[str]) -> tuple[Check, ...]:
    """The checks of the profiles named (PROFILES), in PROFILES' order."""
    return tuple(CHECKS[name] for name in PROFILES if name in profiles)
