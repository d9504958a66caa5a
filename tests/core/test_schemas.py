"""The schema files and the registry: manifest, drafts, formats, numbers, and the overlay."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from ocppctl.core.jsontext import loads, loads_decimal
from ocppctl.core.overlays import OVERLAYS
from ocppctl.core.reference import build_reference
from ocppctl.core.schemas import DRAFT4, DRAFT6, ActionSchema, SchemaRegistry
from ocppctl.core.versions import V16, V21, V201, Version

VERSIONS = [V16, V201, V21]
FOLDERS = ("v16", "v201", "v21")


def _kinds(version: Version, action: str) -> list[str]:
    return ["send"] if action in version.send_actions else ["request", "response"]


def _all_schemas(registry: SchemaRegistry, version: Version) -> list[ActionSchema]:
    out = []
    for action in sorted(version.actions):
        for kind in _kinds(version, action):
            schema = registry.get(version, action, kind)
            assert schema is not None, (version.name, action, kind)
            out.append(schema)
    return out


# --- manifest ------------------------------------------------------------------------------------


def _manifest(root: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in (root / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, name = line.split("  ", 1)
        assert name not in entries, f"{name} listed twice"
        entries[name] = digest
    return entries


def test_manifest_lists_every_schema_file(schemas_root: Path) -> None:
    on_disk = {f"{folder}/{path.name}" for folder in FOLDERS for path in (schemas_root / folder).iterdir()}
    assert set(_manifest(schemas_root)) == on_disk
    assert len(on_disk) == 78 + 128 + 181


def test_manifest_matches_every_file_byte_for_byte(schemas_root: Path) -> None:
    for name, digest in _manifest(schemas_root).items():
        assert hashlib.sha256((schemas_root / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.skipif(importlib.util.find_spec("ocpp") is None, reason="the ocpp package is not installed")
def test_files_equal_those_of_the_ocpp_package(schemas_root: Path) -> None:
    """The test extra installs `ocpp`: its schema folders are where ours came from."""
    import ocpp

    package = Path(ocpp.__file__).parent
    for folder in FOLDERS:
        theirs = {path.name: path.read_bytes() for path in (package / folder / "schemas").glob("*.json")}
        ours = {path.name: path.read_bytes() for path in (schemas_root / folder).glob("*.json")}
        assert ours == theirs, folder


# --- compilation and drafts ----------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_every_schema_compiles_with_both_engines(registry: SchemaRegistry, version: Version) -> None:
    for schema in _all_schemas(registry, version):
        assert schema.fast is not None
        assert schema.is_valid({"no such property at all": 1}) is False
        reference = build_reference(schema.document, schema.draft)
        type(reference).check_schema(schema.document)
        assert schema.reference_violations({"no such property at all": 1}), schema.file


def test_validators_are_built_once(registry: SchemaRegistry) -> None:
    first = registry.get(V201, "Heartbeat", "request")
    assert first is not None
    assert registry.get(V201, "Heartbeat", "request") is first
    assert first.fast is first.fast


def test_draft_is_taken_from_each_file(registry: SchemaRegistry, schemas_root: Path) -> None:
    counts: dict[str, dict[str, int]] = {}
    for version in VERSIONS:
        for schema in _all_schemas(registry, version):
            declared = json.loads((schemas_root / version.folder / schema.file).read_bytes())["$schema"]
            assert schema.draft == (DRAFT4 if "draft-04" in declared else DRAFT6), schema.file
            per = counts.setdefault(version.name, {})
            per[schema.draft] = per.get(schema.draft, 0) + 1
    assert counts == {"1.6": {DRAFT4: 56, DRAFT6: 22}, "2.0.1": {DRAFT6: 128}, "2.1": {DRAFT6: 181}}


@pytest.mark.parametrize(
    ("version", "action", "kind", "known"),
    [
        (V16, "Heartbeat", "send", False),
        (V21, "NotifyPeriodicEventStream", "request", False),
        (V21, "NotifyPeriodicEventStream", "send", True),
        (V201, "NotifyPeriodicEventStream", "send", False),
        (V16, "TransactionEvent", "request", False),
        (V201, "heartbeat", "request", False),
    ],
)
def test_unknown_schemas_are_none(
    registry: SchemaRegistry, version: Version, action: str, kind: str, known: bool
) -> None:
    assert (registry.get(version, action, kind) is not None) is known


def test_raw_is_the_file_as_shipped(registry: SchemaRegistry, schemas_root: Path) -> None:
    assert registry.raw(V16, "StopTransaction", "request") == (schemas_root / "v16/StopTransaction.json").read_bytes()
    assert registry.raw(V16, "NoSuchAction", "request") is None


# --- edge cases, judged by both engines ----------------------------------------------------------


def _judge(
    registry: SchemaRegistry, version: Version, action: str, kind: str, text: str
) -> tuple[bool, set[tuple[Any, str]]]:
    """(valid?, {(path, keyword)}) from the fast engine, after checking the reference agrees."""
    schema = registry.get(version, action, kind)
    assert schema is not None
    payload = loads(text)
    valid = schema.is_valid(payload)
    fast = {(v.path, v.keyword) for v in schema.violations(payload)}
    reference = {(v.path, v.keyword) for v in schema.reference_violations(loads_decimal(text))}
    assert fast == reference
    assert valid == (not fast)
    return valid, fast


BOOT_16 = '{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":%s}'
BOOT_2X = '{"status":"Accepted","currentTime":"%s","interval":300}'


def test_float_with_zero_fraction_is_not_an_integer_under_draft_04(registry: SchemaRegistry) -> None:
    assert _judge(registry, V16, "BootNotification", "response", BOOT_16 % "20000.0") == (
        False,
        {(("interval",), "type")},
    )
    assert _judge(registry, V16, "BootNotification", "response", BOOT_16 % "20000") == (True, set())


def test_float_with_zero_fraction_is_an_integer_under_draft_06(registry: SchemaRegistry) -> None:
    text = '{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":20000.0}'
    assert _judge(registry, V201, "BootNotification", "response", text) == (True, set())
    assert _judge(registry, V21, "BootNotification", "response", text) == (True, set())
    # the 1.6 security messages are draft-06 files too
    log = '{"logType":"SecurityLog","requestId":20000.0,"log":{"remoteLocation":"https://example.com/"}}'
    assert _judge(registry, V16, "GetLog", "request", log) == (True, set())
    fraction = '{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":20000.5}'
    assert _judge(registry, V201, "BootNotification", "response", fraction) == (False, {(("interval",), "type")})


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-01-01T00:00:00Z", True),
        ("2024-01-01T00:00:00.123+01:00", True),
        ("2024-02-29T23:59:59-05:30", True),
        ("2024-01-01t00:00:00z", True),
        ("2024-01-01T00:00:00", False),
        ("2024-01-01 00:00:00Z", False),
        ("2024-02-30T00:00:00Z", False),
        ("2023-02-29T00:00:00Z", False),
        ("2024-01-01", False),
        ("yesterday", False),
        ("", False),
    ],
)
def test_date_time_is_rfc3339_with_an_offset(registry: SchemaRegistry, value: str, valid: bool) -> None:
    expected = set() if valid else {(("currentTime",), "format")}
    assert _judge(registry, V201, "BootNotification", "response", BOOT_2X % value) == (valid, expected)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("https://example.com/diagnostics", True),
        ("ftp://user@example.com:21/logs/", True),
        ("urn:example:diag", True),
        ("not a uri", False),
        ("relative/path", False),
        ("", False),
    ],
)
def test_uri_format(registry: SchemaRegistry, value: str, valid: bool) -> None:
    expected = set() if valid else {(("location",), "format")}
    text = json.dumps({"location": value})
    assert _judge(registry, V16, "GetDiagnostics", "request", text) == (valid, expected)


def _charging_profile(limit: str) -> str:
    return (
        '{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,'
        '"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",'
        '"chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":'
        '[{"startPeriod":0,"limit":' + limit + "}]}}}"
    )


@pytest.mark.parametrize(
    ("limit", "valid"), [("21.4", True), ("0.3", True), ("16", True), ("16.0", True), ("21.45", False)]
)
def test_multiple_of_point_one_is_decimal(registry: SchemaRegistry, limit: str, valid: bool) -> None:
    path = ("csChargingProfiles", "chargingSchedule", "chargingSchedulePeriod", 0, "limit")
    expected = set() if valid else {(path, "multipleOf")}
    assert _judge(registry, V16, "SetChargingProfile", "request", _charging_profile(limit)) == (valid, expected)


@pytest.mark.parametrize(
    ("id_tag", "valid"),
    [
        ("\U0001f600" * 20, True),  # 20 code points, 40 UTF-16 units, 80 UTF-8 bytes
        ("\U0001f600" * 21, False),
        ("é" * 20, True),
        ("x" * 21, False),
    ],
)
def test_max_length_counts_code_points(registry: SchemaRegistry, id_tag: str, valid: bool) -> None:
    expected = set() if valid else {(("idTag",), "maxLength")}
    text = json.dumps({"idTag": id_tag}, ensure_ascii=False)
    assert _judge(registry, V16, "Authorize", "request", text) == (valid, expected)
    escaped = json.dumps({"idTag": id_tag})  # \ud83d\ude00 escapes: the same string
    assert _judge(registry, V16, "Authorize", "request", escaped) == (valid, expected)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
@pytest.mark.parametrize("value", ["true", "false", '"300"', "null", "300.5"])
def test_non_integers_are_not_integers(registry: SchemaRegistry, version: Version, value: str) -> None:
    text = '{"status":"Accepted","currentTime":"2024-01-01T00:00:00Z","interval":' + value + "}"
    assert _judge(registry, version, "BootNotification", "response", text) == (False, {(("interval",), "type")})


# --- the overlay ---------------------------------------------------------------------------------


def _stop(unit: str) -> str:
    return json.dumps(
        {
            "transactionId": 1,
            "timestamp": "2024-01-01T00:00:00Z",
            "meterStop": 100,
            "transactionData": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": "50", "unit": unit}]}],
        }
    )


def test_overlay_adds_hertz_to_stop_transaction(registry: SchemaRegistry, schemas_root: Path) -> None:
    assert _judge(registry, V16, "StopTransaction", "request", _stop("Hertz")) == (True, set())
    schema = registry.get(V16, "StopTransaction", "request")
    assert schema is not None
    assert [overlay.id for overlay in schema.overlays] == ["ocpp16-stoptransaction-hertz"]
    # the file itself stays as shipped: Hertz is not in it
    raw = json.loads((schemas_root / "v16/StopTransaction.json").read_bytes())
    unit = raw["properties"]["transactionData"]["items"]["properties"]["sampledValue"]["items"]["properties"]["unit"]
    assert "Hertz" not in unit["enum"]
    assert (
        "Hertz"
        in json.loads((schemas_root / "v16/MeterValues.json").read_bytes())["properties"]["meterValue"]["items"][
            "properties"
        ]["sampledValue"]["items"]["properties"]["unit"]["enum"]
    )


def test_overlay_applies_only_to_its_file(registry: SchemaRegistry) -> None:
    assert [overlay.id for overlay in OVERLAYS] == ["ocpp16-stoptransaction-hertz"]
    for version in VERSIONS:
        for schema in _all_schemas(registry, version):
            expected = (
                ["ocpp16-stoptransaction-hertz"] if (version, schema.file) == (V16, "StopTransaction.json") else []
            )
            assert [overlay.id for overlay in schema.overlays] == expected, schema.file


def test_finding_on_an_overlaid_spot_mentions_the_overlay(check_lines: Any) -> None:
    lines = [
        json.dumps(
            {"station": "CP1", "from": "station", "ocpp": "1.6", "raw": f'[2,"7","StopTransaction",{_stop("Hz")}]'}
        )
    ]
    findings = [f for f in check_lines(lines) if f.code != "unanswered-call"]
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.severity, finding.code, finding.line) == ("error", "schema", 1)
    assert finding.path == "/transactionData/0/sampledValue/0/unit"
    assert finding.message == 'StopTransaction request: "Hz" is not an allowed value'
    assert finding.hint is not None
    assert "Hertz" in finding.hint
    assert "overlay ocpp16-stoptransaction-hertz" in finding.hint


def test_finding_elsewhere_does_not_mention_the_overlay(check_lines: Any) -> None:
    meter = json.dumps(
        {
            "connectorId": 1,
            "meterValue": [{"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": "50", "unit": "Hz"}]}],
        }
    )
    findings = check_lines([f'[2,"7","MeterValues",{meter}]', '[3,"7",{}]'], ocpp="1.6")
    assert [(f.code, f.path) for f in findings] == [("schema", "/meterValue/0/sampledValue/0/unit")]
    assert findings[0].hint is not None
    assert "overlay" not in findings[0].hint
    stop_other = json.loads(_stop("Hertz"))
    stop_other["meterStop"] = "100"
    findings = check_lines([f'[2,"8","StopTransaction",{json.dumps(stop_other)}]', '[3,"8",{}]'], ocpp="1.6")
    assert [(f.code, f.path) for f in findings] == [("schema", "/meterStop")]
    assert "overlay" not in (findings[0].hint or "")
