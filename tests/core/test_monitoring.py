"""Monitors, pure: the item a command line makes and a report gathered from its parts."""

from __future__ import annotations

import pytest

from ocppctl.core.addressing import parse
from ocppctl.core.monitoring import assemble, event_rows, monitor_item

WHERE = {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}


def _part(seq: int, tbc: bool, monitor_id: int, request_id: int = 5) -> dict[str, object]:
    monitoring = [{"id": monitor_id, "transaction": False, "value": 7.5, "type": "Delta", "severity": 2}]
    return {"requestId": request_id, "seqNo": seq, "tbc": tbc, "monitor": [{**WHERE, "variableMonitoring": monitoring}]}


def test_monitor_item_writes_whole_numbers_as_integers_and_the_id_when_given() -> None:
    assert monitor_item(parse("EVSE@1/Power"), "UpperThreshold", 60.0, 4, 3) == {
        "value": 60,
        "type": "UpperThreshold",
        "severity": 4,
        **WHERE,
        "id": 3,
    }
    assert monitor_item(parse("EVSE@1/Power"), "Delta", 0.5, 4, None)["value"] == 0.5
    with pytest.raises(ValueError, match="drop :MaxSet"):
        monitor_item(parse("EVSE@1/Power:MaxSet"), "Delta", 1, 4, None)


def test_assemble_orders_parts_by_seq_no_and_says_what_is_wrong() -> None:
    report = assemble([_part(1, False, 2), _part(0, True, 1), _part(0, True, 9), _part(0, True, 3, 6)], 5)
    assert [m["id"] for m in report.monitors] == [1, 2]
    assert report.monitors[0] == {
        "id": 1,
        "component": "EVSE@1",
        "variable": "Power",
        "type": "Delta",
        "value": 7.5,
        "severity": 2,
    }
    assert report.problems == ["seqNo 0 came twice: the second left out", "a part of requestId 6, not 5: left out"]
    assert assemble([_part(2, True, 1)], 5).problems == [
        "seqNo 0, 1 never came",
        "the last part (seqNo 2) says more are to come (tbc)",
    ]


def test_event_rows_say_which_monitor_fired() -> None:
    event = {"eventId": 1, "timestamp": "T", "trigger": "Alerting", "actualValue": "61", **WHERE}
    payload = {"eventData": [{**event, "eventNotificationType": "CustomMonitor", "variableMonitoringId": 4}]}
    assert event_rows(payload) == [
        {
            "time": "T",
            "monitor": 4,
            "component": "EVSE@1",
            "variable": "Power",
            "trigger": "Alerting",
            "actual": "61",
            "type": "CustomMonitor",
        }
    ]
