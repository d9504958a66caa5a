"""What `sim station` does: load the model, run the station until stopped, print each frame."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.listen_run import _FlowPrinter
from ocppctl.cli.options import build_link_options
from ocppctl.cli.send_run import ConnectionFailure, client_security
from ocppctl.cli.status import ExitCode
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import UsageFailure
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.style import wants_color


def run_station(
    env: Env,
    url: str,
    ocpp: list[str],
    model_file: str | None,
    heartbeat: float | None,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel
    from ocppctl.transport.client import LinkError
    from ocppctl.transport.sim import run_station as serve

    data: Any = DEFAULT_MODEL
    if model_file is not None:
        from ocppctl.core.jsontext import JsonSyntaxError, loads

        try:
            with open(model_file, encoding="utf-8-sig") as handle:
                data = loads(handle.read())
        except OSError as exc:
            raise UsageFailure(f"{model_file}: cannot read: {exc.strerror or exc}") from None
        except JsonSyntaxError as exc:
            raise UsageFailure(f"{model_file}: not JSON: {exc.message} (line {exc.line})") from None
    try:
        model = DeviceModel.from_json(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise UsageFailure(f"the device model is not of the expected shape: {exc} (see docs/sim.md)") from None
    printer = _FlowPrinter(env, wants_color(color_choice, env.stdout_isatty, env.environ), as_json, local="station")
    security = client_security(env, url, options)
    link = build_link_options(options)
    versions = [VERSIONS[name] for name in ocpp]
    stopped_by: list[int] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stop_with(code: int) -> None:
            stopped_by.append(code)
            stop.set()

        for signum, code in ((signal.SIGINT, int(ExitCode.INTERRUPTED)), (signal.SIGTERM, 0)):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop_with, code)
        await serve(
            url, versions, default_registry(), model, connect_timeout, security, link, printer.flow, stop, heartbeat
        )

    try:
        asyncio.run(main())
    except LinkError as exc:
        raise ConnectionFailure(exc.message) from None
    return stopped_by[0] if stopped_by else 0
