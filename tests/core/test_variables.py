"""Batches a station takes, its limits, result rows and --from-file items."""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.addressing import parse
from ocppctl.core.variables import (
    ItemsError,
    Limits,
    batches,
    frame_size,
    limits_from,
    read_items,
    rows_of,
    smaller,
)

ITEMS = [parse(f"C{n}/V").get_item() for n in range(5)]


@pytest.mark.parametrize(
    ("limits", "sizes"),
    [
        (Limits(), [5]),
        (Limits(items=4), [4, 1]),
        (Limits(items=2), [2, 2, 1]),
        (Limits(items=1), [1, 1, 1, 1, 1]),
        (Limits(bytes=frame_size("GetVariables", ITEMS[:3])), [3, 2]),
        (Limits(items=2, bytes=frame_size("GetVariables", ITEMS[:3])), [2, 2, 1]),
        (Limits(bytes=10), [1, 1, 1, 1, 1]),  # each too big alone: sent alone, the station says
    ],
)
def test_batches_keep_order_within_the_limits(limits: Limits, sizes: list[int]) -> None:
    split = batches("GetVariables", ITEMS, limits)
    assert [len(b) for b in split] == sizes
    assert [item for b in split for item in b] == ITEMS


def test_frame_size_counts_utf8_bytes_of_the_call() -> None:
    one = frame_size("SetVariables", [parse("A/B").set_item("é")])
    assert one == len(
        '[2,"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","SetVariables",{"setVariableData":[{"component":{"name":"A"},'
        '"variable":{"name":"B"},"attributeValue":"é"}]}]'.encode()
    )


def test_the_limits_a_station_reports() -> None:
    answer = {
        "getVariableResult": [
            {
                "attributeStatus": "Accepted",
                "attributeValue": "4",
                "component": {},
                "variable": {"name": "ItemsPerMessage"},
            },
            {
                "attributeStatus": "Accepted",
                "attributeValue": "x",
                "component": {},
                "variable": {"name": "BytesPerMessage"},
            },
        ]
    }
    assert limits_from(answer) == Limits(items=4)
    unknown = {
        "getVariableResult": [
            {"attributeStatus": "UnknownVariable", "component": {}, "variable": {"name": "ItemsPerMessage"}}
        ]
    }
    assert limits_from(unknown) == Limits()
    assert smaller(Limits(None, 900), 5) == Limits(2, 900)
    assert smaller(Limits(), 1) == Limits(1)


def test_rows_take_the_asked_attribute_when_the_result_leaves_it_out() -> None:
    asked = [parse("A/B:Target").get_item(), parse("A/C").get_item()]
    answer = {
        "getVariableResult": [
            {"attributeStatus": "NotSupportedAttributeType", "component": {"name": "A"}, "variable": {"name": "B"}},
            {
                "attributeStatus": "Rejected",
                "component": {"name": "A"},
                "variable": {"name": "C"},
                "attributeStatusInfo": {"reasonCode": "ReadOnly", "additionalInfo": "no"},
            },
        ]
    }
    rows = rows_of("GetVariables", answer, asked)
    assert [row.as_dict() for row in rows] == [
        {
            "address": "A/B:Target",
            "component": {"name": "A"},
            "variable": {"name": "B"},
            "attributeType": "Target",
            "status": "NotSupportedAttributeType",
            "value": None,
            "reason": None,
            "additionalInfo": None,
        },
        {
            "address": "A/C",
            "component": {"name": "A"},
            "variable": {"name": "C"},
            "attributeType": "Actual",
            "status": "Rejected",
            "value": None,
            "reason": "ReadOnly",
            "additionalInfo": "no",
        },
    ]


@pytest.mark.parametrize(
    ("text", "assign", "expected"),
    [
        ("# a comment\nA/B=1\n\n  C[i]/D:Target=x y \n", True, [("A/B", "1"), ("C[i]/D:Target", "x y")]),
        ("\ufeffA/B\r\nC/D\r\n", False, [("A/B", None), ("C/D", None)]),
        ('{"A/B": "1", "C/D": 2, "E/F": true}', True, [("A/B", "1"), ("C/D", "2"), ("E/F", "true")]),
        ('["A/B=1"]', True, [("A/B", "1")]),
        ('["A/B", "C/D"]', False, [("A/B", None), ("C/D", None)]),
    ],
)
def test_items_from_a_file(text: str, assign: bool, expected: list[tuple[str, Any]]) -> None:
    got = [(str(address), value) for address, value in read_items(text, assign)]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "assign", "why"),
    [
        ("A/B=1\nA/B\n", True, "line 2: 'A/B' at column 4: expected ADDRESS=VALUE"),
        ("A/B\nA B/C\n", False, "line 2: 'A B/C' at column 2: expected '/' before the variable name"),
        ("[1]", False, "the JSON is an array of ADDR strings"),
        ('{"A/B": 1}', False, "the JSON is an array of ADDR strings"),
        ("[1", True, "not JSON: "),
    ],
)
def test_bad_items_in_a_file_say_where(text: str, assign: bool, why: str) -> None:
    with pytest.raises(ItemsError) as caught:
        read_items(text, assign)
    assert str(caught.value).startswith(why)
