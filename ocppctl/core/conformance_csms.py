"""The checks `ocppctl check csms` runs, as a station: boot, heartbeat, a status per connector,
Authorize (a token, and an unknown one when given), a whole transaction with meter values, and
DataTransfer for an unknown vendor; judged on the CSMS's answers: schema-valid (every check),
consistent (a 1.6 transactionId returned and accepted at stop, idTagInfo/idTokenInfo present),
a sane heartbeat interval, currentTime with an offset and within a stated skew of our clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ocppctl.core.conformance import (
    UNKNOWN_VENDOR,
    Ask,
    Check,
    Run,
    Seen,
    has_offset,
    need,
    result_of,
    seconds_apart,
    status,
)

C = "csms"
MAX_INTERVAL = 86_400  # a heartbeat interval above a day is taken to be a mistake
TX_ID = "OCPPCTL-CHECK-1"  # the 2.0.1 transactionId of the check's transaction


def _clock(answer: dict[str, Any], run: Run, action: str) -> None:
    """currentTime says its offset and is within the skew of our clock."""
    now = answer.get("currentTime")
    need(isinstance(now, str) and has_offset(now), f"{action}: currentTime {now!r} has no offset (Z or ±hh:mm)")
    apart = seconds_apart(str(now), run.now)
    need(
        apart is not None and apart <= run.skew,
        f"{action}: currentTime {now} is {apart:.0f} s from ours (skew {run.skew:g} s)"
        if apart is not None
        else f"{action}: currentTime {now!r} is not a time",
    )


def _boot(run: Run) -> None:
    answer = result_of(run.frames, "BootNotification", C)
    need(status(answer) == "Accepted", f"BootNotification: status {status(answer)}, not Accepted")
    interval = answer.get("interval")
    need(
        isinstance(interval, int) and 0 < interval <= MAX_INTERVAL,
        f"BootNotification: interval {interval!r} is not a sane heartbeat interval (1 to {MAX_INTERVAL} s)",
    )
    _clock(answer, run, "BootNotification")


def _heartbeat(run: Run) -> None:
    _clock(result_of(run.frames, "Heartbeat", C), run, "Heartbeat")


def _answered(run: Run) -> None:
    """Every call answered with a schema-valid CALLRESULT (the shared judge sees to that)."""


def _authorized(token: str, accepted: bool, v16: bool) -> Callable[[Run], None]:
    info_name = "idTagInfo" if v16 else "idTokenInfo"

    def judge(run: Run) -> None:
        info = result_of(run.frames, "Authorize", C).get(info_name)
        need(isinstance(info, dict), f"Authorize {token}: no {info_name}")
        got = info.get("status") if isinstance(info, dict) else None
        if accepted:
            need(got == "Accepted", f"Authorize {token}: {got}, not Accepted")
        else:
            need(got != "Accepted", f"Authorize {token} (unknown): Accepted")

    return judge


def _own_calls(run: Run) -> None:
    """The shared judge fails a call that breaks its schema or direction; none at all passes."""


def _unknown_vendor(run: Run) -> None:
    got = status(result_of(run.frames, "DataTransfer", C))
    need(got == "UnknownVendorId", f"DataTransfer for an unknown vendorId: status {got}, not UnknownVendorId")


def _meter(now: str, wh: int, context: str, v16: bool) -> dict[str, Any]:
    """One energy reading: 1.6 a string value and `unit`, 2.x a number and `unitOfMeasure`."""
    sample: dict[str, Any] = {"measurand": "Energy.Active.Import.Register", "context": context}
    if v16:
        sample.update(value=str(wh), unit="Wh")
    else:
        sample.update(value=wh, unitOfMeasure={"unit": "Wh"})
    return {"timestamp": now, "sampledValue": [sample]}


def _given_tx(frames: tuple[Seen, ...]) -> Any:
    return result_of(frames, "StartTransaction", C).get("transactionId")


def _transaction_16(token: str) -> tuple[Ask, ...]:
    def meter_values(frames: tuple[Seen, ...], now: str) -> dict[str, Any] | None:
        tx = _given_tx(frames)
        if not isinstance(tx, int):
            return None
        return {"connectorId": 1, "transactionId": tx, "meterValue": [_meter(now, 1500, "Sample.Periodic", True)]}

    def stop(frames: tuple[Seen, ...], now: str) -> dict[str, Any] | None:
        tx = _given_tx(frames)
        if not isinstance(tx, int):
            return None
        return {"transactionId": tx, "idTag": token, "meterStop": 3000, "timestamp": now, "reason": "Local"}

    return (
        Ask(
            "StartTransaction",
            lambda frames, now: {"connectorId": 1, "idTag": token, "meterStart": 0, "timestamp": now},
        ),
        Ask("MeterValues", meter_values),
        Ask("StopTransaction", stop),
    )


def _judge_transaction_16(run: Run) -> None:
    started = result_of(run.frames, "StartTransaction", C)
    need(isinstance(started.get("transactionId"), int), "StartTransaction: no transactionId")
    info = started.get("idTagInfo")
    need(isinstance(info, dict), "StartTransaction: no idTagInfo")
    need(isinstance(info, dict) and info.get("status") == "Accepted", f"StartTransaction: idTagInfo {info}")
    need(any(s.answers == "MeterValues" for s in run.frames), "MeterValues not answered")
    stopped = [s for s in run.frames if s.side == C and s.answers == "StopTransaction"]
    need(stopped, "StopTransaction not answered")
    info = result_of(run.frames, "StopTransaction", C).get("idTagInfo")
    need(info is None or info.get("status") == "Accepted", f"StopTransaction: idTagInfo {info}")


def _transaction_201(token: str) -> tuple[Ask, ...]:
    def event(kind: str, seq: int, trigger: str, wh: int, context: str) -> Callable[[tuple[Seen, ...], str], Any]:
        def build(frames: tuple[Seen, ...], now: str) -> dict[str, Any]:
            info: dict[str, Any] = {"transactionId": TX_ID, "chargingState": "Charging"}
            payload: dict[str, Any] = {
                "eventType": kind,
                "timestamp": now,
                "triggerReason": trigger,
                "seqNo": seq,
                "transactionInfo": info,
                "meterValue": [_meter(now, wh, context, False)],
            }
            if kind == "Started":
                payload.update(idToken={"idToken": token, "type": "ISO14443"}, evse={"id": 1, "connectorId": 1})
            if kind == "Ended":
                info.update(chargingState="EVConnected", stoppedReason="Local")
            return payload

        return build

    return (
        Ask("TransactionEvent", event("Started", 0, "Authorized", 0, "Transaction.Begin")),
        Ask("TransactionEvent", event("Updated", 1, "MeterValuePeriodic", 1500, "Sample.Periodic")),
        Ask("TransactionEvent", event("Ended", 2, "StopAuthorized", 3000, "Transaction.End")),
    )


def _judge_transaction_201(run: Run) -> None:
    answers = [s for s in run.frames if s.side == C and s.answers == "TransactionEvent"]
    need(len(answers) == 3, f"{len(answers)} of the 3 TransactionEvents answered")
    info = answers[0].payload().get("idTokenInfo")
    need(isinstance(info, dict), "TransactionEvent Started with an idToken: no idTokenInfo in the answer")
    need(isinstance(info, dict) and info.get("status") == "Accepted", f"TransactionEvent Started: idTokenInfo {info}")


def csms_checks(version: str, token: str, unknown_token: str | None, connectors: int) -> tuple[Check, ...]:
    """The checks of a CSMS speaking `version`, authorizing `token` (and refusing
    `unknown_token` when given), for a station of `connectors` connectors."""
    v16 = version == "1.6"
    v = "1.6" if v16 else version

    def req(v16_text: str, v2_text: str) -> str:
        return v16_text if v16 else v2_text

    boot = (
        {"chargePointVendor": "ocppctl", "chargePointModel": "ocppctl-check"}
        if v16
        else {"reason": "PowerUp", "chargingStation": {"model": "ocppctl-check", "vendorName": "ocppctl"}}
    )

    def status_of(number: int) -> Callable[[tuple[Seen, ...], str], dict[str, Any]]:
        if v16:
            return lambda frames, now: {
                "connectorId": number,
                "errorCode": "NoError",
                "status": "Available",
                "timestamp": now,
            }
        return lambda frames, now: {
            "timestamp": now,
            "connectorStatus": "Available",
            "evseId": number,
            "connectorId": 1,
        }

    def token_of(name: str) -> dict[str, Any]:
        return {"idTag": name} if v16 else {"idToken": {"idToken": name, "type": "ISO14443"}}

    checks = [
        Check(
            "boot",
            "BootNotification: Accepted, a sane interval, the time",
            C,
            v,
            req("Core", "B01"),
            req("1.6 §4.2", "B01") + ": Accepted; interval 1 s to a day; currentTime with an offset, near ours",
            (Ask("BootNotification", boot),),
            _boot,
        ),
        Check(
            "heartbeat",
            "Heartbeat: the time",
            C,
            v,
            req("Core", "G02"),
            req("1.6 §4.6", "G02") + ": currentTime with an offset, within the skew of ours",
            (Ask("Heartbeat", {}),),
            _heartbeat,
        ),
        Check(
            "status-notification",
            f"StatusNotification for each of {connectors} connector(s)",
            C,
            v,
            req("Core", "G01"),
            req("1.6 §4.9", "G01") + ": each answered",
            tuple(Ask("StatusNotification", status_of(n)) for n in range(1, connectors + 1)),
            _answered,
        ),
        Check(
            "authorize",
            f"Authorize {token}",
            C,
            v,
            req("Core", "C01"),
            req("1.6 §4.1: idTagInfo", "C01: idTokenInfo") + " present, status Accepted",
            (Ask("Authorize", token_of(token)),),
            _authorized(token, True, v16),
        ),
    ]
    if unknown_token is not None:
        checks.append(
            Check(
                "authorize-unknown",
                f"Authorize {unknown_token} (unknown)",
                C,
                v,
                req("Core", "C01"),
                req("1.6 §4.1: idTagInfo", "C01: idTokenInfo") + " present, status not Accepted",
                (Ask("Authorize", token_of(unknown_token)),),
                _authorized(unknown_token, False, v16),
            )
        )
    checks += [
        Check(
            "transaction",
            req("StartTransaction, MeterValues, StopTransaction", "TransactionEvent Started, Updated, Ended"),
            C,
            v,
            req("Core", "E01, E06"),
            req(
                "1.6 §4.8, §4.7, §4.10: a transactionId given and accepted at stop; idTagInfo Accepted",
                "E01, E06: each answered; idTokenInfo Accepted for the idToken",
            ),
            _transaction_16(token) if v16 else _transaction_201(token),
            _judge_transaction_16 if v16 else _judge_transaction_201,
        ),
        Check(
            "data-transfer-unknown-vendor",
            "DataTransfer for an unknown vendor",
            C,
            v,
            req("Core", "P02"),
            req("1.6 §4.3", "P02") + ": status UnknownVendorId",
            (Ask("DataTransfer", {"vendorId": UNKNOWN_VENDOR, "messageId": "check"}),),
            _unknown_vendor,
        ),
        Check(
            "csms-calls",
            "The CSMS's own calls during the run",
            C,
            v,
            "OCPP-J",
            "each a call a CSMS may make, valid against its schema (answered NotImplemented)",
            (),
            _own_calls,
            whole_run=True,
        ),
    ]
    return tuple(checks)
