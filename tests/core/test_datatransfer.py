"""DataTransfer data as each version carries it, and an answer's data decoded."""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.datatransfer import decoded, explain, request


@pytest.mark.parametrize(
    ("version", "data", "given", "expected"),
    [
        ("1.6", {"a": 1}, True, {"vendorId": "v", "data": '{"a":1}'}),
        ("1.6", "text", True, {"vendorId": "v", "data": "text"}),
        ("1.6", 5, True, {"vendorId": "v", "data": "5"}),
        ("2.0.1", {"a": 1}, True, {"vendorId": "v", "data": {"a": 1}}),
        ("2.1", None, True, {"vendorId": "v", "data": None}),
        ("2.0.1", None, False, {"vendorId": "v"}),
    ],
)
def test_the_data_each_version_carries(version: str, data: Any, given: bool, expected: dict[str, Any]) -> None:
    assert request(version, "v", None, data, given) == expected


def test_the_message_id_when_given() -> None:
    assert request("2.0.1", "v", "m", None, False) == {"vendorId": "v", "messageId": "m"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('{"a": [1]}', (True, {"a": [1]})),
        (" [1]", (True, [1])),
        ("{not json", (False, None)),
        ("5", (False, None)),  # a number in a string stays a string
        ({"a": 1}, (False, None)),  # 2.x data is already JSON
        (None, (False, None)),
    ],
)
def test_data_holding_json_is_decoded(data: Any, expected: tuple[bool, Any]) -> None:
    assert decoded(data) == expected


def test_statuses_explained() -> None:
    assert explain("UnknownVendorId") == "the peer has no implementation for this vendorId (P01.FR.05)"
    assert explain("UnknownMessageId") == "the peer knows the vendorId, not this messageId (P01.FR.06)"
    assert explain("Odd") == "a status OCPP does not define"
