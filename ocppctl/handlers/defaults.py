"""Default answers of a CSMS to a station's calls, as a well-known commercial central system
gives them (shared/spec 002): BootNotification Accepted, Heartbeat the time, Authorize
Accepted, StartTransaction Accepted with an incrementing transactionId, DataTransfer
UnknownVendorId (P01.FR.05, P02.FR.06), every other station-initiated action the minimal
valid response of its schema; an action a station may not send gets NotImplemented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocppctl.core.payloads import template
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version

# (version, action, payload) of the peer's call -> ("result", payload) or ("error", (code, description))
Answerer = Callable[[Version, str, Any], tuple[str, Any]]


@dataclass
class CsmsState:
    """What default answers remember across calls of one run."""

    heartbeat_interval: int = 300
    boot_status: str = "Accepted"
    next_transaction_id: int = 1


def csms_answer(
    registry: SchemaRegistry, version: Version, action: str, payload: Any, now_iso: str, state: CsmsState
) -> tuple[str, Any]:
    """("result", payload) or ("error", (code, description)) for a station's call."""
    if action not in version.actions or not version.may_initiate(action, "station"):
        return "error", ("NotImplemented", f"{action} is not answered by this CSMS")
    schema = registry.get(version, action, "response")
    if schema is None:
        return "error", ("NotImplemented", f"no response schema for {action}")
    answer: Any = template(schema.document)
    if action == "BootNotification":
        answer.update(currentTime=now_iso, interval=state.heartbeat_interval, status=state.boot_status)
    elif action == "Heartbeat":
        answer["currentTime"] = now_iso
    elif action == "DataTransfer":
        answer["status"] = "UnknownVendorId"
    elif action == "TransactionEvent" and isinstance(payload, dict) and "idToken" in payload:
        answer["idTokenInfo"] = {"status": "Accepted"}  # required when the request holds an idToken (E01)
    elif action == "StartTransaction":  # 1.6
        answer["transactionId"] = state.next_transaction_id
        state.next_transaction_id += 1
    return "result", answer


def csms_answerer(registry: SchemaRegistry, state: CsmsState, now: Callable[[], str]) -> Answerer:
    """csms_answer as an Answerer, stamping answers with `now()` (RFC 3339 UTC)."""

    def answer(version: Version, action: str, payload: Any) -> tuple[str, Any]:
        return csms_answer(registry, version, action, payload, now(), state)

    return answer
