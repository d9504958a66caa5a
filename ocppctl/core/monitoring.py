"""Variable monitors (OCPP 2.0.1/2.1 functional block N), pure: the SetVariableMonitoring item
of a monitor given on the command line, the rows of the answers, a NotifyMonitoringReport
gathered from its parts and the NotifyEvents a monitor raises, each as one table row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ocppctl.core.addressing import Address, from_json

BASES = ("All", "FactoryDefault", "HardWiredOnly")  # MonitoringBaseEnumType
SET_HEADERS = ("ID", "COMPONENT", "VARIABLE", "TYPE", "SEVERITY", "STATUS", "REASON")
LIST_HEADERS = ("ID", "COMPONENT", "VARIABLE", "TYPE", "VALUE", "SEVERITY")
CLEAR_HEADERS = ("ID", "STATUS", "REASON")


def monitor_item(address: Address, kind: str, value: float, severity: int, monitor_id: int | None) -> dict[str, Any]:
    """A SetMonitoringDataType: a monitor of `kind` (MonitorEnumType) on the variable at `address`
    (a monitor watches a variable, not one attribute of it: ValueError when one is named)."""
    if address.attribute is not None:
        raise ValueError(
            f"a monitor watches a variable, not its {address.attribute} attribute: drop :{address.attribute}"
        )
    item: dict[str, Any] = {
        "value": int(value) if float(value).is_integer() else value,
        "type": kind,
        "severity": severity,
        "component": address.component_json(),
        "variable": address.variable_json(),
    }
    if monitor_id is not None:
        item["id"] = monitor_id
    return item


def reason_of(result: dict[str, Any]) -> str:
    """statusInfo as one cell: reasonCode, then additionalInfo after a colon."""
    info = result.get("statusInfo")
    if not isinstance(info, dict):
        return ""
    extra = info.get("additionalInfo")
    return str(info.get("reasonCode", "")) + (f": {extra}" if extra else "")


def set_rows(answer: Any) -> list[dict[str, Any]]:
    """One plain row per SetMonitoringResult: id (None when refused), address, type, severity,
    status, reason."""
    rows = []
    for result in answer.get("setMonitoringResult", []) if isinstance(answer, dict) else []:
        address = from_json(result.get("component"), result.get("variable"))
        rows.append(
            {
                "id": result.get("id"),
                "component": address.component_text(),
                "variable": address.variable_text(),
                "type": result.get("type"),
                "severity": result.get("severity"),
                "status": result.get("status"),
                "reason": reason_of(result),
            }
        )
    return rows


def clear_rows(answer: Any) -> list[dict[str, Any]]:
    """One plain row per ClearMonitoringResult: id, status, reason."""
    results = answer.get("clearMonitoringResult", []) if isinstance(answer, dict) else []
    return [{"id": r.get("id"), "status": r.get("status"), "reason": reason_of(r)} for r in results]


@dataclass
class MonitoringReport:
    """The monitors of every part of one report, in seqNo order, and what was wrong with the
    parts (another requestId, a seqNo twice or missing, no last part)."""

    monitors: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def assemble(parts: list[Any], request_id: int) -> MonitoringReport:
    """The NotifyMonitoringReport payloads of `request_id` as one list of monitors (one row each:
    id, component, variable, type, value, severity)."""
    report = MonitoringReport()
    by_seq: dict[int, Any] = {}
    for part in parts:
        if not isinstance(part, dict):
            continue
        if part.get("requestId") != request_id:
            report.problems.append(f"a part of requestId {part.get('requestId')}, not {request_id}: left out")
            continue
        seq = part.get("seqNo")
        if not isinstance(seq, int):
            report.problems.append("a part without a seqNo: left out")
            continue
        if seq in by_seq:
            report.problems.append(f"seqNo {seq} came twice: the second left out")
            continue
        by_seq[seq] = part
    seqs = sorted(by_seq)
    missing = sorted(set(range(seqs[-1] + 1)) - set(seqs)) if seqs else []
    if missing:
        report.problems.append(f"seqNo {', '.join(map(str, missing))} never came")
    if seqs and by_seq[seqs[-1]].get("tbc") is True:
        report.problems.append(f"the last part (seqNo {seqs[-1]}) says more are to come (tbc)")
    for seq in seqs:
        for data in by_seq[seq].get("monitor") or []:
            address = from_json(data.get("component"), data.get("variable"))
            for monitor in data.get("variableMonitoring") or []:
                report.monitors.append(
                    {
                        "id": monitor.get("id"),
                        "component": address.component_text(),
                        "variable": address.variable_text(),
                        "type": monitor.get("type"),
                        "value": monitor.get("value"),
                        "severity": monitor.get("severity"),
                    }
                )
    return report


def event_rows(payload: Any) -> list[dict[str, Any]]:
    """A NotifyEvent's events as rows: when, which monitor (variableMonitoringId, none for a
    hard-wired event), the variable, the trigger, the actual value and the notification type."""
    rows = []
    for event in payload.get("eventData", []) if isinstance(payload, dict) else []:
        address = from_json(event.get("component"), event.get("variable"))
        rows.append(
            {
                "time": event.get("timestamp"),
                "monitor": event.get("variableMonitoringId"),
                "component": address.component_text(),
                "variable": address.variable_text(),
                "trigger": event.get("trigger"),
                "actual": event.get("actualValue"),
                "type": event.get("eventNotificationType"),
            }
        )
    return rows


def cells(row: dict[str, Any]) -> tuple[str, ...]:
    """A row's values as table cells (absent: empty; numbers as written: 60, not 60.0)."""
    return tuple("" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row.values())
