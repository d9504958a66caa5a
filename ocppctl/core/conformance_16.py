"""The checks `ocppctl check station` runs on a 1.6 station, as a CSMS: the Core profile of
seed 003 (and TriggerMessage). Reset, which makes the station reconnect, comes last.
"""

from __future__ import annotations

from typing import Any

from ocppctl.core.conformance import (
    CHECK_TOKEN,
    UNKNOWN_NAME,
    UNKNOWN_VENDOR,
    Ask,
    Await,
    Check,
    Expect,
    Failed,
    Noted,
    Run,
    Seen,
    calls_of,
    need,
    result_of,
    status,
)
from ocppctl.core.conformance_station import (
    S,
    availability,
    booted,
    rebooted,
    trigger_heartbeat,
    unknown_vendor,
)


def _keys(frames: tuple[Seen, ...]) -> list[dict[str, Any]]:
    return result_of(frames, "GetConfiguration", S).get("configurationKey") or []


def _get_configuration(run: Run) -> None:
    need(_keys(run.frames), "GetConfiguration with no keys: no configurationKey")
    asked = result_of(run.frames, "GetConfiguration", S, 1)
    names = [k.get("key") for k in asked.get("configurationKey") or []]
    need("HeartbeatInterval" in names, "GetConfiguration [HeartbeatInterval]: the key is not in configurationKey")
    unknown = asked.get("unknownKey") or []
    need(UNKNOWN_NAME in unknown, f"GetConfiguration [{UNKNOWN_NAME}]: not in unknownKey")


def _change_payload(key: str) -> Any:
    def build(frames: tuple[Seen, ...], now: str) -> dict[str, Any] | None:
        keys = _keys(frames)
        if key == "HeartbeatInterval":
            value = next((k.get("value") for k in keys if k.get("key") == key), None) or "300"
            return {"key": key, "value": str(value)}
        if key == "readonly":
            name = next((k.get("key") for k in keys if k.get("readonly") is True), None)
            return {"key": name, "value": "1"} if name else None
        return {"key": key, "value": "1"}

    return build


def _change_configuration(run: Run) -> None:
    sent = [s.payload().get("key") for s in calls_of(run.frames, "ChangeConfiguration", "csms")]
    answers = [status(s.payload()) for s in run.frames if s.side == S and s.answers == "ChangeConfiguration"]
    wanted = {"HeartbeatInterval": ("Accepted", "RebootRequired"), UNKNOWN_NAME: ("NotSupported",)}
    for key, got in zip(sent, answers, strict=False):
        allowed = wanted.get(str(key), ("Rejected",))
        what = "read-only " if key not in wanted else ""
        need(got in allowed, f"ChangeConfiguration {what}{key}: {got}, not {' or '.join(allowed)}")
    if len(sent) < 3:
        raise Noted("no key reported read-only by GetConfiguration: the read-only case was not tried")


def _transaction_16(run: Run) -> None:
    need(
        status(result_of(run.frames, "RemoteStartTransaction", S)) == "Accepted", "RemoteStartTransaction not Accepted"
    )
    starts = calls_of(run.frames, "StartTransaction", S)
    need(starts, "no StartTransaction after RemoteStartTransaction")
    start = starts[0].payload()
    need(start.get("idTag") == CHECK_TOKEN, f"StartTransaction idTag {start.get('idTag')!r}, not {CHECK_TOKEN}")
    given = result_of(run.frames, "StartTransaction", "csms").get("transactionId")
    need(status(result_of(run.frames, "RemoteStopTransaction", S)) == "Accepted", "RemoteStopTransaction not Accepted")
    stops = calls_of(run.frames, "StopTransaction", S)
    need(stops, "no StopTransaction after RemoteStopTransaction")
    stop = stops[0].payload()
    need(stop.get("transactionId") == given, f"StopTransaction transactionId {stop.get('transactionId')}, not {given}")
    if isinstance(stop.get("meterStop"), int) and isinstance(start.get("meterStart"), int):
        need(stop["meterStop"] >= start["meterStart"], "meterStop below meterStart")


def _remote_stop_payload(frames: tuple[Seen, ...], now: str) -> dict[str, Any] | None:
    given = [s.payload().get("transactionId") for s in frames if s.side == "csms" and s.answers == "StartTransaction"]
    return {"transactionId": given[-1]} if given and isinstance(given[-1], int) else None


def _any_answer(run: Run) -> None:
    """Any schema-valid answer: the check is that the station answers the call at all."""


def _unlock(run: Run) -> None:
    got = status(result_of(run.frames, "UnlockConnector", S))
    if got not in ("Unlocked", "UnlockFailed"):
        raise Failed(f"UnlockConnector: status {got}")


def _connector(state: str) -> dict[str, Any]:
    return {"connectorId": 1, "type": state}


CHECKS_16: tuple[Check, ...] = (
    Check(
        "cold-boot",
        "Cold boot: BootNotification accepted, then StatusNotification",
        S,
        "1.6",
        "Core",
        "1.6 §4.2, §4.9: BootNotification; once Accepted, StatusNotification",
        (Await("BootNotification"), Await("StatusNotification")),
        booted,
    ),
    Check(
        "get-configuration",
        "GetConfiguration: every key, a known and an unknown key",
        S,
        "1.6",
        "Core",
        "1.6 §5.8: configurationKey; an unknown key in unknownKey",
        (Ask("GetConfiguration", {}), Ask("GetConfiguration", {"key": ["HeartbeatInterval", UNKNOWN_NAME]})),
        _get_configuration,
    ),
    Check(
        "change-configuration",
        "ChangeConfiguration: a writable, a read-only and an unknown key",
        S,
        "1.6",
        "Core",
        "1.6 §5.3: Accepted; Rejected for a read-only key; NotSupported for an unknown one",
        tuple(
            Ask("ChangeConfiguration", _change_payload(key)) for key in ("HeartbeatInterval", "readonly", UNKNOWN_NAME)
        ),
        _change_configuration,
    ),
    Check(
        "change-availability",
        "ChangeAvailability of connector 1, with its StatusNotification",
        S,
        "1.6",
        "Core",
        "1.6 §5.2: Accepted, then StatusNotification Unavailable; back to Available",
        (
            Ask("ChangeAvailability", _connector("Inoperative"), (Expect("StatusNotification"),)),
            Ask("ChangeAvailability", _connector("Operative"), (Expect("StatusNotification"),)),
        ),
        availability,
    ),
    Check(
        "remote-transaction",
        "RemoteStart/StopTransaction with Start/StopTransaction",
        S,
        "1.6",
        "Core",
        "1.6 §5.11, §5.12, §4.8, §4.10: the transactionId the CSMS gave, stopped",
        (
            # the station learns its transactionId from our answer to StartTransaction: give it a moment
            Ask(
                "RemoteStartTransaction",
                {"connectorId": 1, "idTag": CHECK_TOKEN},
                (Expect("StartTransaction"),),
                settle=0.3,
            ),
            Ask("RemoteStopTransaction", _remote_stop_payload, (Expect("StopTransaction"),)),
        ),
        _transaction_16,
    ),
    Check(
        "unlock-connector",
        "UnlockConnector 1",
        S,
        "1.6",
        "Core",
        "1.6 §5.18: Unlocked or UnlockFailed (NotSupported: skipped)",
        (Ask("UnlockConnector", {"connectorId": 1}),),
        _unlock,
    ),
    Check(
        "clear-cache",
        "ClearCache",
        S,
        "1.6",
        "Core",
        "1.6 §5.4: Accepted or Rejected",
        (Ask("ClearCache", {}),),
        _any_answer,
    ),
    Check(
        "trigger-message",
        "TriggerMessage Heartbeat",
        S,
        "1.6",
        "RemoteTrigger",
        "1.6 §5.17: Accepted, then the message asked for",
        (Ask("TriggerMessage", {"requestedMessage": "Heartbeat"}, (Expect("Heartbeat"),)),),
        trigger_heartbeat,
    ),
    Check(
        "data-transfer-unknown-vendor",
        "DataTransfer for an unknown vendor",
        S,
        "1.6",
        "Core",
        "1.6 §5.6: status UnknownVendorId",
        (Ask("DataTransfer", {"vendorId": UNKNOWN_VENDOR, "messageId": "check"}),),
        unknown_vendor,
    ),
    Check(
        "reset",
        "Reset Soft: the station reboots and boots again",
        S,
        "1.6",
        "Core",
        "1.6 §5.14: Accepted, then BootNotification",
        (Ask("Reset", {"type": "Soft"}, reconnect=True),),
        rebooted,
    ),
)
