"""Which version a capture speaks when neither --ocpp nor its records say (core/infer.py)."""

from __future__ import annotations

from collections.abc import Callable

from ocppctl.core.findings import Finding
from ocppctl.core.infer import infer
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V201

CheckLines = Callable[..., list[Finding]]  # the check_lines fixture of tests/conftest.py

# A 1.6 station's log with a bug in each call: every version fails both, so the scores tie.
BROKEN_16_LOG = [
    '2026-11-22 10:00:01.123 CP7 >> [2,"b1","BootNotification",{"chargePointVendor":"Elektra",'
    '"chargePointModel":"WB-22","firmwareVersion":123}]',
    '2026-11-22 10:00:01.140 CP7 << [3,"b1",{"status":"Accepted","currentTime":"2026-11-22T10:00:01Z","interval":300}]',
    '2026-11-22 10:00:02.000 CP7 >> [2,"s1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Ready"}]',
    '2026-11-22 10:00:02.010 CP7 << [3,"s1",{}]',
]


def test_a_tie_is_broken_by_the_fields_only_16_has(check_lines: CheckLines) -> None:
    """It went to 2.0.1: ten schema errors about a version the station never spoke."""
    findings = check_lines(BROKEN_16_LOG)
    assert [(f.severity, f.code, f.line, f.message) for f in findings] == [
        (
            "info",
            "version",
            1,
            "read as OCPP 1.6: 1.6, 2.0.1 and 2.1 fit the 2 calls equally (1.6: 0 valid, 2 known, 2.0.1: 0 valid, "
            "2 known, 2.1: 0 valid, 2 known), but the fields chargePointModel, chargePointVendor, "
            "connectorId + errorCode say 1.6",
        ),
        ("error", "schema", 1, "BootNotification request: expected string, got integer 123"),
        ("error", "schema", 3, 'StatusNotification request: "Ready" is not an allowed value'),
    ]


def test_a_tie_is_broken_by_the_fields_only_2x_has(registry: SchemaRegistry) -> None:
    calls = [("Authorize", {"idToken": {"idToken": 1234, "type": "ISO14443"}})]  # the id must be a string
    result = infer(registry, calls, {2})
    assert (result.version, result.ambiguous) == (V201, False)
    assert result.reason.endswith("but the fields idToken say 2.x")


def test_a_tie_without_evidence_stays_ambiguous_and_says_so(registry: SchemaRegistry) -> None:
    result = infer(registry, [("Heartbeat", {})], {2})
    assert (result.version, result.ambiguous) == (V201, True)
    assert result.reason.endswith("pass --ocpp to choose")


def test_fields_of_both_families_break_no_tie(registry: SchemaRegistry) -> None:
    calls = [("Authorize", {"idTag": 5}), ("Authorize", {"idToken": 5})]
    result = infer(registry, calls, {2})
    assert result.ambiguous and result.version is not V16


def test_2x_fields_do_not_choose_between_201_and_21(registry: SchemaRegistry) -> None:
    calls = [("Authorize", {"idToken": {"idToken": "04A2", "type": "ISO14443"}})]
    result = infer(registry, calls, {2})
    assert (result.version, result.ambiguous) == (V201, True)
    assert result.reason.endswith("pass --ocpp to choose")
