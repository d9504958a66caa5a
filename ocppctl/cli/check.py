"""`ocppctl check`: whether a station or a CSMS handles the basic OCPP message set, one check
per use case, each pass, fail (with why) or skipped (the peer said NotImplemented/NotSupported)."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    Seconds,
    client_security_options,
    color_option,
    connect_timeout_option,
    env_of,
    link_options,
    ocpp_versions,
    server_security_options,
    ws_url,
)
from ocppctl.core.conformance import CHECK_TOKEN


@click.group()
def check() -> None:
    """Check a station or a CSMS against the basic OCPP message set."""


def _output_options(command: Any) -> Any:
    command = click.option(
        "-v", "--verbose", is_flag=True, help="Under each check: its requirement and every frame it judged."
    )(command)
    command = click.option(
        "--junit", type=click.Path(dir_okay=False), metavar="FILE", help="Also write JUnit XML: a testcase per check."
    )(command)
    command = click.option(
        "--json", "as_json", is_flag=True, help="One JSON object per check (status, why, frames), then a summary."
    )(command)
    command = click.option(
        "--timeout",
        type=Seconds(min=0.001),
        default=30.0,
        show_default=True,
        help="Seconds for each answer, and for each call the peer owes after one.",
    )(command)
    return color_option()(command)


def _profiles(value: str | None) -> list[str]:
    from ocppctl.core.conformance_profiles16 import PROFILES

    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    for name in names:
        if name not in PROFILES:
            raise click.BadParameter(f"{name!r} is not one of {', '.join(PROFILES)}")
    return names


def _boot_answers(value: str | None) -> list[str]:
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    for name in names:
        if name not in ("Pending", "Rejected"):
            raise click.BadParameter(f"{name!r} is not Pending or Rejected")
    return names


@check.command()
@click.option("--listen", "where", required=True, metavar="[HOST:]PORT", help="Where to listen for the station.")
@click.option("--station", metavar="ID", help="Wait for this station (others are turned away).")
@click.option(
    "--ocpp",
    "ocpp",
    callback=ocpp_versions,
    default="2.0.1,1.6",
    show_default=True,
    metavar="V[,V...]",
    help="Versions to accept; the station's choice says which checks run.",
)
@click.option(
    "--boot",
    "boot",
    callback=lambda ctx, param, value: _boot_answers(value),
    metavar="STATUS[,STATUS]",
    help="Answer the station's first boots with these statuses (Pending, Rejected) in the order given, "
    "then Accepted; checks that it boots again (B02, B03).",
)
@click.option(
    "--profile",
    "profiles",
    callback=lambda ctx, param, value: _profiles(value),
    metavar="NAME[,NAME...]",
    help="1.6: also check these profiles: LocalAuthListManagement, Reservation, SmartCharging.",
)
@click.option(
    "--boot-interval",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="The interval given with a Pending or Rejected boot: seconds until the station boots again.",
)
@connect_timeout_option()
@_output_options
@server_security_options
@link_options
@click.pass_context
def station(
    ctx: click.Context,
    where: str,
    station: str | None,
    ocpp: list[str],
    profiles: list[str],
    connect_timeout: float,
    timeout: float,
    as_json: bool,
    junit: str | None,
    color: str,
    verbose: bool,
    **options: Any,
) -> int:
    """Act as a CSMS and drive the station that connects through the basic set: 2.0.1 cold
    boot, Get/SetVariables, GetBaseReport for each report base, ChangeAvailability, a remote
    start and stop (TransactionEvent), TriggerMessage, DataTransfer, Reset; 1.6 the Core
    profile (Get/ChangeConfiguration, RemoteStart/StopTransaction, UnlockConnector, ClearCache,
    ChangeAvailability, TriggerMessage, DataTransfer, Reset; other profiles with --profile).
    Reset comes last: the station
    reboots and must connect again within --connect-timeout.

    Exit 0 when no check fails, 1 when one does, 5 when no station connects."""
    from ocppctl.cli.check_run import run_check_station

    options.update(verbose=verbose, profiles=profiles)
    return run_check_station(
        env_of(ctx), where, station, ocpp, connect_timeout, timeout, as_json, junit, color, options
    )


@check.command()
@click.option(
    "--url", required=True, metavar="URL", callback=ws_url, help="The CSMS: ws[s]://host[:port]/path/STATIONID."
)
@click.option(
    "--ocpp",
    "ocpp",
    callback=ocpp_versions,
    default="2.0.1",
    show_default=True,
    metavar="V[,V...]",
    help="Versions to offer; the CSMS's choice says which checks run.",
)
@click.option("--token", default=CHECK_TOKEN, show_default=True, help="An idTag/idToken the CSMS accepts.")
@click.option("--unknown-token", metavar="TOKEN", help="An idTag/idToken the CSMS does not know: checked refused.")
@click.option("--connectors", type=click.IntRange(min=1), default=1, show_default=True, help="Connectors to report.")
@click.option(
    "--skew",
    type=Seconds(min=0),
    default=60.0,
    show_default=True,
    help="Seconds the CSMS's currentTime may differ from this machine's clock.",
)
@connect_timeout_option()
@_output_options
@client_security_options
@link_options
@click.pass_context
def csms(
    ctx: click.Context,
    url: str,
    ocpp: list[str],
    token: str,
    unknown_token: str | None,
    connectors: int,
    skew: float,
    connect_timeout: float,
    timeout: float,
    as_json: bool,
    junit: str | None,
    color: str,
    verbose: bool,
    **options: Any,
) -> int:
    """Connect as a station and check the CSMS's answers: BootNotification (Accepted, a sane
    interval, currentTime with an offset within --skew of this clock), Heartbeat, a
    StatusNotification per connector, Authorize --token (and --unknown-token, refused), a whole
    transaction with meter values (1.6: the transactionId given is accepted at stop), and
    DataTransfer for an unknown vendor (UnknownVendorId). Every answer must be schema-valid.

    Exit 0 when no check fails, 1 when one does, 5 when the CSMS cannot be reached."""
    from ocppctl.cli.check_run import run_check_csms

    options.update(token=token, unknown_token=unknown_token, connectors=connectors, skew=skew, verbose=verbose)
    return run_check_csms(env_of(ctx), url, ocpp, connect_timeout, timeout, as_json, junit, color, options)
