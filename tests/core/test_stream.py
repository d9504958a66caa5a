"""How the stream checker reads logs as people paste them (issue 12): each line for what it is,
frames spread over lines, copies a logger shortened. Every log here was written for its test."""

from __future__ import annotations

from collections.abc import Callable

from ocppctl.core.findings import Finding
from ocppctl.core.summary import Summary

CheckLines = Callable[..., list[Finding]]  # the check_lines fixture of tests/conftest.py

# A home-automation integration's debug log: its logger's name in brackets starts every line.
HA_LOG = [
    "[ocpp  ] DEBUG 2026-11-22 10:00:00,120 charge point connected: WB-0042",
    '[ocpp  ] DEBUG 2026-11-22 10:00:00,122 WB-0042: receive message [2,"8a1f0c2e","BootNotification",'
    '{"chargePointVendor":"Elektra","chargePointModel":"WB-22"}]',
    '[ocpp  ] DEBUG 2026-11-22 10:00:00,131 WB-0042: send [3,"8a1f0c2e",{"status":"Accepted",'
    '"currentTime":"2026-11-22T10:00:00.131Z","interval":300}]',
    "[ABL_10022482] TRACE heartbeat timer armed (300 s)",
    # copied from a browser's console, where the page styled its log lines
    '[2,"4d61726b","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}] color: cyan;',
    '[3,"4d61726b",{}] color: green;',
]


def _seen(findings: list[Finding]) -> list[tuple[str, str, int | None, int | None, str]]:
    return [(f.severity, f.code, f.line, f.column, f.message) for f in findings]


def test_a_log_whose_lines_start_with_a_bracket_is_read_line_by_line(check_lines: CheckLines) -> None:
    summary = Summary()
    findings = check_lines(HA_LOG, summary=summary)
    assert _seen(findings) == [
        (
            "info",
            "version",
            2,
            65,
            "read as OCPP 1.6 from 2 calls (1.6: 2 valid, 2 known, 2.0.1: 0 valid, 2 known, 2.1: 0 valid, 2 known)",
        )
    ]
    assert (summary.frames, summary.calls, summary.results, summary.skipped_lines) == (4, 2, 2, 2)


def test_adding_or_removing_a_first_line_does_not_flip_how_a_file_is_read(check_lines: CheckLines) -> None:
    """The first line decided for the whole file: one bracketed log line first made every line a
    json-syntax error; one frame first made every log line one."""
    without_first = check_lines(HA_LOG[1:])
    assert [(f.code, f.line) for f in without_first] == [("version", 1)]
    frame_first = check_lines([HA_LOG[4], *HA_LOG])
    assert [(f.code, f.line) for f in frame_first] == [("version", 1), ("duplicate-id", 6)]


def test_a_broken_frame_line_among_log_lines_is_still_a_syntax_error(check_lines: CheckLines) -> None:
    findings = check_lines(["[ocpp  ] DEBUG connected", '[2,"1","Heartbeat",{]', '["2","1","Heartbeat",{}'], ocpp="1.6")
    assert _seen(findings) == [
        ("error", "json-syntax", 2, 21, "not JSON: Expecting property name enclosed in double quotes"),
        ("error", "json-syntax", 3, 24, "not JSON: Expecting ',' delimiter"),
    ]


# A Java CSMS's log: the frame's JSON pretty-printed over the lines after the one it starts on.
PRETTY_LOG = [
    '2026-11-22 10:00:01.004 INFO  [ws-17] receive message [3,"d63f21",',
    '{ "status": "Accepted" }]',
    '2026-11-22 10:00:00.990 INFO  [ws-17] (late) send message [2,"d63f21","ChangeAvailability",',
    '  { "connectorId": 1,',
    '    "type": "Inoperative" }]',
    "2026-11-22 10:00:02.500 INFO  [ws-17] ping",
]


def test_a_frame_spread_over_lines_is_checked_at_the_line_it_starts_on(check_lines: CheckLines) -> None:
    lines = [PRETTY_LOG[2], PRETTY_LOG[3], PRETTY_LOG[4], PRETTY_LOG[0], PRETTY_LOG[1], PRETTY_LOG[5]]
    summary = Summary()
    findings = check_lines(lines, ocpp="1.6", summary=summary)
    assert findings == []
    assert (summary.frames, summary.calls, summary.results, summary.skipped_lines) == (2, 1, 1, 1)


def test_a_spread_frame_breaking_midway_is_one_finding_and_the_next_lines_are_read(check_lines: CheckLines) -> None:
    lines = [
        '2026-11-22 10:00:01.004 INFO  receive message [2,"e1","Heartbeat",',
        "2026-11-22 10:00:01.005 INFO  reader stopped",
        '2026-11-22 10:00:01.006 INFO  receive message [2,"e2","Heartbeat",{}]',
    ]
    findings = check_lines(lines, ocpp="2.0.1")
    assert _seen(findings) == [
        ("error", "json-syntax", 1, 67, "not JSON: Expecting value"),
        ("warning", "unanswered-call", 3, 47, "Heartbeat call 'e2' was never answered"),
    ]
    assert findings[0].hint is None  # a frame broken off is no question of strict JSON


def test_two_pretty_printed_frames_in_a_file(check_lines: CheckLines) -> None:
    lines = ["[", "  2,", '  "a1",', '  "Heartbeat",', "  {}", "]", "[", "  3,", '  "a1",']
    lines += ['  { "currentTime": "2026-11-22T10:00:00Z" }', "]"]
    summary = Summary()
    assert check_lines(lines, ocpp="2.0.1", summary=summary) == []
    assert (summary.frames, summary.calls, summary.results, summary.skipped_lines) == (2, 1, 1, 0)


def test_a_bracket_that_opens_no_frame_is_given_back(check_lines: CheckLines) -> None:
    lines = ["2026-11-22 10:00:00 INFO retry delays [", "  5, 10, 30", "]", '>> [2,"h1","Heartbeat",{}]']
    findings = check_lines(lines, ocpp="2.0.1")
    assert [(f.code, f.line) for f in findings] == [("unanswered-call", 4)]


# Debug lines of the websockets library (it elides the middle of long messages and gives the
# real length), and a journal line cut at the terminal's width.
TRUNCATED_LOG = [
    '2026-11-22 10:00:03,100 websockets.client DEBUG > TEXT \'[2,"c0ffee01","GetConfiguration",'
    '{"key":["Supp...rtedFeatureProfiles"]}]\' [98 bytes]',
    '2026-11-22 10:00:03,180 websockets.client DEBUG < TEXT \'[3,"c0ffee01",{"configurationKey":'
    '[{"key":"Sup...":true}]}]\' [160 bytes]',
    'Nov 22 10:00:04 cp ocpp[811]: >> [2,"c0ffee02","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":'
    '"2026-11-22T10:00:04Z","sampledValue":[{"value":"12>',
    'Nov 22 10:00:04 cp ocpp[811]: << [3,"c0ffee02",{}]',
    'Nov 22 10:00:05 cp ocpp[811]: >> [2,"c0ffee03","Heartbeat",{"note":"wait..."}]',
]


def test_a_frame_a_logger_shortened_is_one_truncated_warning(check_lines: CheckLines) -> None:
    summary = Summary()
    findings = check_lines(TRUNCATED_LOG, ocpp="1.6", summary=summary)
    assert _seen(findings) == [
        (
            "warning",
            "truncated",
            1,
            57,
            "frame cut short by the logger (the line says 98 bytes, 72 shown): not checked",
        ),
        (
            "warning",
            "truncated",
            2,
            57,
            "frame cut short by the logger (the line says 160 bytes, 72 shown): not checked",
        ),
        (
            "warning",
            "truncated",
            3,
            34,
            "frame cut short by the logger (the line ends in '>' where it was cut): not checked",
        ),
        # a whole frame with "..." in a value is checked as it is
        ("error", "schema", 5, 34, 'Heartbeat request: property "note" is not allowed here'),
        ("warning", "unanswered-call", 5, 34, "Heartbeat call 'c0ffee03' was never answered"),
    ]
    assert (summary.frames, summary.calls, summary.results) == (5, 1, 1)
