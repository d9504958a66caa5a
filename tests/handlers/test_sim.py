"""The device model and the answers it gives: values checked against their dataType, reports by base."""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.versions import V201
from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel, follow_ups, report_items, station_answer
from ocppctl.io.schemafiles import default_registry


def model(**extra: Any) -> DeviceModel:
    return DeviceModel.from_json({**DEFAULT_MODEL, **extra})


def set_one(m: DeviceModel, component: str, variable: str, value: str, **item: Any) -> dict[str, Any]:
    data = {"component": {"name": component}, "variable": {"name": variable}, "attributeValue": value, **item}
    kind, answer = station_answer(m, "2.0.1", "SetVariables", {"setVariableData": [data]})
    assert kind == "result"
    result: dict[str, Any] = answer["setVariableResult"][0]
    return {k: v for k, v in result.items() if k not in ("component", "variable")}


@pytest.mark.parametrize(
    ("component", "variable", "value", "expected"),
    [
        (
            "FiscalMetering",
            "Enabled",
            "maybe",
            {
                "attributeStatus": "Rejected",
                "attributeStatusInfo": {
                    "reasonCode": "InvalidValue",
                    "additionalInfo": "'maybe' is not a boolean (true or false)",
                },
            },
        ),
        (
            "ChargingSoundCtrlr",
            "Volume",
            "loud",
            {
                "attributeStatus": "Rejected",
                "attributeStatusInfo": {"reasonCode": "InvalidValue", "additionalInfo": "'loud' is not an integer"},
            },
        ),
        (
            "ChargingStation",
            "Model",
            "X",
            {"attributeStatus": "Rejected", "attributeStatusInfo": {"reasonCode": "ReadOnly"}},
        ),
        ("FiscalMetering", "Enabled", "false", {"attributeStatus": "Accepted"}),
        ("Nope", "Enabled", "false", {"attributeStatus": "UnknownComponent"}),
    ],
)
def test_set_variables_checks_the_value_against_the_data_type(
    component: str, variable: str, value: str, expected: dict[str, Any]
) -> None:
    m = model()
    before = {(v.component, v.variable): v.value for v in m.variables}
    assert set_one(m, component, variable, value) == expected
    after = {(v.component, v.variable): v.value for v in m.variables}
    changed = {k: v for k, v in after.items() if before[k] != v}
    assert changed == ({(component, variable): value} if expected["attributeStatus"] == "Accepted" else {})


def test_set_variables_of_an_option_list_takes_only_its_values() -> None:
    m = model(
        variables=[
            {
                "component": "ConnectorCtrlr",
                "variable": "Type",
                "value": "CCS",
                "dataType": "OptionList",
                "valuesList": "CCS,Type2",
            }
        ]
    )
    assert set_one(m, "ConnectorCtrlr", "Type", "Type2") == {"attributeStatus": "Accepted"}
    assert set_one(m, "ConnectorCtrlr", "Type", "Schuko")["attributeStatusInfo"]["additionalInfo"] == (
        "'Schuko' is not one of CCS,Type2"
    )


def test_set_variables_of_another_attribute_type_is_not_supported() -> None:
    assert set_one(model(), "FiscalMetering", "Enabled", "false", attributeType="Target") == {
        "attributeStatus": "NotSupportedAttributeType"
    }


def test_a_sensor_value_that_does_not_fit_is_an_error() -> None:
    m = model()
    with pytest.raises(ValueError, match=r"^ChargingStation/Temperature: 'abc' is not a decimal$"):
        m.set_value("ChargingStation", "Temperature", "abc", "2026-12-04T10:00:00.000Z")
    assert m.set_value("ChargingStation", "Temperature", "61.5", "2026-12-04T10:00:00.000Z") == []
    assert m.set_value("ChargingStation", "Nope", "1", "2026-12-04T10:00:00.000Z") is None


def test_a_write_only_value_is_never_read_back() -> None:
    m = model(
        variables=[
            {
                "component": "SecurityCtrlr",
                "variable": "BasicAuthPassword",
                "value": "s3cret",
                "mutability": "WriteOnly",
            }
        ]
    )
    request = {"getVariableData": [{"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}]}
    _, answer = station_answer(m, "2.0.1", "GetVariables", request)
    assert answer["getVariableResult"][0]["attributeStatus"] == "Rejected"
    assert "attributeValue" not in answer["getVariableResult"][0]
    assert report_items(m)[0]["variableAttribute"] == [{"type": "Actual", "mutability": "WriteOnly"}]


def test_configuration_inventory_holds_only_what_can_be_set() -> None:
    names = [(i["component"]["name"], i["variable"]["name"]) for i in report_items(model(), "ConfigurationInventory")]
    assert names == [
        ("OCPPCommCtrlr", "HeartbeatInterval"),
        ("FiscalMetering", "Enabled"),
        ("ChargingSoundCtrlr", "Enabled"),
        ("ChargingSoundCtrlr", "Volume"),
        ("CustomizationCtrlr", "Enabled"),
    ]
    assert len(report_items(model(), "FullInventory")) == len(DEFAULT_MODEL["variables"])


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("HeartbeatInterval", "abc", "Rejected"),
        ("HeartbeatInterval", "60", "Accepted"),
        ("ChargePointModel", "X", "Rejected"),
        ("Nope", "1", "NotSupported"),
    ],
)
def test_change_configuration_checks_the_value(key: str, value: str, status: str) -> None:
    m = model()
    assert station_answer(m, "1.6", "ChangeConfiguration", {"key": key, "value": value}) == (
        "result",
        {"status": status},
    )


def test_get_configuration_reports_keys_as_the_schema_has_them() -> None:
    """The model's dataType stays in the model: GetConfigurationResponse allows key, readonly, value."""
    _, answer = station_answer(model(), "1.6", "GetConfiguration", {"key": ["HeartbeatInterval"]})
    assert answer == {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]}


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"evses": [{"connectors": 0}]}, 'evses[0] is an object whose "connectors" is a positive integer'),
        ({"evses": [1]}, 'evses[0] is an object whose "connectors" is a positive integer'),
        ({"evses": {"connectors": 1}}, '"evses" must be a JSON array [...], not {"connectors":1}'),
        ({"evses": []}, '"evses" lists at least one EVSE: {"connectors": 1}'),
        (
            {"variables": [{"component": "A", "variable": "B", "dataType": "integer", "value": "ten"}]},
            "variables[0] (A/B): 'ten' is not an integer",
        ),
        (
            {"variables": [{"component": "A", "variable": "B", "dataType": "float"}]},
            "variables[0] has dataType 'float', not one of MemberList, OptionList, SequenceList, boolean, "
            "dateTime, decimal, integer, string",
        ),
    ],
)
def test_a_model_of_another_shape_says_which_part(data: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError) as caught:
        DeviceModel.from_json(data)
    assert str(caught.value) == why


def test_the_model_gives_its_evses_connectors() -> None:
    assert DeviceModel.from_json({}).evses == [1]
    assert DeviceModel.from_json({"evses": [{"connectors": 2}, {}]}).evses == [2, 1]


def test_a_model_changes_only_itself() -> None:
    """ChangeConfiguration on one model changed DEFAULT_MODEL's entries, so every later model."""
    first = model()
    assert station_answer(first, "1.6", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"})[1] == {
        "status": "Accepted"
    }
    _, answer = station_answer(model(), "1.6", "GetConfiguration", {"key": ["HeartbeatInterval"]})
    assert answer["configurationKey"][0]["value"] == "300"


def test_the_follow_ups_of_a_configuration_inventory_hold_only_what_can_be_set() -> None:
    """The REPL's station reported every variable whatever reportBase asked for."""
    request = {"requestId": 1, "reportBase": "ConfigurationInventory"}
    parts = follow_ups(model(), default_registry(), V201, "GetBaseReport", request, "2026-12-04T10:00:00.000Z")
    mutabilities = {item["variableAttribute"][0]["mutability"] for _, part in parts for item in part["reportData"]}
    assert (len(parts), mutabilities) == (2, {"ReadWrite"})


def test_items_per_message_is_enforced_for_get_and_set_variables() -> None:
    """B05.FR.11/B06.FR.11: more items than DeviceDataCtrlr ItemsPerMessage is a CALLERROR."""
    limited = {"component": "DeviceDataCtrlr", "variable": "ItemsPerMessage", "value": "1", "mutability": "ReadOnly"}
    model = DeviceModel.from_json({**DEFAULT_MODEL, "variables": [*DEFAULT_MODEL["variables"], limited]})
    item = {"component": {"name": "ChargingSoundCtrlr"}, "variable": {"name": "Volume"}}
    refused = ("error", ("OccurrenceConstraintViolation", "at most 1 items a message (ItemsPerMessage)"))
    assert station_answer(model, "2.0.1", "GetVariables", {"getVariableData": [item, item]}) == refused
    assert (
        station_answer(model, "2.0.1", "SetVariables", {"setVariableData": [{**item, "attributeValue": "2"}] * 2})
        == refused
    )
    one = station_answer(model, "2.0.1", "GetVariables", {"getVariableData": [item]})
    assert one[1]["getVariableResult"][0]["attributeValue"] == "5"
