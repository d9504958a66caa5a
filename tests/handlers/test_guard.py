"""A simulated peer answers a call it cannot take with a CALLERROR; it never falls over."""

from __future__ import annotations

from typing import Any

from ocppctl.core.findings import Finding
from ocppctl.core.versions import V16, V201
from ocppctl.handlers.guard import guarded
from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel, station_answer

BROKEN = [
    Finding("warning", "vendor-id", "not reverse-DNS"),
    Finding(
        "error", "schema", 'GetVariables request: required property "component" is missing', path="/getVariableData/0"
    ),
]


def test_a_payload_that_breaks_its_schema_gets_the_versions_format_violation() -> None:
    model = DeviceModel.from_json(DEFAULT_MODEL)
    payload = {"getVariableData": [{"variable": {"name": "X"}}]}
    assert guarded(V201, BROKEN, station_answer, model, "2.0.1", "GetVariables", payload) == (
        "error",
        ("FormatViolation", 'GetVariables request: required property "component" is missing at /getVariableData/0'),
    )
    assert guarded(V16, BROKEN, station_answer, model, "1.6", "GetConfiguration", {})[1][0] == "FormationViolation"


def test_a_handler_that_fails_gives_internal_error() -> None:
    def answer(payload: Any) -> tuple[str, Any]:
        return "result", payload["missing"]

    assert guarded(V201, [], answer, {}) == (
        "error",
        ("InternalError", "the simulated peer failed on this payload: KeyError"),
    )


def test_a_good_call_gets_the_handlers_answer() -> None:
    model = DeviceModel.from_json(DEFAULT_MODEL)
    payload = {"getVariableData": [{"component": {"name": "FiscalMetering"}, "variable": {"name": "Enabled"}}]}
    kind, body = guarded(V201, BROKEN[:1], station_answer, model, "2.0.1", "GetVariables", payload)
    assert kind == "result" and body["getVariableResult"][0]["attributeValue"] == "true"
