"""What `config get` and `config set` do once their options are read (OCPP 1.6)."""

from __future__ import annotations

from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.reach import Calls, answered, reach_of, run_calls
from ocppctl.cli.status import ExitCode
from ocppctl.core.configuration import explain_change, key_rows, value_problem
from ocppctl.core.jsontext import dumps
from ocppctl.errors import UsageFailure
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape_line, paint, wants_color
from ocppctl.render.table import table_text


def run_config(
    env: Env,
    change: tuple[str, str] | None,
    keys: list[str],
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
    """GetConfiguration of `keys` (all when empty), or ChangeConfiguration of `change`."""
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    if change is not None:
        problem = value_problem(*change)
        if problem is not None:
            raise UsageFailure(problem)
    reach = reach_of(role, station, ocpp, connect_timeout)
    _configuration_version(reach.version)

    async def work(calls: Calls) -> int:
        _configuration_version(calls.version)
        if change is None:
            payload: dict[str, Any] = {"key": keys} if keys else {}
            event = await calls.call("GetConfiguration", payload, timeout, check=check)
        else:
            event = await calls.call(
                "ChangeConfiguration", {"key": change[0], "value": change[1]}, timeout, check=check
            )
        action = "GetConfiguration" if change is None else "ChangeConfiguration"
        answer = answered(action, event)
        if change is None:
            failed = _print_keys(env, answer, as_json, color)
        else:
            status = str(answer.get("status", "")) if isinstance(answer, dict) else ""
            readonly = await _readonly(calls, change[0], timeout) if status == "Rejected" else None
            failed = _print_change(env, change[0], status, explain_change(status, readonly), as_json, color)
        problems = [f for f in event.findings if f.severity == "error"]
        for finding in problems:
            env.stderr.write(finding_text(finding, color) + "\n")
        return int(ExitCode.FINDINGS) if failed or problems else 0

    if change is None:
        first: tuple[str, Any] = ("GetConfiguration", {"key": keys} if keys else {})
    else:
        first = ("ChangeConfiguration", {"key": change[0], "value": change[1]})
    return run_calls(env, reach, options, color, work, [first] if check else [])


def _configuration_version(version: str) -> None:
    if version != "1.6":
        raise UsageFailure(f"OCPP {version} has a device model, not configuration keys: use `ocppctl vars`")


def _print_keys(env: Env, answer: Any, as_json: bool, color: bool) -> bool:
    """The keys as a table (or JSON lines); True when the station did not know one."""
    rows = key_rows(answer)
    if as_json:
        for row in rows:
            env.stdout.write(dumps(row.as_dict()) + "\n")
    else:
        cells = [(row.key, row.access(), row.value or "") for row in rows]
        colors = [None if not color or row.known else "brightred" for row in rows]
        env.stdout.write(table_text(("KEY", "ACCESS", "VALUE"), cells, colors))
    return any(not row.known for row in rows)


async def _readonly(calls: Calls, key: str, timeout: float) -> bool | None:
    """Whether the station reports `key` read-only (None: it does not say), to explain a Rejected."""
    event = await calls.call("GetConfiguration", {"key": [key]}, timeout)
    if event.kind != "result" or event.frame is None:
        return None
    known = [row for row in key_rows(event.frame.payload) if row.known and row.key == key]
    return known[0].readonly if known else None


def _print_change(env: Env, key: str, status: str, meaning: str, as_json: bool, color: bool) -> bool:
    """The status and what it means; True when it is not Accepted."""
    if as_json:
        env.stdout.write(dumps({"key": key, "status": status, "meaning": meaning}) + "\n")
    else:
        line = f"{escape_line(key)}: {escape_line(status)} ({meaning})"
        env.stdout.write(paint("green" if status == "Accepted" else "brightred", line, color) + "\n")
    return status != "Accepted"
