"""Findings as terminal text (render/findings.py): whatever a finding holds (a hub sends them,
messages quote the peer), it is its two lines, escaped."""

from __future__ import annotations

from ocppctl.core.findings import Finding
from ocppctl.render.findings import finding_text

EVIL = "\x1b[2J\x1b]0;pwned\x07...\nFAKE \u202e"
EVIL_SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07...\\nFAKE \\u202e"


def test_a_hostile_finding_is_two_lines_escaped() -> None:
    finding = Finding("error", EVIL, EVIL, hint=EVIL, path=EVIL, file=EVIL, line=1, column=2)
    assert finding_text(finding, color=False).split("\n") == [
        f"{EVIL_SHOWN}:1:2: error: {EVIL_SHOWN} [{EVIL_SHOWN}] at {EVIL_SHOWN}",
        f"    hint: {EVIL_SHOWN}",
    ]


def test_colour_adds_codes_but_never_the_peers() -> None:
    text = finding_text(Finding("error", "schema", EVIL, hint=EVIL), color=True)
    assert "\x1b[2J" not in text and "\x1b]0" not in text and "\u202e" not in text and "\x07" not in text


def test_a_hostile_finding_as_json_is_the_same_json_without_the_controls() -> None:
    import json

    from ocppctl.render.findings import finding_json

    finding = Finding("error", "schema", "bad \x9b2J \u202eok", path="/k\u2066")
    line = finding_json(finding)
    assert "\x9b" not in line and "\u202e" not in line and "\u2066" not in line
    assert json.loads(line) == finding.as_dict()


def test_a_summary_as_json_hides_the_controls_of_an_action_name() -> None:
    import json

    from ocppctl.core.summary import Summary
    from ocppctl.render.findings import summary_json

    summary = Summary()
    summary.action("Heart\u202ebeat\x9b").calls += 1
    line = summary_json(summary, 0)
    assert "\u202e" not in line and "\x9b" not in line
    assert "Heart\u202ebeat\x9b" in json.loads(line)["summary"]["actions"]
