"""`ocppctl repl` with lines piped in (not a terminal): each line runs in turn, no prompt; a real
process as a CSMS, a station of the `ocpp` package on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from transport.peers import ocpp_station
from transport.test_send import _free_port


def test_a_script_waits_for_the_boot_calls_and_records(tmp_path: Path) -> None:
    port = _free_port()
    record = tmp_path / "session.jsonl"
    script = (
        ":wait BootNotification 20\n"
        'GetVariables {"getVariableData": [\n'
        '  {"component": {"name": "FiscalMetering"}, "variable": {"name": "Enabled"}}\n'
        "]}\n"
        ":last\n"
        "Reset type=Sometime\n"
        ":quit\n"
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ocppctl", "repl", "--listen", f"127.0.0.1:{port}", "--record", str(record)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "PYTHONPATH": ":".join(sys.path)},
    )
    with ocpp_station(port, "CP3", "ocpp2.0.1"):
        out, err = process.communicate(script, timeout=60)
    assert process.returncode == 1, err  # the Reset refused: a script's status says what went wrong
    # the banner and the errors on stderr: stdout is the script's output alone
    assert err == (
        f"ocppctl repl: listening on 127.0.0.1:{port} as a CSMS (OCPP 2.0.1); stations connect to "
        f"ws://127.0.0.1:{port}/ID; :help lists the meta-commands, Ctrl-D leaves\n"
        'error: Reset request: "Sometime" is not an allowed value [schema] at /type\n'
        "    hint: allowed: Immediate, OnIdle\n"
        "not sent (start with --no-validate to send it anyway)\n"
    )
    lines = out.splitlines()
    assert not any(line.startswith(("ocppctl repl:", "error:", "not sent")) for line in lines)
    last = next(line for line in lines if line.startswith('{"getVariableResult"'))
    assert json.loads(last)["getVariableResult"][0]["attributeValue"] == "true"
    assert lines[-2].endswith(
        " CP3 close code=1001 reason=the CSMS is stopping"
    )  # :quit closes the link, then the recording
    assert lines[-1] == f"recording to {record} stopped"
    records = [json.loads(line) for line in record.read_text().splitlines()]
    kinds = [r.get("event") or json.loads(r["raw"])[0] for r in records]
    assert kinds == ["connect", 2, 3, 2, 3, "close"]
    checked = subprocess.run(
        [sys.executable, "-m", "ocppctl", "validate", "--color", "never", str(record)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout


def test_a_scripts_exit_status_is_the_first_of_2_5_4_3_1_that_happened(tmp_path: Path) -> None:
    def run(script: str) -> int:
        env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path), "PYTHONPATH": ":".join(sys.path)}
        done = subprocess.run(
            [sys.executable, "-m", "ocppctl", "repl", "--listen", "127.0.0.1:0"],
            input=script,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        return done.returncode

    assert run(":help\n:template Reset\n") == 0
    assert run("Reset type=Immediate\n") == 5  # no station to send it to
    assert run("Reset type=Never\nReset type=Immediate\n:nosuch\n") == 2  # 2 wins over 5 and 1


def test_sessions_over_tls_as_csms_with_client_certificates_and_as_station(tmp_path: Path) -> None:
    """Security profile 3 on a real TLS handshake: a CSMS session takes a station's client
    certificate; a station session verifies the CSMS session's certificate with --cacert."""
    import trustme

    ca, clients = trustme.CA(), trustme.CA()
    server, client = tmp_path / "server.pem", tmp_path / "client.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server))
    clients.issue_cert("CP1").private_key_and_cert_chain_pem.write_to_path(str(client))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    clients.cert_pem.write_to_path(str(tmp_path / "clients.pem"))
    env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path), "PYTHONPATH": ":".join(sys.path)}
    port = _free_port()
    tls = ["--tls-cert", str(server), "--client-ca", str(tmp_path / "clients.pem")]
    csms = subprocess.Popen(
        [sys.executable, "-m", "ocppctl", "repl", "--listen", f"127.0.0.1:{port}", *tls],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert csms.stdin is not None
        csms.stdin.write(":wait Heartbeat 30\n:stations\n")
        csms.stdin.flush()
        station_script = (
            "BootNotification reason=PowerUp chargingStation.model=M chargingStation.vendorName=V\nHeartbeat\n"
        )
        cert = ["--cacert", str(tmp_path / "ca.pem"), "--cert", str(client), "--key", str(client)]
        station = None
        for _ in range(100):  # until the CSMS session listens
            station = subprocess.run(
                [sys.executable, "-m", "ocppctl", "repl", "--url", f"wss://127.0.0.1:{port}/CP1", *cert],
                input=station_script,
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            if "cannot connect" not in station.stderr:
                break
            time.sleep(0.1)
        assert station is not None and station.returncode == 0, station.stderr if station else ""
        assert "← CALLRESULT Heartbeat" in station.stdout
        out, err = csms.communicate(timeout=60)
    finally:
        if csms.poll() is None:
            csms.kill()
            csms.communicate(timeout=10)
    assert csms.returncode == 0, err
    assert "CP1 ← CALL Heartbeat" in out
    assert "* CP1  OCPP 2.0.1" in out


def test_a_payload_left_open_ends_before_the_next_command(tmp_path: Path) -> None:
    """A script line whose JSON never closes is reported and the script goes on: it swallowed
    every following line as more of the payload."""
    env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path), "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "ocppctl", "repl", "--listen", "127.0.0.1:0", "--color", "never"],
        input='Reset {"type":\n:template Reset\n',
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "error: the payload argument is not JSON: Expecting value (line 1, column 9)" in done.stdout + done.stderr
    assert "Reset {" in done.stdout and '"type": "Immediate"' in done.stdout, done.stdout
