"""`ocppctl config get|set`: an OCPP 1.6 station's configuration keys, as its CSMS."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    asked_versions,
    choose_role,
    csms_command_options,
    env_of,
)

EXIT_HELP = (
    "Exit status: 0 done (get: every key known; set: Accepted), 1 an unknown key, a status other than "
    "Accepted (RebootRequired included) or an answer that breaks its schema, 2 usage (a value over 500 "
    "characters included), 3 CALLERROR, 4 no answer in time, 5 connection failure."
)


_common = csms_command_options(
    "One JSON object per key.", "Seconds to wait for the answer.", "Send the call even if it breaks its schema."
)


@click.group("config")
def config_group() -> None:
    """Read and change an OCPP 1.6 station's configuration keys, as its CSMS (--ocpp 1.6 is the default)."""


@config_group.command("get")
@click.argument("keys", nargs=-1, metavar="[KEY...]")
@_common
def config_get(ctx: click.Context, keys: tuple[str, ...], **options: Any) -> int:
    """GetConfiguration of each KEY (every key when none is named): a table of key, access
    (read-only, read-write, or unknown key: the station's unknownKey) and value.

    \b
    ocppctl config get --listen 9000
    ocppctl config get HeartbeatInterval MeterValueSampleInterval --via /run/user/1000/ocppctl/hub.sock
    """
    return _run(ctx, None, list(keys), options)


@config_group.command("set")
@click.argument("key")
@click.argument("value")
@_common
def config_set(ctx: click.Context, key: str, value: str, **options: Any) -> int:
    """ChangeConfiguration of KEY to VALUE, and what the answer means: Accepted (in effect),
    RebootRequired (in effect after a Reset), Rejected (read-only, or a value the key does not
    take), NotSupported (no such key to set). A VALUE over 500 characters is refused before
    sending.

    \b
    ocppctl config set HeartbeatInterval 60 --listen 9000
    """
    return _run(ctx, (key, value), [], options)


for _command in (config_get, config_set):
    _command.help = f"{_command.help}\n\n{EXIT_HELP}"


def _run(ctx: click.Context, change: tuple[str, str] | None, keys: list[str], options: dict[str, Any]) -> int:
    from ocppctl.cli.config_run import run_config

    role = choose_role(None, options.pop("listen"), options.pop("via"), options["station"])
    ocpp = options.pop("ocpp")
    return run_config(
        env_of(ctx),
        change,
        keys,
        role,
        options.pop("station"),
        asked_versions(ctx, role, ocpp, ["1.6"]),
        not options.pop("no_validate"),
        options.pop("timeout"),
        options.pop("connect_timeout"),
        options.pop("as_json"),
        options.pop("color"),
        options,
    )
