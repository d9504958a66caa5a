"""`ocppctl completion bash|zsh|fish`, and what the shell scripts complete beyond click's own:
finding codes for --select/--ignore, and the station ids of a running hub for --station.

A completion runs on every Tab: it must never fail or hang, so each one answers nothing
rather than an error, and asks a hub for at most STATION_TIMEOUT seconds."""

from __future__ import annotations

from typing import Any

import click

STATION_TIMEOUT = 0.5  # seconds a Tab may wait for a hub's list of stations


@click.command()
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish")))
def completion(shell: str) -> None:
    """Print the completion script for SHELL; load it from your shell's start-up file.

    \b
      bash: eval "$(ocppctl completion bash)"      in ~/.bashrc
      zsh:  ocppctl completion zsh > ~/.zfunc/_ocppctl   (a folder on $fpath)
      fish: ocppctl completion fish > ~/.config/fish/completions/ocppctl.fish
    """
    from ocppctl.cli.completion_scripts import script

    click.echo(script(shell), nl=False)


def complete_codes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """The finding codes starting with what is typed after the last comma (`--select schema,for`)."""
    from click.shell_completion import CompletionItem

    from ocppctl.core.findings import CODES

    head, _, tail = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    return [CompletionItem(prefix + code, help=text) for code, text in CODES.items() if code.startswith(tail)]


def complete_station(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """The ids of the stations connected to the hub of --via (else the default one) that start
    with `incomplete`; nothing when no hub answers in time or the line names --url/--listen."""
    from click.shell_completion import CompletionItem

    if ctx.params.get("url") is not None or ctx.params.get("listen") is not None:
        return []
    return [CompletionItem(name) for name in hub_stations(ctx.params.get("via")) if name.startswith(incomplete)]


def hub_stations(via: str | None, timeout: float = STATION_TIMEOUT) -> list[str]:
    """The station ids a hub reports (`{"op": "stations"}`); [] on any failure or after `timeout`."""
    import asyncio

    from ocppctl.transport.control import control_request, default_control_path

    async def ask() -> dict[str, Any]:
        return await control_request(via or default_control_path(), {"op": "stations"}, "")

    try:
        reply = asyncio.run(asyncio.wait_for(ask(), timeout))
    except Exception:  # noqa: BLE001 - a Tab shows nothing rather than an error
        return []
    stations = reply.get("stations")
    return sorted(str(s) for s in stations) if isinstance(stations, list) else []


def complete_sim_station(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """`sim set --station <Tab>`: the simulated stations running here, by their default control
    sockets (sim-ID.sock beside the hub's)."""
    import os

    from click.shell_completion import CompletionItem

    from ocppctl.transport.control import default_control_path

    folder = os.path.dirname(default_control_path())
    try:
        names = sorted(n[4:-5] for n in os.listdir(folder) if n.startswith("sim-") and n.endswith(".sock"))
    except OSError:
        return []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]
