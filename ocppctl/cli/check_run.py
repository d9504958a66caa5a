"""What `check` does once its options are read: run the checks on the peer engine, print each
result as it comes, write the JUnit file."""

from __future__ import annotations

import asyncio
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.status import ExitCode
from ocppctl.core.conformance import Result
from ocppctl.core.jsontext import dumps
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import InputError, UsageFailure
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.conformance import as_json as result_json
from ocppctl.render.conformance import details, row, table_footer
from ocppctl.render.conformance import junit as junit_xml
from ocppctl.render.style import wants_color
from ocppctl.transport.conformance import summary


class _Printer:
    """A row per check as it ends (or --json, one object per check), then the summary."""

    def __init__(self, env: Env, color: bool, as_json: bool, verbose: bool = False) -> None:
        self.env = env
        self.color = color
        self.as_json = as_json
        self.verbose = verbose

    def listening(self, host: str, port: int) -> None:
        self.env.stderr.write(f"ocppctl: listening on {host}:{port}, waiting for a station\n")
        self.env.stderr.flush()

    def result(self, result: Result) -> None:
        text = dumps(result_json(result)) if self.as_json else row(result, self.color)
        if self.verbose and not self.as_json:
            text = "\n".join([text, *details(result, result.check.tested)])
        self.env.stdout.write(text + "\n")
        self.env.stdout.flush()

    def end(self, results: list[Result]) -> dict[str, Any]:
        counts = summary(results)
        text = dumps({"summary": counts}) if self.as_json else table_footer(counts)
        self.env.stdout.write(text + "\n")
        return counts


def _finish(env: Env, printer: _Printer, results: list[Result], junit: str | None, suite: str) -> int:
    counts = printer.end(results)
    if junit is not None:
        try:
            with open(junit, "w", encoding="utf-8") as out:
                out.write(junit_xml(results, suite, counts))
        except OSError as exc:
            raise InputError(f"cannot write {junit}: {exc.strerror or exc}") from None
    return int(ExitCode.FINDINGS) if counts["fail"] else 0


def run_check_station(
    env: Env,
    where: str,
    station: str | None,
    ocpp: list[str],
    connect_timeout: float,
    timeout: float,
    as_json: bool,
    junit: str | None,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    from ocppctl.cli.reach import server_security
    from ocppctl.core.conformance_station import BootAnswers, station_checks
    from ocppctl.transport.conformance import Recorder, Runner, chain, station_answerer
    from ocppctl.transport.csms import Csms
    from ocppctl.transport.server import await_station, parse_listen

    try:
        host, port = parse_listen(where)
    except ValueError:
        raise UsageFailure(f"--listen takes [HOST:]PORT, not {where!r}") from None
    registry = default_registry()
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    printer = _Printer(env, color, as_json, bool(options.pop("verbose", False)))
    security = server_security(env, options)
    link = build_link_options(options)

    async def main() -> list[Result]:
        recorder = Recorder()
        boots = options.pop("boot") or []
        profiles = options.pop("profiles") or []
        answer = station_answerer(registry, BootAnswers(boots, options.pop("boot_interval")))
        versions = [VERSIONS[name] for name in ocpp]
        csms = Csms(registry, versions, recorder.observe, answer, security=security, options=link, only=station)
        async with await_station(csms, host, port, connect_timeout, printer.listening) as peer:
            arrivals: asyncio.Queue[Any] = asyncio.Queue()
            csms.on_peer = chain(csms.on_peer, arrivals.put_nowait)
            runner = Runner(peer, recorder, timeout, arrivals, reconnect_timeout=connect_timeout)
            checks = station_checks(peer.version.name, boots, profiles)
            return await runner.run(checks, printer.result)

    results = asyncio.run(main())
    return _finish(env, printer, results, junit, "station")


def run_check_csms(
    env: Env,
    url: str,
    ocpp: list[str],
    connect_timeout: float,
    timeout: float,
    as_json: bool,
    junit: str | None,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    import uuid

    from ocppctl.cli.reach import client_security
    from ocppctl.core.conformance_csms import csms_checks
    from ocppctl.transport.client import connect_station
    from ocppctl.transport.conformance import Recorder, Runner
    from ocppctl.transport.peer import Peer, remote_of

    registry = default_registry()
    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    printer = _Printer(env, color, as_json, bool(options.pop("verbose", False)))
    token, unknown, connectors, skew = (options.pop(k) for k in ("token", "unknown_token", "connectors", "skew"))
    security = client_security(env, url, options)
    link_options = build_link_options(options)
    versions = [VERSIONS[name] for name in ocpp]

    async def main() -> list[Result]:
        recorder = Recorder()
        link = await connect_station(
            url, versions, registry, lambda: str(uuid.uuid4()), connect_timeout, security, link_options
        )
        peer = Peer(link.socket, link.session, 1, recorder.observe, answer_invalid=link_options.answer_invalid)
        peer.opened(remote=remote_of(link.socket))
        reader = asyncio.ensure_future(peer.run())
        try:
            runner = Runner(peer, recorder, timeout, skew=skew)
            return await runner.run(csms_checks(link.version.name, token, unknown, connectors), printer.result)
        finally:
            await peer.close()
            await reader

    results = asyncio.run(main())
    return _finish(env, printer, results, junit, "csms")
