"""What `report` does: GetBaseReport, every NotifyReport part gathered, one table (or JSON
lines, or a model file for `sim station --model`)."""

from __future__ import annotations

import random
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.reach import Calls, reach_of, report_refused, run_calls
from ocppctl.cli.status import ExitCode
from ocppctl.core.jsontext import dumps
from ocppctl.core.report import assemble, item_row, to_model
from ocppctl.errors import UsageFailure
from ocppctl.render.style import escape_line, wants_color
from ocppctl.render.table import table_text

HEADERS = ("COMPONENT", "VARIABLE", "ATTRIBUTES", "TYPE", "UNIT", "RANGE", "VALUES")


def run_report(
    env: Env,
    what: tuple[str, dict[str, Any]],
    save: str | None,
    role: tuple[str, str],
    station: str | None,
    ocpp: list[str] | None,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    reach = reach_of(role, station, ocpp, connect_timeout)
    _device_model(reach.version)

    async def work(calls: Calls) -> int:
        _device_model(calls.version)
        request_id = random.randint(1, 2**31 - 1)
        action, request = what
        event, parts = await calls.gather(action, {"requestId": request_id, **request}, timeout, "NotifyReport")
        refused = report_refused(env, action, event, f"the station has nothing to report for this {action}")
        if refused is not None:
            return refused
        report = assemble([p.frame.payload for p in parts if p.frame is not None], request_id)
        if as_json:
            for item in report.items:
                env.stdout.write(dumps(item) + "\n")
        else:
            env.stdout.write(table_text(HEADERS, [item_row(item) for item in report.items]))
        for problem in report.problems:
            env.stderr.write(f"ocppctl: report: {problem}\n")
        if save is not None:
            _save(save, to_model(report.items))
            env.stderr.write(f"ocppctl: {len(report.items)} variables saved to {save} (sim station --model)\n")
        return int(ExitCode.FINDINGS) if report.problems else 0

    return run_calls(env, reach, options, color, work)


def _save(path: str, model: dict[str, Any]) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dumps(model, indent=True) + "\n")
    except OSError as exc:
        raise UsageFailure(f"{path}: cannot write: {exc.strerror or exc}") from None


def _device_model(version: str) -> None:
    if version == "1.6":
        raise UsageFailure("OCPP 1.6 has configuration keys, not a device model report: use `ocppctl config get`")


def run_diff(env: Env, before: str, after: str, as_json: bool) -> int:
    """The changes from one saved report to another; exit 1 when there are some."""
    from ocppctl.core.report import diff

    changes = diff(_read_report(before), _read_report(after))
    for sign, key, old, new in changes:
        if as_json:
            env.stdout.write(dumps({"change": sign, "attribute": key, "before": old, "after": new}) + "\n")
        elif sign == "~":
            env.stdout.write(escape_line(f"~ {key}: {old} -> {new}") + "\n")
        else:
            env.stdout.write(escape_line(f"{sign} {key} {old if new is None else new}") + "\n")
    return int(ExitCode.FINDINGS) if changes else 0


def _read_report(path: str) -> list[dict[str, Any]]:
    """The items of a `report --json` output (one JSON object a line) or a `report --save`
    model (an object holding `variables`); UsageFailure in one line otherwise."""
    from ocppctl.core.jsontext import JsonSyntaxError, loads
    from ocppctl.core.report import from_model
    from ocppctl.io.inputs import read_text_file

    text = read_text_file(path)  # InputError: exit 2, one line
    try:
        whole = loads(text)
    except JsonSyntaxError:
        whole = None
    if isinstance(whole, dict) and isinstance(whole.get("variables"), list):
        return from_model(whole)
    items = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = loads(line)
        except JsonSyntaxError as exc:
            raise UsageFailure(f"{path}:{lineno}: not JSON ({exc.message}): a report --json or --save file") from None
        if not isinstance(item, dict) or not isinstance(item.get("component"), dict):
            raise UsageFailure(f"{path}:{lineno}: not a reported item (component, variable, variableAttribute)")
        items.append(item)
    return items
