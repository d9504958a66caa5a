"""The CALLERROR a peer answers an unusable message with, per version (OCPP-J 4.2.3)."""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.findings import ERROR, WARNING, Finding
from ocppctl.core.rpc import RpcSession
from ocppctl.core.rpcerrors import RpcError, call_error, code_for_keyword, malformed_error
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import VERSIONS

V16, V201, V21 = VERSIONS["1.6"], VERSIONS["2.0.1"], VERSIONS["2.1"]


@pytest.mark.parametrize(
    ("keyword", "v16", "v2x"),
    [
        ("type", "TypeConstraintViolation", "TypeConstraintViolation"),
        ("required", "OccurenceConstraintViolation", "OccurrenceConstraintViolation"),
        ("maxItems", "OccurenceConstraintViolation", "OccurrenceConstraintViolation"),
        ("additionalProperties", "FormationViolation", "FormatViolation"),
        ("enum", "PropertyConstraintViolation", "PropertyConstraintViolation"),
        ("maxLength", "PropertyConstraintViolation", "PropertyConstraintViolation"),
        ("format", "PropertyConstraintViolation", "PropertyConstraintViolation"),
    ],
)
def test_each_broken_keyword_has_its_code_in_each_spelling(keyword: str, v16: str, v2x: str) -> None:
    assert code_for_keyword(V16, keyword) == v16
    assert code_for_keyword(V201, keyword) == code_for_keyword(V21, keyword) == v2x
    assert v16 in V16.error_codes and v2x in V201.error_codes and v2x in V21.error_codes


def _received(registry: SchemaRegistry, version: Any, text: str) -> tuple[Any, list[Finding]]:
    event = RpcSession(registry, version, "csms", lambda: "x", station="CP1").receive(text, 0.0)
    return event.frame, event.findings


def test_the_structural_fault_is_named_before_the_value_faults(registry: SchemaRegistry) -> None:
    """An extra property and a bad enum in one payload: the structure is the first thing wrong."""
    text = '[2,"a","BootNotification",{"reason":"Sometime","chargingStation":{"model":"M","vendorName":"V"},"x":1}]'
    frame, findings = _received(registry, V201, text)
    error = call_error(registry, V201, frame, findings)
    assert error is not None and (error.id, error.code) == ("a", "FormatViolation")


def test_a_warning_is_no_reason_to_refuse(registry: SchemaRegistry) -> None:
    frame, _ = _received(registry, V201, '[2,"a","Heartbeat",{}]')
    assert call_error(registry, V201, frame, [Finding(WARNING, "vendor-id", "not reverse DNS")]) is None
    assert call_error(registry, V201, frame, []) is None


def test_a_description_fits_the_255_characters_of_2x(registry: SchemaRegistry) -> None:
    frame, _ = _received(registry, V201, '[2,"a","Heartbeat",{}]')
    long = Finding(ERROR, "direction", "x" * 400)
    error = call_error(registry, V201, frame, [long])
    assert error is not None and error.code == "NotSupported" and len(error.description) == 255


@pytest.mark.parametrize(
    ("value", "v16", "v2x"),
    [
        (None, None, RpcError("-1", "RpcFrameworkError", "broken")),  # not JSON: no id to answer
        ({"a": 1}, None, RpcError("-1", "RpcFrameworkError", "broken")),
        (
            [2, "a", "Heartbeat"],
            RpcError("a", "FormationViolation", "broken"),
            RpcError("a", "FormatViolation", "broken"),
        ),
        ([2, 7, "Heartbeat", {}], None, RpcError("-1", "RpcFrameworkError", "broken")),
        ([9, "a", "Heartbeat", {}], None, RpcError("a", "MessageTypeNotSupported", "message type 9 is not supported")),
        ([3, "a"], None, None),  # a malformed answer is never answered
        ([4, "a", "GenericError"], None, None),
    ],
)
def test_a_malformed_message_is_answered_only_where_it_can_be(value: Any, v16: Any, v2x: Any) -> None:
    findings = [Finding(ERROR, "frame-shape", "broken")]
    assert malformed_error(V16, value, findings) == v16
    assert malformed_error(V201, value, findings) == v2x
