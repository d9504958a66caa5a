"""What `vars get` and `vars set` do once their options are read: read the station's limits,
make the GetVariables/SetVariables calls in batches it takes, print one table of results."""

from __future__ import annotations

from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.reach import Answered, Calls, reach_of, run_calls
from ocppctl.cli.status import ExitCode
from ocppctl.core.addressing import Address
from ocppctl.core.jsontext import dumps
from ocppctl.core.variables import (
    REQUEST_KEY,
    TOO_MANY,
    Limits,
    Row,
    batches,
    limit_addresses,
    limits_from,
    rows_of,
    smaller,
)
from ocppctl.errors import UsageFailure
from ocppctl.render.findings import finding_text
from ocppctl.render.style import wants_color
from ocppctl.render.table import table_text

HEADERS = ("COMPONENT", "VARIABLE", "ATTRIBUTE", "STATUS", "VALUE", "REASON")


def run_vars(
    env: Env,
    action: str,
    items: list[tuple[Address, str | None]],
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
    """`action` is GetVariables or SetVariables; `items` the addresses (and values to set)."""
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    reach = reach_of(role, station, ocpp, connect_timeout)
    _device_model_version(reach.version)
    payloads = [address.get_item() if value is None else address.set_item(value) for address, value in items]

    async def work(calls: Calls) -> int:
        _device_model_version(calls.version)
        try:
            rows, problems = await _exchange(env, calls, action, payloads, timeout, check)
        except _CallError as error:
            _print(env, error.rows, as_json, color)
            raise
        _print(env, rows, as_json, color)
        for finding in problems:
            env.stderr.write(finding_text(finding, color) + "\n")
        if problems or any(row.status != "Accepted" for row in rows):
            return int(ExitCode.FINDINGS)
        return 0

    check_all = [(action, {REQUEST_KEY[action]: payloads})] if check else []
    return run_calls(env, reach, options, color, work, check_all)


def _device_model_version(version: str) -> None:
    if version == "1.6":
        raise UsageFailure("OCPP 1.6 has configuration keys, not a device model: use `ocppctl config`")


async def _exchange(
    env: Env, calls: Calls, action: str, items: list[Any], timeout: float, check: bool
) -> tuple[list[Row], list[Any]]:
    """The rows of every item, and the error findings of the answers. The station's limits are
    read first when there is more than one item; a request refused with
    OccurrenceConstraintViolation is sent again in halves (a station may not say its limits)."""
    limits = Limits()
    if len(items) > 1:
        asked = {"getVariableData": [address.get_item() for address in limit_addresses(action)]}
        event = await calls.call("GetVariables", asked, timeout)
        if event.kind == "result" and event.frame is not None:
            limits = limits_from(event.frame.payload)
        elif event.frame is not None and event.frame.error_code == TOO_MANY:
            limits = Limits(items=1)  # the two items of this very request were too many
    rows: list[Row] = []
    problems: list[Any] = []
    pending = batches(action, items, limits)
    while pending:
        batch = pending.pop(0)
        event = await calls.call(action, {REQUEST_KEY[action]: batch}, timeout, check=check)
        frame = event.frame
        assert frame is not None
        if event.kind == "error":
            if frame.error_code == TOO_MANY and len(batch) > 1:
                limits = smaller(limits, len(batch))
                env.stderr.write(
                    f"ocppctl: {len(batch)} items in one {action} refused ({TOO_MANY}): "
                    f"sending {limits.items} at a time\n"
                )
                pending = batches(action, batch + [item for rest in pending for item in rest], limits)
                continue
            raise _CallError(action, frame, rows)
        rows.extend(rows_of(action, frame.payload, batch))
        problems.extend(f for f in event.findings if f.severity == "error")
    return rows, problems


class _CallError(Answered):
    """A CALLERROR other than the one that says to send fewer items: exit 3, after the rows
    of the requests answered before it."""

    def __init__(self, action: str, frame: Any, rows: list[Row]) -> None:
        super().__init__(action, frame)
        self.rows = rows


def _print(env: Env, rows: list[Row], as_json: bool, color: bool) -> None:
    if not rows:  # a CALLERROR to the first request: its one line says it all
        return
    if as_json:
        for row in rows:
            env.stdout.write(dumps(row.as_dict()) + "\n")
        return
    cells = []
    for row in rows:
        reason = row.reason or ""
        if row.info:
            reason = f"{reason}: {row.info}" if reason else row.info
        address = row.address
        cells.append(
            (
                address.component_text(),
                address.variable_text(),
                address.attribute or "Actual",
                row.status,
                row.value or "",
                reason,
            )
        )
    colors = [None if not color else ("green" if row.status == "Accepted" else "brightred") for row in rows]
    env.stdout.write(table_text(HEADERS, cells, colors))
