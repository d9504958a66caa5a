"""`ocppctl listen` as a real process on 127.0.0.1: stations of the `ocpp` package connect,
boot and are answered; the transcript is printed and the recording validates."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

from .peers import ocpp_station, socket_path


def _start(*argv: str) -> subprocess.Popen[str]:
    """`ocppctl listen` with its own control socket (never the user's default one)."""
    if "--control" not in argv:
        argv = (*argv, "--control", socket_path("hub.sock"))
    return subprocess.Popen(
        [sys.executable, "-m", "ocppctl", "listen", "--color", "never", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_listening(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    line = process.stderr.readline()
    assert "listening on" in line, line
    return line


def _listening_port(process: subprocess.Popen[str]) -> int:
    """The port a listen started on port 0 says it listens on."""
    return int(_wait_listening(process).split("127.0.0.1:")[1].split()[0])


def test_stations_boot_and_the_recording_validates(tmp_path: Path) -> None:
    record = tmp_path / "capture.jsonl"
    process = _start("--listen", "127.0.0.1:0", "--record", str(record), "--heartbeat-interval", "60")
    try:
        port = _listening_port(process)
        with (
            ocpp_station(port, "CP201", "ocpp2.0.1") as answers_201,
            ocpp_station(port, "CP16", "ocpp1.6") as answers_16,
        ):
            deadline = time.monotonic() + 15
            while (not answers_201 or not answers_16) and time.monotonic() < deadline:
                time.sleep(0.05)
        assert answers_201[0].status == "Accepted" and answers_201[0].interval == 60
        assert answers_16[0].status == "Accepted"
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert " CP201 ← CALL BootNotification " in out and " CP16 → CALLRESULT BootNotification " in out
    records = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert oct(record.stat().st_mode & 0o777) == "0o600"  # it holds what the history file holds
    assert [r.get("event") for r in records if "event" in r].count("connect") == 2
    frames = [r for r in records if "raw" in r]
    assert {(r["station"], r["from"], r["ocpp"]) for r in frames} >= {
        ("CP201", "station", "2.0.1"),
        ("CP201", "csms", "2.0.1"),
        ("CP16", "station", "1.6"),
        ("CP16", "csms", "1.6"),
    }
    checked = subprocess.run(
        [sys.executable, "-m", "ocppctl", "validate", "--color", "never", str(record)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_ctrl_c_stops_with_130(tmp_path: Path) -> None:
    process = _start("--listen", "127.0.0.1:0")
    try:
        _wait_listening(process)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    assert process.returncode == 130


def test_a_port_in_use_is_exit_5() -> None:
    first = _start("--listen", "127.0.0.1:0")
    try:
        port = _listening_port(first)
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "ocppctl",
                "listen",
                "--listen",
                f"127.0.0.1:{port}",
                "--control",
                socket_path("h.sock"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=15)
    assert second.returncode == 5
    assert second.stderr.startswith(f"ocppctl: error: cannot listen on 127.0.0.1:{port}: ")


def test_send_via_the_hub_reaches_a_connected_station(tmp_path: Path) -> None:
    control = tmp_path / "hub.sock"
    process = _start("--listen", "127.0.0.1:0", "--control", str(control))
    try:
        port = _listening_port(process)
        assert process.stderr is not None
        assert process.stderr.readline() == f"ocppctl: control socket {control} (send --via)\n"
        assert oct(control.stat().st_mode & 0o777) == "0o600"
        with ocpp_station(port, "CP7", "ocpp2.0.1") as answers:
            deadline = time.monotonic() + 15
            while not answers and time.monotonic() < deadline:
                time.sleep(0.05)
            items = ["getVariableData[0].component.name=FiscalMetering", "getVariableData[0].variable.name=Enabled"]
            env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
            code = run(["send", "GetVariables", *items, "--via", str(control), "--station", "CP7", "--json"], env)
            assert (code, env.stderr.getvalue()) == (0, "")
            assert json.loads(env.stdout.getvalue())["getVariableResult"][0]["attributeValue"] == "true"
            missing = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
            assert run(["send", "Heartbeat", "--via", str(control), "--station", "CP9"], missing) == 5
            assert missing.stderr.getvalue() == (
                f"ocppctl: error: station CP9 is not connected to the hub at {control} (connected: CP7)\n"
            )
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    assert not control.exists()


def test_send_via_the_hub_carries_what_orjson_cannot(tmp_path: Path) -> None:
    """The control link is read and written by the exact parser: an integer beyond 64 bits
    reaches the station with every digit (it was an internal error, exit 70), and a lone
    surrogate escape comes back in the answer (it ended every watch of the hub)."""
    import threading

    from websockets.sync.client import connect

    from ocppctl.transport.control import decode_message, encode_message

    assert decode_message(encode_message({"k\ud800": 10**30})) == {"k\ud800": 10**30}
    control = tmp_path / "hub.sock"
    process = _start("--listen", "127.0.0.1:0", "--control", str(control))
    received: list[str] = []
    try:
        port = _listening_port(process)
        with connect(f"ws://127.0.0.1:{port}/CPX", subprotocols=["ocpp2.0.1"], open_timeout=10) as ws:  # type: ignore[list-item]

            def station() -> None:
                received.append(str(ws.recv(timeout=20)))
                uid = json.loads(received[0])[1]
                ws.send(f'[3,"{uid}",{{"status":"Accepted","data":"\\ud800"}}]')

            answering = threading.Thread(target=station, daemon=True)
            answering.start()
            env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
            payload = '{"vendorId":"com.example","data":99999999999999999999999999}'
            code = run(["send", "DataTransfer", payload, "--via", str(control), "--station", "CPX", "--json"], env)
            answering.join(timeout=20)
        assert (code, env.stderr.getvalue()) == (0, "")
        assert '"data":99999999999999999999999999}' in received[0]
        assert json.loads(env.stdout.getvalue()) == {"status": "Accepted", "data": "\ud800"}
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)


ODD = '[2,"odd-1","DataTransfer",{"vendorId":"\\ud800","data":1e400}]'  # JSON all the same


def _send_odd_frame(port: int) -> str:
    """A station whose DataTransfer holds a lone surrogate escape and a number beyond a double:
    JSON, but orjson refuses both; the hub must show, record and answer it like any other."""
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{port}/CPODD", subprotocols=["ocpp2.0.1"], open_timeout=10) as ws:  # type: ignore[list-item]
        ws.send(ODD)
        answer = ws.recv(timeout=10)
    return str(answer)


def test_a_frame_only_the_exact_parser_reads_is_shown_and_answered(tmp_path: Path) -> None:
    """It was an internal error of `listen` (orjson could not write the payload back, nor a
    finding quoting the surrogate); now both outputs carry it, escaped, and the station is answered."""
    for as_json in (False, True):
        record = tmp_path / f"odd-{as_json}.jsonl"
        process = _start("--listen", "127.0.0.1:0", "--record", str(record), *(["--json"] if as_json else []))
        try:
            port = _listening_port(process)
            answer = json.loads(_send_odd_frame(port))
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert "internal error" not in err
        assert answer[:2] == [3, "odd-1"]
        if as_json:
            flows = [json.loads(line) for line in out.splitlines()]
            call = next(f for f in flows if f.get("raw") == ODD)
            assert [f["code"] for f in call["findings"]] == ["vendor-id"]
            assert call["findings"][0]["message"].startswith('DataTransfer vendorId "\ud800"')
        else:
            assert ' CPODD ← CALL DataTransfer odd-1 {"vendorId":"\\ud800","data":1E+400}' in out
            assert 'DataTransfer vendorId "\\ud800" is not a dotted reverse-DNS name' in out
        recorded = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
        assert any(r.get("raw") == ODD for r in recorded)


def test_a_binary_message_is_flagged_and_its_call_answered_and_recorded_as_binary(tmp_path: Path) -> None:
    from websockets.sync.client import connect

    record = tmp_path / "bin.jsonl"
    process = _start("--listen", "127.0.0.1:0", "--json", "--record", str(record))
    try:
        port = _listening_port(process)
        with connect(f"ws://127.0.0.1:{port}/CPBIN", subprotocols=["ocpp2.0.1"], open_timeout=10) as ws:  # type: ignore[list-item]
            ws.send(b'[2,"b1","Heartbeat",{}]')
            answer = json.loads(ws.recv(timeout=10))
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert answer[:2] == [3, "b1"]
    call = next(f for f in map(json.loads, out.splitlines()) if f.get("raw") == '[2,"b1","Heartbeat",{}]')
    assert [(f["code"], f["message"]) for f in call["findings"]] == [
        ("frame-shape", "a binary WebSocket message: OCPP-J frames travel as text messages")
    ]
    recorded = [json.loads(line) for line in record.read_text().splitlines()]
    assert [r.get("binary") for r in recorded if "raw" in r] == [True, None]  # the call; the answer was text
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(["validate", "--json", str(record)], env) == 1  # validate says what listen said live
    found = [json.loads(line) for line in env.stdout.getvalue().splitlines()[:-1]]
    assert [(f["code"], f["line"], f["message"]) for f in found] == [
        ("frame-shape", 2, "a binary WebSocket message: OCPP-J frames travel as text messages")
    ]


def _complete_station(args: list[str], incomplete: str) -> list[tuple[str, str]]:
    from click.shell_completion import BashComplete

    from ocppctl.cli.main import cli

    items = BashComplete(cli, {}, "ocppctl", "_OCPPCTL_COMPLETE").get_completions(args, incomplete)
    return [(item.type, item.value) for item in items]


def test_station_ids_come_from_the_running_hub() -> None:
    """Shell completion: `send --station <Tab>` asks the hub of --via which stations are connected."""
    control = socket_path("hub.sock")
    process = subprocess.Popen(
        [sys.executable, "-m", "ocppctl", "listen", "--listen", "127.0.0.1:0", "--control", control],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        port = int(process.stderr.readline().split(":")[-1].split()[0])  # listening on 127.0.0.1:PORT
        with ocpp_station(port, "CP7", "ocpp2.0.1") as answers, ocpp_station(port, "XY1", "ocpp1.6") as more:
            deadline = time.monotonic() + 15
            while (not answers or not more) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _complete_station(["send", "Heartbeat", "--via", control, "--station"], "") == [
                ("plain", "CP7"),
                ("plain", "XY1"),
            ]
            assert _complete_station(["send", "--via", control, "--station"], "C") == [("plain", "CP7")]
            assert _complete_station(["send", "--listen", "9000", "--station"], "") == []
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)


def test_a_client_stuck_in_a_malformed_handshake_does_not_hold_up_the_stop() -> None:
    """A 0xFF in the request path: websockets waits 10 s for such a client; listen ends in 2."""
    import socket

    process = _start("--listen", "127.0.0.1:0")
    try:
        port = _listening_port(process)
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"GET /CP\xff1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            time.sleep(0.3)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=15)
            stopped_in = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert stopped_in < 5


def test_send_via_the_hub_takes_the_one_station_its_version_and_waits_for_its_calls(tmp_path: Path) -> None:
    """No --station with one station connected; no --ocpp: a 1.6 station's GetConfiguration is
    made in 1.6; --wait NotifyReport --until-done gathers every part through the hub."""
    control = tmp_path / "hub.sock"
    process = _start("--listen", "127.0.0.1:0", "--control", str(control))
    try:
        port = _listening_port(process)

        def send(*argv: str) -> tuple[int, str, str]:
            env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
            code = run(["send", *argv, "--via", str(control), "--json"], env)
            return code, env.stdout.getvalue(), env.stderr.getvalue()

        def connected(count: int) -> None:
            import asyncio

            from ocppctl.transport.control import control_request

            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                reply = asyncio.run(control_request(str(control), {"op": "stations"}, "no hub", 5))
                if len(reply["stations"]) == count:
                    return
                time.sleep(0.05)
            raise AssertionError("the stations did not connect")

        with ocpp_station(port, "CP16", "ocpp1.6"):
            connected(1)
            code, out, err = send("GetConfiguration")
            assert (code, err) == (0, "")
            assert json.loads(out)["configurationKey"][0]["key"] == "HeartbeatInterval"
            with ocpp_station(port, "CP2", "ocpp2.0.1"):
                connected(2)
                code, out, err = send("GetConfiguration")
                assert code == 2 and err.startswith("ocppctl: error: --station ID: which station of the hub")
                code, out, err = send("Heartbeat", "--station", "CP16", "--ocpp", "2.0.1")
                assert (code, err.split(" (see")[0]) == (
                    2,
                    "ocppctl: error: station CP16 speaks OCPP 1.6, not 2.0.1 (drop --ocpp)",
                )
                argv = ("GetBaseReport", "requestId:=3", "reportBase=FullInventory", "--station", "CP2")
                code, out, err = send(*argv, "--wait", "NotifyReport", "--until-done")
                assert (code, err) == (0, "")
                lines = [json.loads(line) for line in out.splitlines()]
                assert lines[0] == {"status": "Accepted"}
                assert [(part["seqNo"], part.get("tbc")) for part in lines[1:]] == [(0, True), (1, False)]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)


def test_a_closed_stdout_stops_the_printing_not_the_hub(tmp_path: Path) -> None:
    """`listen --record r.jsonl | head`: once head has gone, each station's link ended with
    1011 and the record held only connect events."""
    record = tmp_path / "r.jsonl"
    process = _start("--listen", "127.0.0.1:0", "--record", str(record))
    try:
        port = _listening_port(process)
        assert process.stdout is not None
        process.stdout.close()  # the reader is gone before the first station comes
        for name in ("CP1", "CP2"):
            with ocpp_station(port, name, "ocpp2.0.1") as answers:
                deadline = time.monotonic() + 15
                while not answers and time.monotonic() < deadline:
                    time.sleep(0.05)
            assert answers and answers[0].status == "Accepted", name
        assert process.poll() is None  # still serving
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    records = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    for name in ("CP1", "CP2"):
        mine = [r for r in records if r["station"] == name]
        assert [r.get("event") or r["from"] for r in mine] == ["connect", "station", "csms", "close"]
        assert mine[-1]["code"] != 1011


def test_a_stdout_nobody_reads_never_freezes_the_hub(tmp_path: Path) -> None:
    """The pipe fills (64 KiB) and stays full: the hub went on answering nobody, and SIGTERM
    and SIGINT were ignored; now lines are dropped, the station is answered, SIGTERM ends it."""
    from websockets.sync.client import connect

    record = tmp_path / "r.jsonl"
    process = _start("--listen", "127.0.0.1:0", "--record", str(record))
    try:
        port = _listening_port(process)  # stdout is never read from here on
        data = "x" * 2000
        with connect(f"ws://127.0.0.1:{port}/CPX", subprotocols=["ocpp2.0.1"], open_timeout=10) as ws:  # type: ignore[list-item]
            for n in range(100):  # some 400 KB of output: the pipe holds 64 KiB
                ws.send(json.dumps([2, str(n), "DataTransfer", {"vendorId": "com.x", "data": data}]))
                answer = json.loads(ws.recv(timeout=10))
                assert answer[:2] == [3, str(n)]
    finally:
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        try:
            process.wait(timeout=15)
        finally:
            process.kill()
            process.communicate()
    assert process.returncode == 0 and time.monotonic() - started < 8
    frames = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines() if '"raw"' in line]
    assert len(frames) == 200  # every call and every answer recorded


def test_refused_handshakes_are_each_one_line_in_listen_and_send(tmp_path: Path) -> None:
    """11.9: a station refused with 401 (its basic-auth user is not its identity) or 400 (no OCPP
    subprotocol) was refused in silence; listen now prints a line each, send --listen on stderr."""
    import base64
    import re

    from websockets.sync.client import connect

    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    auth = {"Authorization": "Basic " + base64.b64encode(b"CS001:s3cret").decode()}

    def knock(port: int) -> None:
        for subprotocols, path, headers in ((["ocpp2.0.1"], "OTHER", auth), (["chat"], "CS001", auth)):
            try:
                with connect(
                    f"ws://127.0.0.1:{port}/{path}",
                    subprotocols=subprotocols,  # type: ignore[arg-type]
                    additional_headers=headers,
                    open_timeout=10,
                ):
                    pass
            except Exception:  # noqa: BLE001 - refused, as it should be
                continue
            raise AssertionError(f"{path} was let in")

    process = _start("--listen", "127.0.0.1:0", "--auth", f"CS001:{secret}")
    try:
        port = _listening_port(process)
        knock(port)
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    lines = [re.sub(r"127\.0\.0\.1:\d+", "ADDR", line[13:]) for line in out.splitlines()]
    assert (
        lines
        == [
            "refused ADDR as 'OTHER': HTTP 401: basic-auth user 'CS001' is not the station id 'OTHER' (--any-identity "
            "allows it) (subprotocols ocpp2.0.1; user 'CS001')",
            "refused ADDR as 'CS001': HTTP 400: ...",
        ][:1]
        + lines[1:2]
    )
    assert lines[1].startswith("refused ADDR as 'CS001': HTTP 400: ") and "subprotocols chat" in lines[1]

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    seen: list[str] = []

    def send() -> None:
        argv = ["send", "ClearCache", "{}", "--listen", "127.0.0.1:0", "--auth", f"CS001:{secret}"]
        seen.append(str(run([*argv, "--connect-timeout", "3"], env)))

    import threading

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 10
    while "listening on" not in env.stderr.getvalue() and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.02)
    port = int(env.stderr.getvalue().split("127.0.0.1:")[1].split(",")[0])  # type: ignore[attr-defined]
    knock(port)
    thread.join(15)
    err = [re.sub(r"127\.0\.0\.1:\d+", "ADDR", line) for line in env.stderr.getvalue().splitlines()]  # type: ignore[attr-defined]
    assert seen == ["5"]  # nobody came in: no connection
    assert err[1] == f"ocppctl: {lines[0]}"
    assert err[2].startswith("ocppctl: refused ADDR as 'CS001': HTTP 400: ")
