"""The RPC session of a live link, without sockets: text and time in, events and text out."""

from __future__ import annotations

import itertools
import json

import pytest

from ocppctl.core.rpc import Refused, RpcSession
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V21, V201

BOOT = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
BOOT_OK = {"currentTime": "2026-11-22T10:00:00Z", "interval": 300, "status": "Accepted"}


def _station(registry: SchemaRegistry, version=V201) -> RpcSession:  # type: ignore[no-untyped-def]
    ids = (f"id-{n}" for n in itertools.count(1))
    return RpcSession(registry, version, "station", lambda: next(ids), station="CP1")


def test_a_call_gets_an_id_and_its_result_is_matched_with_its_round_trip(registry: SchemaRegistry) -> None:
    session = _station(registry)
    sent = session.call("BootNotification", BOOT, now=10.0, timeout=30)
    assert json.loads(sent.text) == [2, "id-1", "BootNotification", BOOT]
    assert sent.findings == []
    assert session.next_deadline() == 40.0
    event = session.receive(json.dumps([3, "id-1", BOOT_OK]), now=10.25)
    assert (event.kind, event.call and event.call.action, event.rtt_ms, event.findings) == (
        "result",
        "BootNotification",
        250.0,
        [],
    )
    assert session.pending == {} and session.next_deadline() is None


def test_a_result_that_breaks_the_response_schema_comes_with_findings(registry: SchemaRegistry) -> None:
    session = _station(registry)
    session.call("BootNotification", BOOT, now=0, timeout=30, uid="b1")
    event = session.receive('[3,"b1",{"currentTime":"2026-11-22T10:00:00Z","interval":300,"status":"accepted"}]', 1)
    assert event.kind == "result"
    assert [(f.code, f.path, f.hint) for f in event.findings] == [
        ("schema", "/status", 'did you mean "Accepted"? allowed: Accepted, Pending, Rejected')
    ]
    assert (event.findings[0].line, event.findings[0].station) == (None, "CP1")


def test_a_callerror_answers_the_call(registry: SchemaRegistry) -> None:
    session = _station(registry)
    session.call("Heartbeat", {}, now=0, timeout=30, uid="h1")
    event = session.receive('[4,"h1","NotImplemented","no",{}]', 0.5)
    assert (event.kind, event.call and event.call.id, event.frame and event.frame.error_code) == (
        "error",
        "h1",
        "NotImplemented",
    )


def test_a_call_that_breaks_its_schema_is_refused_unless_asked_to_send_it(registry: SchemaRegistry) -> None:
    session = _station(registry)
    with pytest.raises(Refused) as refused:
        session.call("BootNotification", {"reason": "PowerUp"}, now=0, timeout=30)
    assert [(f.code, f.message) for f in refused.value.findings] == [
        ("schema", 'BootNotification request: required property "chargingStation" is missing')
    ]
    assert session.pending == {}
    sent = session.call("BootNotification", {"reason": "PowerUp"}, now=0, timeout=30, check=False)
    assert [f.code for f in sent.findings] == ["schema"] and "id-2" in session.pending


def test_a_payload_nested_too_deeply_is_refused_with_one_finding(registry: SchemaRegistry) -> None:
    """The fast engine will not hand back a value nested past ~250 levels: a call or an answer
    holding one is refused with a finding that says so, not an internal error."""
    deep: list[object] = []
    for _ in range(300):
        deep = [deep]
    session = _station(registry)
    with pytest.raises(Refused) as refused:
        session.call("BootNotification", {**BOOT, "x": deep}, now=0, timeout=30)
    assert [(f.code, f.message) for f in refused.value.findings] == [
        ("schema", "BootNotification request: breaks its schema, nested too deeply to say where")
    ]


def test_a_call_the_local_side_may_not_send_is_refused(registry: SchemaRegistry) -> None:
    session = _station(registry)
    with pytest.raises(Refused) as refused:
        session.call("GetVariables", {"getVariableData": []}, now=0, timeout=30)
    assert [f.code for f in refused.value.findings][0] == "direction"
    with pytest.raises(Refused) as unknown:
        session.call("StartTransaction", {}, now=0, timeout=30)
    assert unknown.value.findings[0].hint == "OCPP 2.0.1 does this with TransactionEvent"


def test_an_id_still_waiting_is_not_reused(registry: SchemaRegistry) -> None:
    session = _station(registry)
    session.call("Heartbeat", {}, now=0, timeout=30, uid="x")
    with pytest.raises(Refused) as refused:
        session.call("Heartbeat", {}, now=1, timeout=30, uid="x")
    assert refused.value.findings[0].code == "duplicate-id"


def test_the_peers_call_is_an_event_and_is_answered(registry: SchemaRegistry) -> None:
    session = _station(registry)
    event = session.receive(
        '[2,"g1","GetVariables",{"getVariableData":[{"component":{"name":"FiscalMetering"},"variable":{"name":"Enabled"}}]}]',
        now=5,
    )
    assert (event.kind, event.frame and event.frame.action, event.findings) == ("call", "GetVariables", [])
    with pytest.raises(Refused) as refused:
        session.reply("g1", {"getVariableResult": [{"attributeStatus": "accepted"}]}, now=5.1)
    assert {f.code for f in refused.value.findings} == {"schema"}
    result = {
        "getVariableResult": [
            {
                "attributeStatus": "Accepted",
                "attributeValue": "true",
                "component": {"name": "FiscalMetering"},
                "variable": {"name": "Enabled"},
            }
        ]
    }
    sent = session.reply("g1", result, now=5.2)
    assert json.loads(sent.text) == [3, "g1", result] and sent.findings == []
    assert session.incoming == {}
    with pytest.raises(Refused) as again:
        session.reply("g1", result, now=5.3)
    assert again.value.findings[0].code == "orphan-response"


def test_a_callerror_of_ours_uses_the_codes_of_the_version(registry: SchemaRegistry) -> None:
    session = _station(registry)
    session.receive('[2,"r1","Reset",{"type":"Immediate"}]', now=0)
    with pytest.raises(Refused) as refused:
        session.fail("r1", "FormationViolation", "", {}, now=0.1)
    assert refused.value.findings[0].hint == 'OCPP 2.0.1 spells it "FormatViolation"'
    sent = session.fail("r1", "NotSupported", "no reset here", None, now=0.2)
    assert json.loads(sent.text) == [4, "r1", "NotSupported", "no reset here", {}]


def test_what_the_peer_may_not_send_is_flagged(registry: SchemaRegistry) -> None:
    session = _station(registry)
    event = session.receive('[2,"b","BootNotification",' + json.dumps(BOOT) + "]", now=0)
    assert event.kind == "call" and [f.code for f in event.findings] == ["direction"]


def test_answers_to_nothing_and_text_that_is_no_frame(registry: SchemaRegistry) -> None:
    session = _station(registry)
    orphan = session.receive('[3,"nobody",{}]', now=0)
    assert (orphan.kind, [f.code for f in orphan.findings]) == ("unmatched", ["orphan-response"])
    broken = session.receive("[2,", now=0)
    assert (broken.kind, [f.code for f in broken.findings]) == ("malformed", ["json-syntax"])
    shapeless = session.receive('{"not":"a frame"}', now=0)
    assert (shapeless.kind, [f.code for f in shapeless.findings]) == ("malformed", ["frame-shape"])


def test_calls_time_out_and_a_late_answer_is_unmatched(registry: SchemaRegistry) -> None:
    session = _station(registry)
    session.call("Heartbeat", {}, now=0, timeout=5, uid="a")
    session.call("Heartbeat", {}, now=1, timeout=1, uid="b")
    assert session.next_deadline() == 2
    assert session.expire(1.5) == []
    assert [(e.kind, e.call and e.call.id) for e in session.expire(6)] == [("timeout", "b"), ("timeout", "a")]
    late = session.receive('[3,"a",{"currentTime":"2026-11-22T10:00:00Z"}]', now=7)
    assert late.kind == "unmatched"


def test_sends_of_ocpp_21_wait_for_nothing(registry: SchemaRegistry) -> None:
    session = _station(registry, V21)
    stream = {"id": 1, "pending": 0, "basetime": "2026-11-22T10:00:00Z", "data": [{"t": 0, "v": "1"}]}
    sent = session.call("NotifyPeriodicEventStream", stream, now=0, timeout=30)
    assert json.loads(sent.text)[0] == 6 and session.pending == {}
    csms = RpcSession(registry, V21, "csms", lambda: "c1")
    event = csms.receive(sent.text, now=0)
    assert (event.kind, event.findings) == ("send", [])


def test_a_binary_message_is_read_as_text_and_said_to_be_one(registry: SchemaRegistry) -> None:
    """OCPP-J frames travel as WebSocket text messages; a peer sending a binary one is told so,
    and the frame inside is still read and checked."""
    session = _station(registry)
    event = session.receive(b'[2,"t1","TriggerMessage",{"requestedMessage":"Heartbeat"}]', now=1)
    assert (event.kind, event.text) == ("call", '[2,"t1","TriggerMessage",{"requestedMessage":"Heartbeat"}]')
    assert [(f.severity, f.code, f.message) for f in event.findings] == [
        ("error", "frame-shape", "a binary WebSocket message: OCPP-J frames travel as text messages")
    ]
    bad = session.receive(b"\xff\xfe[", now=2)
    assert bad.kind == "malformed" and bad.text == "\ufffd\ufffd["
    assert [f.code for f in bad.findings] == ["frame-shape", "json-syntax"]
    assert session.receive('[2,"t2","TriggerMessage",{"requestedMessage":"Heartbeat"}]', now=3).findings == []


def test_a_relayed_call_is_matched_by_its_answer_and_checked_against_its_response_schema(
    registry: SchemaRegistry,
) -> None:
    """The proxy's half: another link's CALL written on as it came correlates as ours (no
    deadline: the caller keeps the time), and its findings were the other session's to tell."""
    session = _station(registry)
    session.relayed('[2,"c1","BootNotification",{"reason":"Nope"}]', now=5.0)  # invalid: not told here
    assert session.next_deadline() == float("inf")
    event = session.receive('[3,"c1",{"status":"Accepted"}]', now=5.5)
    assert (event.kind, event.call and event.call.action, event.rtt_ms) == ("result", "BootNotification", 500.0)
    assert [f.message for f in event.findings] == [
        'BootNotification response: required property "currentTime" is missing',
        'BootNotification response: required property "interval" is missing',
    ]
    assert session.pending == {}


def test_a_relayed_answer_closes_the_peers_call(registry: SchemaRegistry) -> None:
    session = _station(registry)
    assert session.receive('[2,"x1","GetVariables",{"getVariableData":[]}]', now=1.0).kind == "call"
    session.relayed(b'[3,"x1",{"getVariableResult":[]}]', now=1.1)
    assert session.incoming == {}
    assert session.receive('[3,"x1",{}]', now=1.2).kind == "unmatched"  # answered already
