"""`ocppctl actions`, `schema` and `template`: the schemas as a reference at the prompt."""

from __future__ import annotations

import click

from ocppctl.cli.options import DEFAULT_VERSION, color_option, complete_action, env_of, ocpp_option
from ocppctl.core.checks import resolve_action
from ocppctl.errors import UsageFailure


def _version(ocpp: str | None):  # type: ignore[no-untyped-def]
    from ocppctl.core.versions import VERSIONS

    return VERSIONS[ocpp or DEFAULT_VERSION]


def _print_json(ctx: click.Context, text: str, color: str) -> None:
    env = env_of(ctx)
    from ocppctl.render.style import wants_color

    if wants_color(color, env.stdout_isatty, env.environ):
        from ocppctl.render.highlight import highlight_json

        text = highlight_json(text)
    env.stdout.write(text.rstrip("\n") + "\n")


@click.command()
@ocpp_option(f"OCPP version (default {DEFAULT_VERSION}).")
@click.option("--from", "sender", type=click.Choice(("station", "csms")), help="Only the actions this side may send.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line: action, from, kind.")
@click.pass_context
def actions(ctx: click.Context, ocpp: str | None, sender: str | None, as_json: bool) -> None:
    """List the actions of an OCPP version and who may send them."""
    import orjson

    version = _version(ocpp)
    env = env_of(ctx)
    if ocpp is None:
        env.stderr.write(f"ocppctl: OCPP {version.name} (the default; --ocpp 1.6 or --ocpp 2.1 for the others)\n")
    rows = [(name, who) for name, who in sorted(version.actions.items()) if sender is None or who in (sender, "both")]
    width = max(len(name) for name, _ in rows) if rows else 0
    for name, who in rows:
        kind = "SEND" if name in version.send_actions else "CALL"
        if as_json:
            env.stdout.write(
                orjson.dumps({"action": name, "from": who, "kind": kind, "ocpp": version.name}).decode() + "\n"
            )
        else:
            sent_by = {"station": "station -> CSMS", "csms": "CSMS -> station", "both": "both ways"}[who]
            suffix = "  (SEND)" if kind == "SEND" else ""
            env.stdout.write(f"{name:<{width}}  {sent_by}{suffix}\n")


@click.command()
@click.argument("action", shell_complete=complete_action)
@click.option("--response", is_flag=True, help="The response's schema instead of the request's.")
@ocpp_option(f"OCPP version (default {DEFAULT_VERSION}).")
@color_option()
@click.pass_context
def schema(ctx: click.Context, action: str, response: bool, ocpp: str | None, color: str) -> None:
    """Print the JSON schema of an action's request (or --response), as shipped."""
    from ocppctl.io.schemafiles import default_registry

    version = _version(ocpp)
    action, kind = resolve_action(version, action, response)
    raw = default_registry().raw(version, action, kind)
    if raw is None:
        raise UsageFailure(f"no schema file for {action} in OCPP {version.name}")
    env = env_of(ctx)
    from ocppctl.render.style import wants_color

    if wants_color(color, env.stdout_isatty, env.environ):
        _print_json(ctx, raw.decode("utf-8"), color)
    else:  # the file as shipped, byte for byte, whatever the terminal's encoding
        tail = "\n" if env.stdout_isatty and not raw.endswith(b"\n") else ""
        binary = getattr(env.stdout, "buffer", None)
        if binary is not None:
            env.stdout.flush()
            binary.write(raw + tail.encode())
            binary.flush()
        else:
            env.stdout.write(raw.decode("utf-8") + tail)


@click.command()
@click.argument("action", shell_complete=complete_action)
@click.option("--response", is_flag=True, help="A response payload instead of a request.")
@ocpp_option(f"OCPP version (default {DEFAULT_VERSION}).")
@color_option()
@click.pass_context
def template(ctx: click.Context, action: str, response: bool, ocpp: str | None, color: str) -> None:
    """Print a minimal valid payload of an action: its required fields with example values."""
    import json

    from ocppctl.core.payloads import template as build
    from ocppctl.io.schemafiles import default_registry

    version = _version(ocpp)
    action, kind = resolve_action(version, action, response)
    compiled = default_registry().get(version, action, kind)
    if compiled is None:
        raise UsageFailure(f"no schema file for {action} in OCPP {version.name}")
    _print_json(ctx, json.dumps(build(compiled.document), indent=2, ensure_ascii=False), color)
