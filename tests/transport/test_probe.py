"""`ocppctl probe` against live endpoints on 127.0.0.1."""

from __future__ import annotations

import io
import json
import socket

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

from .peers import ocpp_csms


def _probe(*argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["probe", "--color", "never", "--connect-timeout", "10", "--timeout", "10", *argv], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def test_probe_reports_subprotocol_versions_and_boot() -> None:
    with ocpp_csms(["ocpp1.6"]) as port:
        code, out, err = _probe("--url", f"ws://127.0.0.1:{port}/CP1", "--each-version", "--boot", "--json")
    assert (code, err) == (0, "")
    facts = json.loads(out)
    assert (facts["subprotocol"], facts["ocpp"], facts["tls"], facts["auth"], facts["boot"]) == (
        "ocpp1.6",
        "1.6",
        "none (ws://)",
        "none asked",
        "Accepted",
    )
    assert facts["compression"] == "permessage-deflate"
    assert facts["versions"]["1.6"] == "accepted"
    assert facts["versions"]["2.0.1"].startswith("refused: ")
    assert facts["handshake_ms"] >= 0 and facts["boot_ms"] >= 0


def test_probe_in_text_and_without_boot() -> None:
    with ocpp_csms(["ocpp2.0.1"]) as port:
        code, out, err = _probe("--url", f"ws://127.0.0.1:{port}/CP1", "--no-boot", "--no-compression")
    assert (code, err) == (0, "")
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert lines["subprotocol"] == "ocpp2.0.1" and lines["compression"] == "none"
    assert "boot" not in lines


def test_by_default_a_probe_sends_nothing() -> None:
    """A CSMS that hangs up on the first call it gets: a probe that sent a boot would fail (5)."""
    with ocpp_csms(["ocpp2.0.1"], hang_up=True) as port:
        code, out, err = _probe("--url", f"ws://127.0.0.1:{port}/CP1", "--json")
        booted = _probe("--url", f"ws://127.0.0.1:{port}/CP1", "--boot", "--json")
    assert (code, err) == (0, "")
    assert "boot" not in json.loads(out) and "boot_ms" not in json.loads(out)
    assert booted[0] == 5  # it was an internal error (70), the LinkError unhandled
    assert json.loads(booted[1])["boot"] == "the link closed before the answer"
    assert booted[2] == ("ocppctl: error: the peer closed the link before answering (code 1011: going away mid-call)\n")


def test_probe_of_nothing_is_exit_5_with_what_was_learnt() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, err = _probe("--url", f"ws://127.0.0.1:{port}/CP1", "--json")
    assert code == 5
    assert json.loads(out) == {"url": f"ws://127.0.0.1:{port}/CP1"}
    assert err.startswith("ocppctl: error: cannot connect to ")


def test_a_url_that_is_not_websocket_is_a_usage_error() -> None:
    code, out, err = _probe("--url", "http://127.0.0.1:9/CP1")
    assert (code, out) == (2, "")
    assert err == (
        "ocppctl: error: Invalid value for '--url': 'http://127.0.0.1:9/CP1' is not a WebSocket URL "
        "(ws[s]://host[:port]/path/STATIONID) (see 'ocppctl probe --help')\n"
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ws://127.0.0.1:99999/CP1", ": the port must be a number from 1 to 65535"),
        ("ws://host:abc/CP1", ": the port must be a number from 1 to 65535"),
        ("ws://[::1/CP1", " is not a WebSocket URL (a bad [IPv6] host; "),
        ("ws://127.0.0.1:0/CP1", ": the port must be a number from 1 to 65535"),
    ],
)
def test_a_url_with_a_bad_port_or_host_is_a_usage_error(url: str, why: str) -> None:
    """These were internal errors (exit 70): the URL library raises on reading the port."""
    code, out, err = _probe("--url", url)
    assert (code, out) == (2, "")
    assert err.startswith(f"ocppctl: error: Invalid value for '--url': '{url}'{why}"), err
