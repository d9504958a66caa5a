"""`ocppctl proxy`: between stations and a CSMS, every frame relayed unchanged, checked, shown
and recorded."""

from __future__ import annotations

from typing import Any

import click

from ocppctl.cli.options import (
    color_option,
    connect_timeout_option,
    env_of,
    link_options,
    server_security_options,
    view_of,
    view_options,
    ws_base_url,
)


@click.command()
@click.option(
    "--listen", "where", default="127.0.0.1:9000", show_default=True, metavar="[HOST:]PORT", help="Where to listen."
)
@click.option(
    "--upstream",
    required=True,
    metavar="URL",
    callback=ws_base_url,
    help="The CSMS: ws[s]://host[:port]/path; a station connecting to .../ID is relayed to URL/ID.",
)
@click.option(
    "--record", type=click.Path(dir_okay=False), metavar="FILE", help="Append every frame and connection event to FILE."
)
@click.option("--quiet", is_flag=True, help="Show only frames with findings (and connection events).")
@click.option("--station", "only_station", metavar="ID", help="Show only this station's traffic.")
@click.option("--action", "only_action", metavar="NAME", help="Show only calls of this action and their answers.")
@click.option(
    "--control",
    metavar="PATH",
    help="The control socket through which `send --via` calls a station (default as for listen).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per frame or connection event.")
@view_options
@color_option()
@connect_timeout_option()
@server_security_options
@click.option("--upstream-cacert", type=click.Path(dir_okay=False), help="CA certificate(s) to verify the CSMS.")
@click.option("--upstream-insecure", is_flag=True, help="Do not verify the CSMS's TLS certificate.")
@click.option(
    "--upstream-cert", type=click.Path(dir_okay=False), help="Client certificate to the CSMS (security profile 3)."
)
@click.option("--upstream-key", type=click.Path(dir_okay=False), help="Key of --upstream-cert.")
@click.option(
    "--upstream-user",
    metavar="NAME",
    help="Replace the stations' basic auth with this user's (else their Authorization goes through as it came).",
)
@click.option(
    "--upstream-password-file",
    type=click.Path(dir_okay=False),
    help="File holding --upstream-user's password (else OCPPCTL_PASSWORD, else a prompt).",
)
@link_options
@click.pass_context
def proxy(ctx: click.Context, **options: Any) -> int:
    """Sit between stations and a CSMS: each station connecting to .../ID is relayed to
    UPSTREAM/ID with the subprotocol the CSMS chose; every message goes through unchanged
    (even invalid OCPP or not JSON) and is shown with the findings of validate's checks.

    Stop with Ctrl-C (exit 130) or SIGTERM (exit 0); a recording loses nothing either way.
    """
    from ocppctl.cli.proxy_run import run_proxy

    options["view"] = view_of(options.pop("full"), options.pop("pretty"), options.pop("as_json"))
    return run_proxy(env_of(ctx), options)


# the peer engine's own answers and boot hold do not apply to a relay: the station's calls go upstream
proxy.params = [p for p in proxy.params if p.name not in ("answer_invalid", "boot_wait")]
