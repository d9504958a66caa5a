"""What `sim station` does: load the model, run the station until stopped, print each frame."""

from __future__ import annotations

import asyncio
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.reach import client_security
from ocppctl.cli.serving import run_until_stopped
from ocppctl.cli.terminal_out import TerminalOut
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import InputError, OcppctlError
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.flows import FlowPrinter
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
    from ocppctl.transport.sim import SimulatedStation
    from ocppctl.transport.sim import run_station as serve

    data: Any = DEFAULT_MODEL
    if model_file is not None:
        from ocppctl.io.inputs import read_json_file

        data = read_json_file(model_file)
    try:
        model = DeviceModel.from_json(data)
    except ValueError as exc:
        raise InputError(f"{model_file}: {exc} (docs/sim.md shows the shape)") from None
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    view = options.pop("view", "json" if as_json else "compact")
    out = TerminalOut(env.stdout, view == "json")  # printing never blocks the station
    printer = FlowPrinter(out, env.stderr, color=color, view=view, width=env.columns, local="station")
    security = client_security(env, url, options)
    link = build_link_options(options)
    versions = [VERSIONS[name] for name in ocpp]
    from ocppctl.transport.client import station_id
    from ocppctl.transport.control import default_control_path

    control = options.pop("control", None) or default_control_path(f"sim-{station_id(url)}")
    env.stderr.write(f"ocppctl: control socket {control} (sim set)\n")
    env.stderr.flush()

    simulated = SimulatedStation(
        url,
        versions,
        default_registry(),
        model,
        connect_timeout,
        security,
        link,
        printer.flow,
        heartbeat=heartbeat,
        exit_on_close=bool(options.pop("exit_on_close", False)),
    )

    async def run(stop: asyncio.Event) -> None:
        await serve(simulated, stop, control)

    try:
        return run_until_stopped(run)
    finally:
        out.close()


def run_set(env: Env, assignments: tuple[str, ...], station: str | None, via: str | None) -> int:
    """`sim set`: each COMPONENT/VARIABLE=VALUE sent to the simulated station's control socket."""

    from ocppctl.transport.control import default_control_path

    path = via or default_control_path(f"sim-{station}")
    requests = []
    for item in assignments:
        name, sep, value = item.partition("=")
        component, slash, variable = name.partition("/")
        if not sep or not slash or not component or not variable:  # the message shows the form: no --help pointer
            raise OcppctlError(f"{item!r}: an assignment is COMPONENT/VARIABLE=VALUE (ChargingStation/Temperature=61)")
        requests.append({"op": "set", "component": component, "variable": variable, "value": value})

    from ocppctl.transport.control import control_request

    missing = f"no simulated station at {path}: start `ocppctl sim station`"
    for request in requests:
        reply = asyncio.run(control_request(path, request, missing, 30))
        if not reply.get("ok"):  # the station's word (no such variable): --help would not help
            raise OcppctlError(str(reply.get("error")))
        events = reply.get("events", 0)
        env.stdout.write(f"{request['component']}/{request['variable']} = {request['value']}: {events} event(s) sent\n")
    return 0
