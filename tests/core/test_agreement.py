"""The fast engine (jsonschema-rs) and the reference (python jsonschema, Decimal numbers) agree.

A corpus of payloads for every action of every version: templates, fuller payloads with every
optional property, and mutations of each (wrong types, bad enums, bad formats, too long, missing
and unknown properties), plus the documented edge cases. Both engines must agree on validity
and on the set of (path, keyword) violations.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ocppctl.core import checks
from ocppctl.core.jsontext import decode, loads, loads_decimal
from ocppctl.core.payloads import template
from ocppctl.core.schemas import ActionSchema, SchemaRegistry
from ocppctl.core.versions import V16, V21, V201, Version

VERSIONS = [V16, V201, V21]
MUTATIONS_PER_SCHEMA = 24


@dataclass(frozen=True)
class Case:
    version: Version
    action: str
    kind: str
    text: str
    label: str


def _kinds(version: Version, action: str) -> list[str]:
    return ["send"] if action in version.send_actions else ["request", "response"]


def _resolve(node: Any, document: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _full(node: Any, document: dict[str, Any], name: str, depth: int) -> Any:
    """A payload with every optional property too (to a depth), each with a valid-looking value."""
    node = _resolve(node, document)
    if not isinstance(node, dict):
        return {}
    if "enum" in node:
        return node["enum"][-1]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        if depth > 6:
            return template(node | {"definitions": document.get("definitions", {})})
        return {key: _full(sub, document, key, depth + 1) for key, sub in node.get("properties", {}).items()}
    if kind == "array":
        count = max(int(node.get("minItems", 1)), 1)
        return [_full(node.get("items", {}), document, name, depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(node.get("minimum", 1))
    if kind == "number":
        return 21.4 if "multipleOf" in node else float(node.get("minimum", 1.5))
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date-time":
            return "2024-02-29T12:30:00.5+01:00"
        if fmt == "uri":
            return "https://example.com/x?y=1"
        return name[: node.get("maxLength", len(name))] or "x"
    return None


def _spots(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _spots(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _spots(item, path + (index,))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return copy


def _drop(value: Any, path: tuple[Any, ...], key: str) -> Any:
    copy = json.loads(json.dumps(value))
    node = copy
    for part in path:
        node = node[part]
    del node[key]
    return copy


def _wrong(value: Any) -> list[Any]:
    """Values that break a spot holding `value` in different ways."""
    if isinstance(value, bool):
        return [1, "true", None]
    if isinstance(value, int):
        return ["7", True, 7.5, "__FLOAT__", -1000000, 12345678901]
    if isinstance(value, float):
        return ["7.5", False, 21.45]
    if isinstance(value, str):
        return [7, "NotAnAllowedValue", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "\U0001f600" * 600, ""]
    if isinstance(value, list):
        return [[], {}, value * 30]
    if isinstance(value, dict):
        return [[], "object"]
    return [{}]


def _dump(payload: Any) -> str:
    text = json.dumps(payload, ensure_ascii=False)
    return text.replace('"__FLOAT__"', "20000.0")


def _mutations(payload: Any, seed: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for path, value in _spots(payload):
        where = "/" + "/".join(str(p) for p in path)
        if isinstance(value, dict):
            out.append((f"extra at {where}", _replace(payload, path, {**value, "unexpectedKey": 1})))
            for key in value:
                out.append((f"drop {where}/{key}", _drop(payload, path, key)))
        for new in _wrong(value):
            out.append((f"{new!r:.20} at {where}", _replace(payload, path, new)))
    rng = random.Random(seed)
    if len(out) > MUTATIONS_PER_SCHEMA:
        out = rng.sample(out, MUTATIONS_PER_SCHEMA)
    return out


def _schemas(registry: SchemaRegistry, version: Version) -> Iterator[ActionSchema]:
    for action in sorted(version.actions):
        for kind in _kinds(version, action):
            schema = registry.get(version, action, kind)
            assert schema is not None
            yield schema


def corpus(registry: SchemaRegistry, version: Version) -> list[Case]:
    cases: list[Case] = []
    for schema in _schemas(registry, version):
        seed = f"{version.name}/{schema.file}"
        minimal = template(schema.document)
        full = _full(schema.document, schema.document, "payload", 0)
        for label, payload in [("template", minimal), ("full", full)]:
            cases.append(Case(version, schema.action, schema.kind, _dump(payload), label))
            for what, mutated in _mutations(payload, f"{seed}/{label}"):
                cases.append(Case(version, schema.action, schema.kind, _dump(mutated), f"{label}: {what}"))
    return cases + [case for case in EDGE_CASES if case.version is version]


def _edge(version: Version, action: str, kind: str, payload: str, label: str) -> Case:
    return Case(version, action, kind, payload, label)


_BOOT = '{"status":"Accepted","currentTime":"%s","interval":%s}'
_PROFILE = (
    '{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,'
    '"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",'
    '"chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":%s}]}}}'
)
_STOP = (
    '{"transactionId":1,"timestamp":"2024-01-01T00:00:00Z","meterStop":5,"transactionData":'
    '[{"timestamp":"2024-01-01T00:00:00Z","sampledValue":[{"value":"50","unit":"%s"}]}]}'
)
EDGE_CASES: list[Case] = [
    *[
        _edge(version, "BootNotification", "response", _BOOT % (time, number), f"boot {time} {number}")
        for version in VERSIONS
        for time in [
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01 00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-01-01T25:00:00Z",
            "2024-01-01T00:00:00.123456789+14:00",
        ]
        for number in ["300", "20000.0", "300.5", "true", '"300"', "-1", "0"]
    ],
    *[
        _edge(V16, "GetDiagnostics", "request", json.dumps({"location": uri}), f"uri {uri!r}")
        for uri in ["not a uri", "https://example.com/", "ftp://h/p", "relative/path", "", "http://[::1]:80/"]
    ],
    *[
        _edge(V16, "SetChargingProfile", "request", _PROFILE % limit, f"limit {limit}")
        for limit in ["21.4", "0.3", "0.1", "16", "16.0", "21.45", "0.01", "-0.3", "1e2", "1.1e1"]
    ],
    *[
        _edge(V16, "Authorize", "request", json.dumps({"idTag": tag}, ensure_ascii=ascii), f"idTag {len(tag)}")
        for tag in ["\U0001f600" * 20, "\U0001f600" * 21, "x" * 20, "x" * 21, "é" * 20]
        for ascii in (True, False)
    ],
    *[
        _edge(V16, "StopTransaction", "request", _STOP % unit, f"unit {unit}")
        for unit in ["Hertz", "Hz", "Wh", "hertz", "Celsius"]
    ],
    _edge(V16, "GetConfiguration", "response", '{"configurationKey":[{"key":"a","readOnly":true}]}', "readOnly"),
    _edge(
        V16, "GetLog", "request", '{"logType":"SecurityLog","requestId":20000.0,"log":{"remoteLocation":"x"}}', "d6 int"
    ),
    _edge(V201, "DataTransfer", "request", '{"vendorId":"com.example","data":{"a":[1,2.5,null,true]}}', "data any"),
    _edge(
        V21,
        "NotifyPeriodicEventStream",
        "send",
        '{"id":1,"pending":0,"basetime":"2024-01-01T00:00:00Z","data":[]}',
        "send",
    ),
]


@pytest.fixture(scope="module")
def corpora(registry: SchemaRegistry) -> dict[str, list[Case]]:
    return {version.name: corpus(registry, version) for version in VERSIONS}


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_fast_and_reference_engines_agree(
    registry: SchemaRegistry, corpora: dict[str, list[Case]], version: Version
) -> None:
    cases = corpora[version.name]
    assert len(cases) > 1000
    disagreements = []
    valid = invalid = 0
    for case in cases:
        schema = registry.get(case.version, case.action, case.kind)
        assert schema is not None
        payload, exact = decode(case.text)
        assert not exact, case  # the corpus holds what the fast engine represents exactly
        is_valid = schema.is_valid(payload)
        fast = sorted(((v.path, v.keyword) for v in schema.violations(payload)), key=repr)
        reference = sorted(
            ((v.path, v.keyword) for v in schema.reference_violations(loads_decimal(case.text))), key=repr
        )
        if is_valid != (not reference) or fast != reference or is_valid != (not fast):
            disagreements.append((case.action, case.kind, case.label, case.text[:200], is_valid, fast, reference))
        valid += is_valid
        invalid += not is_valid
    assert disagreements == []
    assert valid > 100 and invalid > 1000


def test_corpus_covers_every_keyword(registry: SchemaRegistry, corpora: dict[str, list[Case]]) -> None:
    """The corpus is only as good as what it makes fail (no OCA schema uses minLength)."""
    seen: set[str] = set()
    for cases in corpora.values():
        for case in cases:
            schema = registry.get(case.version, case.action, case.kind)
            assert schema is not None
            seen.update(v.keyword for v in schema.violations(loads(case.text)))
    assert seen >= {
        "required",
        "additionalProperties",
        "type",
        "enum",
        "format",
        "maxLength",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
        "multipleOf",
    }


# --- what the fast engine cannot represent: the product hands it to the reference ----------------


@pytest.mark.parametrize(
    ("version", "action", "kind", "text", "expected"),
    [
        (V16, "BootNotification", "response", _BOOT % ("2024-01-01T00:00:00Z", "1e400"), [("/interval", "schema")]),
        (V201, "BootNotification", "response", _BOOT % ("2024-01-01T00:00:00Z", "1e400"), []),
        (V16, "BootNotification", "response", _BOOT % ("2024-01-01T00:00:00Z", "123456789012345678901234567890"), []),
        (V201, "BootNotification", "response", _BOOT % ("2024-01-01T00:00:00Z", "123456789012345678901234567890"), []),
        (V16, "SetChargingProfile", "request", _PROFILE % "1e400", []),
        (V16, "Authorize", "request", '{"idTag":"\\ud800"}', []),
        (V16, "Authorize", "request", '{"idTag":"\\udfff' + "x" * 20 + '"}', [("/idTag", "schema")]),
    ],
)
def test_payloads_beyond_the_fast_engine_are_judged_exactly(
    registry: SchemaRegistry, version: Version, action: str, kind: str, text: str, expected: list[tuple[str, str]]
) -> None:
    schema = registry.get(version, action, kind)
    assert schema is not None
    payload, exact = decode(text)
    frame = f'[3,"1",{text}]' if kind == "response" else f'[2,"1","{action}",{text}]'
    findings = checks.payload_findings(schema, payload, frame, exact)
    assert [(f.path, f.code) for f in findings] == expected
    reference = schema.reference_violations(loads_decimal(text))
    assert [("/" + "/".join(str(p) for p in v.path), "schema") for v in reference] == expected


@pytest.mark.parametrize(
    ("version", "action", "kind", "text"),
    [
        (V201, "BootNotification", "response", _BOOT % ("2024-01-01T00:00:00Z", "1.0000000000000001")),
        (V16, "SetChargingProfile", "request", _PROFILE % "21.4000000000000001"),
    ],
)
def test_numbers_beyond_double_precision_are_read_as_doubles_by_both_engines(
    registry: SchemaRegistry, version: Version, action: str, kind: str, text: str
) -> None:
    schema = registry.get(version, action, kind)
    assert schema is not None
    payload, exact = decode(text)
    frame = f'[3,"1",{text}]' if kind == "response" else f'[2,"1","{action}",{text}]'
    product = [f.path for f in checks.payload_findings(schema, payload, frame, exact)]
    reference = ["/" + "/".join(str(p) for p in v.path) for v in schema.reference_violations(loads_decimal(text))]
    assert product == reference == []  # read as the double it rounds to: an integer, a multiple of 0.1
