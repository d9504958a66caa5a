"""The checks `ocppctl check station` runs on a 2.0.1 (or 2.1) station, as a CSMS: the basic
set of seed 004: boot, Get/SetVariables, GetBaseReport for each report base, ChangeAvailability
with StatusNotification, a remote start and stop with TransactionEvent, TriggerMessage,
DataTransfer, Reset. Order matters: a later check reads what an earlier one learnt (the
read-only variable of the full report, the heartbeat interval read); Reset comes last.
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

REMOTE_START_ID = 4242
REPORT_BASES = ("FullInventory", "ConfigurationInventory", "SummaryInventory")


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
    if len(items) < 3:
        raise Noted("no ReadOnly variable in the FullInventory report: the read-only case was not tried")


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
        booted,
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
        availability,
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
        trigger_heartbeat,
    ),
    Check(
        "data-transfer-unknown-vendor",
        "DataTransfer for an unknown vendor",
        S,
        "2.0.1",
        "P01",
        "P01.FR.06: status UnknownVendorId",
        (Ask("DataTransfer", {"vendorId": UNKNOWN_VENDOR, "messageId": "check"}),),
        unknown_vendor,
    ),
    Check(
        "reset",
        "Reset: the station reboots and boots again",
        S,
        "2.0.1",
        "B11",
        "B11: Accepted, then BootNotification with reason RemoteReset",
        (Ask("Reset", {"type": "Immediate"}, reconnect=True),),
        rebooted,
    ),
)
