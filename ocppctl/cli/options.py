"""Options every command shares, defined once (DESIGN.md: conventions of every command)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

VERSION_CHOICES = ("1.6", "2.0.1", "2.1")


def ocpp_option(help_text: str = "OCPP version: 1.6, 2.0.1 or 2.1.") -> Callable[[Any], Any]:
    return click.option("--ocpp", "ocpp", type=click.Choice(VERSION_CHOICES), default=None, help=help_text)


def color_option() -> Callable[[Any], Any]:
    return click.option(
        "--color",
        type=click.Choice(("auto", "always", "never")),
        default="auto",
        show_default=True,
        help="Colour the output; auto means on a terminal unless NO_COLOR is set.",
    )


def env_of(ctx: click.Context) -> Any:
    """The Env object the run was started with."""
    from ocppctl.cli.env import Env

    return ctx.find_object(Env)
