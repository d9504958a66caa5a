"""What `repl` does once its options are read: make the links, the session, the prompt; run."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.reach import client_security, server_security
from ocppctl.cli.status import PRECEDENCE
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import VERSIONS, Version
from ocppctl.errors import UsageFailure
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.style import wants_color


def run_repl(
    env: Env,
    role: tuple[str, str],
    ocpp: list[str],
    check: bool,
    timeout: float,
    connect_timeout: float,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    """`options` holds the link and security options, --record, --no-history and --station."""
    from ocppctl.repl.app import Repl
    from ocppctl.repl.config import load_settings

    settings = load_settings(env.environ)
    for problem in settings.problems:
        env.stderr.write(f"ocppctl: {problem}\n")
    registry = default_registry()
    versions = [VERSIONS[name] for name in ocpp]
    record, no_history, station = options.pop("record"), options.pop("no_history"), options.pop("station")
    if record is not None:
        _check_writable(record)  # said before any link is made
    links = make_links(env, role, versions, registry, connect_timeout, options)
    color = wants_color(color_choice, env.stdout_isatty, env.environ)

    def echo(text: str) -> None:
        print(text, flush=True)  # sys.stdout at call time: above the prompt while it is shown

    repl = Repl(links, registry, settings, echo, color, timeout, check)
    script = None if env.stdin_isatty else sys.stdin  # lines piped in: no prompt, no history
    if script is not None:  # stdout is the script's output; the banner and errors are not
        repl.warn = lambda text: print(text, file=sys.stderr, flush=True)
    history = None if no_history or script is not None else _history(env, settings)
    return asyncio.run(_session(repl, history, station, record, script))


def make_links(
    env: Env,
    role: tuple[str, str],
    versions: list[Version],
    registry: SchemaRegistry,
    connect_timeout: float,
    options: dict[str, Any],
) -> Any:
    """The links of the role asked for, answering the peer's calls as a default peer would."""
    from ocppctl.handlers.defaults import CsmsState, csms_answerer
    from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel, station_answerer
    from ocppctl.io.recorder import ocpp_time
    from ocppctl.transport import links

    link_options = build_link_options(options)
    if role[0] == "station":
        answer, then = station_answerer(DeviceModel.from_json(DEFAULT_MODEL), registry, ocpp_time)
        security = client_security(env, role[1], options)
        return links.StationLinks(
            role[1],
            connect_timeout,
            registry,
            versions,
            answer=answer,
            then=then,
            security=security,
            options=link_options,
        )
    if role[0] == "csms":
        from ocppctl.transport.server import parse_listen

        try:
            host, port = parse_listen(role[1])
        except ValueError:
            raise UsageFailure(f"--listen takes [HOST:]PORT, not {role[1]!r}") from None
        answer = csms_answerer(registry, CsmsState(), ocpp_time)
        security = server_security(env, options)
        return links.CsmsLinks(host, port, registry, versions, answer=answer, security=security, options=link_options)
    return links.HubLinks(role[1], registry, versions)  # the hub answers its stations itself


def _history(env: Env, settings: Any) -> Any:
    """The history file, or None (said in one line) where it cannot be kept: the session is
    worth more than its history."""
    from ocppctl.repl.config import BoundedHistory, history_path

    path = history_path(env.environ)
    try:
        return BoundedHistory(path, settings.history_size)
    except OSError as exc:
        env.stderr.write(f"ocppctl: no history this session: {path}: {exc.strerror or exc}\n")
        return None


def _check_writable(path: str) -> None:
    """A usage error now, rather than after connecting, when `path` cannot be appended to; a
    file this check creates is removed again."""
    from ocppctl.io.recorder import open_record

    existed = os.path.exists(path)
    try:
        open_record(path).close()
    except OSError as exc:
        raise UsageFailure(f"{path}: cannot record there: {exc.strerror or exc}") from None
    if not existed:
        os.unlink(path)


async def _session(repl: Any, history: Any, station: str | None, record: str | None, script: Any) -> int:
    from ocppctl.repl.prompt import build_session, interact, run_lines

    await repl.links.start()
    try:
        if station is not None:
            repl.links.current = station
        repl.warn(f"ocppctl repl: {repl.links.banner()}; :help lists the meta-commands, Ctrl-D leaves")
        if record is not None:
            repl.record(record)
        if script is not None:
            await run_lines(repl, script)
            return next((int(code) for code in PRECEDENCE if int(code) in repl.failures), 0)
        await interact(repl, build_session(repl, history))
    finally:
        await repl.close()
    return 0
