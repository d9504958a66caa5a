"""The checks `ocppctl check station` runs, as a CSMS: the basic set of OCPP 2.0.1 (seed 004:
boot, Get/SetVariables, GetBaseReport, Reset, ChangeAvailability with StatusNotification, a
remote start and stop with TransactionEvent, TriggerMessage, DataTransfer) and the 1.6 Core
profile (seed 003). Order matters: a later check reads what an earlier one learnt (the
read-only variable of the full report, the heartbeat interval read), and Reset, which makes the
station reconnect, comes last.
"""

from __future__ import annotations

from dataclasses import replace
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
    Run,
    Seen,
    after,
    calls_of,
    need,
    result_of,
    status,
    statuses_after,
)
from ocppctl.core.frames import CALL

S = "station"
REMOTE_START_ID = 4242
REPORT_BASES = ("FullInventory", "ConfigurationInventory", "SummaryInventory")


# --- shared judges ---------------------------------------------------------------------------


def _booted(run: Run) -> None:
    """A BootNotification, answered Accepted, then a StatusNotification (B01: the station tells
    the state of each connector once accepted; 1.6 §4.2/§4.9 the same)."""
    boots = calls_of(run.frames, "BootNotification", S)
    need(boots, "no BootNotification")
    accepted = [s for s in run.frames if s.answers == "BootNotification" and status(s.payload()) == "Accepted"]
    need(accepted, "the BootNotification was not accepted")
    later = run.frames[run.frames.index(accepted[0]) :]
    need(calls_of(later, "StatusNotification", S), "no StatusNotification after the boot was accepted")


def _availability(run: Run) -> None:
    for nth, (wanted, state) in enumerate((("Inoperative", "Unavailable"), ("Operative", "Available"))):
        answer = result_of(run.frames, "ChangeAvailability", S, nth)
        need(status(answer) == "Accepted", f"ChangeAvailability {wanted}: status {status(answer)}, not Accepted")
        seen = statuses_after(run, "ChangeAvailability", nth)
        need(state in seen, f"ChangeAvailability {wanted}: no StatusNotification {state} (saw {seen or 'none'})")


def _trigger_heartbeat(run: Run) -> None:
    need(status(result_of(run.frames, "TriggerMessage", S)) == "Accepted", "TriggerMessage Heartbeat not Accepted")
    need(calls_of(after(run.frames, "TriggerMessage", S), "Heartbeat", S), "no Heartbeat after TriggerMessage")


def _unknown_vendor(run: Run) -> None:
    got = status(result_of(run.frames, "DataTransfer", S))
    need(got == "UnknownVendorId", f"DataTransfer for an unknown vendorId: status {got}, not UnknownVendorId")


def _rebooted(run: Run) -> None:
    got = status(result_of(run.frames, "Reset", S))
    need(got in ("Accepted", "Scheduled"), f"Reset: status {got}")
    if got == "Accepted":
        boots = calls_of(after(run.frames, "Reset", S), "BootNotification", S)
        need(boots, "no BootNotification after an accepted Reset")
        reason = boots[0].payload().get("reason")
        need(reason in (None, "RemoteReset"), f"the boot after Reset says reason {reason}, not RemoteReset")


# --- 2.0.1 -----------------------------------------------------------------------------------


def _var(component: str, variable: str, **more: Any) -> dict[str, Any]:
    return {"component": {"name": component}, "variable": {"name": variable}, **more}


GET_ITEMS = [
    _var("OCPPCommCtrlr", "HeartbeatInterval"),
    _var("OCPPCommCtrlr", UNKNOWN_NAME),
    _var(UNKNOWN_NAME, "HeartbeatInterval"),
]


def _get_variables(run: Run) -> None:
    results = result_of(run.frames, "GetVariables", S).get("getVariableResult") or []
    for item, state in zip(GET_ITEMS, ("Accepted", "UnknownVariable", "UnknownComponent"), strict=True):
        name = f"{item['component']['name']}/{item['variable']['name']}"
        got = next(
            (r for r in results if r.get("component") == item["component"] and r.get("variable") == item["variable"]),
            None,
        )
        need(got is not None, f"GetVariables: no result for {name}")
        assert got is not None
        need(got.get("attributeStatus") == state, f"GetVariables {name}: {got.get('attributeStatus')}, not {state}")
    first = next(r for r in results if r.get("variable") == GET_ITEMS[0]["variable"])
    need(
        first.get("attributeValue") is not None, "GetVariables OCPPCommCtrlr/HeartbeatInterval: Accepted with no value"
    )


def _report_items(frames: tuple[Seen, ...]) -> list[dict[str, Any]]:
    return [item for s in calls_of(frames, "NotifyReport", S) for item in s.payload().get("reportData") or []]


def _read_only(frames: tuple[Seen, ...]) -> dict[str, Any] | None:
    """A ReadOnly variable the station reported (FullInventory), as a SetVariables item."""
    for item in _report_items(frames):
        for attribute in item.get("variableAttribute") or []:
            if attribute.get("mutability") == "ReadOnly" and attribute.get("type", "Actual") == "Actual":
                return {"component": item["component"], "variable": item["variable"]}
    return None


def _heartbeat_read(frames: tuple[Seen, ...]) -> str:
    results = result_of(frames, "GetVariables", S).get("getVariableResult") or []
    value = next((r.get("attributeValue") for r in results if r.get("variable") == GET_ITEMS[0]["variable"]), None)
    return str(value) if value else "300"


def _set_payload(frames: tuple[Seen, ...], now: str) -> dict[str, Any]:
    items = [{**GET_ITEMS[0], "attributeValue": _heartbeat_read(frames)}]
    read_only = _read_only(frames)
    if read_only is not None:
        items.append({**read_only, "attributeValue": "ocppctl-check"})
    items.append({**GET_ITEMS[1], "attributeValue": "1"})
    return {"setVariableData": items}


def _set_variables(run: Run) -> None:
    sent = calls_of(run.frames, "SetVariables", "csms")
    items = sent[0].payload().get("setVariableData") or [] if sent else []
    results = result_of(run.frames, "SetVariables", S).get("setVariableResult") or []
    for item in items:
        name = f"{item['component']['name']}/{item['variable']['name']}"
        got = next(
            (r for r in results if r.get("component") == item["component"] and r.get("variable") == item["variable"]),
            None,
        )
        need(got is not None, f"SetVariables: no result for {name}")
        assert got is not None
        state = got.get("attributeStatus")
        if item["variable"]["name"] == UNKNOWN_NAME:
            need(state == "UnknownVariable", f"SetVariables {name} (unknown): {state}, not UnknownVariable")
        elif item is items[0]:
            need(state in ("Accepted", "RebootRequired"), f"SetVariables {name}: {state}, not Accepted")
        else:
            need(state == "Rejected", f"SetVariables {name} (ReadOnly): {state}, not Rejected")
    need(len(items) == 3, "no ReadOnly variable in the FullInventory report to try (set-variables checked without)")


def _report(base: str) -> Check:
    request_id = 100 + REPORT_BASES.index(base)

    def judge(run: Run) -> None:
        got = status(result_of(run.frames, "GetBaseReport", S))
        if got == "EmptyResultSet" and base != "FullInventory":
            return
        need(got == "Accepted", f"GetBaseReport {base}: status {got}, not Accepted")
        parts = [s.payload() for s in calls_of(run.frames, "NotifyReport", S)]
        need(parts, f"no NotifyReport after GetBaseReport {base}")
        need(
            all(p.get("requestId") == request_id for p in parts),
            f"NotifyReport with a requestId other than {request_id}",
        )
        numbers = [p.get("seqNo") for p in parts]
        need(numbers == list(range(len(parts))), f"NotifyReport seqNo {numbers}, not 0, 1, ... in order")
        need(parts[-1].get("tbc") is not True, f"the last NotifyReport (seqNo {numbers[-1]}) says tbc: more to come")
        need(_report_items(run.frames), f"GetBaseReport {base}: the report holds no reportData")

    return Check(
        f"get-base-report-{base[0].lower()}{base[1:].replace('Inventory', '-inventory').lower()}",
        f"GetBaseReport {base}, every NotifyReport part",
        S,
        "2.0.1",
        "B07",
        "B07: Accepted, then NotifyReport parts with the requestId, seqNo from 0, tbc until the last",
        (
            Ask(
                "GetBaseReport",
                {"requestId": request_id, "reportBase": base},
                (Expect("NotifyReport", until_done=True),),
            ),
        ),
        judge,
    )


def _transaction_201(run: Run) -> None:
    need(
        status(result_of(run.frames, "RequestStartTransaction", S)) == "Accepted",
        "RequestStartTransaction not Accepted",
    )
    events = [s.payload() for s in calls_of(run.frames, "TransactionEvent", S)]
    kinds = [e.get("eventType") for e in events]
    need("Started" in kinds, f"no TransactionEvent Started after RequestStartTransaction (saw {kinds or 'none'})")
    started = events[kinds.index("Started")]
    info = started.get("transactionInfo") or {}
    need(
        info.get("remoteStartId") == REMOTE_START_ID,
        f"TransactionEvent Started: remoteStartId {info.get('remoteStartId')}, not {REMOTE_START_ID}",
    )
    tx = info.get("transactionId")
    if status(result_of(run.frames, "TriggerMessage", S)) == "Accepted":
        need("Updated" in kinds, "no TransactionEvent Updated after TriggerMessage TransactionEvent")
    need("Ended" in kinds, f"no TransactionEvent Ended after RequestStopTransaction (saw {kinds})")
    ours = [e for e in events if (e.get("transactionInfo") or {}).get("transactionId") == tx]
    need(len(ours) == len(events), "TransactionEvents of another transactionId than the Started one")
    numbers = [e.get("seqNo") for e in events]
    ints = [n for n in numbers if isinstance(n, int)]
    need(ints == numbers and ints == sorted(set(ints)), f"seqNo {numbers} not increasing")
    need(any(e.get("meterValue") for e in events), "no meterValue in any TransactionEvent")


def _stop_payload(frames: tuple[Seen, ...], now: str) -> dict[str, Any] | None:
    started = [
        s.payload() for s in calls_of(frames, "TransactionEvent", S) if s.payload().get("eventType") == "Started"
    ]
    tx = (started[-1].get("transactionInfo") or {}).get("transactionId") if started else None
    return {"transactionId": tx} if isinstance(tx, str) else None


def _evse(state: str) -> dict[str, Any]:
    return {"operationalStatus": state, "evse": {"id": 1}}


CHECKS_201: tuple[Check, ...] = (
    Check(
        "cold-boot",
        "Cold boot: BootNotification accepted, then StatusNotification",
        S,
        "2.0.1",
        "B01",
        "B01: BootNotification; once Accepted, a StatusNotification per connector",
        (Await("BootNotification"), Await("StatusNotification")),
        _booted,
    ),
    Check(
        "get-variables",
        "GetVariables: a known, an unknown variable and an unknown component",
        S,
        "2.0.1",
        "B06",
        "B06: Accepted with a value; UnknownVariable; UnknownComponent",
        (Ask("GetVariables", {"getVariableData": GET_ITEMS}),),
        _get_variables,
    ),
    *(_report(base) for base in REPORT_BASES),
    Check(
        "set-variables",
        "SetVariables: a writable, a read-only and an unknown variable",
        S,
        "2.0.1",
        "B05",
        "B05: Accepted; Rejected for a ReadOnly variable; UnknownVariable",
        (Ask("SetVariables", _set_payload),),
        _set_variables,
    ),
    Check(
        "change-availability",
        "ChangeAvailability of EVSE 1, with its StatusNotification",
        S,
        "2.0.1",
        "G03",
        "G03: Accepted, then StatusNotification Unavailable; back to Available",
        (
            Ask("ChangeAvailability", _evse("Inoperative"), (Expect("StatusNotification"),)),
            Ask("ChangeAvailability", _evse("Operative"), (Expect("StatusNotification"),)),
        ),
        _availability,
    ),
    Check(
        "remote-transaction",
        "RequestStart/StopTransaction with TransactionEvent Started/Updated/Ended",
        S,
        "2.0.1",
        "F01, F03, E01",
        "F01: TransactionEvent Started with the remoteStartId; Updated on trigger; F03: Ended; meter values",
        (
            Ask(
                "RequestStartTransaction",
                {"idToken": {"idToken": CHECK_TOKEN, "type": "Central"}, "remoteStartId": REMOTE_START_ID, "evseId": 1},
                (Expect("TransactionEvent"),),
            ),
            Ask(
                "TriggerMessage",
                {"requestedMessage": "TransactionEvent", "evse": {"id": 1}},
                (Expect("TransactionEvent"),),
            ),
            Ask("RequestStopTransaction", _stop_payload, (Expect("TransactionEvent"),)),
        ),
        _transaction_201,
    ),
    Check(
        "trigger-message",
        "TriggerMessage Heartbeat",
        S,
        "2.0.1",
        "F06",
        "F06: Accepted, then the message asked for",
        (Ask("TriggerMessage", {"requestedMessage": "Heartbeat"}, (Expect("Heartbeat"),)),),
        _trigger_heartbeat,
    ),
    Check(
        "data-transfer-unknown-vendor",
        "DataTransfer for an unknown vendor",
        S,
        "2.0.1",
        "P01",
        "P01.FR.06: status UnknownVendorId",
        (Ask("DataTransfer", {"vendorId": UNKNOWN_VENDOR, "messageId": "check"}),),
        _unknown_vendor,
    ),
    Check(
        "reset",
        "Reset: the station reboots and boots again",
        S,
        "2.0.1",
        "B11",
        "B11: Accepted, then BootNotification with reason RemoteReset",
        (Ask("Reset", {"type": "Immediate"}, reconnect=True),),
        _rebooted,
    ),
)


# --- 1.6 -------------------------------------------------------------------------------------


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
    need(len(sent) == 3, "no read-only key in GetConfiguration to try (checked without)")


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
        _booted,
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
        _availability,
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
        _trigger_heartbeat,
    ),
    Check(
        "data-transfer-unknown-vendor",
        "DataTransfer for an unknown vendor",
        S,
        "1.6",
        "Core",
        "1.6 §5.6: status UnknownVendorId",
        (Ask("DataTransfer", {"vendorId": UNKNOWN_VENDOR, "messageId": "check"}),),
        _unknown_vendor,
    ),
    Check(
        "reset",
        "Reset Soft: the station reboots and boots again",
        S,
        "1.6",
        "Core",
        "1.6 §5.14: Accepted, then BootNotification",
        (Ask("Reset", {"type": "Soft"}, reconnect=True),),
        _rebooted,
    ),
)


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
