"""`ocppctl monitor set|list|clear|level|base`: a station's variable monitors, as its CSMS."""

from __future__ import annotations

import inspect
from typing import Any

import click

from ocppctl.cli.options import (
    asked_versions,
    choose_role,
    csms_command_options,
    env_of,
)
from ocppctl.core.monitoring import BASES

EXIT_HELP = (
    "Exit status: 0 Accepted, 1 another status (or a report with gaps), 2 usage, 3 CALLERROR, "
    "4 no answer in time, 5 connection failure."
)


_common = csms_command_options(
    "One JSON object per result line.", "Seconds to wait for the answer (and for each report part)."
)


@click.group("monitor")
def monitor_group() -> None:
    """Set, list and clear a station's variable monitors (OCPP 2.0.1, 2.1), as its CSMS."""


@monitor_group.command("set")
@click.argument("address", metavar="ADDR")
@click.option("--upper", type=float, metavar="N", help="UpperThreshold: alert when the value rises above N.")
@click.option("--lower", type=float, metavar="N", help="LowerThreshold: alert when the value falls below N.")
@click.option("--delta", type=float, metavar="N", help="Delta: an event when the value moves by N or more.")
@click.option(
    "--periodic", type=click.FloatRange(min=0, min_open=True), metavar="S", help="Periodic: an event every S seconds."
)
@click.option("--clock-aligned", is_flag=True, help="With --periodic: PeriodicClockAligned (on whole multiples of S).")
@click.option("--severity", type=click.IntRange(0, 9), required=True, help="0 (Danger) to 9 (Debug).")
@click.option("--id", "monitor_id", type=click.IntRange(min=0), help="Replace the monitor of this id.")
@click.option(
    "--watch",
    is_flag=True,
    help="After the answer, print each NotifyEvent that follows (trigger, actual value, which monitor), until"
    " Ctrl-C, or for --timeout seconds when it is given (with --listen).",
)
@_common
def monitor_set(
    ctx: click.Context,
    address: str,
    upper: float | None,
    lower: float | None,
    delta: float | None,
    periodic: float | None,
    clock_aligned: bool,
    severity: int,
    monitor_id: int | None,
    watch: bool,
    **options: Any,
) -> int:
    """SetVariableMonitoring of one monitor on the variable ADDR; one table of the result (id,
    status, statusInfo).

    \b
    ocppctl monitor set ChargingStation/Temperature --upper 60 --severity 4 --listen 9000
    ocppctl monitor set EVSE@1/Power --delta 1000 --severity 7 --watch --listen 9000

    ADDR is COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]/VARIABLE[INSTANCE]. Give one of --upper,
    --lower, --delta and --periodic.
    """
    from ocppctl.core.addressing import AddressError, parse
    from ocppctl.core.monitoring import monitor_item

    given = [
        (k, v) for k, v in (("UpperThreshold", upper), ("LowerThreshold", lower), ("Delta", delta)) if v is not None
    ]
    if periodic is not None:
        given.append(("PeriodicClockAligned" if clock_aligned else "Periodic", periodic))
    elif clock_aligned:
        raise click.UsageError("--clock-aligned goes with --periodic")
    if len(given) != 1:
        raise click.UsageError("give one of --upper, --lower, --delta and --periodic")
    try:
        item = monitor_item(parse(address), given[0][0], given[0][1], severity, monitor_id)
    except AddressError as exc:
        raise click.UsageError(f"ADDR {exc}") from None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    timed = ctx.get_parameter_source("timeout") is not click.core.ParameterSource.DEFAULT
    watch_for = (options["timeout"] if timed else 0.0) if watch else None
    return _run(ctx, "set", {"setMonitoringData": [item]}, options, watch_for)


@monitor_group.command("list")
@_common
def monitor_list(ctx: click.Context, **options: Any) -> int:
    """GetMonitoringReport, then every NotifyMonitoringReport part (by requestId and seqNo,
    until tbc is false): one table of id, component, variable, type, value and severity.
    EmptyResultSet (no monitors) prints nothing and says so on stderr.

    \b
    ocppctl monitor list --listen 9000
    """
    return _run(ctx, "list", {}, options)


@monitor_group.command("clear")
@click.argument("ids", nargs=-1, required=True, type=click.IntRange(min=0), metavar="ID...")
@_common
def monitor_clear(ctx: click.Context, ids: tuple[int, ...], **options: Any) -> int:
    """ClearVariableMonitoring of each monitor ID; one table of results (Accepted, NotFound, Rejected).

    \b
    ocppctl monitor clear 1 2 --listen 9000
    """
    return _run(ctx, "clear", {"id": list(ids)}, options)


@monitor_group.command("level")
@click.argument("severity", type=click.IntRange(0, 9), metavar="N")
@_common
def monitor_level(ctx: click.Context, severity: int, **options: Any) -> int:
    """SetMonitoringLevel: the station reports only events of severity N (0-9) or lower (more urgent).

    \b
    ocppctl monitor level 4 --listen 9000
    """
    return _run(ctx, "level", {"severity": severity}, options)


@monitor_group.command("base")
@click.argument("base", type=click.Choice(BASES), metavar="All|FactoryDefault|HardWiredOnly")
@_common
def monitor_base(ctx: click.Context, base: str, **options: Any) -> int:
    """SetMonitoringBase: All keeps the custom monitors, FactoryDefault and HardWiredOnly remove them.

    \b
    ocppctl monitor base FactoryDefault --listen 9000
    """
    return _run(ctx, "base", {"monitoringBase": base}, options)


for _command in (monitor_set, monitor_list, monitor_clear, monitor_level, monitor_base):
    _command.help = f"{inspect.cleandoc(_command.help or '')}\n\n{EXIT_HELP}"


def _run(
    ctx: click.Context, what: str, payload: dict[str, Any], options: dict[str, Any], watch: float | None = None
) -> int:
    from ocppctl.cli.monitor_run import run_monitor

    role = choose_role(None, options.pop("listen"), options.pop("via"), options["station"])
    ocpp = options.pop("ocpp")
    return run_monitor(
        env_of(ctx),
        what,
        payload,
        role,
        options.pop("station"),
        asked_versions(ctx, role, ocpp),
        options.pop("timeout"),
        options.pop("connect_timeout"),
        options.pop("as_json"),
        options.pop("color"),
        options,
        watch,
    )
