"""What the `monitor` commands do once their options are read: make the call (and for `list`
gather every NotifyMonitoringReport part; for `set --watch` the NotifyEvents that follow) and
print one table of results, or JSON lines."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.reach import Calls, answered, reach_of, report_refused, run_calls
from ocppctl.cli.status import ExitCode
from ocppctl.core.jsontext import dumps
from ocppctl.core.monitoring import (
    CLEAR_HEADERS,
    LIST_HEADERS,
    SET_HEADERS,
    assemble,
    cells,
    clear_rows,
    event_rows,
    reason_of,
    set_rows,
)
from ocppctl.errors import UsageFailure
from ocppctl.render.style import escape_line, wants_color
from ocppctl.render.table import table_text

ACTIONS = {
    "set": "SetVariableMonitoring",
    "list": "GetMonitoringReport",
    "clear": "ClearVariableMonitoring",
    "level": "SetMonitoringLevel",
    "base": "SetMonitoringBase",
}


def run_monitor(
    env: Env,
    what: str,
    payload: dict[str, Any],
    role: tuple[str, str],
    station: str | None,
    ocpp: list[str] | None,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
    watch: float | None = None,
) -> int:
    """`what` is a key of ACTIONS, `payload` its request (list: the requestId is drawn here, for
    preflight too);
    `watch` the seconds to print NotifyEvents after a `set` (0: until Ctrl-C)."""
    if watch is not None and role[0] == "via":
        raise UsageFailure("--watch goes with --listen (a hub prints its stations' NotifyEvents itself)")
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    reach = reach_of(role, station, ocpp, connect_timeout)
    _device_model(reach.version)
    action = ACTIONS[what]
    if what == "list":
        payload = {"requestId": random.randint(1, 2**31 - 1), **payload}

    async def work(calls: Calls) -> int:
        _device_model(calls.version)
        if what == "list":
            return await _list(env, calls, payload, timeout, as_json)
        events: asyncio.Queue[Any] = asyncio.Queue()
        stop = calls.peer.on_call(events.put_nowait) if watch is not None else None
        try:
            answer = answered(action, await calls.call(action, payload, timeout))
            code = _print_answer(env, what, answer, as_json, color)
            if stop is not None:
                await _watch(env, events, watch or None, as_json)
            return code
        finally:
            if stop is not None:
                stop()

    return run_calls(env, reach, options, color, work, [(action, payload)])


def _device_model(version: str) -> None:
    if version == "1.6":
        raise UsageFailure("OCPP 1.6 has no variable monitors (they came with 2.0.1's device model)")


def _print_answer(env: Env, what: str, answer: Any, as_json: bool, color: bool) -> int:
    """The answer as a table (set, clear) or one line (level, base); exit 1 unless all Accepted."""
    if what in ("level", "base"):
        status = str(answer.get("status", "")) if isinstance(answer, dict) else ""
        rows = [{"status": status, "reason": _reason(answer)}]
        if as_json:
            env.stdout.write(dumps(rows[0]) + "\n")
        else:
            reason = f" ({rows[0]['reason']})" if rows[0]["reason"] else ""
            env.stdout.write(escape_line(f"{ACTIONS[what]}: {status}{reason}") + "\n")
    else:
        rows = set_rows(answer) if what == "set" else clear_rows(answer)
        headers = SET_HEADERS if what == "set" else CLEAR_HEADERS
        if as_json:
            for row in rows:
                env.stdout.write(dumps(row) + "\n")
        else:
            colors = [None if not color else ("green" if r["status"] == "Accepted" else "brightred") for r in rows]
            env.stdout.write(table_text(headers, [cells(r) for r in rows], colors))
    env.stdout.flush()
    return 0 if rows and all(r["status"] == "Accepted" for r in rows) else int(ExitCode.FINDINGS)


def _reason(answer: Any) -> str:
    return reason_of(answer) if isinstance(answer, dict) else ""


async def _list(env: Env, calls: Calls, payload: dict[str, Any], timeout: float, as_json: bool) -> int:
    """GetMonitoringReport and its parts: one table of every monitor; EmptyResultSet is none."""
    action = ACTIONS["list"]
    request_id = payload["requestId"]
    event, parts = await calls.gather(action, payload, timeout, "NotifyMonitoringReport")
    refused = report_refused(env, action, event, "the station has no monitors to report")
    if refused is not None:
        return refused
    report = assemble([p.frame.payload for p in parts if p.frame is not None], request_id)
    if as_json:
        for monitor in report.monitors:
            env.stdout.write(dumps(monitor) + "\n")
    else:
        env.stdout.write(table_text(LIST_HEADERS, [cells(m) for m in report.monitors]))
    for problem in report.problems:
        env.stderr.write(f"ocppctl: report: {problem}\n")
    return int(ExitCode.FINDINGS) if report.problems else 0


async def _watch(env: Env, events: asyncio.Queue[Any], seconds: float | None, as_json: bool) -> None:
    """The NotifyEvents that arrive, one line per event, until `seconds` pass (None: until
    Ctrl-C); the other calls of the station are answered and not shown."""
    env.stderr.write("ocppctl: watching NotifyEvent" + (f" for {seconds:g} s\n" if seconds else " (Ctrl-C stops)\n"))
    env.stderr.flush()
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds if seconds else None
    while True:
        left = None if end is None else end - loop.time()
        if left is not None and left <= 0:
            return
        try:
            event = await asyncio.wait_for(events.get(), left)
        except TimeoutError:
            return
        if event.frame is None or event.frame.action != "NotifyEvent":
            continue
        for row in event_rows(event.frame.payload):
            if as_json:
                env.stdout.write(dumps(row) + "\n")
            else:
                env.stdout.write(escape_line(_event_line(row)) + "\n")
        env.stdout.flush()


def _event_line(row: dict[str, Any]) -> str:
    """One event decoded: when, which monitor, the variable, the trigger, the actual value."""
    monitor = f"monitor {row['monitor']}" if row["monitor"] is not None else "no monitor"
    kind = f" ({row['type']})" if row["type"] else ""
    return f"{row['time']}  {monitor}  {row['component']}/{row['variable']}  {row['trigger']}  actual={row['actual']}{kind}"
