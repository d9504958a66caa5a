"""OCPP 1.6 configuration keys: rows of a GetConfiguration answer, limits, statuses explained."""

from __future__ import annotations

import pytest

from ocppctl.core.configuration import KeyRow, explain_change, key_rows, value_problem


def test_known_keys_then_unknown_ones() -> None:
    answer = {
        "configurationKey": [{"key": "A", "readonly": True, "value": "1"}, {"key": "B", "readonly": False}],
        "unknownKey": ["C"],
    }
    assert key_rows(answer) == [KeyRow("A", True, True, "1"), KeyRow("B", True, False, None), KeyRow("C", False)]
    assert [row.access() for row in key_rows(answer)] == ["read-only", "read-write", "unknown key"]
    assert key_rows({}) == [] and key_rows(None) == []


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("K", "x" * 500, None),
        ("K", "x" * 501, "the value is 501 characters: OCPP 1.6 allows 500 (ChangeConfiguration)"),
        ("K" * 51, "", "the key is 51 characters: OCPP 1.6 allows 50"),
    ],
)
def test_limits_checked_before_sending(key: str, value: str, problem: str | None) -> None:
    assert value_problem(key, value) == problem


@pytest.mark.parametrize(
    ("status", "readonly", "meaning"),
    [
        ("Accepted", None, "set, and in effect"),
        ("RebootRequired", None, "set; in effect after the station reboots (Reset)"),
        ("NotSupported", None, "the station has no such key it lets you set"),
        ("Rejected", None, "refused: the key is read-only or the value is not one it takes"),
        ("Rejected", True, "refused: the key is read-only"),
        ("Rejected", False, "refused: the key is read-write, the value is not one it takes"),
        ("Maybe", None, "a status OCPP 1.6 does not define"),
    ],
)
def test_statuses_explained(status: str, readonly: bool | None, meaning: str) -> None:
    assert explain_change(status, readonly) == meaning
