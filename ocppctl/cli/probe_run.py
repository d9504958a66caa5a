"""What `probe` does: connect, collect facts, boot, print them."""

from __future__ import annotations

import asyncio
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.options import build_link_options
from ocppctl.cli.reach import client_security
from ocppctl.cli.status import ExitCode
from ocppctl.core.jsontext import dumps
from ocppctl.core.payloads import template
from ocppctl.core.versions import VERSIONS
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.findings import finding_text
from ocppctl.render.style import escape, paint, wants_color
from ocppctl.transport.security import redact


def run_probe(
    env: Env,
    url: str,
    ocpp: list[str],
    each_version: bool,
    no_boot: bool,
    timeout: float,
    connect_timeout: float,
    as_json: bool,
    color_choice: str,
    options: dict[str, Any],
) -> int:
    from ocppctl.errors import LinkError, TimedOut
    from ocppctl.transport.probe import link_facts, timed_connect, versions_accepted

    versions = [VERSIONS[name] for name in ocpp]
    registry = default_registry()
    link_options = build_link_options(options)
    security = client_security(env, url, options)
    facts: dict[str, Any] = {"url": redact(url)}  # never the password of ws://user:password@
    code = 0

    async def main() -> None:
        nonlocal code
        try:
            link, ms = await timed_connect(url, versions, registry, connect_timeout, security, link_options)
        except LinkError as exc:
            if "HTTP 401" in exc.message and security.password is None:
                facts["auth"] = "required (401): give --password-file or OCPPCTL_PASSWORD"
            raise
        facts.update(link_facts(link, ms))
        facts["auth"] = "basic auth accepted" if security.password is not None else "none asked"
        try:
            if not no_boot:
                code = await _boot(link, registry, timeout, facts)
        finally:
            await link.socket.close()
        if each_version:
            facts["versions"] = await versions_accepted(
                url, versions, registry, connect_timeout, security, link_options
            )

    color = wants_color(color_choice, env.stdout_isatty, env.environ)
    try:
        asyncio.run(main())
    except (LinkError, TimedOut):
        _print(env, facts, as_json, color)
        raise
    _print(env, facts, as_json, color)
    return code


async def _boot(link: Any, registry: Any, timeout: float, facts: dict[str, Any]) -> int:
    """A BootNotification over the peer engine (the CSMS's own calls meanwhile are answered
    NotImplemented), and what its answer says."""
    from ocppctl.errors import LinkError, TimedOut
    from ocppctl.transport.peer import Peer

    version = link.version
    schema = registry.get(version, "BootNotification", "request")
    peer = Peer(link.socket, link.session, 1)
    reader = asyncio.ensure_future(peer.run())
    try:
        event = await peer.call("BootNotification", template(schema.document), timeout, check=False)
    except TimedOut:
        facts["boot"] = f"no answer within {timeout:g} s"
        raise
    except LinkError:  # the CSMS hung up on the boot: exit 5, as a closed link is
        facts["boot"] = "the link closed before the answer"
        raise
    finally:
        await peer.close()
        await reader
    facts["boot_ms"] = round(event.rtt_ms or 0.0, 1)
    frame = event.frame
    assert frame is not None  # an answer always carries its frame
    if event.kind == "error":
        facts["boot"] = f"CALLERROR {frame.error_code}"
        return int(ExitCode.CALLERROR)
    status = frame.payload.get("status") if isinstance(frame.payload, dict) else None
    facts["boot"] = f"{status}" + (" (the answer breaks its schema)" if event.findings else "")
    facts["boot_findings"] = [f.as_dict() for f in event.findings]
    return int(ExitCode.FINDINGS) if any(f.severity == "error" for f in event.findings) else 0


def _print(env: Env, facts: dict[str, Any], as_json: bool, color: bool) -> None:
    if as_json:
        env.stdout.write(dumps(facts) + "\n")
        return
    findings = facts.pop("boot_findings", [])
    width = max(len(key) for key in facts)
    for key, value in facts.items():
        if isinstance(value, dict):
            for name, verdict in value.items():
                label = f"ocpp {name}"
                env.stdout.write(f"{paint('bold', f'{label:<{width}}', color)}  {escape(str(verdict))}\n")
            continue
        env.stdout.write(f"{paint('bold', f'{key:<{width}}', color)}  {escape(str(value))}\n")
    from ocppctl.core.findings import Finding

    for data in findings:
        env.stdout.write(finding_text(Finding(**data), color) + "\n")
