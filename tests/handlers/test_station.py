"""What the simulated station decides, pure: its answers, the calls that follow them, its timings.

Every payload the station produces (and every call the tests feed it) is checked against the
version's schema with the project's own registry: a simulated station that sent an invalid
frame would fail the very tool it is there to exercise.
"""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.checks import payload_findings
from ocppctl.core.payloads import template
from ocppctl.core.versions import V16, V21, V201, Version
from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel
from ocppctl.handlers.station import Call, Reboot, SimStation, Step
from ocppctl.io.schemafiles import default_registry

T0 = "2026-12-04T10:00:00.000Z"
T1 = "2026-12-04T10:00:01.000Z"
T_HOUR = "2026-12-04T11:00:01.000Z"  # an hour after T1: 11 kWh charged
TOKEN = {"idToken": "04A2B3C4", "type": "ISO14443"}
REGISTRY = default_registry()


class Drive:
    """A SimStation and a CSMS's side of the conversation, every payload checked both ways."""

    def __init__(self, version: Version, model: dict[str, Any] | None = None, heartbeat: float | None = None) -> None:
        self.version = version
        self.station = SimStation(DeviceModel.from_json(model or DEFAULT_MODEL), REGISTRY, version, heartbeat=heartbeat)
        self.produced: list[str] = []  # "Action request" / "Action response", in order

    def valid(self, action: str, kind: str, payload: Any) -> None:
        schema = REGISTRY.get(self.version, action, kind)
        assert schema is not None, (self.version.name, action, kind)
        assert [f.message for f in payload_findings(schema, payload, None, False)] == [], (action, kind, payload)

    def steps(self, steps: list[Step]) -> list[Step]:
        for step in steps:
            if isinstance(step, Call):
                self.valid(step.action, "request", step.payload)
                self.produced.append(f"{step.action} request")
        return steps

    def call(self, action: str, payload: Any, now: str = T1) -> tuple[Any, list[Step]]:
        """The CSMS calls: the station's answer (a result's payload) and what it does after."""
        self.valid(action, "request", payload)
        verdict = self.station.answer(action, payload, now)
        assert verdict[0] == "result", verdict
        self.valid(action, "response", verdict[1])
        self.produced.append(f"{action} response")
        return verdict[1], self.steps(self.station.after_answer(action, payload, verdict, now))

    def result(self, call: Step, result: Any, now: str = T1) -> list[Step]:
        """The CSMS answers one of the station's calls."""
        assert isinstance(call, Call)
        self.valid(call.action, "response", result)
        return self.steps(self.station.after_result(call.action, call.payload, result, now))

    def boot(self, status: str = "Accepted", interval: int = 60) -> list[Step]:
        boot = self.station.boot(T0)
        self.steps([boot])
        return self.result(boot, {"status": status, "interval": interval, "currentTime": T0}, T0)


def summary(steps: list[Step]) -> list[Any]:
    """Each step in short: the action and what tells the steps apart, or "Reboot"."""
    out: list[Any] = []
    for step in steps:
        if isinstance(step, Reboot):
            out.append("Reboot")
            continue
        p = step.payload
        if step.action == "StatusNotification":
            where = p["connectorId"] if "errorCode" in p else (p["evseId"], p["connectorId"])
            out.append(("StatusNotification", where, p.get("status", p.get("connectorStatus"))))
        elif step.action == "TransactionEvent":
            out.append(("TransactionEvent", p["eventType"], p["triggerReason"], p["seqNo"]))
        else:
            out.append(step.action)
    return out


TWO_EVSES = {**DEFAULT_MODEL, "evses": [{"connectors": 2}, {"connectors": 1}]}


# --- every action, every version: schema-valid both ways ------------------------------------


def _drive_16(d: Drive) -> None:
    d.boot()
    for wanted in ("StatusNotification", "Heartbeat", "MeterValues", "FirmwareStatusNotification"):
        d.call("TriggerMessage", {"requestedMessage": wanted})
    d.call("TriggerMessage", {"requestedMessage": "DiagnosticsStatusNotification"})
    d.call("TriggerMessage", {"requestedMessage": "BootNotification"})
    d.call("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"})
    d.call("ChangeAvailability", {"connectorId": 0, "type": "Operative"})
    _, steps = d.call("RemoteStartTransaction", {"idTag": "TAG1", "connectorId": 1})
    d.result(steps[1], {"transactionId": 7, "idTagInfo": {"status": "Accepted"}})
    d.call("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 1})
    d.call("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 0})
    d.call("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"})
    d.call("RemoteStopTransaction", {"transactionId": 7}, T_HOUR)
    d.call("GetConfiguration", {})
    d.call("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "abc"})
    d.call("DataTransfer", {"vendorId": "com.example"})
    _, steps = d.call("RemoteStartTransaction", {"idTag": "TAG2"})
    d.result(steps[1], {"transactionId": 8, "idTagInfo": {"status": "Accepted"}})
    d.call("Reset", {"type": "Soft"})


def _drive_2x(d: Drive) -> None:
    d.boot()
    for wanted in ("StatusNotification", "Heartbeat", "MeterValues", "FirmwareStatusNotification"):
        d.call("TriggerMessage", {"requestedMessage": wanted})
    d.call("TriggerMessage", {"requestedMessage": "LogStatusNotification"})
    d.call("TriggerMessage", {"requestedMessage": "BootNotification"})
    d.call("TriggerMessage", {"requestedMessage": "SignV2GCertificate"})
    d.call("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 1}})
    d.call("ChangeAvailability", {"operationalStatus": "Operative", "evse": {"id": 1}})
    _, steps = d.call("RequestStartTransaction", {"remoteStartId": 5, "idToken": TOKEN, "evseId": 1})
    d.result(steps[1], {"idTokenInfo": {"status": "Accepted"}})
    transaction = steps[1].payload["transactionInfo"]["transactionId"]  # type: ignore[union-attr]
    d.call("TriggerMessage", {"requestedMessage": "MeterValues", "evse": {"id": 1}})
    d.call("TriggerMessage", {"requestedMessage": "TransactionEvent"})
    d.call("Reset", {"type": "OnIdle"})
    d.call("RequestStopTransaction", {"transactionId": transaction}, T_HOUR)
    for base in ("FullInventory", "ConfigurationInventory", "SummaryInventory"):
        d.call("GetBaseReport", {"requestId": 1, "reportBase": base})
    item = {"component": {"name": "FiscalMetering"}, "variable": {"name": "Enabled"}}
    d.call("SetVariables", {"setVariableData": [{**item, "attributeValue": "maybe"}]})
    d.call("GetVariables", {"getVariableData": [item]})
    monitor = {"value": 60, "type": "UpperThreshold", "severity": 5}
    where = {"component": {"name": "ChargingStation"}, "variable": {"name": "Temperature"}}
    d.call("SetVariableMonitoring", {"setMonitoringData": [{**monitor, **where}]})
    d.steps(list(d.station.set_value("ChargingStation", "Temperature", "61", T1)))
    d.call("GetMonitoringReport", {"requestId": 2})
    d.call("SetMonitoringLevel", {"severity": 4})
    d.call("ClearVariableMonitoring", {"id": [1, 99]})
    d.call("SetMonitoringBase", {"monitoringBase": "All"})
    d.call("DataTransfer", {"vendorId": "com.example"})
    d.call("RequestStartTransaction", {"remoteStartId": 6, "idToken": TOKEN})
    d.call("Reset", {"type": "Immediate"})
    d.call("Reset", {"type": "Immediate", "evseId": 1})


@pytest.mark.parametrize("version", [V16, V201, V21], ids=lambda v: v.name)
def test_every_payload_the_station_produces_is_schema_valid(version: Version) -> None:
    d = Drive(version, TWO_EVSES)
    (_drive_16 if version is V16 else _drive_2x)(d)
    made = {entry.removesuffix(" request") for entry in d.produced if entry.endswith(" request")}
    if version is V16:
        expected = {"BootNotification", "StatusNotification", "Heartbeat", "MeterValues", "StartTransaction"}
        expected |= {"StopTransaction", "FirmwareStatusNotification", "DiagnosticsStatusNotification"}
    else:
        expected = {"BootNotification", "StatusNotification", "Heartbeat", "MeterValues", "TransactionEvent"}
        expected |= {"FirmwareStatusNotification", "LogStatusNotification", "NotifyReport", "NotifyEvent"}
        expected |= {"NotifyMonitoringReport"}
    assert made == expected


# --- boot and connections --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "statuses"),
    [
        (
            V16,
            [
                ("StatusNotification", 0, "Available"),
                ("StatusNotification", 1, "Available"),
                ("StatusNotification", 2, "Available"),
                ("StatusNotification", 3, "Available"),
            ],
        ),
        (
            V201,
            [
                ("StatusNotification", (1, 1), "Available"),
                ("StatusNotification", (1, 2), "Available"),
                ("StatusNotification", (2, 1), "Available"),
            ],
        ),
    ],
    ids=["1.6", "2.0.1"],
)
def test_an_accepted_boot_is_followed_by_a_status_per_connector(version: Version, statuses: list[Any]) -> None:
    d = Drive(version, TWO_EVSES)
    assert not d.station.booted
    assert summary(d.boot(interval=42)) == statuses
    assert d.station.booted and d.station.heartbeat_interval() == 42.0


def test_a_pending_boot_is_not_booted_and_says_when_to_try_again() -> None:
    d = Drive(V201)
    assert d.boot("Pending", interval=15) == []
    assert (d.station.booted, d.station.boot_retry) == (False, 15.0)


def test_a_lost_link_needs_no_new_boot_but_a_reboot_does() -> None:
    """A station boots when it (re)boots, not when its link comes back (1.6 4.2, 2.0.1 B01)."""
    d = Drive(V201)
    d.boot()
    d.station.disconnected()
    d.station.connected()
    assert d.station.booted
    d.station.answer("Reset", {"type": "Immediate"}, T1)
    steps = d.station.after_answer("Reset", {"type": "Immediate"}, ("result", {"status": "Accepted"}), T1)
    assert any(isinstance(step, Reboot) for step in steps) and not d.station.booted
    assert d.station.boot(T1).payload["reason"] == "RemoteReset"


@pytest.mark.parametrize(
    ("version", "actions"),
    [(V16, {"StartTransaction", "StopTransaction", "MeterValues"}), (V201, {"TransactionEvent"})],
    ids=["1.6", "2.0.1"],
)
def test_transaction_messages_are_the_ones_kept_while_offline(version: Version, actions: set[str]) -> None:
    assert Drive(version).station.transaction_actions == actions


# --- TriggerMessage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "asked", "booted", "status", "then"),
    [
        (V16, {"requestedMessage": "Heartbeat"}, True, "Accepted", ["Heartbeat"]),
        (V16, {"requestedMessage": "Heartbeat", "connectorId": 9}, True, "Accepted", ["Heartbeat"]),  # not about it
        (V16, {"requestedMessage": "BootNotification"}, True, "Accepted", ["BootNotification"]),
        (
            V16,
            {"requestedMessage": "StatusNotification", "connectorId": 2},
            True,
            "Accepted",
            [("StatusNotification", 2, "Available")],
        ),
        (
            V16,
            {"requestedMessage": "StatusNotification", "connectorId": 0},
            True,
            "Accepted",
            [("StatusNotification", 0, "Available")],
        ),
        (V16, {"requestedMessage": "StatusNotification", "connectorId": 9}, True, "Rejected", []),
        (V16, {"requestedMessage": "MeterValues", "connectorId": 3}, True, "Accepted", ["MeterValues"]),
        (V16, {"requestedMessage": "MeterValues"}, True, "Accepted", ["MeterValues", "MeterValues", "MeterValues"]),
        (
            V16,
            {"requestedMessage": "DiagnosticsStatusNotification"},
            True,
            "Accepted",
            ["DiagnosticsStatusNotification"],
        ),
        (V16, {"requestedMessage": "FirmwareStatusNotification"}, True, "Accepted", ["FirmwareStatusNotification"]),
        (V201, {"requestedMessage": "BootNotification"}, True, "Rejected", []),  # F06.FR.17
        (V201, {"requestedMessage": "BootNotification"}, False, "Accepted", ["BootNotification"]),
        (V201, {"requestedMessage": "Heartbeat"}, True, "Accepted", ["Heartbeat"]),
        (V201, {"requestedMessage": "Heartbeat", "evse": {"id": 9}}, True, "Accepted", ["Heartbeat"]),  # F06.FR.02
        (V201, {"requestedMessage": "TransactionEvent"}, True, "Rejected", []),  # none running: nothing to send
        (
            V201,
            {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 2}},
            True,
            "Accepted",
            [("StatusNotification", (1, 2), "Available")],
        ),
        (
            V201,
            {"requestedMessage": "StatusNotification", "evse": {"id": 1}},
            True,
            "Accepted",
            [
                ("StatusNotification", (1, 1), "Available"),
                ("StatusNotification", (1, 2), "Available"),
            ],
        ),
        (V201, {"requestedMessage": "StatusNotification", "evse": {"id": 3}}, True, "Rejected", []),
        (V201, {"requestedMessage": "MeterValues"}, True, "Accepted", ["MeterValues", "MeterValues"]),
        (V201, {"requestedMessage": "LogStatusNotification"}, True, "Accepted", ["LogStatusNotification"]),
        (V201, {"requestedMessage": "FirmwareStatusNotification"}, True, "Accepted", ["FirmwareStatusNotification"]),
        (V201, {"requestedMessage": "SignChargingStationCertificate"}, True, "NotImplemented", []),
        (V21, {"requestedMessage": "BootNotification"}, True, "Rejected", []),
        (V21, {"requestedMessage": "CustomTrigger", "customTrigger": "x"}, True, "NotImplemented", []),
    ],
)
def test_trigger_message_sends_what_it_asks_for(
    version: Version, asked: dict[str, Any], booted: bool, status: str, then: list[Any]
) -> None:
    d = Drive(version, TWO_EVSES)
    if booted:
        d.boot()
    answer, steps = d.call("TriggerMessage", asked)
    assert (answer, summary(steps)) == ({"status": status}, then)


def test_a_triggered_transaction_event_updates_each_transaction_running_there() -> None:
    d = Drive(V201, TWO_EVSES)
    _, steps = d.call("RequestStartTransaction", {"remoteStartId": 1, "idToken": TOKEN, "evseId": 2})
    transaction = steps[1].payload["transactionInfo"]["transactionId"]  # type: ignore[union-attr]
    assert d.call("TriggerMessage", {"requestedMessage": "TransactionEvent", "evse": {"id": 1}}) == (
        {"status": "Rejected"},
        [],
    )
    answer, steps = d.call("TriggerMessage", {"requestedMessage": "TransactionEvent"}, T_HOUR)
    assert (answer, summary(steps)) == ({"status": "Accepted"}, [("TransactionEvent", "Updated", "Trigger", 1)])
    update = steps[0].payload  # type: ignore[union-attr]
    assert update["transactionInfo"] == {"transactionId": transaction, "chargingState": "Charging"}
    assert update["meterValue"][0]["sampledValue"][0]["value"] == 11000.0


def test_a_triggered_firmware_status_is_idle_and_a_triggered_boot_says_so() -> None:
    d = Drive(V201)
    _, steps = d.call("TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})
    assert steps == [Call("FirmwareStatusNotification", {"status": "Idle"})]
    _, steps = d.call("TriggerMessage", {"requestedMessage": "BootNotification"})
    assert isinstance(steps[0], Call) and steps[0].payload["reason"] == "Triggered"


# --- transactions -----------------------------------------------------------------------------


def test_16_remote_start_and_stop_carry_out_a_transaction() -> None:
    d = Drive(V16)
    d.boot()
    answer, steps = d.call("RemoteStartTransaction", {"idTag": "TAG1"})
    assert answer == {"status": "Accepted"}
    assert steps == [
        Call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Preparing", "timestamp": T1}),
        Call("StartTransaction", {"connectorId": 1, "idTag": "TAG1", "meterStart": 0, "timestamp": T1}),
        Call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging", "timestamp": T1}),
    ]
    assert d.result(steps[1], {"transactionId": 77, "idTagInfo": {"status": "Accepted"}}) == []
    assert d.call("RemoteStartTransaction", {"idTag": "TAG2"})[0] == {"status": "Rejected"}  # the one connector is busy
    assert d.call("RemoteStopTransaction", {"transactionId": 78}, T_HOUR) == ({"status": "Rejected"}, [])
    answer, steps = d.call("RemoteStopTransaction", {"transactionId": 77}, T_HOUR)
    assert answer == {"status": "Accepted"}
    assert steps == [
        Call(
            "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Finishing", "timestamp": T_HOUR}
        ),
        Call(
            "StopTransaction",
            {"transactionId": 77, "meterStop": 11000, "timestamp": T_HOUR, "reason": "Remote", "idTag": "TAG1"},
        ),
        Call(
            "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": T_HOUR}
        ),
    ]
    assert d.call("RemoteStopTransaction", {"transactionId": 77}, T_HOUR)[0] == {"status": "Rejected"}


def test_16_a_refused_id_tag_ends_the_transaction() -> None:
    d = Drive(V16)
    _, steps = d.call("RemoteStartTransaction", {"idTag": "TAG1", "connectorId": 1})
    ended = d.result(steps[1], {"transactionId": 3, "idTagInfo": {"status": "Invalid"}})
    assert summary(ended) == [
        ("StatusNotification", 1, "Finishing"),
        "StopTransaction",
        ("StatusNotification", 1, "Available"),
    ]
    assert isinstance(ended[1], Call) and ended[1].payload["reason"] == "DeAuthorized"


@pytest.mark.parametrize("connector", [0, 2])
def test_16_remote_start_on_a_connector_the_station_lacks_is_rejected(connector: int) -> None:
    assert Drive(V16).call("RemoteStartTransaction", {"idTag": "T", "connectorId": connector}) == (
        {"status": "Rejected"},
        [],
    )


@pytest.mark.parametrize("version", [V201, V21], ids=lambda v: v.name)
def test_2x_request_start_and_stop_carry_out_a_transaction(version: Version) -> None:
    d = Drive(version, TWO_EVSES)
    d.boot()
    answer, steps = d.call("RequestStartTransaction", {"remoteStartId": 12, "idToken": TOKEN, "evseId": 2})
    assert answer == {"status": "Accepted"}
    started = steps[1].payload  # type: ignore[union-attr]
    transaction = started["transactionInfo"]["transactionId"]
    assert steps[0] == Call(
        "StatusNotification", {"timestamp": T1, "connectorStatus": "Occupied", "evseId": 2, "connectorId": 1}
    )
    assert started == {
        "eventType": "Started",
        "timestamp": T1,
        "triggerReason": "RemoteStart",
        "seqNo": 0,
        "transactionInfo": {"transactionId": transaction, "chargingState": "Charging", "remoteStartId": 12},
        "meterValue": [
            {
                "timestamp": T1,
                "sampledValue": [
                    {
                        "context": "Transaction.Begin",
                        "measurand": "Energy.Active.Import.Register",
                        "value": 0.0,
                        "unitOfMeasure": {"unit": "Wh"},
                    }
                ],
            }
        ],
        "idToken": TOKEN,
        "evse": {"id": 2, "connectorId": 1},
    }
    assert d.call("RequestStopTransaction", {"transactionId": "nope"}) == ({"status": "Rejected"}, [])
    answer, steps = d.call("RequestStopTransaction", {"transactionId": transaction}, T_HOUR)
    assert answer == {"status": "Accepted"}
    assert summary(steps) == [
        ("TransactionEvent", "Ended", "RemoteStop", 1),
        ("StatusNotification", (2, 1), "Available"),
    ]
    ended = steps[0].payload  # type: ignore[union-attr]
    assert ended["transactionInfo"] == {
        "transactionId": transaction,
        "chargingState": "EVConnected",
        "stoppedReason": "Remote",
    }
    assert ended["meterValue"][0]["sampledValue"][0]["value"] == 11000.0


def test_2x_request_start_without_a_free_evse_is_rejected_saying_why() -> None:
    d = Drive(V201)
    d.call("RequestStartTransaction", {"remoteStartId": 1, "idToken": TOKEN})
    assert d.call("RequestStartTransaction", {"remoteStartId": 2, "idToken": TOKEN, "evseId": 1})[0] == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "EVSEUnavailable"},
    }
    assert d.call("RequestStartTransaction", {"remoteStartId": 3, "idToken": TOKEN})[0]["status"] == "Rejected"
    assert d.call("RequestStartTransaction", {"remoteStartId": 4, "idToken": TOKEN, "evseId": 9})[0] == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse"},
    }


def test_2x_transaction_ids_differ() -> None:
    d = Drive(V201, TWO_EVSES)
    ids = set()
    for n in range(3):
        _, steps = d.call("RequestStartTransaction", {"remoteStartId": n, "idToken": TOKEN})
        ids.add(steps[1].payload["transactionInfo"]["transactionId"])  # type: ignore[union-attr]
    assert len(ids) == 3


# --- Reset -----------------------------------------------------------------------------------


def test_16_reset_stops_the_transaction_and_reboots() -> None:
    d = Drive(V16)
    _, steps = d.call("RemoteStartTransaction", {"idTag": "TAG1"})
    d.result(steps[1], {"transactionId": 4, "idTagInfo": {"status": "Accepted"}})
    answer, steps = d.call("Reset", {"type": "Hard"})
    assert (answer, summary(steps)) == ({"status": "Accepted"}, ["StopTransaction", "Reboot"])
    assert isinstance(steps[0], Call) and steps[0].payload["reason"] == "HardReset"
    assert d.station.transactions == []


@pytest.mark.parametrize("version", [V201, V21], ids=lambda v: v.name)
def test_2x_reset_when_idle_reboots_and_the_next_boot_says_remote_reset(version: Version) -> None:
    d = Drive(version)
    d.boot()
    assert summary(d.call("Reset", {"type": "Immediate"})[1]) == ["Reboot"]
    d.station.disconnected()
    d.station.connected()
    assert d.station.boot(T1).payload["reason"] == "RemoteReset"


def test_2x_reset_on_idle_during_a_transaction_waits_for_its_end() -> None:
    d = Drive(V201)
    _, steps = d.call("RequestStartTransaction", {"remoteStartId": 1, "idToken": TOKEN})
    transaction = steps[1].payload["transactionInfo"]["transactionId"]  # type: ignore[union-attr]
    assert d.call("Reset", {"type": "OnIdle"}) == ({"status": "Scheduled"}, [])
    _, steps = d.call("RequestStopTransaction", {"transactionId": transaction})
    assert summary(steps) == [("TransactionEvent", "Ended", "RemoteStop", 1), "Reboot"]  # the boot tells the status


def test_2x_immediate_reset_ends_the_transaction_first() -> None:
    d = Drive(V201)
    d.call("RequestStartTransaction", {"remoteStartId": 1, "idToken": TOKEN})
    answer, steps = d.call("Reset", {"type": "Immediate"})
    assert (answer, summary(steps)) == (
        {"status": "Accepted"},
        [("TransactionEvent", "Ended", "ResetCommand", 1), "Reboot"],
    )
    assert steps[0].payload["transactionInfo"]["stoppedReason"] == "ImmediateReset"  # type: ignore[union-attr]


def test_2x_reset_of_one_evse_is_rejected_saying_why() -> None:
    answer, steps = Drive(V201).call("Reset", {"type": "Immediate", "evseId": 1})
    assert (answer["status"], answer["statusInfo"]["reasonCode"], steps) == ("Rejected", "UnsupportedParam", [])


# --- ChangeAvailability -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "asked", "status", "then"),
    [
        (
            V16,
            {"connectorId": 0, "type": "Inoperative"},
            "Accepted",
            [
                ("StatusNotification", 0, "Unavailable"),
                ("StatusNotification", 1, "Unavailable"),
                ("StatusNotification", 2, "Unavailable"),
                ("StatusNotification", 3, "Unavailable"),
            ],
        ),
        (V16, {"connectorId": 2, "type": "Inoperative"}, "Accepted", [("StatusNotification", 2, "Unavailable")]),
        (V16, {"connectorId": 2, "type": "Operative"}, "Accepted", []),  # already: nothing changes
        (V16, {"connectorId": 7, "type": "Inoperative"}, "Rejected", []),
        (
            V201,
            {"operationalStatus": "Inoperative"},
            "Accepted",
            [
                ("StatusNotification", (1, 1), "Unavailable"),
                ("StatusNotification", (1, 2), "Unavailable"),
                ("StatusNotification", (2, 1), "Unavailable"),
            ],
        ),
        (
            V201,
            {"operationalStatus": "Inoperative", "evse": {"id": 1}},
            "Accepted",
            [
                ("StatusNotification", (1, 1), "Unavailable"),
                ("StatusNotification", (1, 2), "Unavailable"),
            ],
        ),
        (
            V201,
            {"operationalStatus": "Inoperative", "evse": {"id": 1, "connectorId": 2}},
            "Accepted",
            [
                ("StatusNotification", (1, 2), "Unavailable"),
            ],
        ),
        (V201, {"operationalStatus": "Inoperative", "evse": {"id": 5}}, "Rejected", []),
    ],
)
def test_change_availability_sends_the_status_it_implies(
    version: Version, asked: dict[str, Any], status: str, then: list[Any]
) -> None:
    answer, steps = Drive(version, TWO_EVSES).call("ChangeAvailability", asked)
    assert (answer, summary(steps)) == ({"status": status}, then)


@pytest.mark.parametrize("version", [V16, V201], ids=lambda v: v.name)
def test_change_availability_during_a_transaction_is_scheduled_until_it_ends(version: Version) -> None:
    d = Drive(version)
    if version is V16:
        _, steps = d.call("RemoteStartTransaction", {"idTag": "TAG1"})
        d.result(steps[1], {"transactionId": 9, "idTagInfo": {"status": "Accepted"}})
        answer, steps = d.call("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"})
        stop: tuple[str, dict[str, Any]] = ("RemoteStopTransaction", {"transactionId": 9})
    else:
        _, steps = d.call("RequestStartTransaction", {"remoteStartId": 1, "idToken": TOKEN})
        transaction = steps[1].payload["transactionInfo"]["transactionId"]  # type: ignore[union-attr]
        answer, steps = d.call("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 1}})
        stop = ("RequestStopTransaction", {"transactionId": transaction})
    assert (answer, steps) == ({"status": "Scheduled"}, [])
    _, steps = d.call(*stop)
    last = steps[-1]
    assert isinstance(last, Call) and last.action == "StatusNotification"
    assert last.payload.get("status", last.payload.get("connectorStatus")) == "Unavailable"
    start = (
        ("RemoteStartTransaction", {"idTag": "T"})
        if version is V16
        else (
            "RequestStartTransaction",
            {"remoteStartId": 2, "idToken": TOKEN},
        )
    )
    assert d.call(*start)[0]["status"] == "Rejected"  # an Inoperative connector takes no transaction


# --- settings: heartbeat, back-off, values ------------------------------------------------------


def test_16_get_configuration_reports_the_heartbeat_in_use() -> None:
    d = Drive(V16)
    d.boot(interval=45)
    answer, _ = d.call("GetConfiguration", {"key": ["HeartbeatInterval"]})
    assert answer == {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "45"}]}
    assert d.call("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "20"})[0] == {"status": "Accepted"}
    assert d.station.heartbeat_interval() == 20.0
    assert d.call("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "soon"})[0] == {"status": "Rejected"}
    assert d.station.heartbeat_interval() == 20.0


def test_2x_set_variables_changes_the_heartbeat_in_use() -> None:
    d = Drive(V201)
    assert d.station.heartbeat_interval() == 300.0
    d.boot(interval=45)
    assert d.station.heartbeat_interval() == 45.0
    item = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    answer, _ = d.call("SetVariables", {"setVariableData": [{**item, "attributeValue": "15"}]})
    assert answer["setVariableResult"][0]["attributeStatus"] == "Accepted"
    assert d.station.heartbeat_interval() == 15.0


def test_2x_set_variables_rejects_a_value_its_data_type_refuses() -> None:
    item = {"component": {"name": "FiscalMetering"}, "variable": {"name": "Enabled"}, "attributeValue": "maybe"}
    answer, _ = Drive(V201).call("SetVariables", {"setVariableData": [item]})
    assert answer["setVariableResult"][0]["attributeStatus"] == "Rejected"
    assert answer["setVariableResult"][0]["attributeStatusInfo"] == {
        "reasonCode": "InvalidValue",
        "additionalInfo": "'maybe' is not a boolean (true or false)",
    }


BACK_OFF = {
    **DEFAULT_MODEL,
    "variables": [
        {"component": "OCPPCommCtrlr", "variable": "RetryBackOffWaitMinimum", "value": "1", "dataType": "integer"},
        {"component": "OCPPCommCtrlr", "variable": "RetryBackOffRandomRange", "value": "2", "dataType": "integer"},
        {"component": "OCPPCommCtrlr", "variable": "RetryBackOffRepeatTimes", "value": "2", "dataType": "integer"},
    ],
}


ENDLESS_DOUBLING = {
    "variables": [
        {"component": "OCPPCommCtrlr", "variable": "RetryBackOffWaitMinimum", "value": "1"},
        {"component": "OCPPCommCtrlr", "variable": "RetryBackOffRepeatTimes", "value": "1000000"},
    ]
}


@pytest.mark.parametrize(
    ("model", "version", "attempt", "jitter", "seconds"),
    [
        (BACK_OFF, V201, 0, 0.0, 1.0),
        (BACK_OFF, V201, 1, 0.0, 2.0),
        (BACK_OFF, V201, 2, 0.5, 5.0),
        (BACK_OFF, V201, 5, 0.0, 4.0),  # doubled RepeatTimes times, then the same
        (DEFAULT_MODEL, V201, 0, 0.0, 10.0),
        (DEFAULT_MODEL, V16, 0, 0.5, 15.0),
        (DEFAULT_MODEL, V16, 9, 0.0, 80.0),
        (ENDLESS_DOUBLING, V201, 5000, 0.0, 2.0**30),  # was OverflowError: a number, however long
    ],
)
def test_the_reconnect_back_off(
    model: dict[str, Any], version: Version, attempt: int, jitter: float, seconds: float
) -> None:
    assert Drive(version, model).station.retry_delay(attempt, jitter) == seconds


def test_sim_set_checks_the_value_and_raises_the_monitors_events() -> None:
    d = Drive(V201)
    with pytest.raises(ValueError, match=r"^ChargingStation/Temperature: 'abc' is not a decimal$"):
        d.station.set_value("ChargingStation", "Temperature", "abc", T1)
    with pytest.raises(ValueError, match=r"^no ChargingStation/Nope in the model$"):
        d.station.set_value("ChargingStation", "Nope", "1", T1)
    where = {"component": {"name": "ChargingStation"}, "variable": {"name": "Temperature"}}
    d.call(
        "SetVariableMonitoring",
        {"setMonitoringData": [{"value": 60, "type": "UpperThreshold", "severity": 5, **where}]},
    )
    calls = d.steps(list(d.station.set_value("ChargingStation", "Temperature", "61", T1)))
    assert [(c.action, c.payload["eventData"][0]["actualValue"]) for c in calls if isinstance(c, Call)] == [
        ("NotifyEvent", "61")
    ]


# --- GetBaseReport ------------------------------------------------------------------------------


def _reported(steps: list[Step]) -> list[tuple[str, str, str | None]]:
    return [
        (item["component"]["name"], item["variable"]["name"], item["variableAttribute"][0].get("value"))
        for step in steps
        if isinstance(step, Call)
        for item in step.payload.get("reportData", [])
    ]


def test_configuration_inventory_reports_only_what_can_be_configured() -> None:
    answer, steps = Drive(V201).call("GetBaseReport", {"requestId": 2, "reportBase": "ConfigurationInventory"})
    assert answer == {"status": "Accepted"}
    assert [(p.payload["seqNo"], p.payload["tbc"]) for p in steps if isinstance(p, Call)] == [(0, True), (1, False)]
    assert [name[:2] for name in _reported(steps)] == [
        ("OCPPCommCtrlr", "HeartbeatInterval"),
        ("FiscalMetering", "Enabled"),
        ("ChargingSoundCtrlr", "Enabled"),
        ("ChargingSoundCtrlr", "Volume"),
        ("CustomizationCtrlr", "Enabled"),
    ]


def test_full_inventory_reports_everything_and_summary_inventory_the_availability() -> None:
    d = Drive(V201, TWO_EVSES)
    _, full = d.call("GetBaseReport", {"requestId": 3, "reportBase": "FullInventory"})
    assert len(_reported(full)) == len(DEFAULT_MODEL["variables"])
    d.call("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 2}})
    _, summary_steps = d.call("GetBaseReport", {"requestId": 4, "reportBase": "SummaryInventory"})
    assert _reported(summary_steps) == [
        ("ChargingStation", "AvailabilityState", "Available"),
        ("EVSE", "AvailabilityState", "Available"),
        ("EVSE", "AvailabilityState", "Unavailable"),
        ("Connector", "AvailabilityState", "Available"),
        ("Connector", "AvailabilityState", "Available"),
        ("Connector", "AvailabilityState", "Unavailable"),
    ]


def test_a_report_with_nothing_in_it_is_an_empty_result_set() -> None:
    model = {
        "variables": [{"component": "ChargingStation", "variable": "Model", "value": "X", "mutability": "ReadOnly"}]
    }
    assert Drive(V201, model).call("GetBaseReport", {"requestId": 5, "reportBase": "ConfigurationInventory"}) == (
        {"status": "EmptyResultSet"},
        [],
    )


# --- the engine's contract ------------------------------------------------------------------------


def test_nothing_follows_an_answer_the_station_did_not_give() -> None:
    """The engine answered the call itself (an invalid payload, say): the station does nothing."""
    station = Drive(V201).station
    request = {"remoteStartId": 1, "idToken": TOKEN}
    station.answer("RequestStartTransaction", request, T1)
    assert station.after_answer("RequestStartTransaction", request, ("error", ("FormatViolation", "x")), T1) == []
    assert station.after_answer("Reset", {"type": "Immediate"}, ("result", {"status": "Accepted"}), T1) == []


def test_a_call_the_station_does_not_handle_is_not_implemented() -> None:
    station = Drive(V201).station
    verdict = station.answer("UpdateFirmware", {}, T1)
    assert verdict == ("error", ("NotImplemented", "the simulated station does not handle UpdateFirmware"))


def test_16_triggered_meter_values_read_the_register_of_each_connector_or_of_all() -> None:
    d = Drive(V16, TWO_EVSES)
    _, steps = d.call("RemoteStartTransaction", {"idTag": "TAG1", "connectorId": 2})
    d.result(steps[1], {"transactionId": 7, "idTagInfo": {"status": "Accepted"}})
    _, steps = d.call("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 2}, T_HOUR)
    assert steps == [
        Call(
            "MeterValues",
            {
                "connectorId": 2,
                "transactionId": 7,
                "meterValue": [
                    {
                        "timestamp": T_HOUR,
                        "sampledValue": [
                            {
                                "context": "Trigger",
                                "measurand": "Energy.Active.Import.Register",
                                "value": "11000",
                                "unit": "Wh",
                            }
                        ],
                    }
                ],
            },
        )
    ]
    _, steps = d.call("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 0}, T_HOUR)
    assert [(s.payload["connectorId"], s.payload["meterValue"][0]["sampledValue"][0]["value"]) for s in steps] == [  # type: ignore[union-attr]
        (0, "11000")
    ]


def test_21_immediate_and_resume_is_taken_as_immediate() -> None:
    d = Drive(V21)
    d.call("RequestStartTransaction", {"remoteStartId": 1, "idToken": TOKEN})
    answer, steps = d.call("Reset", {"type": "ImmediateAndResume"})
    assert (answer, summary(steps)) == (
        {"status": "Accepted"},
        [("TransactionEvent", "Ended", "ResetCommand", 1), "Reboot"],
    )


def test_16_the_whole_station_turns_unavailable_when_its_last_transaction_ends() -> None:
    """Connector 0 said Unavailable while connector 1 was still Charging under a Scheduled change."""
    d = Drive(V16)
    _, steps = d.call("RemoteStartTransaction", {"idTag": "TAG1"})
    d.result(steps[1], {"transactionId": 9, "idTagInfo": {"status": "Accepted"}})
    assert d.call("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}) == ({"status": "Scheduled"}, [])
    _, steps = d.call("RemoteStopTransaction", {"transactionId": 9})
    assert summary(steps) == [
        ("StatusNotification", 1, "Finishing"),
        "StopTransaction",
        ("StatusNotification", 1, "Unavailable"),
        ("StatusNotification", 0, "Unavailable"),
    ]


@pytest.mark.parametrize("version", [V16, V201], ids=lambda v: v.name)
def test_a_fixed_heartbeat_is_the_one_in_use_and_reported(version: Version) -> None:
    """`sim station --heartbeat 10`: the boot's interval does not replace it, and the model says 10."""
    d = Drive(version, heartbeat=10)
    d.boot(interval=45)
    assert d.station.heartbeat_interval() == 10.0
    if version is V16:
        answer, _ = d.call("GetConfiguration", {"key": ["HeartbeatInterval"]})
        assert answer["configurationKey"][0]["value"] == "10"
    else:
        item = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        answer, _ = d.call("GetVariables", {"getVariableData": [item]})
        assert answer["getVariableResult"][0]["attributeValue"] == "10"


def test_2x_an_immediate_reset_after_a_scheduled_one_reboots_once() -> None:
    d = Drive(V201)
    d.call("RequestStartTransaction", {"remoteStartId": 1, "idToken": TOKEN})
    assert d.call("Reset", {"type": "OnIdle"})[0] == {"status": "Scheduled"}
    _, steps = d.call("Reset", {"type": "Immediate"})
    assert summary(steps) == [("TransactionEvent", "Ended", "ResetCommand", 1), "Reboot"]


@pytest.mark.parametrize("version", [V16, V201, V21], ids=lambda v: v.name)
def test_every_call_a_csms_may_make_gets_a_valid_answer_or_not_implemented(version: Version) -> None:
    """Each CSMS-initiated action with its schema's minimal payload: a schema-valid result and
    schema-valid calls after it, or a NotImplemented CALLERROR; never a handler that fails."""
    d = Drive(version, TWO_EVSES)
    d.boot()
    answered = []
    for action in sorted(version.actions):
        schema = REGISTRY.get(version, action, "request")
        if not version.may_initiate(action, "csms") or schema is None:
            continue
        payload = template(schema.document)
        d.valid(action, "request", payload)
        verdict = d.station.answer(action, payload, T1)
        if verdict[0] == "error":
            assert verdict[1][0] == "NotImplemented", (action, verdict)
            continue
        d.valid(action, "response", verdict[1])
        d.steps(d.station.after_answer(action, payload, verdict, T1))
        answered.append(action)
    carried_out = {"TriggerMessage", "Reset", "ChangeAvailability", "DataTransfer"}
    carried_out |= (
        {"RemoteStartTransaction", "RemoteStopTransaction", "GetConfiguration", "ChangeConfiguration"}
        if version is V16
        else {"RequestStartTransaction", "RequestStopTransaction", "GetBaseReport", "GetVariables", "SetVariables"}
    )
    assert carried_out <= set(answered), sorted(carried_out - set(answered))


def test_monitors_are_reported_in_parts_cleared_by_id_and_by_base() -> None:
    d = Drive(V201)
    d.boot()
    assert d.call("GetMonitoringReport", {"requestId": 7}) == ({"status": "EmptyResultSet"}, [])
    names = [("ChargingStation", "Temperature"), ("ChargingStation", "Model"), ("ChargingStation", "VendorName")]
    names += [("OCPPCommCtrlr", "HeartbeatInterval"), ("ChargingSoundCtrlr", "Volume")]
    for at, (component, variable) in enumerate(names, start=1):
        where = {"component": {"name": component}, "variable": {"name": variable}}
        d.call(
            "SetVariableMonitoring",
            {"setMonitoringData": [{"id": at, "value": 60, "type": "Delta", "severity": 5, **where}]},
        )
    answer, parts = d.call("GetMonitoringReport", {"requestId": 7})
    assert answer == {"status": "Accepted"}
    shown = [(p.payload["requestId"], p.payload["seqNo"], p.payload["tbc"]) for p in parts if isinstance(p, Call)]
    assert shown == [(7, 0, True), (7, 1, False)]
    first = parts[0].payload["monitor"][0]  # type: ignore[union-attr]
    assert first == {
        "component": {"name": "ChargingStation"},
        "variable": {"name": "Temperature"},
        "variableMonitoring": [{"id": 1, "transaction": False, "value": 60.0, "type": "Delta", "severity": 5}],
    }
    answer, _ = d.call("ClearVariableMonitoring", {"id": [1, 99]})
    assert answer == {"clearMonitoringResult": [{"status": "Accepted", "id": 1}, {"status": "NotFound", "id": 99}]}
    assert d.call("SetMonitoringLevel", {"severity": 3})[0] == {"status": "Accepted"}
    assert d.station.model.monitoring_level == 3
    assert d.call("SetMonitoringBase", {"monitoringBase": "All"})[0] == {"status": "Accepted"}
    assert [m.id for m in d.station.model.monitors] == [2, 3, 4, 5]
    assert d.call("SetMonitoringBase", {"monitoringBase": "HardWiredOnly"})[0] == {"status": "Accepted"}
    assert d.station.model.monitors == []
    assert d.call("GetMonitoringReport", {"requestId": 8}) == ({"status": "EmptyResultSet"}, [])


def test_the_monitoring_level_keeps_back_the_events_of_less_urgent_monitors() -> None:
    d = Drive(V201)
    d.boot()
    where = {"component": {"name": "ChargingStation"}, "variable": {"name": "Temperature"}}
    for severity in (3, 6):
        item = {"id": severity, "value": 60, "type": "UpperThreshold", "severity": severity, **where}
        d.call("SetVariableMonitoring", {"setMonitoringData": [item]})
    d.call("SetMonitoringLevel", {"severity": 5})
    d.station.set_value("ChargingStation", "Temperature", "40", T1)
    events = d.steps(list(d.station.set_value("ChargingStation", "Temperature", "61", T1)))
    assert [e["variableMonitoringId"] for e in events[0].payload["eventData"]] == [3]  # type: ignore[union-attr]
