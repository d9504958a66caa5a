"""Whether a value fits a device-model variable, as a station checks a SetVariables value.

2.0.1 DataEnumType names the types (string, decimal, integer, dateTime, boolean, OptionList,
SequenceList, MemberList); the lists hold comma-separated members of the variable's valuesList.
A value that does not fit is refused (SetVariables: Rejected with a reason; `sim set`: an error)
so the model never holds what a real station could not.
"""

from __future__ import annotations

import math
import re

DATA_TYPES = frozenset(
    {"string", "decimal", "integer", "dateTime", "boolean", "OptionList", "SequenceList", "MemberList"}
)

_INTEGER = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[-+][0-9]{2}:[0-9]{2})"
)


def value_problem(data_type: str, value: str, values_list: str | None = None) -> str | None:
    """Why `value` does not fit a variable of `data_type` (and `values_list`, comma-separated),
    in a few words; None when it fits."""
    members = [m.strip() for m in values_list.split(",")] if values_list else None
    if data_type == "integer":
        return None if _INTEGER.fullmatch(value) else f"{value!r} is not an integer"
    if data_type == "decimal":
        if not _DECIMAL.fullmatch(value) or not math.isfinite(float(value)):
            return f"{value!r} is not a decimal"
        return None
    if data_type == "boolean":
        return None if value in ("true", "false") else f"{value!r} is not a boolean (true or false)"
    if data_type == "dateTime":
        return None if _DATE_TIME.fullmatch(value) else f"{value!r} is not an RFC 3339 date-time"
    if data_type == "OptionList":
        if members is not None and value not in members:
            return f"{value!r} is not one of {values_list}"
        return None
    if data_type in ("SequenceList", "MemberList"):
        given = [m.strip() for m in value.split(",")] if value else []
        unknown = [m for m in given if members is not None and m not in members]
        if unknown:
            return f"{unknown[0]!r} is not one of {values_list}"
        if data_type == "MemberList" and len(set(given)) != len(given):
            return "a MemberList names each member once"
        return None
    return None  # string
