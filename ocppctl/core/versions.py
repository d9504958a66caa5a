"""OCPP-J versions: subprotocols, actions with who may initiate them, RPC error codes.

One table per version, checked by a test against the schema files that ship in `schemas/`.
Initiators follow the specifications (1.6 and its Security whitepaper, 2.0.1, 2.1 Edition 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Side = Literal["station", "csms"]
Initiator = Literal["station", "csms", "both"]

STATION: Side = "station"
CSMS: Side = "csms"

_ERRORS_16 = frozenset(
    {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",  # spelled so in 1.6
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",  # sic: 1.6 misspells it
        "TypeConstraintViolation",
        "GenericError",
    }
)
_ERRORS_2X = frozenset(
    {
        "FormatViolation",
        "GenericError",
        "InternalError",
        "MessageTypeNotSupported",
        "NotImplemented",
        "NotSupported",
        "OccurrenceConstraintViolation",
        "PropertyConstraintViolation",
        "ProtocolError",
        "RpcFrameworkError",
        "SecurityError",
        "TypeConstraintViolation",
    }
)


def _table(station: str, csms: str, both: str = "DataTransfer") -> dict[str, Initiator]:
    table: dict[str, Initiator] = {}
    for name in station.split():
        table[name] = "station"
    for name in csms.split():
        table[name] = "csms"
    for name in both.split():
        table[name] = "both"
    return table


_ACTIONS_16 = _table(
    station="""Authorize BootNotification DiagnosticsStatusNotification FirmwareStatusNotification
    Heartbeat MeterValues StartTransaction StatusNotification StopTransaction
    LogStatusNotification SecurityEventNotification SignCertificate
    SignedFirmwareStatusNotification""",
    csms="""CancelReservation ChangeAvailability ChangeConfiguration ClearCache ClearChargingProfile
    GetCompositeSchedule GetConfiguration GetDiagnostics GetLocalListVersion
    RemoteStartTransaction RemoteStopTransaction ReserveNow Reset SendLocalList
    SetChargingProfile TriggerMessage UnlockConnector UpdateFirmware
    CertificateSigned DeleteCertificate ExtendedTriggerMessage GetInstalledCertificateIds
    GetLog InstallCertificate SignedUpdateFirmware""",
)

_STATION_201 = """Authorize BootNotification ClearedChargingLimit FirmwareStatusNotification
    Get15118EVCertificate GetCertificateStatus Heartbeat LogStatusNotification MeterValues
    NotifyChargingLimit NotifyCustomerInformation NotifyDisplayMessages NotifyEVChargingNeeds
    NotifyEVChargingSchedule NotifyEvent NotifyMonitoringReport NotifyReport
    PublishFirmwareStatusNotification ReportChargingProfiles ReservationStatusUpdate
    SecurityEventNotification SignCertificate StatusNotification TransactionEvent"""
_CSMS_201 = """CancelReservation CertificateSigned ChangeAvailability ClearCache ClearChargingProfile
    ClearDisplayMessage ClearVariableMonitoring CostUpdated CustomerInformation DeleteCertificate
    GetBaseReport GetChargingProfiles GetCompositeSchedule GetDisplayMessages
    GetInstalledCertificateIds GetLocalListVersion GetLog GetMonitoringReport GetReport
    GetTransactionStatus GetVariables InstallCertificate PublishFirmware RequestStartTransaction
    RequestStopTransaction ReserveNow Reset SendLocalList SetChargingProfile SetDisplayMessage
    SetMonitoringBase SetMonitoringLevel SetNetworkProfile SetVariableMonitoring SetVariables
    TriggerMessage UnlockConnector UnpublishFirmware UpdateFirmware"""

_ACTIONS_201 = _table(station=_STATION_201, csms=_CSMS_201)

_ACTIONS_21 = _table(
    station=_STATION_201
    + """ BatterySwap ClosePeriodicEventStream GetCertificateChainStatus NotifyDERAlarm
    NotifyDERStartStop NotifyPriorityCharging NotifySettlement OpenPeriodicEventStream
    PullDynamicScheduleUpdate ReportDERControl VatNumberValidation
    NotifyPeriodicEventStream""",
    csms=_CSMS_201
    + """ AFRRSignal AdjustPeriodicEventStream ChangeTransactionTariff ClearDERControl
    ClearTariffs GetDERControl GetPeriodicEventStream GetTariffs NotifyAllowedEnergyTransfer
    NotifyWebPaymentStarted RequestBatterySwap SetDERControl SetDefaultTariff
    UpdateDynamicSchedule UsePriorityCharging""",
)


@dataclass(frozen=True, eq=False)
class Version:
    """Everything version-specific that frames, schemas and checks need.

    One object per version: compared and hashed by identity, which is fast in hot loops."""

    name: str
    folder: str
    actions: Mapping[str, Initiator]
    error_codes: frozenset[str]
    message_types: frozenset[int]
    send_actions: frozenset[str] = frozenset()

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Through a pipe (validate -j) a version stays the one object of its name."""
        return (_named, (self.name,))

    @property
    def subprotocol(self) -> str:
        return "ocpp" + self.name

    def schema_file(self, action: str, kind: str) -> str:
        """File name of an action's schema; kind is 'request', 'response' or 'send'."""
        if kind == "send":
            return f"{action}.json"
        if self.name == "1.6":
            return f"{action}.json" if kind == "request" else f"{action}Response.json"
        return f"{action}Request.json" if kind == "request" else f"{action}Response.json"

    def may_initiate(self, action: str, side: str) -> bool:
        who = self.actions.get(action)
        return who == "both" or who == side


V16 = Version("1.6", "v16", _ACTIONS_16, _ERRORS_16, frozenset({2, 3, 4}))
V201 = Version("2.0.1", "v201", _ACTIONS_201, _ERRORS_2X, frozenset({2, 3, 4}))
V21 = Version(
    "2.1",
    "v21",
    _ACTIONS_21,
    _ERRORS_2X,
    frozenset({2, 3, 4, 5, 6}),
    send_actions=frozenset({"NotifyPeriodicEventStream"}),
)

VERSIONS: dict[str, Version] = {v.name: v for v in (V16, V201, V21)}
BY_SUBPROTOCOL: dict[str, Version] = {v.subprotocol: v for v in VERSIONS.values()}
VERSION_NAMES = tuple(VERSIONS)


# What an action of one generation is called in the other, for "did you mean" hints.
_16_TO_2X = {
    "StartTransaction": "TransactionEvent",
    "StopTransaction": "TransactionEvent",
    "RemoteStartTransaction": "RequestStartTransaction",
    "RemoteStopTransaction": "RequestStopTransaction",
    "GetConfiguration": "GetVariables",
    "ChangeConfiguration": "SetVariables",
    "GetDiagnostics": "GetLog",
    "DiagnosticsStatusNotification": "LogStatusNotification",
    "SignedUpdateFirmware": "UpdateFirmware",
    "SignedFirmwareStatusNotification": "FirmwareStatusNotification",
    "ExtendedTriggerMessage": "TriggerMessage",
}
_2X_TO_16 = {
    "TransactionEvent": "StartTransaction, StopTransaction or MeterValues",
    "RequestStartTransaction": "RemoteStartTransaction",
    "RequestStopTransaction": "RemoteStopTransaction",
    "GetVariables": "GetConfiguration",
    "SetVariables": "ChangeConfiguration",
    "GetBaseReport": "GetConfiguration",
}


def counterpart(action: str, version: Version) -> str | None:
    """The action(s) of `version` that do the job `action` does in the other OCPP generation."""
    table = _2X_TO_16 if version.name == "1.6" else _16_TO_2X
    return table.get(action)


def get_version(name: str) -> Version | None:
    """Look a version up by name ('2.0.1') or subprotocol ('ocpp2.0.1'); None if unknown."""
    key = name.strip()
    return VERSIONS.get(key) or BY_SUBPROTOCOL.get(key.lower())


def _named(name: str) -> Version:
    return VERSIONS[name]
