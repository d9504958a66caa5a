"""`ocppctl report`: a station's device model, every NotifyReport part gathered."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    asked_versions,
    choose_role,
    csms_command_options,
    env_of,
)
from ocppctl.core.report import BASES


@click.group("report", invoke_without_command=True)
@click.option("--base", type=click.Choice(BASES), default="FullInventory", show_default=True, help="Which base report.")
@click.option(
    "--component",
    "components",
    multiple=True,
    metavar="COMPONENT[/VARIABLE]",
    help="GetReport of this component (COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]) or variable; repeatable.",
)
@click.option(
    "--criteria",
    multiple=True,
    type=click.Choice(("Active", "Available", "Enabled", "Problem")),
    help="GetReport of the components meeting this criterion; repeatable.",
)
@click.option(
    "--save",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also write the variables as a model file for `ocppctl sim station --model`.",
)
@csms_command_options(
    "One JSON line per reported variable (its ReportDataType).",
    "Seconds to wait for the answer and for each report part.",
)
def report(
    ctx: click.Context,
    base: str,
    components: tuple[str, ...],
    criteria: tuple[str, ...],
    save: str | None,
    **options: Any,
) -> int | None:
    """GetBaseReport (or with --component or --criteria, GetReport), then every NotifyReport part (by requestId and seqNo, until tbc is false):
    one table of component, variable, attributes (Type=value, RO/RW/WO, persistent, constant),
    dataType, unit, min..max and valuesList. Gaps, duplicates and parts that never came are
    said on stderr. OCPP 2.0.1 and 2.1.

    \b
    ocppctl report --listen 9000
    ocppctl report --base ConfigurationInventory --save model.json --via /run/user/1000/ocppctl/hub.sock

    `report diff BEFORE AFTER` compares two saved reports instead.

    Exit status: 0 a whole report (or EmptyResultSet), 1 a report with gaps or another status,
    2 usage, 3 CALLERROR, 4 no answer or report part in time, 5 connection failure.
    """
    if ctx.invoked_subcommand is not None:
        return None
    from ocppctl.cli.report_run import run_report
    from ocppctl.core.addressing import AddressError, parse_selector

    chosen = ctx.get_parameter_source("base") is not click.core.ParameterSource.DEFAULT
    if chosen and (components or criteria):
        raise click.UsageError("--base asks for a base report; --component and --criteria for a selective one")
    try:
        selectors = [parse_selector(text) for text in components]
    except AddressError as exc:
        raise click.UsageError(f"--component {exc}") from None
    if components or criteria:
        request: dict[str, Any] = {}
        if criteria:
            request["componentCriteria"] = list(criteria)
        if selectors:
            request["componentVariable"] = selectors
        what = ("GetReport", request)
    else:
        what = ("GetBaseReport", {"reportBase": base})

    role = choose_role(None, options.pop("listen"), options.pop("via"), options["station"])
    ocpp = options.pop("ocpp")
    return run_report(
        env_of(ctx),
        what,
        save,
        role,
        options.pop("station"),
        asked_versions(ctx, role, ocpp),
        options.pop("timeout"),
        options.pop("connect_timeout"),
        options.pop("as_json"),
        options.pop("color"),
        options,
    )


@report.command("diff")
@click.argument("before", type=click.Path(dir_okay=False))
@click.argument("after", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change.")
@click.pass_context
def report_diff(ctx: click.Context, before: str, after: str, as_json: bool) -> int:
    """What changed between two reports: files `report --json` printed (one item a line) or
    `report --save` wrote (a model). One line per variable attribute: `- ADDR:TYPE` gone,
    `+ ADDR:TYPE` new, `~ ADDR:TYPE: before -> after` (value, mutability, dataType).

    Exit status: 0 the same, 1 differences, 2 a file that cannot be read or is neither shape.
    """
    from ocppctl.cli.report_run import run_diff

    return run_diff(env_of(ctx), before, after, as_json)
