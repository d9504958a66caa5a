"""`ocppctl vars get|set`: a station's device-model variables by address, as its CSMS."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    asked_versions,
    choose_role,
    csms_command_options,
    env_of,
)

ADDRESS_HELP = (
    "ADDR is COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]/VARIABLE[INSTANCE][:ATTRIBUTE], e.g. "
    "FiscalMetering@1/Certificate, CustomizationCtrlr[com.vendor.x]/Enabled, "
    "SampledDataCtrlr/TxUpdatedInterval:Target (ATTRIBUTE: Actual, the default, Target, MinSet, MaxSet)."
)
BATCH_HELP = (
    "More items than the station takes in one request (its DeviceDataCtrlr ItemsPerMessage and "
    "BytesPerMessage, read first) go in several; a request refused with OccurrenceConstraintViolation is "
    "sent again in halves."
)
EXIT_HELP = (
    "Exit status: 0 every item Accepted, 1 an item not Accepted (RebootRequired included) or an answer that "
    "breaks its schema, 2 usage, 3 CALLERROR, 4 no answer in time, 5 connection failure."
)


_shared = csms_command_options(
    "One JSON object per item.", "Seconds to wait for each answer.", "Send the calls even if they break their schema."
)


def _common(command: Any) -> Any:
    """The options `vars get` and `vars set` share: --from-file, then those of every such command."""
    return click.option(
        "--from-file",
        "from_file",
        type=click.Path(dir_okay=False, allow_dash=True),
        metavar="FILE",
        help="Also take items from FILE (- for standard input): one a line, or a JSON array of them"
        " (set: or a JSON object ADDR -> VALUE).",
    )(_shared(command))


@click.group("vars")
def vars_group() -> None:
    """Read and set a station's device-model variables (OCPP 2.0.1, 2.1), as its CSMS."""


@vars_group.command("get")
@click.argument("addresses", nargs=-1, metavar="ADDR...")
@_common
def vars_get(ctx: click.Context, addresses: tuple[str, ...], **options: Any) -> int:
    """GetVariables of each ADDR; one table of results (status, value, reason).

    \b
    ocppctl vars get OCPPCommCtrlr/HeartbeatInterval --listen 9000
    ocppctl vars get 'CustomizationCtrlr[com.vendor.x]/Enabled' --via /run/user/1000/ocppctl/hub.sock
    """
    return _run(ctx, "GetVariables", addresses, False, options)


@vars_group.command("set")
@click.argument("assignments", nargs=-1, metavar="ADDR=VALUE...")
@_common
def vars_set(ctx: click.Context, assignments: tuple[str, ...], **options: Any) -> int:
    """SetVariables of each ADDR=VALUE; one table of results (status, reason).

    \b
    ocppctl vars set OCPPCommCtrlr/HeartbeatInterval=60 ChargingSoundCtrlr/Volume=3 --listen 9000
    """
    return _run(ctx, "SetVariables", assignments, True, options)


for _command in (vars_get, vars_set):
    _command.help = f"{_command.help}\n\n{ADDRESS_HELP}\n\n{BATCH_HELP}\n\n{EXIT_HELP}"


def _run(ctx: click.Context, action: str, texts: tuple[str, ...], assign: bool, options: dict[str, Any]) -> int:
    from ocppctl.cli.vars_run import run_vars
    from ocppctl.core.variables import ItemsError, one_item, read_items

    try:
        items = [one_item(text, assign, f"argument {at}") for at, text in enumerate(texts, start=1)]
        source = options.pop("from_file")
        if source is not None:
            items += read_items(_read_text(ctx, source), assign)
    except ItemsError as exc:
        raise click.UsageError(str(exc)) from None
    if not items:
        raise click.UsageError("name at least one " + ("ADDR=VALUE" if assign else "ADDR") + " (or --from-file)")
    role = choose_role(None, options.pop("listen"), options.pop("via"), options["station"])
    ocpp = options.pop("ocpp")
    return run_vars(
        env_of(ctx),
        action,
        items,
        role,
        options.pop("station"),
        asked_versions(ctx, role, ocpp),
        not options.pop("no_validate"),
        options.pop("timeout"),
        options.pop("connect_timeout"),
        options.pop("as_json"),
        options.pop("color"),
        options,
    )


def _read_text(ctx: click.Context, source: str) -> str:
    """The text of --from-file: a UTF-8 file, or standard input for -."""
    env = env_of(ctx)
    try:
        if source == "-":
            data = env.stdin.read() if env.stdin is not None else b""
        else:
            with open(source, "rb") as handle:
                data = handle.read()
        return str(data.decode("utf-8-sig"))
    except OSError as exc:
        raise click.UsageError(f"--from-file {source}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"--from-file {source}: not UTF-8 at byte {exc.start}") from None
