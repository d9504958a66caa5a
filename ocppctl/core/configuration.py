"""OCPP 1.6 configuration keys: GetConfiguration answers as rows, ChangeConfiguration statuses
explained, and the value limit checked before a value is sent. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VALUE_MAX = 500  # ChangeConfiguration.req value and KeyValue value: CiString500Type
KEY_MAX = 50  # CiString50Type

# ChangeConfiguration.conf status (1.6 section 7.8 ConfigurationStatus)
CHANGE_STATUS = {
    "Accepted": "set, and in effect",
    "Rejected": "refused: the key is read-only or the value is not one it takes",
    "RebootRequired": "set; in effect after the station reboots (Reset)",
    "NotSupported": "the station has no such key it lets you set",
}


@dataclass(frozen=True)
class KeyRow:
    """One key of a GetConfiguration answer; `known` False for an unknownKey."""

    key: str
    known: bool
    readonly: bool | None = None
    value: str | None = None

    def access(self) -> str:
        if not self.known:
            return "unknown key"
        return "read-only" if self.readonly else "read-write"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "known": self.known, "readonly": self.readonly, "value": self.value}


def key_rows(answer: Any) -> list[KeyRow]:
    """The keys a GetConfiguration.conf reports, then those it says it does not know."""
    if not isinstance(answer, dict):
        return []
    rows = []
    for entry in answer.get("configurationKey") or []:
        if isinstance(entry, dict):
            value = entry.get("value")
            rows.append(
                KeyRow(
                    str(entry.get("key", "")), True, bool(entry.get("readonly")), None if value is None else str(value)
                )
            )
    rows.extend(KeyRow(str(key), False) for key in answer.get("unknownKey") or [])
    return rows


def value_problem(key: str, value: str) -> str | None:
    """Why ChangeConfiguration cannot carry `key`=`value`, before it is sent; None when it can."""
    if len(key) > KEY_MAX:
        return f"the key is {len(key)} characters: OCPP 1.6 allows {KEY_MAX}"
    if len(value) > VALUE_MAX:
        return f"the value is {len(value)} characters: OCPP 1.6 allows {VALUE_MAX} (ChangeConfiguration)"
    return None


def explain_change(status: str, readonly: bool | None = None) -> str:
    """What a ChangeConfiguration status means for the user; for Rejected, `readonly` (from a
    GetConfiguration of the key, None when unknown) says which of the two reasons it was."""
    if status == "Rejected" and readonly is not None:
        return (
            "refused: the key is read-only"
            if readonly
            else "refused: the key is read-write, the value is not one it takes"
        )
    return CHANGE_STATUS.get(status, "a status OCPP 1.6 does not define")
