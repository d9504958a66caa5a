"""Templates: every action's minimal payload is valid, in all three versions, by both engines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ocppctl.core.jsontext import dumps, loads_decimal
from ocppctl.core.payloads import EXAMPLE_TIME, template
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.summary import Summary
from ocppctl.core.versions import V16, V21, V201, Version

VERSIONS = [V16, V201, V21]


def _schemas(registry: SchemaRegistry, version: Version) -> list[tuple[str, str]]:
    out = []
    for action in sorted(version.actions):
        kinds = ["send"] if action in version.send_actions else ["request", "response"]
        out.extend((action, kind) for kind in kinds)
    return out


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_every_template_validates_with_both_engines(registry: SchemaRegistry, version: Version) -> None:
    failures = []
    checked = 0
    for action, kind in _schemas(registry, version):
        schema = registry.get(version, action, kind)
        assert schema is not None, (action, kind)
        payload = template(schema.document)
        assert isinstance(payload, dict)
        fast = [v.message for v in schema.violations(payload)]
        reference = [v.message for v in schema.reference_violations(loads_decimal(dumps(payload)))]
        if not schema.is_valid(payload) or fast or reference:
            failures.append((action, kind, payload, fast, reference))
        checked += 1
    assert failures == []
    assert checked == {"1.6": 78, "2.0.1": 128, "2.1": 181}[version.name]


def test_template_holds_the_required_properties_only(registry: SchemaRegistry) -> None:
    schema = registry.get(V201, "BootNotification", "request")
    assert schema is not None
    assert template(schema.document) == {
        "reason": "PowerUp",  # a station's natural start, not the enum's first value (ApplicationReset)
        "chargingStation": {"model": "model", "vendorName": "vendorName"},
    }
    heartbeat = registry.get(V16, "Heartbeat", "response")
    assert heartbeat is not None
    assert template(heartbeat.document) == {"currentTime": EXAMPLE_TIME}


def test_template_reads_no_clock(registry: SchemaRegistry) -> None:
    schema = registry.get(V21, "TransactionEvent", "request")
    assert schema is not None
    assert template(schema.document) == template(schema.document)
    assert dumps(template(schema.document)).count(EXAMPLE_TIME) == 1


def test_template_respects_max_length(registry: SchemaRegistry) -> None:
    """1.6 chargePointVendor is at most 20 characters: the example is cut to fit."""
    schema = registry.get(V16, "BootNotification", "request")
    assert schema is not None
    assert template(schema.document) == {
        "chargePointVendor": "chargePointVendor",
        "chargePointModel": "chargePointModel",
    }


def test_template_fills_required_arrays(registry: SchemaRegistry) -> None:
    schema = registry.get(V201, "GetVariables", "request")
    assert schema is not None
    payload = template(schema.document)
    assert payload == {
        "getVariableData": [{"component": {"name": "name"}, "variable": {"name": "name"}}],
    }


def _exchange(registry: SchemaRegistry, version: Version, actions: list[str]) -> list[str]:
    """Capture records: each action's template CALL (or SEND) from its initiator, then the answer."""
    lines = []
    for number, action in enumerate(actions, start=1):
        side = "csms" if version.actions[action] == "csms" else "station"
        other = "station" if side == "csms" else "csms"
        uid = str(number)
        if action in version.send_actions:
            send = registry.get(version, action, "send")
            assert send is not None
            lines.append(
                json.dumps({"station": "CP1", "from": side, "frame": [6, uid, action, template(send.document)]})
            )
            continue
        request = registry.get(version, action, "request")
        response = registry.get(version, action, "response")
        assert request is not None and response is not None
        lines.append(
            json.dumps({"station": "CP1", "from": side, "raw": dumps([2, uid, action, template(request.document)])})
        )
        lines.append(json.dumps({"station": "CP1", "from": other, "raw": dumps([3, uid, template(response.document)])}))
    return lines


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_every_template_passes_validate(registry: SchemaRegistry, check_lines: Any, version: Version) -> None:
    """What `ocppctl template` prints, `ocppctl validate` accepts, sent by the side that initiates it."""
    actions = sorted(version.actions)
    summary = Summary()
    assert check_lines(_exchange(registry, version, actions), ocpp=version.name, summary=summary) == []
    assert summary.frames == 2 * len(actions) - len(version.send_actions)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_data_transfer_template_passes_validate(registry: SchemaRegistry, check_lines: Any, version: Version) -> None:
    assert check_lines(_exchange(registry, version, ["DataTransfer"]), ocpp=version.name) == []
