"""The results of `ocppctl check` as a terminal table, JSON lines and JUnit XML. Whatever the
peer said (the why of a failure) is escaped before it reaches a terminal."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from ocppctl.core.conformance import Result, Seen
from ocppctl.core.frames import TYPE_NAMES
from ocppctl.core.jsontext import dumps
from ocppctl.render.style import escape, escape_line, paint

COLOURS = {"pass": "green", "fail": "brightred", "skipped": "yellow"}


def row(result: Result, color: bool) -> str:
    """One line: status, check id, requirement, and why when it did not pass."""
    outcome = result.outcome
    word = paint(COLOURS[outcome.status], f"{outcome.status.upper():<7}", color)
    why = f"  {escape_line(outcome.why)}" if outcome.why else ""
    return f"{word} {result.check.id:<40} {result.check.use_case:<13}{why}".rstrip()


def details(result: Result, tested: str) -> list[str]:
    """Under a row with --verbose: the requirement, then each frame the check judged on one
    line (→ sent by ocppctl, ← by the peer), escaped: it came from the peer."""
    lines = [f"        {result.check.requirement}"]
    for seen in result.frames:
        arrow = "←" if seen.side == tested else "→"
        frame = seen.frame
        body = f"{frame.error_code} {frame.error_description or ''}" if frame.error_code else dumps(frame.payload)
        kind = TYPE_NAMES.get(frame.type, "?")
        lines.append(escape_line(f"        {arrow} {kind} {seen.action or ''} {body}".rstrip()))
    return lines


def table_footer(counts: dict[str, Any]) -> str:
    return f"{counts['checks']} checks: {counts['pass']} passed, {counts['fail']} failed, {counts['skipped']} skipped"


def frame_record(seen: Seen) -> dict[str, Any]:
    """A frame as --json shows it under its check."""
    frame = seen.frame
    record: dict[str, Any] = {"from": seen.side, "type": TYPE_NAMES.get(frame.type, str(frame.type)), "id": frame.id}
    record["action"] = seen.action
    if frame.error_code is not None:
        record.update(errorCode=frame.error_code, errorDescription=frame.error_description)
    else:
        record["payload"] = frame.payload
    return record


def as_json(result: Result) -> dict[str, Any]:
    """One check as `--json` prints it: every key always present."""
    check = result.check
    return {
        "check": check.id,
        "title": check.title,
        "ocpp": check.version,
        "use_case": check.use_case,
        "requirement": check.requirement,
        "status": result.outcome.status,
        "why": result.outcome.why or None,
        "frames": [frame_record(seen) for seen in result.frames],
    }


def junit(results: list[Result], suite: str, counts: dict[str, Any]) -> str:
    """JUnit XML: one testsuite, one testcase per check (classname: the suite and version);
    a failure carries why, a skipped check is <skipped/>."""
    root = ElementTree.Element(
        "testsuite",
        name=suite,
        tests=str(counts["checks"]),
        failures=str(counts["fail"]),
        skipped=str(counts["skipped"]),
        errors="0",
    )
    for result in results:
        check = result.check
        case = ElementTree.SubElement(
            root, "testcase", name=f"{check.id}: {check.title}", classname=f"{suite}.ocpp{check.version}"
        )
        why = escape(result.outcome.why)  # the peer's words: no control character is valid XML 1.0
        if result.outcome.status == "fail":
            failure = ElementTree.SubElement(case, "failure", message=why)
            failure.text = check.requirement
        elif result.outcome.status == "skipped":
            ElementTree.SubElement(case, "skipped", message=why)
        out = ElementTree.SubElement(case, "system-out")
        out.text = escape(
            "\n".join(f"{s.side}: {s.frame.action or s.action} {TYPE_NAMES.get(s.frame.type)}" for s in result.frames)
        )
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
