"""DataTransfer, the third way to customize OCPP (after the device model and customData): its
`data` as each version carries it, the answer's data decoded, its statuses explained. Pure."""

from __future__ import annotations

from typing import Any

from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads

# DataTransferStatus (1.6 section 7.23, 2.0.1 DataTransferStatusEnumType)
STATUS = {
    "Accepted": "the peer handled the message",
    "Rejected": "the peer knows the vendor and message but refused this one",
    "UnknownVendorId": "the peer has no implementation for this vendorId (P01.FR.05)",
    "UnknownMessageId": "the peer knows the vendorId, not this messageId (P01.FR.06)",
}


def request(version: str, vendor_id: str, message_id: str | None, data: Any, given: bool) -> dict[str, Any]:
    """The DataTransfer request. 1.6 `data` is a string: a JSON value other than a string is
    sent as its JSON text; 2.x `data` is any JSON value, sent as is. `given` False: no data."""
    payload: dict[str, Any] = {"vendorId": vendor_id}
    if message_id is not None:
        payload["messageId"] = message_id
    if given:
        payload["data"] = data if version != "1.6" or isinstance(data, str) else dumps(data)
    return payload


def decoded(data: Any) -> tuple[bool, Any]:
    """(True, the value) when `data` is a string holding a JSON object or array (as 1.6 peers
    send structured data), else (False, None)."""
    if not isinstance(data, str) or data.lstrip()[:1] not in ("{", "["):
        return False, None
    try:
        return True, loads(data)
    except JsonSyntaxError:
        return False, None


def explain(status: str) -> str:
    return STATUS.get(status, "a status OCPP does not define")
