"""Generate a realistic mixed OCPP 2.0.1 capture (JSON Lines capture records) for the benchmarks.

Twenty stations talk to one CSMS: boots, heartbeats, status changes, transactions whose
TransactionEvents carry meter values, standalone MeterValues, device-model reports and events,
authorisations, and CSMS-initiated GetVariables/SetVariables/TriggerMessage/DataTransfer. Every
CALL is followed by its CALLRESULT (now and then a CALLERROR). Payloads are valid against the
2.0.1 schemas; a share of them (--invalid-rate) gets exactly one injected defect, found by walking
the payload alongside its schema, so `ocppctl validate` should report about one finding per
injected defect. Same seed, same bytes. A `<out>.meta.json` sidecar records what was generated.

    python bench/gen_capture.py --frames 200000 --out bench/out/capture-200k.jsonl
    python bench/gen_capture.py --size-mb 1024 --out bench/out/capture-1024mb.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"  # git-ignored
SCHEMAS = BENCH.parent / "schemas" / "v201"
START_MS = 1795334400000  # 2026-11-22T00:00:00.000Z
DEFECTS = ("wrong-type", "missing-required", "bad-enum", "extra-property", "bad-date-time")

# Exchanges: (weight, action, initiator). Tuned for an average raw frame of about 515 bytes.
MIX: tuple[tuple[int, str, str], ...] = (
    (32, "TransactionEvent", "station"),
    (10, "MeterValues", "station"),
    (12, "StatusNotification", "station"),
    (14, "Heartbeat", "station"),
    (6, "NotifyEvent", "station"),
    (2, "NotifyReport", "station"),
    (6, "Authorize", "station"),
    (2, "SecurityEventNotification", "station"),
    (1, "DataTransfer", "station"),
    (4, "GetVariables", "csms"),
    (3, "SetVariables", "csms"),
    (2, "TriggerMessage", "csms"),
    (1, "DataTransfer", "csms"),
)

COMPONENTS = (
    ("EVSE", "AvailabilityState", "Available", 1),
    ("Connector", "ConnectorType", "cCCS2", 1),
    ("SmartChargingCtrlr", "Enabled", "true", None),
    ("TxCtrlr", "EVConnectionTimeOut", "120", None),
    ("TxCtrlr", "StopTxOnInvalidId", "true", None),
    ("OCPPCommCtrlr", "HeartbeatInterval", "300", None),
    ("OCPPCommCtrlr", "MessageTimeout", "30", None),
    ("SampledDataCtrlr", "TxUpdatedInterval", "60", None),
    ("SampledDataCtrlr", "TxUpdatedMeasurands", "Energy.Active.Import.Register,Power.Active.Import,SoC", None),
    ("AuthCtrlr", "AuthorizeRemoteStart", "true", None),
    ("AuthCacheCtrlr", "Enabled", "false", None),
    ("DeviceDataCtrlr", "ItemsPerMessage", "20", None),
    ("SecurityCtrlr", "SecurityProfile", "2", None),
    ("ChargingStation", "Model", "HPC-150", None),
    ("EVSE", "Power", "150000", 2),
)
EVENT_COMPONENTS = (
    ("Connector", "Problem", "true", "GroundFault"),
    ("ChargingStation", "Temperature", "71.5", "OverTemperature"),
    ("EVSE", "Power", "0", "PowerLimited"),
    ("Controller", "Problem", "false", "ComFail"),
    ("PowerContactor", "Active", "false", "ContactorStuck"),
)
SECURITY_EVENTS = (
    "SettingSystemTime",
    "StartupOfTheDevice",
    "ReconfigurationOfSecurityParameters",
    "TamperDetectionActivated",
)
MEASURANDS_AC = (
    ("Energy.Active.Import.Register", None, "Wh"),
    ("Power.Active.Import", None, "W"),
    ("Current.Import", "L1", "A"),
    ("Current.Import", "L2", "A"),
    ("Current.Import", "L3", "A"),
    ("Voltage", "L1-N", "V"),
    ("Voltage", "L2-N", "V"),
    ("Voltage", "L3-N", "V"),
    ("Current.Offered", None, "A"),
    ("Power.Offered", None, "W"),
    ("Frequency", None, "Hz"),
    ("SoC", None, "Percent"),
)


class Clock:
    """Capture time in milliseconds, formatted like real capture records: 2026-11-22T10:00:00.123Z."""

    def __init__(self, ms: int) -> None:
        self.ms = ms
        self._sec = -1
        self._prefix = ""

    def text(self, ms: int | None = None) -> str:
        ms = self.ms if ms is None else ms
        sec, rest = divmod(ms, 1000)
        if sec != self._sec:
            self._sec = sec
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        return f"{self._prefix}.{rest:03d}Z"


class Station:
    """What a station remembers between exchanges: boot, EVSEs, open transactions, meters."""

    def __init__(self, index: int, rng: random.Random) -> None:
        self.name = f"DE-BER-{index:04d}"
        self.index = index
        self.booted = False
        self.evses = 2
        self.energy = [rng.randint(100_000, 9_000_000) for _ in range(self.evses)]  # Wh
        self.tx: list[dict[str, Any] | None] = [None] * self.evses
        self.report_seq = 0
        self.event_id = rng.randint(1, 1000)
        self.request_id = rng.randint(1, 1000)


class Generator:
    def __init__(self, seed: int, invalid_rate: float, stations: int, schemas: Path) -> None:
        self.rng = random.Random(seed)
        self.invalid_rate = invalid_rate
        self.stations = [Station(i + 1, self.rng) for i in range(stations)]
        self.clock = Clock(START_MS)
        self.schemas = schemas
        self._schema_cache: dict[str, dict[str, Any]] = {}
        self.weights = [w for w, _, _ in MIX]
        self.frames = 0
        self.bytes = 0
        self.raw_bytes = 0
        self.raw_sizes: list[int] = []
        self.injected: dict[str, int] = dict.fromkeys(DEFECTS, 0)
        self.callerrors = 0
        self.owed: list[str] = []  # defects drawn but not yet placed
        self.actions: dict[str, int] = {}

    # --- output ------------------------------------------------------------------------------

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def record(self, station: Station, side: str, frame: list[Any], ms: int) -> bytes:
        raw = orjson.dumps(frame).decode()
        line = orjson.dumps(
            {"ts": self.clock.text(ms), "station": station.name, "conn": 1, "from": side, "ocpp": "2.0.1", "raw": raw}
        )
        self.raw_sizes.append(len(raw.encode()))
        return line + b"\n"

    def count(self, lines: list[bytes]) -> None:
        """Account for the lines written (the raw sizes of the last exchange are pending)."""
        self.frames += len(lines)
        self.bytes += sum(map(len, lines))
        self.raw_bytes += sum(self.raw_sizes[: len(lines)])
        self.raw_sizes.clear()

    def exchange(self) -> list[bytes]:
        """One CALL and its answer, from a random station (its first exchange is always a boot)."""
        rng = self.rng
        self.clock.ms += rng.randint(1, 60)
        station = self.stations[rng.randrange(len(self.stations))]
        if not station.booted:
            action, initiator = "BootNotification", "station"
            station.booted = True
        else:
            _, action, initiator = rng.choices(MIX, self.weights)[0]
        request, response = getattr(self, "_" + action)(station, initiator)
        self.actions[action] = self.actions.get(action, 0) + 1
        uid = self.uid()
        responder = "csms" if initiator == "station" else "station"
        call_ms = self.clock.ms
        answer_ms = call_ms + rng.randint(8, 250)
        request = self.maybe_defect(action, "Request", request)
        lines = [self.record(station, initiator, [2, uid, action, request], call_ms)]
        if rng.random() < 0.004:
            self.callerrors += 1
            code, text = rng.choice(
                (
                    ("InternalError", "database timeout"),
                    ("NotSupported", f"{action} not supported"),
                    ("GenericError", "busy, try again later"),
                )
            )
            lines.append(self.record(station, responder, [4, uid, code, text, {}], answer_ms))
        else:
            response = self.maybe_defect(action, "Response", response)
            lines.append(self.record(station, responder, [3, uid, response], answer_ms))
        self.clock.ms = answer_ms  # records stay in time order
        return lines

    # --- actions: (request payload, response payload) ----------------------------------------

    def _BootNotification(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        request = {
            "chargingStation": {
                "model": "HPC-150",
                "vendorName": "Alpitronic",
                "serialNumber": f"HYC150-{st.index:06d}",
                "firmwareVersion": "2.4.1-rc3",
                "modem": {"iccid": f"8949{st.index:016d}", "imsi": f"26201{st.index:010d}"},
            },
            "reason": self.rng.choice(("PowerUp", "PowerUp", "Watchdog", "RemoteReset", "FirmwareUpdate")),
        }
        response = {"currentTime": self.clock.text(), "interval": 300, "status": "Accepted"}
        return request, response

    def _Heartbeat(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        return {}, {"currentTime": self.clock.text(self.clock.ms + 20)}

    def _StatusNotification(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        evse = self.rng.randrange(st.evses)
        status = (
            "Occupied"
            if st.tx[evse]
            else self.rng.choice(("Available", "Available", "Reserved", "Unavailable", "Faulted"))
        )
        request = {"timestamp": self.clock.text(), "connectorStatus": status, "evseId": evse + 1, "connectorId": 1}
        return request, {}

    def _sampled(self, st: Station, evse: int, context: str, count: int) -> list[dict[str, Any]]:
        rng = self.rng
        values = []
        for measurand, phase, unit in MEASURANDS_AC[:count]:
            if measurand == "Energy.Active.Import.Register":
                value: float = float(st.energy[evse])
            elif measurand.startswith("Power"):
                value = float(rng.randint(3000, 22000))
            elif measurand.startswith("Current"):
                value = round(rng.uniform(6.0, 32.0), 1)
            elif measurand == "Voltage":
                value = round(rng.uniform(224.0, 236.0), 1)
            elif measurand == "Frequency":
                value = round(rng.uniform(49.9, 50.1), 2)
            else:
                value = float(rng.randint(10, 95))
            item: dict[str, Any] = {"value": value, "context": context, "measurand": measurand}
            if phase:
                item["phase"] = phase
            item["location"] = "Outlet"
            item["unitOfMeasure"] = {"unit": unit}
            values.append(item)
        return values

    def _TransactionEvent(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        evse = rng.randrange(st.evses)
        tx = st.tx[evse]
        now = self.clock.text()
        response: dict[str, Any] = {}
        if tx is None:
            tx = st.tx[evse] = {"id": self.uid(), "seq": 0, "token": f"{rng.getrandbits(56):014X}", "started": now}
            request: dict[str, Any] = {
                "eventType": "Started",
                "timestamp": now,
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": tx["id"], "chargingState": "EVConnected"},
                "evse": {"id": evse + 1, "connectorId": 1},
                "idToken": {"idToken": tx["token"], "type": "ISO14443"},
                "meterValue": [{"timestamp": now, "sampledValue": self._sampled(st, evse, "Transaction.Begin", 1)}],
            }
            response = {
                "idTokenInfo": {
                    "status": "Accepted",
                    "cacheExpiryDateTime": self.clock.text(self.clock.ms + 86_400_000),
                }
            }
            return request, response
        tx["seq"] += 1
        st.energy[evse] += rng.randint(50, 400)
        if rng.random() < 0.04:
            st.tx[evse] = None
            request = {
                "eventType": "Ended",
                "timestamp": now,
                "triggerReason": rng.choice(("EVDeparted", "StopAuthorized", "RemoteStop")),
                "seqNo": tx["seq"],
                "transactionInfo": {
                    "transactionId": tx["id"],
                    "chargingState": "Idle",
                    "stoppedReason": "EVDisconnected",
                },
                "evse": {"id": evse + 1, "connectorId": 1},
                "meterValue": [{"timestamp": now, "sampledValue": self._sampled(st, evse, "Transaction.End", 2)}],
            }
            if rng.random() < 0.5:
                response = {"totalCost": round(rng.uniform(3.0, 60.0), 2)}
            return request, response
        request = {
            "eventType": "Updated",
            "timestamp": now,
            "triggerReason": "MeterValuePeriodic",
            "seqNo": tx["seq"],
            "transactionInfo": {
                "transactionId": tx["id"],
                "chargingState": "Charging",
                "timeSpentCharging": tx["seq"] * 60,
            },
            "evse": {"id": evse + 1, "connectorId": 1},
            "meterValue": [{"timestamp": now, "sampledValue": self._sampled(st, evse, "Sample.Periodic", 12)}],
        }
        return request, response

    def _MeterValues(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        evse = self.rng.randrange(st.evses)
        request = {
            "evseId": evse + 1,
            "meterValue": [
                {"timestamp": self.clock.text(), "sampledValue": self._sampled(st, evse, "Sample.Clock", 12)}
            ],
        }
        return request, {}

    def _NotifyEvent(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        events = []
        for _i in range(rng.randint(1, 2)):
            component, variable, value, tech = rng.choice(EVENT_COMPONENTS)
            st.event_id += 1
            event: dict[str, Any] = {
                "eventId": st.event_id,
                "timestamp": self.clock.text(),
                "trigger": rng.choice(("Alerting", "Delta")),
                "actualValue": value,
                "techCode": tech,
                "cleared": rng.random() < 0.3,
                "eventNotificationType": "HardWiredNotification",
                "component": {"name": component, "evse": {"id": 1}},
                "variable": {"name": variable},
            }
            events.append(event)
        return {"generatedAt": self.clock.text(), "seqNo": 0, "eventData": events}, {}

    def _NotifyReport(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        data = []
        for component, variable, value, evse in rng.sample(COMPONENTS, 8):
            comp: dict[str, Any] = {"name": component}
            if evse is not None:
                comp["evse"] = {"id": evse}
            data.append(
                {
                    "component": comp,
                    "variable": {"name": variable},
                    "variableAttribute": [
                        {"type": "Actual", "value": value, "mutability": "ReadWrite", "persistent": True}
                    ],
                    "variableCharacteristics": {"dataType": "string", "supportsMonitoring": False},
                }
            )
        st.report_seq += 1
        request = {
            "requestId": st.request_id,
            "generatedAt": self.clock.text(),
            "seqNo": st.report_seq,
            "tbc": True,
            "reportData": data,
        }
        return request, {}

    def _Authorize(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        request = {
            "idToken": {"idToken": f"{rng.getrandbits(56):014X}", "type": rng.choice(("ISO14443", "eMAID", "KeyCode"))}
        }
        status = rng.choice(("Accepted", "Accepted", "Accepted", "Invalid", "Blocked"))
        return request, {"idTokenInfo": {"status": status}}

    def _SecurityEventNotification(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        request = {"type": self.rng.choice(SECURITY_EVENTS), "timestamp": self.clock.text(), "techInfo": "fw 2.4.1-rc3"}
        return request, {}

    def _DataTransfer(self, st: Station, initiator: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if initiator == "station":
            request = {
                "vendorId": "com.alpitronic.hypercharger",
                "messageId": "CableTemperature",
                "data": f"{self.rng.uniform(20, 60):.1f}",
            }
        else:
            request = {
                "vendorId": "com.example.csms",
                "messageId": "SetPrice",
                "data": {"kWh": 0.59, "currency": "EUR"},
            }
        return request, {"status": self.rng.choice(("Accepted", "Accepted", "UnknownMessageId"))}

    def _GetVariables(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        picked = self.rng.sample(COMPONENTS, self.rng.randint(2, 5))
        request = {"getVariableData": [{"component": {"name": c}, "variable": {"name": v}} for c, v, _, _ in picked]}
        results = [
            {
                "attributeStatus": "Accepted",
                "attributeType": "Actual",
                "attributeValue": value,
                "component": {"name": c},
                "variable": {"name": v},
            }
            for c, v, value, _ in picked
        ]
        return request, {"getVariableResult": results}

    def _SetVariables(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        picked = self.rng.sample(COMPONENTS, self.rng.randint(1, 4))
        request = {
            "setVariableData": [
                {"attributeType": "Actual", "attributeValue": value, "component": {"name": c}, "variable": {"name": v}}
                for c, v, value, _ in picked
            ]
        }
        results = [
            {
                "attributeType": "Actual",
                "attributeStatus": self.rng.choice(("Accepted", "Accepted", "RebootRequired")),
                "component": {"name": c},
                "variable": {"name": v},
            }
            for c, v, _, _ in picked
        ]
        return request, {"setVariableResult": results}

    def _TriggerMessage(self, st: Station, _: str) -> tuple[dict[str, Any], dict[str, Any]]:
        message = self.rng.choice(("StatusNotification", "MeterValues", "Heartbeat"))
        return {"requestedMessage": message, "evse": {"id": 1}}, {"status": "Accepted"}

    # --- defects -----------------------------------------------------------------------------

    def schema(self, action: str, kind: str) -> dict[str, Any]:
        name = f"{action}{kind}"
        if name not in self._schema_cache:
            self._schema_cache[name] = json.loads((self.schemas / f"{name}.json").read_text(encoding="utf-8"))
        return self._schema_cache[name]

    def maybe_defect(self, action: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Draw a defect for ~invalid_rate of payloads; one that does not fit this payload (a
        missing property in `{}`) waits for the next payload it fits, so the kinds stay balanced."""
        if self.invalid_rate > 0 and self.rng.random() < self.invalid_rate:
            self.owed.append(self.rng.choice(DEFECTS))
        if not self.owed:
            return payload
        document = self.schema(action, kind)
        sites: dict[str, list[tuple[Any, Any, dict[str, Any]]]] = {d: [] for d in DEFECTS}
        _walk(document, document, payload, None, None, sites)
        for index, defect in enumerate(self.owed):
            if sites[defect]:
                del self.owed[index]
                container, key, node = self.rng.choice(sites[defect])
                self.injected[defect] += 1
                _inject(self.rng, defect, container, key, node)
                break
        return payload


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = document["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _walk(
    document: dict[str, Any], node: dict[str, Any], value: Any, container: Any, key: Any, sites: dict[str, list[Any]]
) -> None:
    """Where each kind of defect can go in `value` so that it breaks exactly one schema rule."""
    node = _resolve(document, node)
    if isinstance(value, dict):
        if any(name in value for name in node.get("required", ())):
            sites["missing-required"].append((value, None, node))
        if node.get("additionalProperties") is False:
            sites["extra-property"].append((value, None, node))
        properties = node.get("properties", {})
        for name, item in value.items():
            if name in properties:
                _walk(document, properties[name], item, value, name, sites)
    elif isinstance(value, list):
        items = node.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                _walk(document, items, item, value, index, sites)
    elif container is not None:
        if "enum" in node and isinstance(value, str):
            sites["bad-enum"].append((container, key, node))
        elif node.get("format") == "date-time":
            sites["bad-date-time"].append((container, key, node))
        elif isinstance(value, (bool, int, float)) and "enum" not in node:
            sites["wrong-type"].append((container, key, node))


def _inject(rng: random.Random, defect: str, container: Any, key: Any, node: dict[str, Any]) -> None:
    if defect == "wrong-type":
        value = container[key]
        container[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)  # quoted number
    elif defect == "missing-required":
        present = [name for name in node["required"] if name in container]
        del container[rng.choice(present)]
    elif defect == "bad-enum":
        value = container[key]
        wrong = value.lower() if value.lower() != value else value.upper()
        container[key] = wrong if wrong not in node["enum"] else value + "X"
    elif defect == "bad-date-time":
        value = container[key]
        container[key] = rng.choice((value[:-1], value.replace("T", " "), value[:5] + "02-30" + value[10:]))
    else:  # extra-property: a near miss of a real property name, or an unknown one
        names = [name for name in container if isinstance(name, str) and name.lower() != name]
        extra = rng.choice(names).lower() if names and rng.random() < 0.7 else "vendorInfo"
        if extra in node.get("properties", {}) or extra in container:
            extra = "vendorInfo"
        container[extra] = "x"


def generate(
    out: Path,
    frames: int | None = 200_000,
    size_mb: float | None = None,
    seed: int = 1,
    invalid_rate: float = 0.02,
    stations: int = 20,
    schemas: Path = SCHEMAS,
) -> dict[str, Any]:
    """Write the capture; return (and write beside it as <out>.meta.json) what it holds."""
    gen = Generator(seed, invalid_rate, stations, schemas)
    limit_bytes = int(size_mb * 1024 * 1024) if size_mb is not None else None
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(out, "wb", buffering=1 << 20) as fh:
        while True:
            if limit_bytes is not None:
                if gen.bytes >= limit_bytes:
                    break
            elif frames is not None and gen.frames >= frames:
                break
            lines = gen.exchange()
            if limit_bytes is None and frames is not None and gen.frames + len(lines) > frames:
                lines = lines[: frames - gen.frames]  # an odd count: the last CALL stays unanswered
            gen.count(lines)
            fh.write(b"".join(lines))
    meta = {
        "file": str(out),
        "frames": gen.frames,
        "bytes": out.stat().st_size,
        "avg_raw_bytes": round(gen.raw_bytes / max(gen.frames, 1), 1),
        "avg_line_bytes": round(out.stat().st_size / max(gen.frames, 1), 1),
        "seed": seed,
        "invalid_rate": invalid_rate,
        "stations": stations,
        "injected": sum(gen.injected.values()),
        "injected_by_kind": gen.injected,
        "callerrors": gen.callerrors,
        "exchanges_by_action": dict(sorted(gen.actions.items())),
        "seconds": round(time.perf_counter() - started, 2),
    }
    Path(str(out) + ".meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=200_000, help="frames to write (default 200,000)")
    parser.add_argument("--size-mb", type=float, default=None, help="write about this many MB instead of --frames")
    parser.add_argument("--out", type=Path, default=None, help="output file (default bench/out/capture-*.jsonl)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invalid-rate", type=float, default=0.02, help="share of payloads with one defect")
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--schemas", type=Path, default=SCHEMAS, help="the v201 schema folder")
    args = parser.parse_args(argv)
    if args.out is None:
        tag = f"{args.size_mb:g}mb" if args.size_mb is not None else f"{args.frames}"
        args.out = OUT / f"capture-{tag}-s{args.seed}-r{args.invalid_rate:g}.jsonl"
    meta = generate(args.out, args.frames, args.size_mb, args.seed, args.invalid_rate, args.stations, args.schemas)
    print(json.dumps(meta, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
