"""The checks' judges over hand-made frames (core/conformance*.py): pass, fail with why,
skipped; no sockets."""

from __future__ import annotations

from typing import Any

from ocppctl.core.conformance import SKIPPED, Outcome, Run, Seen, judge, seconds_apart
from ocppctl.core.conformance_csms import csms_checks
from ocppctl.core.conformance_station import BootAnswers, boot_checks, station_checks
from ocppctl.core.findings import Finding
from ocppctl.core.frames import CALL, CALLERROR, CALLRESULT, Frame

NOW = "2026-12-04T10:00:00Z"


def call(side: str, uid: str, action: str, payload: Any) -> Seen:
    return Seen(side, Frame(CALL, uid, action, payload))


def result(side: str, uid: str, action: str, payload: Any, *findings: Finding) -> Seen:
    return Seen(side, Frame(CALLRESULT, uid, None, payload), findings, answers=action)


def error(side: str, uid: str, action: str, code: str) -> Seen:
    return Seen(side, Frame(CALLERROR, uid, None, None, code, "no"), answers=action)


def check_of(checks: Any, name: str) -> Any:
    return next(c for c in checks if c.id == name)


def run(*frames: Seen) -> Run:
    return Run(tuple(frames), NOW, 60.0)


DATA = check_of(station_checks("2.0.1"), "data-transfer-unknown-vendor")


def test_unknown_vendor_passes_and_any_other_status_fails() -> None:
    asked = call("csms", "1", "DataTransfer", {"vendorId": "x"})
    assert (
        judge(DATA, run(asked, result("station", "1", "DataTransfer", {"status": "UnknownVendorId"}))).status == "pass"
    )
    assert judge(DATA, run(asked, result("station", "1", "DataTransfer", {"status": "Rejected"}))) == Outcome(
        "fail", "DataTransfer for an unknown vendorId: status Rejected, not UnknownVendorId"
    )


def test_not_implemented_and_not_supported_are_skipped() -> None:
    asked = call("csms", "1", "DataTransfer", {"vendorId": "x"})
    assert judge(DATA, run(asked, error("station", "1", "DataTransfer", "NotImplemented"))) == Outcome(
        SKIPPED, "DataTransfer: the station answered NotImplemented"
    )
    report = check_of(station_checks("2.0.1"), "get-base-report-full-inventory")
    asked = call("csms", "2", "GetBaseReport", {"requestId": 100, "reportBase": "FullInventory"})
    assert judge(report, run(asked, result("station", "2", "GetBaseReport", {"status": "NotSupported"}))) == Outcome(
        SKIPPED, "GetBaseReport: the station answered status NotSupported"
    )


def test_another_callerror_no_answer_and_a_schema_error_fail() -> None:
    asked = call("csms", "1", "DataTransfer", {"vendorId": "x"})
    assert judge(DATA, run(asked, error("station", "1", "DataTransfer", "InternalError"))) == Outcome(
        "fail", "DataTransfer: CALLERROR InternalError no"
    )
    assert judge(DATA, run(asked)) == Outcome("fail", "no answer to DataTransfer")
    bad = Finding("error", "schema", "DataTransfer response: 'status' is a required property", path="")
    assert judge(DATA, run(asked, result("station", "1", "DataTransfer", {}, bad))) == Outcome(
        "fail", "DataTransfer: DataTransfer response: 'status' is a required property"
    )


def test_notify_report_parts_must_count_from_zero_and_end() -> None:
    report = check_of(station_checks("2.0.1"), "get-base-report-full-inventory")
    item = {"component": {"name": "C"}, "variable": {"name": "V"}, "variableAttribute": [{"value": "1"}]}

    def part(uid: str, seq: int, tbc: bool) -> Seen:
        payload = {"requestId": 100, "generatedAt": NOW, "seqNo": seq, "tbc": tbc, "reportData": [item]}
        return call("station", uid, "NotifyReport", payload)

    asked = call("csms", "1", "GetBaseReport", {"requestId": 100, "reportBase": "FullInventory"})
    accepted = result("station", "1", "GetBaseReport", {"status": "Accepted"})
    assert judge(report, run(asked, accepted, part("a", 0, True), part("b", 1, False))).status == "pass"
    assert judge(report, run(asked, accepted, part("a", 1, False))) == Outcome(
        "fail", "NotifyReport seqNo [1], not 0, 1, ... in order"
    )
    assert judge(report, run(asked, accepted, part("a", 0, True))) == Outcome(
        "fail", "the last NotifyReport (seqNo 0) says tbc: more to come"
    )


def test_after_a_pending_boot_the_station_boots_again_before_anything_else() -> None:
    pending = boot_checks(["Pending"], "2.0.1")[0]
    boot = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    first = (
        call("station", "1", "BootNotification", boot),
        result("csms", "1", "BootNotification", {"status": "Pending"}),
    )
    again = call("station", "3", "BootNotification", boot)
    status = call("station", "2", "StatusNotification", {})
    assert judge(pending, run(*first, again)).status == "pass"
    assert judge(pending, run(*first, status, again)) == Outcome(
        "fail", "after a boot answered Pending, the station sent StatusNotification before booting again"
    )


def test_boot_answers_give_the_first_statuses_then_accepted() -> None:
    answers = BootAnswers(["Rejected", "Pending"], 2)
    assert [answers.next(300) for _ in range(3)] == [("Rejected", 2), ("Pending", 2), ("Accepted", 300)]


def test_a_csms_clock_needs_an_offset_and_to_be_near_ours() -> None:
    beat = check_of(csms_checks("2.0.1", "T", None, 1), "heartbeat")
    asked = call("station", "1", "Heartbeat", {})
    assert (
        judge(beat, run(asked, result("csms", "1", "Heartbeat", {"currentTime": "2026-12-04T10:00:30Z"}))).status
        == "pass"
    )
    assert judge(beat, run(asked, result("csms", "1", "Heartbeat", {"currentTime": "2026-12-04T10:00:30"}))) == Outcome(
        "fail", "Heartbeat: currentTime '2026-12-04T10:00:30' has no offset (Z or ±hh:mm)"
    )
    assert judge(
        beat, run(asked, result("csms", "1", "Heartbeat", {"currentTime": "2026-12-04T12:00:00+01:00"}))
    ) == Outcome("fail", "Heartbeat: currentTime 2026-12-04T12:00:00+01:00 is 3600 s from ours (skew 60 s)")
    assert seconds_apart("not a time", NOW) is None


def test_a_16_transaction_id_must_be_given() -> None:
    tx = check_of(csms_checks("1.6", "T", None, 1), "transaction")
    start = call(
        "station", "1", "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": NOW}
    )
    answer = result("csms", "1", "StartTransaction", {"idTagInfo": {"status": "Accepted"}})
    assert judge(tx, run(start, answer)) == Outcome("fail", "StartTransaction: no transactionId")


def test_a_21_station_gets_the_201_checks_labelled_21() -> None:
    checks = station_checks("2.1", ["Pending"])
    assert [c.id for c in checks] == ["boot-pending", *(c.id for c in station_checks("2.0.1"))]
    assert {c.version for c in checks} == {"2.1"}


def test_a_profile_the_station_lacks_is_skipped_when_it_says_not_supported() -> None:
    from ocppctl.core.conformance_profiles16 import profile_checks

    (local,) = profile_checks(["LocalAuthListManagement"])
    frames = (
        call("csms", "1", "GetLocalListVersion", {}),
        result("station", "1", "GetLocalListVersion", {"listVersion": 0}),
        call("csms", "2", "SendLocalList", {"listVersion": 1, "updateType": "Full"}),
        result("station", "2", "SendLocalList", {"status": "NotSupported"}),
    )
    assert judge(local, run(*frames)) == Outcome(SKIPPED, "SendLocalList: the station answered status NotSupported")


def test_set_variables_passes_with_a_note_when_no_read_only_variable_was_reported() -> None:
    check = check_of(station_checks("2.0.1"), "set-variables")
    heartbeat = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    unknown = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "OcppctlCheckUnknown"}}
    asked = call(
        "csms",
        "1",
        "SetVariables",
        {"setVariableData": [{**heartbeat, "attributeValue": "300"}, {**unknown, "attributeValue": "1"}]},
    )
    answered = result(
        "station",
        "1",
        "SetVariables",
        {
            "setVariableResult": [
                {**heartbeat, "attributeStatus": "Accepted"},
                {**unknown, "attributeStatus": "UnknownVariable"},
            ]
        },
    )
    assert judge(check, run(asked, answered)) == Outcome(
        "pass", "no ReadOnly variable in the FullInventory report: the read-only case was not tried"
    )
