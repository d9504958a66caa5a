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
    from ocppctl.transport.client import station_id
    from ocppctl.transport.hub import default_control_path

    control = options.pop("control", None) or default_control_path(f"sim-{station_id(url)}")
    env.stderr.write(f"ocppctl: control socket {control} (sim set)\n")
    env.stderr.flush()

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
            url,
            versions,
            default_registry(),
            model,
            connect_timeout,
            security,
            link,
            printer.flow,
            stop,
            heartbeat,
            control,
        )

    try:
        asyncio.run(main())
    except LinkError as exc:
        raise ConnectionFailure(exc.message) from None
    return stopped_by[0] if stopped_by else 0


def run_set(env: Env, assignments: tuple[str, ...], station: str | None, via: str | None) -> int:
    """`sim set`: each COMPONENT/VARIABLE=VALUE sent to the simulated station's control socket."""
    import orjson

    from ocppctl.transport.hub import default_control_path

    path = via or default_control_path(f"sim-{station}")
    requests = []
    for item in assignments:
        name, sep, value = item.partition("=")
        component, slash, variable = name.partition("/")
        if not sep or not slash or not component or not variable:
            raise UsageFailure(f"{item!r}: an assignment is COMPONENT/VARIABLE=VALUE (ChargingStation/Temperature=61)")
        requests.append({"op": "set", "component": component, "variable": variable, "value": value})

    async def ask(request: dict[str, Any]) -> dict[str, Any]:
        try:
            reader, writer = await asyncio.open_unix_connection(path)
        except OSError:
            raise ConnectionFailure(f"no simulated station at {path}: start `ocppctl sim station`") from None
        writer.write(orjson.dumps(request) + b"\n")
        await writer.drain()
        line = await reader.readline()
        writer.close()
        reply: dict[str, Any] = orjson.loads(line) if line else {"ok": False, "error": "no answer"}
        return reply

    for request in requests:
        reply = asyncio.run(ask(request))
        if not reply.get("ok"):
            raise UsageFailure(str(reply.get("error")))
        events = reply.get("events", 0)
        env.stdout.write(f"{request['component']}/{request['variable']} = {request['value']}: {events} event(s) sent\n")
    return 0
