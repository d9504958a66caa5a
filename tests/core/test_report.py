"""NotifyReport parts put together, problems said, items as rows and as a model file."""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.report import assemble, item_row, to_model


def _part(seq: int, tbc: bool, *names: str, request: int = 7) -> dict[str, Any]:
    data = [{"component": {"name": n}, "variable": {"name": "V"}, "variableAttribute": [{"value": "1"}]} for n in names]
    return {
        "requestId": request,
        "seqNo": seq,
        "tbc": tbc,
        "generatedAt": "x",
        **({"reportData": data} if data else {}),
    }


@pytest.mark.parametrize(
    ("parts", "components", "problems"),
    [
        ([_part(1, False, "B"), _part(0, True, "A")], ["A", "B"], []),
        ([_part(0, True, "A"), _part(2, False, "C")], ["A", "C"], ["seqNo 1 never came"]),
        ([_part(0, True, "A"), _part(0, True, "X"), _part(1, False)], ["A"], ["seqNo 0 came twice: the first kept"]),
        (
            [_part(0, True, "A"), _part(1, True, "B")],
            ["A", "B"],
            ["the last part (seqNo 1) says more follow (tbc), and none came"],
        ),
        ([_part(0, False, "Z", request=8), _part(0, False, "A")], ["A"], ["a part of request 8 (not 7) left out"]),
        ([], [], ["no part came"]),
    ],
)
def test_parts_assembled_by_seq_no(parts: list[Any], components: list[str], problems: list[str]) -> None:
    report = assemble(parts, 7)
    assert [item["component"]["name"] for item in report.items] == components
    assert report.problems == problems


ITEM = {
    "component": {"name": "EVSE", "evse": {"id": 1}},
    "variable": {"name": "Power", "instance": "max"},
    "variableAttribute": [
        {"type": "Actual", "value": "22000", "mutability": "ReadOnly", "persistent": True},
        {"type": "Target", "mutability": "WriteOnly", "constant": True},
    ],
    "variableCharacteristics": {"dataType": "decimal", "unit": "W", "minLimit": 0, "maxLimit": 22000},
}


def test_an_item_as_a_row() -> None:
    assert item_row(ITEM) == (
        "EVSE@1",
        "Power[max]",
        "Actual=22000 RO persistent, Target WO constant",
        "decimal",
        "W",
        "0..22000",
        "",
    )


def test_items_as_the_model_sim_station_loads() -> None:
    assert to_model([ITEM]) == {
        "variables": [
            {
                "component": "EVSE",
                "variable": "Power",
                "evse": {"id": 1},
                "variableInstance": "max",
                "value": "22000",
                "mutability": "ReadOnly",
                "dataType": "decimal",
            }
        ]
    }


def test_a_model_read_back_compares_equal_to_its_report() -> None:
    from ocppctl.core.report import diff, from_model

    saved = to_model([ITEM])
    assert from_model(saved)[0]["component"] == ITEM["component"]
    assert diff([ITEM], from_model(saved)) == [("-", "EVSE@1/Power[max]:Target", "(no value) WriteOnly decimal", None)]


def test_what_changed_between_two_reports() -> None:
    from ocppctl.core.report import diff

    def item(name: str, value: str, mutability: str = "ReadWrite") -> dict[str, Any]:
        attribute = {"type": "Actual", "value": value, "mutability": mutability}
        return {"component": {"name": name}, "variable": {"name": "V"}, "variableAttribute": [attribute]}

    before = [item("A", "1"), item("B", "1"), item("C", "1")]
    after = [item("B", "2"), item("C", "1", "ReadOnly"), item("D", "1")]
    assert diff(before, after) == [
        ("-", "A/V:Actual", "'1' ReadWrite string", None),
        ("~", "B/V:Actual", "'1' ReadWrite string", "'2' ReadWrite string"),
        ("~", "C/V:Actual", "'1' ReadWrite string", "'1' ReadOnly string"),
        ("+", "D/V:Actual", None, "'1' ReadWrite string"),
    ]
    assert diff(before, before) == []
