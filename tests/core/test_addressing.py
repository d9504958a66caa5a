"""Device-model addresses to and from their OCPP 2.0.1 JSON, and errors at the bad character."""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.addressing import AddressError, from_json, parse, parse_assignment, parse_selector


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("FiscalMetering/Enabled", {"component": {"name": "FiscalMetering"}, "variable": {"name": "Enabled"}}),
        (
            "FiscalMetering@1/Certificate",
            {"component": {"name": "FiscalMetering", "evse": {"id": 1}}, "variable": {"name": "Certificate"}},
        ),
        (
            "Connector@1.2/AvailabilityState",
            {
                "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 2}},
                "variable": {"name": "AvailabilityState"},
            },
        ),
        (
            "CustomizationCtrlr[com.vendor.x]/Enabled",
            {"component": {"name": "CustomizationCtrlr", "instance": "com.vendor.x"}, "variable": {"name": "Enabled"}},
        ),
        (
            "SampledDataCtrlr/TxUpdatedInterval:Target",
            {
                "component": {"name": "SampledDataCtrlr"},
                "variable": {"name": "TxUpdatedInterval"},
                "attributeType": "Target",
            },
        ),
        (
            "DeviceDataCtrlr/ItemsPerMessage[GetVariables]",
            {
                "component": {"name": "DeviceDataCtrlr"},
                "variable": {"name": "ItemsPerMessage", "instance": "GetVariables"},
            },
        ),
        (
            "EVSE[a=b]@2/Power[x]:MaxSet",
            {
                "component": {"name": "EVSE", "instance": "a=b", "evse": {"id": 2}},
                "variable": {"name": "Power", "instance": "x"},
                "attributeType": "MaxSet",
            },
        ),
    ],
)
def test_an_address_becomes_its_json_and_back(text: str, item: dict[str, Any]) -> None:
    address = parse(text)
    assert address.get_item() == item
    assert str(address) == text
    assert from_json(item["component"], item["variable"], item.get("attributeType")) == address


@pytest.mark.parametrize(
    ("text", "column", "why"),
    [
        ("", 1, "expected a component name"),
        ("FiscalMetering", 15, "'/VARIABLE' is missing"),
        ("FiscalMetering/", 16, "expected a variable name"),
        ("Fiscal Metering/Enabled", 7, "expected '/' before the variable name"),
        ("/Enabled", 1, "expected a component name, not '/'"),
        ("EVSE@/Power", 6, "expected an EVSE id (a number), not '/'"),
        ("EVSE@1./Power", 8, "expected a connector id (a number), not '/'"),
        ("EVSE@x/Power", 6, "expected an EVSE id (a number), not 'x'"),
        ("Ctrlr[abc/Enabled", 18, "the instance has no closing ']'"),
        ("Ctrlr[]/Enabled", 7, "an instance is not empty (leave out the brackets)"),
        ("A/B:Current", 5, "the attribute is one of Actual, Target, MinSet, MaxSet, not 'Current'"),
        ("A/B[x]y", 7, "unexpected 'y'"),
        ("A/B/C", 4, "unexpected '/'"),
        ("A" * 51 + "/B", 51, "a component name is at most 50 characters"),
        ("A/B[" + "x" * 51 + "]", 55, "an instance is at most 50 characters"),
    ],
)
def test_a_bad_address_says_where(text: str, column: int, why: str) -> None:
    with pytest.raises(AddressError) as caught:
        parse(text)
    assert (caught.value.column, caught.value.why) == (column, why)
    assert str(caught.value).startswith(f"{text!r} at column {column}: {why} (")


@pytest.mark.parametrize(
    ("text", "address", "value"),
    [
        ("OCPPCommCtrlr/HeartbeatInterval=60", "OCPPCommCtrlr/HeartbeatInterval", "60"),
        ("A/B=", "A/B", ""),
        ("A/B=x=y", "A/B", "x=y"),
        ("A[k=v]/B[i=j]:Target=1", "A[k=v]/B[i=j]:Target", "1"),
    ],
)
def test_an_assignment_splits_at_the_first_equals_outside_brackets(text: str, address: str, value: str) -> None:
    parsed, got = parse_assignment(text)
    assert (str(parsed), got) == (address, value)


def test_an_assignment_without_a_value_points_past_the_end() -> None:
    with pytest.raises(AddressError) as caught:
        parse_assignment("A/B")
    assert (caught.value.column, caught.value.why) == (4, "expected ADDRESS=VALUE")


def test_a_result_with_no_evse_id_reads_as_no_evse() -> None:
    assert str(from_json({"name": "X", "evse": {}}, {"name": "Y"})) == "X/Y"


@pytest.mark.parametrize(
    ("text", "selector"),
    [
        ("EVSE@1", {"component": {"name": "EVSE", "evse": {"id": 1}}}),
        ("CustomizationCtrlr[a/b]", {"component": {"name": "CustomizationCtrlr", "instance": "a/b"}}),
        (
            "SampledDataCtrlr/TxUpdatedInterval",
            {"component": {"name": "SampledDataCtrlr"}, "variable": {"name": "TxUpdatedInterval"}},
        ),
    ],
)
def test_a_report_selector_names_a_component_or_a_variable(text: str, selector: dict[str, Any]) -> None:
    assert parse_selector(text) == selector


@pytest.mark.parametrize(
    ("text", "column", "why"),
    [
        ("", 1, "expected a component name"),
        ("EVSE@", 6, "expected an EVSE id (a number)"),
        ("A/B:Target", 4, "a report selects no attribute"),
    ],
)
def test_a_bad_selector_says_where(text: str, column: int, why: str) -> None:
    with pytest.raises(AddressError) as caught:
        parse_selector(text)
    assert (caught.value.text, caught.value.column, caught.value.why) == (text, column, why)
