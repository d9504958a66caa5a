"""The REPL's completion logic, a pure function, by tables (issue 4, item 3)."""

from __future__ import annotations

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V201, Version
from ocppctl.repl.suggest import suggest

CASES: list[tuple[str, Version, str, str, str, list[str]]] = [
    # text, version, side, kind, word, the candidates (required properties first)
    ("Boot", V201, "station", "action", "Boot", ["BootNotification"]),
    ("Boot", V201, "csms", "action", "Boot", []),  # a CSMS does not send BootNotification
    ("getva", V201, "csms", "action", "getva", ["GetVariables"]),
    ("BootNotification ", V201, "station", "property", "", ["reason", "chargingStation", "customData"]),
    (
        "BootNotification chargingStation.",
        V201,
        "station",
        "property",
        "",
        ["model", "vendorName", "customData", "firmwareVersion", "modem", "serialNumber"],
    ),
    ("BootNotification reason=Pow", V201, "station", "enum", "Pow", ["PowerUp"]),
    ("StatusNotification timestamp:=", V201, "station", "time", "", ["now"]),  # the current time
    ("StatusNotification timestamp:=n", V201, "station", "time", "n", ["now"]),
    ("StatusNotification timestamp:=now-", V201, "station", "time", "now-", []),
    ("StatusNotification timestamp=", V201, "station", "none", "", []),  # `=` sets a string
    (
        "SetChargingProfile chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].",
        V201,
        "csms",
        "property",
        "",
        ["startPeriod", "limit", "customData", "numberPhases", "phaseToUse"],
    ),
    (
        "SetVariables setVariableData[0].attributeType=",
        V201,
        "csms",
        "enum",
        "",
        ["Actual", "Target", "MinSet", "MaxSet"],
    ),
    (
        'BootNotification {"reason": "PowerUp", "',
        V201,
        "station",
        "property",
        '"',
        ['"chargingStation"', '"customData"'],
    ),
    ('BootNotification {"reason": "Pow', V201, "station", "enum", '"Pow', ['"PowerUp"']),
    (
        'BootNotification {"chargingStation": {"model": "x", "',
        V201,
        "station",
        "property",
        '"',
        ['"vendorName"', '"customData"', '"firmwareVersion"', '"modem"', '"serialNumber"'],
    ),
    (
        'SetChargingProfile {"chargingProfile": {"chargingSchedule": [{"chargingRateUnit": "',
        V201,
        "csms",
        "enum",
        '"',
        ['"W"', '"A"'],
    ),
    (
        'GetVariables {"getVariableData": [{"component": {"name": "X"}}], "',
        V201,
        "csms",
        "property",
        '"',
        ['"customData"'],
    ),
    ("RemoteStartTransaction chargingProfile.chargingSchedule.chargingRateUnit=", V16, "csms", "enum", "", ["A", "W"]),
    (":te", V201, "csms", "meta", ":te", [":template"]),
    (":template Boo", V201, "csms", "action", "Boo", ["BootNotification"]),
    (
        ":wait NotifyEv",
        V201,
        "csms",
        "action",
        "NotifyEv",
        ["NotifyEVChargingNeeds", "NotifyEVChargingSchedule", "NotifyEvent"],
    ),
    (":auto o", V201, "csms", "meta", "o", ["on", "off"]),
    ("Frobnicate ", V201, "csms", "none", "", []),
    ("ChangeConfiguration key=", V16, "csms", "none", "", []),
]


@pytest.mark.parametrize(("text", "version", "side", "kind", "word", "values"), CASES)
def test_suggest(
    registry: SchemaRegistry, text: str, version: Version, side: str, kind: str, word: str, values: list[str]
) -> None:
    found = suggest(text, version, side, registry)
    assert (found.kind, found.word) == (kind, word)
    assert found.values == values
