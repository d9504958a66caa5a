"""The simulated station's behaviour: a device model and the answers a station gives, pure.

Answers follow the specifications: GetVariables/SetVariables (2.0.1 B05/B06: UnknownComponent,
UnknownVariable, ReadOnly refused), GetBaseReport (Accepted, then NotifyReport in parts with
seqNo and tbc), DataTransfer (UnknownVendorId unless the vendor is configured, P01.FR.05),
GetConfiguration/ChangeConfiguration for 1.6 (unknownKey, Rejected for read-only keys,
NotSupported for unknown ones). The default model holds the whitepaper's FiscalMetering,
ChargingSoundCtrlr and CustomizationCtrlr examples. A value is checked against its variable's
dataType and valuesList before it is taken (handlers/values.py). What the station does after
an answer and across connections is handlers/station.py's SimStation; station_answerer and
follow_ups stay stateless for links that keep no station (the REPL's today).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ocppctl.core.payloads import template
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version
from ocppctl.handlers.values import DATA_TYPES, value_problem

DEFAULT_MODEL: dict[str, Any] = {
    "variables": [
        {"component": "ChargingStation", "variable": "Model", "value": "ocppctl-sim", "mutability": "ReadOnly"},
        {"component": "ChargingStation", "variable": "VendorName", "value": "ocppctl", "mutability": "ReadOnly"},
        {
            "component": "ChargingStation",
            "variable": "Temperature",
            "value": "40",
            "mutability": "ReadOnly",
            "dataType": "decimal",
        },
        {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "300", "dataType": "integer"},
        {"component": "FiscalMetering", "variable": "Enabled", "value": "true", "dataType": "boolean"},
        {"component": "ChargingSoundCtrlr", "variable": "Enabled", "value": "true", "dataType": "boolean"},
        {"component": "ChargingSoundCtrlr", "variable": "Volume", "value": "5", "dataType": "integer"},
        {
            "component": "CustomizationCtrlr",
            "instance": "com.mycompany.txcount",
            "variable": "Enabled",
            "value": "true",
            "dataType": "boolean",
        },
    ],
    "configuration": [
        {"key": "HeartbeatInterval", "value": "300", "readonly": False, "dataType": "integer"},
        {"key": "ChargePointModel", "value": "ocppctl-sim", "readonly": True},
        {"key": "MeterValueSampleInterval", "value": "60", "readonly": False, "dataType": "integer"},
    ],
    "vendors": [],
    "evses": [{"connectors": 1}],
}

REPORT_PART = 4  # reportData items per NotifyReport


@dataclass
class Variable:
    component: str
    variable: str
    value: str
    mutability: str = "ReadWrite"
    data_type: str = "string"
    instance: str | None = None
    values_list: str | None = None

    def key(self) -> tuple[str, str | None, str]:
        return (self.component, self.instance, self.variable)

    def problem(self, value: str) -> str | None:
        """Why `value` cannot be this variable's (dataType, valuesList), None when it can."""
        return value_problem(self.data_type, value, self.values_list)


@dataclass
class Monitor:
    """A variable monitor set by the CSMS (2.0.1 N04): thresholds alert when crossed."""

    id: int
    component: dict[str, Any]
    variable: dict[str, Any]
    type: str
    value: float
    severity: int


@dataclass
class DeviceModel:
    variables: list[Variable] = field(default_factory=list)
    configuration: list[dict[str, Any]] = field(default_factory=list)
    vendors: list[str] = field(default_factory=list)
    monitors: list[Monitor] = field(default_factory=list)
    monitoring_level: int = 9  # SetMonitoringLevel: events of this severity or more urgent (lower) are sent
    next_event: int = 1
    evses: list[int] = field(default_factory=lambda: [1])  # connectors of EVSE 1, 2, ...

    def set_value(self, component: str, variable: str, value: str, now: str) -> list[dict[str, Any]] | None:
        """Change a value as the station itself would (a sensor, `sim set`); the NotifyEvent
        payloads its monitors raise (those of a severity within SetMonitoringLevel's), or None
        when there is no such variable. ValueError when
        the value does not fit the variable's dataType or valuesList."""
        found = next((v for v in self.variables if v.component == component and v.variable == variable), None)
        if found is None:
            return None
        problem = found.problem(value)
        if problem is not None:
            raise ValueError(f"{component}/{variable}: {problem}")
        before, found.value = found.value, value
        events = []
        for monitor in self.monitors:
            if monitor.component.get("name") != component or monitor.variable.get("name") != variable:
                continue
            if monitor.severity > self.monitoring_level:  # SetMonitoringLevel (N05): less urgent than the level
                continue
            if _crossed(monitor, before, value):
                events.append(
                    {
                        "eventId": self.next_event,
                        "timestamp": now,
                        "trigger": "Alerting" if "Threshold" in monitor.type else "Delta",
                        "actualValue": value[:2500],
                        "eventNotificationType": "CustomMonitor",
                        "component": monitor.component,
                        "variable": monitor.variable,
                        "variableMonitoringId": monitor.id,
                    }
                )
                self.next_event += 1
        return [{"generatedAt": now, "seqNo": 0, "tbc": False, "eventData": events}] if events else []

    @classmethod
    def from_json(cls, data: Any) -> DeviceModel:
        """A model from the `--model` file's JSON (the DEFAULT_MODEL layout); ValueError naming
        the first part that is not of that shape."""
        if not isinstance(data, dict):
            raise ValueError("a device model is a JSON object holding variables, configuration and vendors")
        variables = []
        for at, v in enumerate(_array(data, "variables")):
            if (
                not isinstance(v, dict)
                or not isinstance(v.get("component"), str)
                or not isinstance(v.get("variable"), str)
            ):
                raise ValueError(f'variables[{at}] needs "component" and "variable", both strings')
            data_type = str(v.get("dataType", "string"))
            if data_type not in DATA_TYPES:
                raise ValueError(
                    f"variables[{at}] has dataType {data_type!r}, not one of {', '.join(sorted(DATA_TYPES))}"
                )
            values_list = v.get("valuesList")
            variables.append(
                Variable(
                    v["component"],
                    v["variable"],
                    str(v.get("value", "")),
                    str(v.get("mutability", "ReadWrite")),
                    data_type,
                    v.get("instance"),
                    str(values_list) if values_list is not None else None,
                )
            )
            problem = variables[-1].problem(variables[-1].value) if "value" in v else None
            if problem is not None:
                raise ValueError(f"variables[{at}] ({v['component']}/{v['variable']}): {problem}")
        configuration = _array(data, "configuration")
        for at, entry in enumerate(configuration):
            if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
                raise ValueError(f'configuration[{at}] needs a "key" string')
        evses = []
        for at, evse in enumerate(_array(data, "evses") if "evses" in data else [{"connectors": 1}]):
            count = evse.get("connectors", 1) if isinstance(evse, dict) else None
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError(f'evses[{at}] is an object whose "connectors" is a positive integer')
            evses.append(count)
        if not evses:
            raise ValueError('"evses" lists at least one EVSE: {"connectors": 1}')
        configuration = [dict(entry) for entry in configuration]  # its own copy: the answers change it
        return cls(variables, configuration, [str(x) for x in _array(data, "vendors")], evses=evses)

    def find(self, component: dict[str, Any], variable: dict[str, Any]) -> tuple[str, Variable | None]:
        """('UnknownComponent' | 'UnknownVariable' | 'Accepted', the variable)."""
        same_component = [
            v
            for v in self.variables
            if v.component == component.get("name") and v.instance == component.get("instance")
        ]
        if not same_component:
            return "UnknownComponent", None
        for v in same_component:
            if v.variable == variable.get("name"):
                return "Accepted", v
        return "UnknownVariable", None


def _array(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        from ocppctl.core.jsontext import dumps

        shown = dumps(value)
        raise ValueError(f'"{key}" must be a JSON array [...], not {shown if len(shown) <= 40 else shown[:39] + "…"}')
    return value


def station_answer(model: DeviceModel, version: str, action: str, payload: Any) -> tuple[str, Any]:
    """("result", payload) or ("error", (code, description)) for a CSMS's call."""
    handler = _HANDLERS_16.get(action) if version == "1.6" else _HANDLERS_2X.get(action)
    if handler is None:
        handler = _COMMON.get(action)
    if handler is None:
        return "error", ("NotImplemented", f"the simulated station does not handle {action}")
    limit = _items_per_message(model, action)
    if limit is not None and len(payload.get(_ITEMS.get(action, ""), [])) > limit:  # B05.FR.11, B06.FR.11
        return "error", ("OccurrenceConstraintViolation", f"at most {limit} items a message (ItemsPerMessage)")
    return "result", handler(model, payload)


_ITEMS = {"GetVariables": "getVariableData", "SetVariables": "setVariableData"}


def _items_per_message(model: DeviceModel, action: str) -> int | None:
    """The model's DeviceDataCtrlr ItemsPerMessage, for GetVariables and SetVariables alike
    (the model keeps no variable instances: one value stands for both)."""
    found = next(
        (v for v in model.variables if (v.component, v.variable) == ("DeviceDataCtrlr", "ItemsPerMessage")), None
    )
    if action not in _ITEMS or found is None or not found.value.isdigit():
        return None
    return int(found.value)


def station_answerer(
    model: DeviceModel, registry: SchemaRegistry, now: Callable[[], str]
) -> tuple[Callable[[Version, str, Any], tuple[str, Any]], Callable[[Version, str, Any], list[tuple[str, Any]]]]:
    """The modelled station as (answer, then): its answer to a CSMS's call, and the calls it
    makes after answering one with a result (follow_ups), for links that take them as functions."""

    def answer(version: Version, action: str, payload: Any) -> tuple[str, Any]:
        return station_answer(model, version.name, action, payload)

    def then(version: Version, action: str, payload: Any) -> list[tuple[str, Any]]:
        return follow_ups(model, registry, version, action, payload, now())

    return answer, then


def follow_ups(
    model: DeviceModel, registry: SchemaRegistry, version: Version, action: str, payload: Any, now: str
) -> list[tuple[str, Any]]:
    """The calls a station makes after accepting `action`: the NotifyReport parts of a
    GetBaseReport, the message a TriggerMessage asks for (Heartbeat, BootNotification)."""
    if not isinstance(payload, dict):
        return []
    if action == "GetBaseReport":
        items = report_items(model, str(payload.get("reportBase", "FullInventory")))
        return [("NotifyReport", part) for part in report_parts(model, int(payload.get("requestId", 0)), now, items)]
    if action == "GetMonitoringReport":
        parts = monitoring_parts(model, version.name, int(payload.get("requestId", 0)), now)
        return [("NotifyMonitoringReport", part) for part in parts]
    if action == "TriggerMessage":
        wanted = payload.get("requestedMessage")
        if wanted == "Heartbeat":
            return [("Heartbeat", {})]
        if wanted == "BootNotification":
            return [("BootNotification", boot_payload(registry, version, model))]
    return []


def boot_payload(registry: SchemaRegistry, version: Version, model: DeviceModel) -> Any:
    """BootNotification of the modelled station (its ChargingStation Model and VendorName)."""
    schema = registry.get(version, "BootNotification", "request")
    payload: Any = template(schema.document) if schema is not None else {}
    values = {(v.component, v.variable): v.value for v in model.variables}
    vendor = values.get(("ChargingStation", "VendorName"), "ocppctl")
    model_name = values.get(("ChargingStation", "Model"), "ocppctl-sim")
    if version.name == "1.6":
        payload.update(chargePointVendor=vendor[:20], chargePointModel=model_name[:20])
    else:
        payload["reason"] = "PowerUp"
        payload["chargingStation"] = {"model": model_name[:20], "vendorName": vendor[:50]}
    return payload


def _get_variables(model: DeviceModel, payload: Any) -> Any:
    results = []
    for item in payload.get("getVariableData", []):
        status, found = model.find(item["component"], item["variable"])
        result = {"attributeStatus": status, "component": item["component"], "variable": item["variable"]}
        if item.get("attributeType", "Actual") != "Actual" and status == "Accepted":
            result["attributeStatus"] = "NotSupportedAttributeType"
        elif found is not None and found.mutability == "WriteOnly":
            result["attributeStatus"] = "Rejected"  # a WriteOnly value is never read back
        elif found is not None:
            result["attributeValue"] = found.value
        results.append(result)
    return {"getVariableResult": results}


def _set_variables(model: DeviceModel, payload: Any) -> Any:
    results = []
    for item in payload.get("setVariableData", []):
        status, found = model.find(item["component"], item["variable"])
        value = str(item.get("attributeValue", ""))
        result: dict[str, Any] = {"component": item["component"], "variable": item["variable"]}
        problem = found.problem(value) if found is not None else None
        if item.get("attributeType", "Actual") != "Actual" and found is not None:
            status = "NotSupportedAttributeType"
        elif found is not None and found.mutability == "ReadOnly":
            status = "Rejected"
            result["attributeStatusInfo"] = {"reasonCode": "ReadOnly"}
        elif problem is not None:  # a value that does not fit its dataType: Rejected, saying why
            status = "Rejected"
            result["attributeStatusInfo"] = {"reasonCode": "InvalidValue", "additionalInfo": problem[:512]}
        elif found is not None:
            found.value = value
        results.append({"attributeStatus": status, **result})
    return {"setVariableResult": results}


CONFIGURABLE = ("ReadWrite", "WriteOnly")


def report_items(model: DeviceModel, base: str = "FullInventory") -> list[dict[str, Any]]:
    """The reportData of a GetBaseReport of the model's variables: FullInventory all of them,
    ConfigurationInventory those the CSMS can set (ReadWrite, WriteOnly); a WriteOnly value is
    never reported."""
    items = []
    for v in model.variables:
        if base == "ConfigurationInventory" and v.mutability not in CONFIGURABLE:
            continue
        component: dict[str, Any] = {"name": v.component}
        if v.instance:
            component["instance"] = v.instance
        attribute = {"type": "Actual", "mutability": v.mutability}
        if v.mutability != "WriteOnly":
            attribute["value"] = v.value[:2500]
        characteristics: dict[str, Any] = {"dataType": v.data_type, "supportsMonitoring": False}
        if v.values_list is not None:
            characteristics["valuesList"] = v.values_list[:1000]
        items.append(
            {
                "component": component,
                "variable": {"name": v.variable},
                "variableAttribute": [attribute],
                "variableCharacteristics": characteristics,
            }
        )
    return items


def report_parts(
    model: DeviceModel, request_id: int, generated_at: str, items: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The NotifyReport payloads answering a GetBaseReport (of `items`, by default the full
    inventory): seqNo from 0, tbc on all but the last."""
    if items is None:
        items = report_items(model)
    chunks = [items[i : i + REPORT_PART] for i in range(0, len(items), REPORT_PART)] or [[]]
    return [
        {
            "requestId": request_id,
            "generatedAt": generated_at,
            "seqNo": seq,
            "tbc": seq < len(chunks) - 1,
            **({"reportData": chunk} if chunk else {}),
        }
        for seq, chunk in enumerate(chunks)
    ]


def _get_configuration(model: DeviceModel, payload: Any) -> Any:
    wanted = payload.get("key")
    known = {entry["key"]: entry for entry in model.configuration}
    if not wanted:
        return {"configurationKey": [_key(entry) for entry in model.configuration]}
    answer: dict[str, Any] = {}
    found = [_key(known[key]) for key in wanted if key in known]
    unknown = [key for key in wanted if key not in known]
    if found:
        answer["configurationKey"] = found
    if unknown:
        answer["unknownKey"] = unknown
    return answer


def _key(entry: dict[str, Any]) -> dict[str, Any]:
    """A configuration entry as GetConfiguration reports it (the model's dataType stays home)."""
    shown = {"key": entry["key"], "readonly": bool(entry.get("readonly", False))}
    if "value" in entry:
        shown["value"] = str(entry["value"])[:500]
    return shown


def _change_configuration(model: DeviceModel, payload: Any) -> Any:
    for entry in model.configuration:
        if entry["key"] == payload.get("key"):
            value = str(payload.get("value", ""))
            if entry.get("readonly") or value_problem(str(entry.get("dataType", "string")), value) is not None:
                return {"status": "Rejected"}
            entry["value"] = value
            return {"status": "Accepted"}
    return {"status": "NotSupported"}


def _crossed(monitor: Monitor, before: str, after: str) -> bool:
    try:
        old, new = float(before), float(after)
    except ValueError:
        return monitor.type == "Delta" and before != after
    if monitor.type == "UpperThreshold":
        return old <= monitor.value < new
    if monitor.type == "LowerThreshold":
        return old >= monitor.value > new
    if monitor.type == "Delta":
        return abs(new - old) >= monitor.value
    return False


def _set_variable_monitoring(model: DeviceModel, payload: Any) -> Any:
    results = []
    for item in payload.get("setMonitoringData", []):
        status, _ = model.find(item["component"], item["variable"])
        monitor_id = item.get("id")
        if status == "Accepted" and item.get("type") not in ("UpperThreshold", "LowerThreshold", "Delta"):
            status = "UnsupportedMonitorType"
        if status == "Accepted":
            monitor_id = monitor_id if isinstance(monitor_id, int) else len(model.monitors) + 1
            model.monitors = [m for m in model.monitors if m.id != monitor_id]
            model.monitors.append(
                Monitor(
                    monitor_id,
                    item["component"],
                    item["variable"],
                    item["type"],
                    float(item["value"]),
                    int(item["severity"]),
                )
            )
        result = {
            "status": status,
            "type": item["type"],
            "severity": item["severity"],
            "component": item["component"],
            "variable": item["variable"],
        }
        if status == "Accepted":
            result["id"] = monitor_id
        results.append(result)
    return {"setMonitoringResult": results}


def monitoring_parts(model: DeviceModel, version: str, request_id: int, now: str) -> list[dict[str, Any]]:
    """The NotifyMonitoringReport payloads answering a GetMonitoringReport: the custom monitors
    grouped by variable, REPORT_PART variables a part, seqNo from 0, tbc on all but the last
    (none when there are no monitors: the answer was EmptyResultSet). 2.1 says each monitor's
    eventNotificationType: these are all CustomMonitor."""
    grouped: dict[str, dict[str, Any]] = {}
    for monitor in model.monitors:
        key = repr((monitor.component, monitor.variable))
        entry = grouped.setdefault(
            key, {"component": monitor.component, "variable": monitor.variable, "variableMonitoring": []}
        )
        shown: dict[str, Any] = {
            "id": monitor.id,
            "transaction": False,
            "value": monitor.value,
            "type": monitor.type,
            "severity": monitor.severity,
        }
        if version != "2.0.1":
            shown["eventNotificationType"] = "CustomMonitor"
        entry["variableMonitoring"].append(shown)
    data = list(grouped.values())
    chunks = [data[at : at + REPORT_PART] for at in range(0, len(data), REPORT_PART)]
    return [
        {"requestId": request_id, "seqNo": seq, "generatedAt": now, "tbc": seq < len(chunks) - 1, "monitor": chunk}
        for seq, chunk in enumerate(chunks)
    ]


def _get_monitoring_report(model: DeviceModel, payload: Any) -> Any:
    """Accepted when there are monitors to report (the parts follow), else EmptyResultSet."""
    return {"status": "Accepted" if model.monitors else "EmptyResultSet"}


def _clear_variable_monitoring(model: DeviceModel, payload: Any) -> Any:
    """ClearVariableMonitoring (N06): Accepted for each id of a monitor, removed; NotFound otherwise."""
    results = []
    for monitor_id in payload.get("id", []):
        found = any(m.id == monitor_id for m in model.monitors)
        model.monitors = [m for m in model.monitors if m.id != monitor_id]
        results.append({"status": "Accepted" if found else "NotFound", "id": monitor_id})
    return {"clearMonitoringResult": results}


def _set_monitoring_level(model: DeviceModel, payload: Any) -> Any:
    """SetMonitoringLevel (N05): Accepted; monitors less urgent than it raise no events now."""
    model.monitoring_level = int(payload["severity"])
    return {"status": "Accepted"}


def _set_monitoring_base(model: DeviceModel, payload: Any) -> Any:
    """SetMonitoringBase (N03): All keeps the custom monitors, FactoryDefault and HardWiredOnly
    clear them (N03.FR.03, N03.FR.04); Accepted."""
    if payload.get("monitoringBase") != "All":
        model.monitors = []
    return {"status": "Accepted"}


def _data_transfer(model: DeviceModel, payload: Any) -> Any:
    return {"status": "Accepted" if payload.get("vendorId") in model.vendors else "UnknownVendorId"}


def _accepted(model: DeviceModel, payload: Any) -> Any:
    return {"status": "Accepted"}


_COMMON = {
    "DataTransfer": _data_transfer,
    "Reset": _accepted,
    "ChangeAvailability": _accepted,
    "TriggerMessage": _accepted,
}
_HANDLERS_2X = {
    "GetVariables": _get_variables,
    "SetVariables": _set_variables,
    "GetBaseReport": _accepted,
    "SetVariableMonitoring": _set_variable_monitoring,
    "GetMonitoringReport": _get_monitoring_report,
    "ClearVariableMonitoring": _clear_variable_monitoring,
    "SetMonitoringLevel": _set_monitoring_level,
    "SetMonitoringBase": _set_monitoring_base,
}
_HANDLERS_16 = {
    "GetConfiguration": _get_configuration,
    "ChangeConfiguration": _change_configuration,
    "RemoteStartTransaction": _accepted,
    "RemoteStopTransaction": _accepted,
}
