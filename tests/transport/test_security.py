"""Security profiles over a real TLS handshake on 127.0.0.1, with certificates made here
(trustme): `ocppctl listen` as the CSMS (a process), `ocppctl send` as the station."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.transport.client import LinkError

from .peers import ocpp_csms, socket_path
from .test_send import _free_port


def _listen(port: int, *argv: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ocppctl",
            "listen",
            "--listen",
            f"127.0.0.1:{port}",
            *argv,
            "--control",
            socket_path("h.sock"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert "listening on" in line, line + process.stderr.read()
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)


def _send(*argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["send", "Heartbeat", "--json", "--connect-timeout", "10", "--timeout", "10", *argv], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


@pytest.fixture()
def profile2(pki: dict[str, Path]) -> Iterator[int]:
    port = _free_port()
    tls = ["--tls-cert", str(pki["server"]), "--auth", f"CP1:{pki['password']}"]
    yield from (port for _ in _listen(port, *tls))


@pytest.fixture()
def profile3(pki: dict[str, Path]) -> Iterator[int]:
    port = _free_port()
    tls = ["--tls-cert", str(pki["server"]), "--client-ca", str(pki["clients"])]
    yield from (port for _ in _listen(port, *tls))


def test_profile_2_with_the_right_ca_and_password(pki: dict[str, Path], profile2: int) -> None:
    code, out, err = _send(
        "--url", f"wss://127.0.0.1:{profile2}/CP1", "--cacert", str(pki["ca"]), "--password-file", str(pki["password"])
    )
    assert (code, err) == (0, "")
    assert "currentTime" in json.loads(out)


def test_profile_2_with_the_wrong_ca_is_one_line_exit_5(pki: dict[str, Path], profile2: int) -> None:
    code, out, err = _send(
        "--url",
        f"wss://127.0.0.1:{profile2}/CP1",
        "--cacert",
        str(pki["other"]),
        "--password-file",
        str(pki["password"]),
    )
    assert (code, out) == (5, "")
    assert err.startswith(f"ocppctl: error: TLS with 127.0.0.1:{profile2}: the server's certificate failed: ")
    assert err.count("\n") == 1


def test_profile_2_with_the_wrong_password_is_a_401_exit_5(pki: dict[str, Path], profile2: int) -> None:
    code, out, err = _send(
        "--url", f"wss://127.0.0.1:{profile2}/CP1", "--cacert", str(pki["ca"]), "--password-file", str(pki["wrong"])
    )
    assert (code, out) == (5, "")
    assert err.startswith(f"ocppctl: error: 127.0.0.1:{profile2} answered HTTP 401: ") and err.count("\n") == 1
    assert "s3cret" not in err and "guess" not in err


def test_profile_2_without_a_password_is_refused(pki: dict[str, Path], profile2: int) -> None:
    code, _, err = _send("--url", f"wss://127.0.0.1:{profile2}/CP1", "--cacert", str(pki["ca"]))
    assert code == 5 and "answered HTTP 401" in err


def test_the_password_from_the_environment(pki: dict[str, Path], profile2: int) -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={"OCPPCTL_PASSWORD": "s3cret"})
    argv = ["send", "Heartbeat", "--json", "--url", f"wss://127.0.0.1:{profile2}/CP1", "--cacert", str(pki["ca"])]
    assert run(argv, env) == 0


def test_profile_3_with_a_client_certificate(pki: dict[str, Path], profile3: int) -> None:
    code, out, err = _send(
        "--url", f"wss://127.0.0.1:{profile3}/CP1", "--cacert", str(pki["ca"]), "--cert", str(pki["client"])
    )
    assert (code, err) == (0, "")


def test_profile_3_without_a_client_certificate_is_one_line_exit_5(pki: dict[str, Path], profile3: int) -> None:
    code, out, err = _send("--url", f"wss://127.0.0.1:{profile3}/CP1", "--cacert", str(pki["ca"]))
    assert (code, out) == (5, "")
    assert err.startswith("ocppctl: error: ") and err.count("\n") == 1
    assert err.endswith("(does the server require a client certificate? --cert/--key, security profile 3)\n")


def test_insecure_skips_verification(pki: dict[str, Path], profile2: int) -> None:
    code, _, err = _send(
        "--url", f"wss://127.0.0.1:{profile2}/CP1", "--insecure", "--password-file", str(pki["password"])
    )
    assert (code, err) == (0, "")


def test_probe_reports_tls_and_the_certificate(pki: dict[str, Path], profile2: int) -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    argv = ["probe", "--url", f"wss://127.0.0.1:{profile2}/CP1", "--cacert", str(pki["ca"])]
    assert run([*argv, "--password-file", str(pki["password"]), "--boot", "--json"], env) == 0, env.stderr.getvalue()
    facts = json.loads(env.stdout.getvalue())
    assert facts["tls"].startswith("TLSv1.") and facts["cipher"]
    assert facts["auth"] == "basic auth accepted" and facts["boot"] == "Accepted"
    assert "trustme" in facts["certificate_issuer"] and facts["certificate_expires"]
    refused = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run([*argv, "--json"], refused) == 5
    assert json.loads(refused.stdout.getvalue())["auth"] == "required (401): give --password-file or OCPPCTL_PASSWORD"


def test_a_password_of_one_station_does_not_open_another(pki: dict[str, Path], profile2: int) -> None:
    url = f"wss://127.0.0.1:{profile2}/CP2"
    code, out, err = _send(
        "--url", url, "--cacert", str(pki["ca"]), "--user", "CP1", "--password-file", str(pki["password"])
    )
    assert (code, out) == (5, "")
    assert err == (
        f"ocppctl: error: 127.0.0.1:{profile2} answered HTTP 401: "
        "basic-auth user 'CP1' is not the station id 'CP2' (--any-identity allows it)\n"
    )


def test_several_auth_options_admit_several_stations_and_any_identity_more(pki: dict[str, Path]) -> None:
    port = _free_port()
    auth = ["--auth", f"CP1:{pki['password']}", "--auth", f"CP2:{pki['wrong']}"]
    for _ in _listen(port, *auth):
        assert _send("--url", f"ws://127.0.0.1:{port}/CP1", "--password-file", str(pki["password"]))[0] == 0
        assert _send("--url", f"ws://127.0.0.1:{port}/CP2", "--password-file", str(pki["wrong"]))[0] == 0
        assert (
            _send("--url", f"ws://127.0.0.1:{port}/CP3", "--user", "CP2", "--password-file", str(pki["wrong"]))[0] == 5
        )
    for _ in _listen(port, *auth, "--any-identity"):
        assert (
            _send("--url", f"ws://127.0.0.1:{port}/CP3", "--user", "CP2", "--password-file", str(pki["wrong"]))[0] == 0
        )


def test_any_identity_needs_auth() -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(["listen", "--listen", "127.0.0.1:0", "--any-identity"], env) == 2
    assert env.stderr.getvalue() == "ocppctl: error: --any-identity goes with --auth (see 'ocppctl listen --help')\n"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("ws://CP1:s3cret@host:9000/CP1", "ws://CP1:***@host:9000/CP1"),
        ("cannot reach 'WSS://CP1:s3cret@host/CP1' now", "cannot reach 'WSS://CP1:***@host/CP1' now"),
        ("ws://CP1:pa/ss@w@host/CP1", "ws://CP1:***@host/CP1"),  # a '/' or '@' not percent-encoded
        ("ws://host:9000/CP1 and ws://CP1@host/CP1", "ws://host:9000/CP1 and ws://CP1@host/CP1"),
    ],
)
def test_redact_hides_the_password_of_every_url(text: str, shown: str) -> None:
    from ocppctl.transport.security import redact

    assert redact(text) == shown


SECRET = "Pa55-w0rd-xyz"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["send", "Heartbeat", "--url", f"ftp://CP1:{SECRET}@127.0.0.1:9/CP1"], "is not a WebSocket URL"),
        (["send", "Heartbeat", "--url", f"ws://CP1:{SECRET}@127.0.0.1:abc/CP1"], "the port must be a number"),
        (["send", "Heartbeat", "--url", f"ws://CP1:{SECRET}@127.0.0.1:9/"], "names no station id"),
        (["send", "Heartbeat", "--url", f"ws://CP1:{SECRET}@[::1/CP1"], "a bad [IPv6] host"),
        (["send", "Heartbeat", "--url", "ws://127.0.0.1:9/CP1", "--password-file", SECRET], "--password-file: cannot"),
        (
            ["send", "GetLocalListVersion", "--listen", "0", "--auth", f"CP1:{SECRET}"],
            "--auth CP1:...: cannot read the password",
        ),
        (["listen", "--listen", "127.0.0.1:0", "--auth", f"CP1:{SECRET}"], "it takes a file holding the password"),
    ],
)
def test_a_password_given_by_mistake_is_never_printed(argv: list[str], said: str) -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(argv, env) == 2
    err = env.stderr.getvalue()
    assert said in err and err.count("\n") == 1
    assert SECRET not in err + env.stdout.getvalue()


def test_a_password_in_the_url_is_not_in_a_connection_error_nor_in_probe_output() -> None:
    port = _free_port()  # nothing listens there
    url = f"ws://CP1:{SECRET}@127.0.0.1:{port}/CP1"
    code, out, err = _send("--url", url, "--connect-timeout", "5")
    assert (code, out) == (5, "")
    assert err.startswith(f"ocppctl: error: cannot connect to 127.0.0.1:{port}: ")
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(["probe", "--url", url, "--json", "--connect-timeout", "5"], env) == 5
    assert json.loads(env.stdout.getvalue())["url"] == f"ws://CP1:***@127.0.0.1:{port}/CP1"
    assert SECRET not in env.stdout.getvalue() + env.stderr.getvalue()


def test_the_repl_banner_hides_the_password_of_its_url(registry: Any) -> None:
    from ocppctl.core.versions import V201
    from ocppctl.transport.links import StationLinks

    async def main(port: int) -> tuple[str, str]:
        links = StationLinks(f"ws://CP1:{SECRET}@127.0.0.1:{port}/CP1", 5.0, registry, [V201])
        await links.start()
        try:
            with pytest.raises(LinkError) as again:
                await links.start()
            return links.banner(), again.value.message
        finally:
            await links.close()

    with ocpp_csms(["ocpp2.0.1"]) as port:
        banner, again = asyncio.run(main(port))
    assert banner == f"connected to ws://CP1:***@127.0.0.1:{port}/CP1 as station CP1 (OCPP 2.0.1)"
    assert again == f"already connected to ws://CP1:***@127.0.0.1:{port}/CP1"
