"""Security profiles over a real TLS handshake on 127.0.0.1, with certificates made here
(trustme): `ocppctl listen` as the CSMS (a process), `ocppctl send` as the station."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

from .peers import socket_path
from .test_send import _free_port


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki")
    ca, other, clients = trustme.CA(), trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = clients.issue_cert("CP1")
    paths = {
        "ca": folder / "ca.pem",
        "other": folder / "other.pem",
        "clients": folder / "clients.pem",
        "server": folder / "server.pem",
        "client": folder / "client.pem",
        "password": folder / "password",
        "wrong": folder / "wrong",
    }
    ca.cert_pem.write_to_path(str(paths["ca"]))
    other.cert_pem.write_to_path(str(paths["other"]))
    clients.cert_pem.write_to_path(str(paths["clients"]))
    server.private_key_and_cert_chain_pem.write_to_path(str(paths["server"]))
    client.private_key_and_cert_chain_pem.write_to_path(str(paths["client"]))
    paths["password"].write_text("s3cret\n", encoding="utf-8")
    paths["wrong"].write_text("guess\n", encoding="utf-8")
    return paths


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
