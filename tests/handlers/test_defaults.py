"""The CSMS's default answers (handlers/defaults.py)."""

from __future__ import annotations

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import VERSIONS
from ocppctl.handlers.defaults import CsmsState, csms_answer

NOW = "2026-12-04T10:00:00Z"


def test_a_transaction_event_with_an_id_token_gets_id_token_info(registry: SchemaRegistry) -> None:
    """TransactionEventResponse.idTokenInfo is required when the request holds an idToken."""
    version = VERSIONS["2.0.1"]
    with_token = {"idToken": {"idToken": "T1", "type": "ISO14443"}, "eventType": "Started"}
    assert csms_answer(registry, version, "TransactionEvent", with_token, NOW, CsmsState()) == (
        "result",
        {"idTokenInfo": {"status": "Accepted"}},
    )
    assert csms_answer(registry, version, "TransactionEvent", {"eventType": "Updated"}, NOW, CsmsState()) == (
        "result",
        {},
    )
