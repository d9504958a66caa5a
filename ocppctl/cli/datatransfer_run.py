"""What `datatransfer` does once its options are read: one DataTransfer, its answer explained."""

from __future__ import annotations

from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.reach import Calls, answered, reach_of, run_calls
from ocppctl.cli.status import ExitCode
from ocppctl.core import datatransfer
from ocppctl.core.jsontext import JsonSyntaxError, dumps, loads
from ocppctl.errors import InputError, UsageFailure
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape_line, escape_lines, paint, wants_color


def read_data(text: str | None, read_stdin: Any) -> tuple[bool, Any]:
    """--data JSON, @FILE or - (standard input): (given, the JSON value)."""
    if text is None:
        return False, None
    if text.startswith("@"):
        from ocppctl.io.inputs import read_json_file

        try:
            return True, read_json_file(text[1:])
        except InputError as exc:
            raise UsageFailure(exc.message) from None
    source = "--data"
    if text == "-":
        source = "standard input"
        try:
            text = read_stdin().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageFailure(f"{source} is not UTF-8 at byte {exc.start} ({exc.reason})") from None
    assert text is not None
    try:
        return True, loads(text)
    except JsonSyntaxError as exc:
        hint = " (a plain string is written '\"text\"')" if source == "--data" else ""
        raise UsageFailure(f"{source} is not JSON: {exc.message} (column {exc.column}){hint}") from None


def run_datatransfer(
    env: Env,
    vendor_id: str,
    message_id: str | None,
    data: tuple[bool, Any],
    role: tuple[str, str],
    station: str | None,
    ocpp: list[str] | None,
    check: bool,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    reach = reach_of(role, station, ocpp, connect_timeout)

    async def work(calls: Calls) -> int:
        payload = datatransfer.request(calls.version, vendor_id, message_id, data[1], data[0])
        event = await calls.call("DataTransfer", payload, timeout, check=check)
        result = answered("DataTransfer", event)
        answer = result if isinstance(result, dict) else {}
        status = str(answer.get("status", ""))
        _print(env, vendor_id, answer, status, as_json, color)
        problems = [f for f in event.findings if f.severity == "error"]
        for finding in problems:
            env.stderr.write(finding_text(finding, color) + "\n")
        return int(ExitCode.FINDINGS) if problems or status != "Accepted" else 0

    first = datatransfer.request(reach.version, vendor_id, message_id, data[1], data[0])
    return run_calls(env, reach, options, color, work, [("DataTransfer", first)] if check else [])


def _print(env: Env, vendor_id: str, answer: dict[str, Any], status: str, as_json: bool, color: bool) -> None:
    has_data = "data" in answer
    is_json, value = datatransfer.decoded(answer.get("data"))
    info = answer.get("statusInfo") if isinstance(answer.get("statusInfo"), dict) else {}
    reason = info.get("reasonCode") if info else None
    if as_json:
        out = {
            "vendorId": vendor_id,
            "status": status,
            "meaning": datatransfer.explain(status),
            "reason": reason,
            "data": answer.get("data"),
            "decoded": value if is_json else None,
        }
        env.stdout.write(dumps(out) + "\n")
        return
    why = f"; {escape_line(str(reason))}" if reason else ""
    line = f"{escape_line(vendor_id)}: {escape_line(status)} ({datatransfer.explain(status)}{why})"
    env.stdout.write(paint("green" if status == "Accepted" else "brightred", line, color) + "\n")
    if has_data:
        label = "data (a string holding JSON, decoded):" if is_json else "data:"
        shown = dumps(value if is_json else answer["data"], indent=True)
        if color:
            from ocppctl.render.highlight import highlight_json

            env.stdout.write(f"{label}\n{highlight_json(shown)}\n")
        else:
            env.stdout.write(f"{label}\n{escape_lines(shown)}\n")
