"""The simulated station's decisions, pure: what it answers and what it does next.

The peer engine (transport) keeps time, sockets, reconnects and the offline queue; it asks a
SimStation what to say. Nothing here reads a clock or draws a random number: the current time
comes in as an RFC 3339 string, the jitter of a back-off as a float. A station carries out what
it accepts, as a real one does: a remote start leads to a transaction (1.6 StartTransaction,
2.x TransactionEvent) with the StatusNotifications around it, a Reset to a reboot, a
TriggerMessage to the message it names, a ChangeAvailability to the status it implies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.summary import elapsed_ms
from ocppctl.core.versions import Version
from ocppctl.handlers.sim import (
    DeviceModel,
    boot_payload,
    monitoring_parts,
    report_items,
    report_parts,
    station_answer,
)

POWER_W = 11_000  # a transaction charges at a steady 11 kW: the meter advances with `now`
# 2.0.1 OCPPCommCtrlr RetryBackOff* when the model sets none (1.6 has no such keys: the same)
RETRY_DEFAULTS = {"RetryBackOffWaitMinimum": 10.0, "RetryBackOffRandomRange": 10.0, "RetryBackOffRepeatTimes": 3.0}
HEARTBEAT_DEFAULT = 300.0


@dataclass(frozen=True)
class Call:
    """A call the station makes now."""

    action: str
    payload: Any


@dataclass(frozen=True)
class Reboot:
    """Close the link, reconnect and send BootNotification again (a Reset)."""

    reason: str = "reset"


Step = Call | Reboot
Verdict = tuple[str, Any]
Then = Callable[[str], list[Step]]


@dataclass
class Connector:
    """One connector: `evse` and `id` as 2.x numbers it, `number` as 1.6 does (1, 2, ... across EVSEs)."""

    evse: int
    id: int
    number: int
    operative: bool = True


@dataclass
class Transaction:
    connector: Connector
    id: str | int | None  # 1.6: the CSMS's, from the StartTransaction result (None until then)
    id_token: Any  # 1.6 idTag, 2.x IdTokenType
    started: str = ""
    meter_start: float = 0.0
    remote_start_id: int | None = None
    seq_no: int = 0  # the next TransactionEvent's


class SimStation:
    """One simulated station across all its connections."""

    def __init__(
        self, model: DeviceModel, registry: SchemaRegistry, version: Version, *, heartbeat: float | None = None
    ) -> None:
        """`heartbeat` (`sim station --heartbeat`) fixes the interval: a boot answer's does not
        replace it, and the model reports it (1.6 GetConfiguration, 2.x GetVariables)."""
        self.model = model
        self.registry = registry
        self.version = version
        self.v16 = version.name == "1.6"
        self.transaction_actions: frozenset[str] = (
            frozenset({"StartTransaction", "StopTransaction", "MeterValues"})
            if self.v16
            else frozenset({"TransactionEvent"})
        )
        self.booted = False
        self.boot_retry: float | None = None  # seconds before the next BootNotification (Pending, Rejected)
        self.operative = True  # the station as a whole (1.6 connector 0)
        self.connectors: list[Connector] = []
        for evse, count in enumerate(model.evses, start=1):
            for connector in range(1, count + 1):
                self.connectors.append(Connector(evse, connector, len(self.connectors) + 1))
        self.transactions: list[Transaction] = []
        self._register: dict[int, float] = {c.number: 0.0 for c in self.connectors}  # Wh, per connector
        self._next_transaction = 1
        self._boot_reason = "PowerUp"
        self._reset_when_idle = False
        self._heartbeat = HEARTBEAT_DEFAULT
        self._fixed_heartbeat = heartbeat is not None
        if heartbeat is not None:
            self._heartbeat = heartbeat
            self._store_setting("HeartbeatInterval", f"{heartbeat:g}")
        self._then: tuple[str, Verdict, Then] | None = None

    # --- the link -------------------------------------------------------------------------

    def boot(self, now: str) -> Call:
        """The BootNotification to send (2.x: its reason says why: PowerUp, RemoteReset, Triggered)."""
        payload = boot_payload(self.registry, self.version, self.model)
        if not self.v16:
            payload["reason"] = self._boot_reason
        return Call("BootNotification", payload)

    def connected(self) -> None:
        """A new link is up. A station boots when it (re)boots, not when its link comes back
        (1.6 4.2, 2.0.1 B01): one booted before the link dropped goes on without a new boot."""

    def disconnected(self) -> None:
        """The link is down; transactions go on (their messages wait in the engine's queue)."""

    def heartbeat_interval(self) -> float:
        """Seconds between Heartbeats: the model's HeartbeatInterval (set by the boot result,
        ChangeConfiguration or SetVariables), else the last interval a boot gave."""
        value = self._setting("HeartbeatInterval")
        try:
            seconds = float(value) if value is not None else self._heartbeat
        except ValueError:
            seconds = self._heartbeat
        return seconds if seconds > 0 else HEARTBEAT_DEFAULT

    def retry_delay(self, attempt: int, jitter: float) -> float:
        """Seconds before reconnect attempt `attempt` (0 = first): RetryBackOffWaitMinimum,
        doubled for each attempt up to RetryBackOffRepeatTimes, plus `jitter` (in [0, 1)) times
        RetryBackOffRandomRange (2.0.1 B04, "Reconnecting")."""
        minimum = self._number("RetryBackOffWaitMinimum")
        spread = self._number("RetryBackOffRandomRange")
        repeat = int(self._number("RetryBackOffRepeatTimes"))
        doublings = min(max(attempt, 0), repeat, 30)  # 2**30 times any wait is past any sensible one
        return minimum * 2**doublings + jitter * spread

    # --- the CSMS's calls -----------------------------------------------------------------

    def answer(self, action: str, payload: Any, now: str) -> Verdict:
        """("result", payload) or ("error", (code, description)) for a schema-valid CSMS call."""
        self._then = None
        handler = _HANDLERS_16.get(action) if self.v16 else _HANDLERS_2X.get(action)
        if handler is None:
            handler = _HANDLERS.get(action)
        if handler is None:
            return station_answer(self.model, self.version.name, action, payload)
        verdict, then = handler(self, payload, now)
        if then is not None:
            self._then = (action, verdict, then)
        return verdict

    def after_answer(self, action: str, payload: Any, verdict: Verdict, now: str) -> list[Step]:
        """What the station does after having sent `verdict` to `action` (only if it was ours)."""
        planned, self._then = self._then, None
        if planned is None or planned[0] != action or planned[1] != verdict:
            return []
        return planned[2](now)

    # --- the answers to our calls ---------------------------------------------------------

    def after_result(self, action: str, request: Any, result: Any, now: str) -> list[Step]:
        """One of our calls got a CALLRESULT: a boot Accepted makes the station booted, its
        interval the heartbeat, and a StatusNotification per connector follows (1.6: connector
        0 first); StartTransaction's transactionId is kept (a refused idTag ends it at once)."""
        if not isinstance(result, dict):
            return []
        if action == "BootNotification":
            interval = result.get("interval")
            if result.get("status") != "Accepted":
                self.boot_retry = float(interval) if isinstance(interval, int) and interval > 0 else None
                return []
            self.booted, self.boot_retry, self._boot_reason = True, None, "PowerUp"
            if isinstance(interval, int) and interval > 0 and not self._fixed_heartbeat:
                self._store_setting("HeartbeatInterval", str(interval))
                self._heartbeat = float(interval)
            statuses: list[Step] = [self._connector_zero(now)] if self.v16 else []
            return statuses + [self._status(c, now) for c in self.connectors]
        if action == "StartTransaction" and isinstance(request, dict):
            tx = next(
                (t for t in self.transactions if t.id is None and t.connector.number == request.get("connectorId")),
                None,
            )
            if tx is None or not isinstance(result.get("transactionId"), int):
                return []
            tx.id = result["transactionId"]
            info = result.get("idTagInfo")
            if isinstance(info, dict) and info.get("status") != "Accepted":
                return self._end(tx, now, "DeAuthorized")
        return []

    # --- `sim set` ------------------------------------------------------------------------

    def set_value(self, component: str, variable: str, value: str, now: str) -> list[Call]:
        """Change a value as a sensor would: the NotifyEvent calls its monitors raise.
        ValueError (one line) for no such variable or a value its dataType/valuesList refuses."""
        events = self.model.set_value(component, variable, value, now)
        if events is None:
            raise ValueError(f"no {component}/{variable} in the model")
        return [Call("NotifyEvent", payload) for payload in events]

    # --- handlers -------------------------------------------------------------------------

    def _trigger(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """TriggerMessage (1.6 F04, 2.0.1 F06): Accepted and the message follows. A connector
        or EVSE the message is about must exist (it is ignored by messages it does not concern,
        F06.FR.02); a boot once accepted is Rejected (F06.FR.17); TransactionEvent with no
        transaction running there is Rejected: there is nothing to report."""
        wanted = payload.get("requestedMessage")
        if wanted not in (_TRIGGERED_16 if self.v16 else _TRIGGERED_2X):
            return _status("NotImplemented"), None
        scope = self._trigger_scope(payload) if wanted in _ABOUT_CONNECTORS else (self.connectors, True)
        if scope is None:
            return _status("Rejected"), None
        connectors, zero = scope
        if wanted == "BootNotification":
            if self.booted and not self.v16:
                return _status("Rejected"), None
            self._boot_reason = "Triggered"
        if wanted == "TransactionEvent" and not any(self._running(c) for c in connectors):
            return _status("Rejected"), None
        return _status("Accepted"), lambda now: self._triggered(str(wanted), connectors, zero, now)

    def _triggered(self, wanted: str, connectors: list[Connector], zero: bool, now: str) -> list[Step]:
        """The message a TriggerMessage asked for, about `connectors` (and 1.6 connector 0)."""
        if wanted == "BootNotification":
            return [self.boot(now)]
        if wanted == "StatusNotification":
            steps: list[Step] = [self._connector_zero(now)] if zero else []
            return steps + [self._status(c, now) for c in connectors]
        if wanted == "MeterValues":
            main: list[Step] = []
            if zero and not connectors:  # 1.6 connector 0: the main meter, every connector's energy
                total = sum(self._reading(c, now) for c in self.connectors)
                main.append(
                    Call("MeterValues", {"connectorId": 0, "meterValue": [self._meter_value(total, now, "Trigger")]})
                )
            return main + self._meter_values(connectors, now)
        if wanted == "TransactionEvent":  # Updated, triggerReason Trigger, of each one running there
            updates: list[Step] = []
            for tx in (t for c in connectors if (t := self._running(c)) is not None):
                info = {"transactionId": tx.id, "chargingState": "Charging"}
                updates.append(
                    Call("TransactionEvent", self._transaction_event(tx, now, "Updated", "Trigger", info, "Trigger"))
                )
            return updates
        if wanted == "Heartbeat":
            return [Call("Heartbeat", {})]
        return [Call(wanted, {"status": "Idle"})]  # Firmware-, Diagnostics-, LogStatusNotification

    def _trigger_scope(self, payload: Any) -> tuple[list[Connector], bool] | None:
        """The connectors a TriggerMessage is about, and whether 1.6 connector 0 is; None for
        a connector or EVSE the station does not have."""
        if self.v16:
            number = payload.get("connectorId")
            if number is None:
                return self.connectors, True
            if number == 0:
                return [], True
            found = [c for c in self.connectors if c.number == number]
            return (found, False) if found else None
        evse = payload.get("evse")
        if evse is None:
            return self.connectors, False
        found = [c for c in self.connectors if c.evse == evse.get("id") and evse.get("connectorId", c.id) == c.id]
        return (found, False) if found else None

    def _reset(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """Reset: the transactions end (1.6 reason Hard/SoftReset, 2.x ImmediateReset) and the
        station reboots; 2.x OnIdle during a transaction is Scheduled until the last one ends."""
        if not self.v16 and payload.get("evseId") is not None:
            info = {"reasonCode": "UnsupportedParam", "additionalInfo": "this station resets only as a whole"}
            return ("result", {"status": "Rejected", "statusInfo": info}), None
        if not self.v16 and payload.get("type") == "OnIdle" and self.transactions:
            self._reset_when_idle = True
            return _status("Scheduled"), None
        reason = f"{payload.get('type', 'Hard')}Reset" if self.v16 else "ImmediateReset"

        def then(now: str) -> list[Step]:
            self._reset_when_idle = False  # this reset is the one: a Scheduled one reboots no second time
            steps: list[Step] = []
            for tx in list(self.transactions):
                steps.extend(self._end(tx, now, reason, trigger="ResetCommand", statuses=False))
            return [*steps, *self._reboot()]

        return _status("Accepted"), then

    def _change_availability(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """ChangeAvailability: Accepted and the StatusNotifications of the connectors whose
        status changes; Scheduled when a transaction runs there (the connector turns
        Unavailable when it ends); Rejected for a connector or EVSE the station lacks."""
        operative = (payload.get("type") if self.v16 else payload.get("operationalStatus")) == "Operative"
        whole = False
        if self.v16:
            number = payload.get("connectorId")
            whole = number == 0
            targets = self.connectors if whole else [c for c in self.connectors if c.number == number]
        else:
            evse = payload.get("evse")
            whole = evse is None or evse.get("id") == 0
            targets = self.connectors if whole else [c for c in self.connectors if c.evse == evse.get("id")]
            if evse is not None and not whole and evse.get("connectorId") is not None:
                targets = [c for c in targets if c.id == evse["connectorId"]]
        if not targets:
            return _status("Rejected"), None
        before = {c.number: self._status_name(c) for c in self.connectors}
        zero_before = self._zero_name()
        if whole:
            self.operative = operative
        else:
            for c in targets:
                c.operative = operative
        busy = not operative and any(tx.connector in targets for tx in self.transactions)

        def then(now: str) -> list[Step]:
            steps: list[Step] = []
            if self.v16 and self._zero_name() != zero_before:
                steps.append(self._connector_zero(now))
            steps.extend(self._status(c, now) for c in self.connectors if self._status_name(c) != before[c.number])
            return steps

        return _status("Scheduled" if busy else "Accepted"), then

    def _remote_start_16(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """RemoteStartTransaction: Accepted on a free, operative connector, then Preparing,
        StartTransaction and Charging; Rejected when there is none."""
        connector = self._free_connector(lambda c: payload.get("connectorId") in (None, c.number))
        if connector is None:
            return _status("Rejected"), None
        tx = Transaction(connector, None, payload.get("idTag"))
        self.transactions.append(tx)

        def then(now: str) -> list[Step]:
            tx.started, tx.meter_start = now, self._register[connector.number]
            start = {"connectorId": connector.number, "idTag": tx.id_token, "meterStart": int(tx.meter_start)}
            return [
                self._status(connector, now, "Preparing"),
                Call("StartTransaction", {**start, "timestamp": now}),
                self._status(connector, now),
            ]

        return _status("Accepted"), then

    def _remote_stop_16(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """RemoteStopTransaction: Accepted for a running transaction, then Finishing,
        StopTransaction (reason Remote) and the connector's status after; Rejected otherwise."""
        tx = next((t for t in self.transactions if t.id is not None and t.id == payload.get("transactionId")), None)
        if tx is None:
            return _status("Rejected"), None
        return _status("Accepted"), lambda now: self._end(tx, now, "Remote")

    def _request_start(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """RequestStartTransaction: Accepted on a free, operative EVSE, then the connector
        Occupied and TransactionEvent Started (RemoteStart, with remoteStartId, idToken and
        evse); Rejected when there is none."""
        connector = self._free_connector(lambda c: payload.get("evseId") in (None, c.evse))
        if connector is None:
            info = {"reasonCode": "NoFreeEVSE" if payload.get("evseId") is None else "UnknownEvse"}
            if any(c.evse == payload.get("evseId") for c in self.connectors):
                info = {"reasonCode": "EVSEUnavailable"}
            return ("result", {"status": "Rejected", "statusInfo": info}), None
        digits = "".join(ch for ch in now if ch.isdigit())[:14]
        tx = Transaction(connector, f"{digits}-{self._next_transaction}", payload.get("idToken"))
        tx.remote_start_id = payload.get("remoteStartId")
        self._next_transaction += 1
        self.transactions.append(tx)

        def then(now: str) -> list[Step]:
            tx.started, tx.meter_start = now, self._register[connector.number]
            info = {"transactionId": tx.id, "chargingState": "Charging"}
            if tx.remote_start_id is not None:
                info["remoteStartId"] = tx.remote_start_id
            event = self._transaction_event(tx, now, "Started", "RemoteStart", info, "Transaction.Begin")
            event["idToken"] = tx.id_token
            event["evse"] = {"id": connector.evse, "connectorId": connector.id}
            return [self._status(connector, now), Call("TransactionEvent", event)]

        return _status("Accepted"), then

    def _request_stop(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """RequestStopTransaction: Accepted for a running transaction, then TransactionEvent
        Ended (RemoteStop, stoppedReason Remote) and the connector's status; Rejected otherwise."""
        tx = next((t for t in self.transactions if t.id == payload.get("transactionId")), None)
        if tx is None:
            return _status("Rejected"), None
        return _status("Accepted"), lambda now: self._end(tx, now, "Remote", trigger="RemoteStop")

    def _get_base_report(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """GetBaseReport: FullInventory every variable, ConfigurationInventory those the CSMS
        can set, SummaryInventory the AvailabilityState of the station, each EVSE and each
        connector; EmptyResultSet when there is nothing to report."""
        base = payload.get("reportBase")
        items = self._summary() if base == "SummaryInventory" else report_items(self.model, str(base))
        if not items:
            return _status("EmptyResultSet"), None
        request_id = payload.get("requestId", 0)
        return _status("Accepted"), lambda now: [
            Call("NotifyReport", part) for part in report_parts(self.model, request_id, now, items)
        ]

    def _get_monitoring_report(self, payload: Any, now: str) -> tuple[Verdict, Then | None]:
        """GetMonitoringReport (N02): Accepted, then the NotifyMonitoringReport parts of the
        custom monitors; EmptyResultSet when there are none."""
        if not self.model.monitors:
            return _status("EmptyResultSet"), None
        request_id = payload.get("requestId", 0)
        return _status("Accepted"), lambda now: [
            Call("NotifyMonitoringReport", part)
            for part in monitoring_parts(self.model, self.version.name, request_id, now)
        ]

    # --- transactions ---------------------------------------------------------------------

    def _free_connector(self, wanted: Callable[[Connector], bool]) -> Connector | None:
        busy = {tx.connector.number for tx in self.transactions}
        return next(
            (c for c in self.connectors if wanted(c) and c.operative and self.operative and c.number not in busy),
            None,
        )

    def _energy(self, tx: Transaction, now: str) -> float:
        """The meter of the transaction's connector at `now` (Wh): steady power since the start."""
        return tx.meter_start + POWER_W * _seconds_between(tx.started, now) / 3600

    def _end(
        self, tx: Transaction, now: str, reason: str, trigger: str = "StopAuthorized", statuses: bool = True
    ) -> list[Step]:
        """The messages ending `tx` with `reason` (a 1.6 Reason / 2.x ReasonEnumType)."""
        meter_stop = self._energy(tx, now)
        self._register[tx.connector.number] = meter_stop
        zero_before = self._zero_name()
        self.transactions.remove(tx)
        steps: list[Step] = []
        if self.v16:
            if statuses:
                steps.append(self._status(tx.connector, now, "Finishing"))
            if isinstance(tx.id, int):
                stop = {"transactionId": tx.id, "meterStop": int(meter_stop), "timestamp": now, "reason": reason}
                if isinstance(tx.id_token, str):
                    stop["idTag"] = tx.id_token
                steps.append(Call("StopTransaction", stop))
        else:
            info = {"transactionId": tx.id, "chargingState": "EVConnected", "stoppedReason": reason}
            event = self._transaction_event(tx, now, "Ended", trigger, info, "Transaction.End")
            steps.append(Call("TransactionEvent", event))
        if self._reset_when_idle and not self.transactions:  # a Scheduled reset: the boot says the status
            return [*steps, *self._reboot()]
        if statuses:
            steps.append(self._status(tx.connector, now))
            if self.v16 and self._zero_name() != zero_before:  # a Scheduled ChangeAvailability of connector 0
                steps.append(self._connector_zero(now))
        return steps

    def _transaction_event(
        self, tx: Transaction, now: str, kind: str, trigger: str, info: dict[str, Any], context: str
    ) -> dict[str, Any]:
        event = {
            "eventType": kind,
            "timestamp": now,
            "triggerReason": trigger,
            "seqNo": tx.seq_no,
            "transactionInfo": info,
            "meterValue": [self._meter_value(self._energy(tx, now), now, context)],
        }
        tx.seq_no += 1
        return event

    def _reboot(self) -> list[Step]:
        """A reboot ends what ran on the old boot; the next boot says RemoteReset."""
        self.transactions.clear()
        self._reset_when_idle = False
        self._boot_reason = "RemoteReset"
        self.booted = False
        return [Reboot("reset")]

    # --- messages -------------------------------------------------------------------------

    def _status_name(self, connector: Connector) -> str:
        if any(tx.connector is connector for tx in self.transactions):
            return "Charging" if self.v16 else "Occupied"
        return "Available" if connector.operative and self.operative else "Unavailable"

    def _status(self, connector: Connector, now: str, status: str | None = None) -> Call:
        """The StatusNotification of a connector (its current status unless `status` is given)."""
        name = status or self._status_name(connector)
        if self.v16:
            return Call(
                "StatusNotification",
                {"connectorId": connector.number, "errorCode": "NoError", "status": name, "timestamp": now},
            )
        return Call(
            "StatusNotification",
            {"timestamp": now, "connectorStatus": name, "evseId": connector.evse, "connectorId": connector.id},
        )

    def _zero_name(self) -> str:
        """1.6 connector 0's status: Unavailable once Inoperative and no transaction runs (a
        Scheduled change takes effect when the last one ends)."""
        return "Unavailable" if not self.operative and not self.transactions else "Available"

    def _connector_zero(self, now: str) -> Call:
        """1.6 connector 0: the station as a whole."""
        status = self._zero_name()
        return Call(
            "StatusNotification", {"connectorId": 0, "errorCode": "NoError", "status": status, "timestamp": now}
        )

    def _meter_values(self, connectors: list[Connector], now: str) -> list[Step]:
        """MeterValues (Trigger) of the energy register: 1.6 per connector (with the
        transactionId while one runs), 2.x per EVSE."""
        steps: list[Step] = []
        seen: set[int] = set()
        for c in connectors:
            if self.v16:
                tx = self._running(c)
                payload: dict[str, Any] = {"connectorId": c.number}
                if tx is not None and isinstance(tx.id, int):
                    payload["transactionId"] = tx.id
                payload["meterValue"] = [self._meter_value(self._reading(c, now), now, "Trigger")]
                steps.append(Call("MeterValues", payload))
            elif c.evse not in seen:
                seen.add(c.evse)
                total = sum(self._reading(k, now) for k in self.connectors if k.evse == c.evse)
                meter = [self._meter_value(total, now, "Trigger")]
                steps.append(Call("MeterValues", {"evseId": c.evse, "meterValue": meter}))
        return steps

    def _reading(self, connector: Connector, now: str) -> float:
        """A connector's energy register at `now` (Wh)."""
        tx = self._running(connector)
        return self._energy(tx, now) if tx is not None else self._register[connector.number]

    def _running(self, connector: Connector) -> Transaction | None:
        return next((t for t in self.transactions if t.connector is connector and t.started), None)

    def _meter_value(self, energy: float, now: str, context: str) -> dict[str, Any]:
        sampled: dict[str, Any] = {"context": context, "measurand": "Energy.Active.Import.Register"}
        if self.v16:
            sampled.update(value=str(int(energy)), unit="Wh")
        else:
            sampled.update(value=round(energy, 1), unitOfMeasure={"unit": "Wh"})
        return {"timestamp": now, "sampledValue": [sampled]}

    def _summary(self) -> list[dict[str, Any]]:
        """SummaryInventory: the AvailabilityState of the station, each EVSE and each connector."""
        items = [_availability({"name": "ChargingStation"}, "Available" if self.operative else "Unavailable")]
        for evse in sorted({c.evse for c in self.connectors}):
            states = [self._status_name(c) for c in self.connectors if c.evse == evse]
            state = "Occupied" if "Occupied" in states else ("Available" if "Available" in states else "Unavailable")
            items.append(_availability({"name": "EVSE", "evse": {"id": evse}}, state))
        for c in self.connectors:
            component = {"name": "Connector", "evse": {"id": c.evse, "connectorId": c.id}}
            items.append(_availability(component, self._status_name(c)))
        return items

    # --- settings -------------------------------------------------------------------------

    def _setting(self, name: str) -> str | None:
        """A setting's value: 2.x the OCPPCommCtrlr variable, 1.6 the configuration key."""
        if self.v16:
            entry = next((e for e in self.model.configuration if e.get("key") == name), None)
            return str(entry["value"]) if entry is not None and "value" in entry else None
        found = next((v for v in self.model.variables if v.component == "OCPPCommCtrlr" and v.variable == name), None)
        return found.value if found is not None else None

    def _store_setting(self, name: str, value: str) -> None:
        if self.v16:
            for entry in self.model.configuration:
                if entry.get("key") == name:
                    entry["value"] = value
            return
        for v in self.model.variables:
            if v.component == "OCPPCommCtrlr" and v.variable == name:
                v.value = value

    def _number(self, name: str) -> float:
        value = self._setting(name)
        try:
            number = float(value) if value is not None else RETRY_DEFAULTS[name]
        except ValueError:
            number = RETRY_DEFAULTS[name]
        return max(0.0, number)


def _status(status: str) -> Verdict:
    return "result", {"status": status}


def _availability(component: dict[str, Any], state: str) -> dict[str, Any]:
    return {
        "component": component,
        "variable": {"name": "AvailabilityState"},
        "variableAttribute": [{"type": "Actual", "value": state, "mutability": "ReadOnly"}],
        "variableCharacteristics": {
            "dataType": "OptionList",
            "valuesList": "Available,Occupied,Reserved,Unavailable,Faulted",
            "supportsMonitoring": False,
        },
    }


def _seconds_between(start: str, end: str) -> float:
    """Seconds from one RFC 3339 time to a later one; 0 if either does not parse."""
    elapsed = elapsed_ms(start, end)
    return max(0.0, elapsed / 1000.0) if elapsed is not None else 0.0


_TRIGGERED_16 = frozenset(
    {
        "BootNotification",
        "Heartbeat",
        "StatusNotification",
        "MeterValues",
        "FirmwareStatusNotification",
        "DiagnosticsStatusNotification",
    }
)
_ABOUT_CONNECTORS = frozenset({"StatusNotification", "MeterValues", "TransactionEvent"})
_TRIGGERED_2X = frozenset(
    {
        "BootNotification",
        "Heartbeat",
        "StatusNotification",
        "MeterValues",
        "FirmwareStatusNotification",
        "LogStatusNotification",
        "TransactionEvent",
    }
)
Handler = Callable[[SimStation, Any, str], tuple[Verdict, "Then | None"]]
_HANDLERS: dict[str, Handler] = {
    "TriggerMessage": SimStation._trigger,
    "Reset": SimStation._reset,
    "ChangeAvailability": SimStation._change_availability,
}
_HANDLERS_16: dict[str, Handler] = {
    "RemoteStartTransaction": SimStation._remote_start_16,
    "RemoteStopTransaction": SimStation._remote_stop_16,
}
_HANDLERS_2X: dict[str, Handler] = {
    "RequestStartTransaction": SimStation._request_start,
    "RequestStopTransaction": SimStation._request_stop,
    "GetBaseReport": SimStation._get_base_report,
    "GetMonitoringReport": SimStation._get_monitoring_report,
}
