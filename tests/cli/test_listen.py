"""`ocppctl listen`'s options, refused before anything listens (the live hub: tests/transport/test_listen.py)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "flags", [("--full", "--pretty"), ("-v", "--json"), ("--pretty", "--json")], ids=lambda f: "+".join(f)
)
@pytest.mark.parametrize("command", [("listen",), ("sim", "station", "--url", "ws://127.0.0.1:9/CP1")])
def test_one_view_at_most(ocppctl, command: tuple[str, ...], flags: tuple[str, ...]) -> None:
    result = ocppctl(*command, *flags)
    path = "ocppctl listen" if command == ("listen",) else "ocppctl sim station"
    assert (result.code, result.out, result.err) == (
        2,
        "",
        f"ocppctl: error: give one of --full, --pretty and --json (see '{path} --help')\n",
    )
