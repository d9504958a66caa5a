"""`ocppctl send` over a real WebSocket on 127.0.0.1, against a CSMS of the `ocpp` package."""

from __future__ import annotations

import contextlib
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

from .peers import ocpp_csms, ocpp_station

BOOT_201 = '{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}'


def _send(*argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["send", "--color", "never", *argv], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def test_boot_notification_201_gets_its_checked_answer() -> None:
    with ocpp_csms(["ocpp2.0.1"]) as port:
        code, out, err = _send("BootNotification", BOOT_201, "--url", f"ws://127.0.0.1:{port}/CP001", "--json")
    assert (code, err) == (0, "")
    answer = json.loads(out)
    assert (answer["status"], answer["interval"]) == ("Accepted", 300)


def test_items_and_the_human_transcript() -> None:
    with ocpp_csms(["ocpp2.0.1"]) as port:
        code, out, err = _send(
            "BootNotification",
            "reason=PowerUp",
            "chargingStation.model=HPC",
            "chargingStation.vendorName=ACME",
            "--url",
            f"ws://127.0.0.1:{port}/CP001",
            "--id",
            "boot-1",
        )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "→ CALL BootNotification boot-1 (OCPP 2.0.1)"
    assert json.loads("\n".join(lines[1 : lines.index("}") + 1])) == {
        "reason": "PowerUp",
        "chargingStation": {"model": "HPC", "vendorName": "ACME"},
    }
    assert any(line.startswith("← CALLRESULT in ") and line.endswith(" ms") for line in lines)


def test_ocpp_16_through_the_offered_subprotocols() -> None:
    with ocpp_csms(["ocpp1.6"]) as port:
        code, out, err = _send(
            "BootNotification",
            "--template",
            "--ocpp",
            "1.6",
            "--url",
            f"ws://127.0.0.1:{port}/CP16",
            "--json",
        )
    assert (code, err) == (0, "")
    assert json.loads(out)["status"] == "Accepted"


def test_an_action_the_peer_does_not_handle_is_a_callerror_exit_3() -> None:
    with ocpp_csms(["ocpp2.0.1"]) as port:
        code, out, err = _send("StatusNotification", "--template", "--url", f"ws://127.0.0.1:{port}/CP1", "--json")
    assert code == 3
    assert json.loads(out)["errorCode"] == "NotImplemented"


def test_a_call_that_breaks_its_schema_is_not_sent_exit_1() -> None:
    code, out, err = _send("BootNotification", '{"reason":"PowerUp"}', "--url", "ws://127.0.0.1:9/CP1")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "ocppctl: the call was not sent (--no-validate sends it anyway)"
    assert err.startswith('error: BootNotification request: required property "chargingStation" is missing [schema]')


def test_nothing_listening_is_exit_5_in_one_line() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, err = _send("Heartbeat", "--url", f"ws://127.0.0.1:{port}/CP1", "--connect-timeout", "5")
    assert (code, out) == (5, "")
    assert err.startswith(f"ocppctl: error: cannot connect to 127.0.0.1:{port}: ") and err.count("\n") == 1


def test_no_common_subprotocol_is_exit_5() -> None:
    with ocpp_csms(["ocpp1.6"]) as port:
        code, out, err = _send("Heartbeat", "--url", f"ws://127.0.0.1:{port}/CP1")
    assert code == 5
    assert err == (
        f"ocppctl: error: 127.0.0.1:{port} answered HTTP 400: "
        "Failed to open a WebSocket connection: invalid subprotocol; expected one of ocpp1.6.\n"
    )


def test_no_answer_in_time_is_exit_4() -> None:
    with ocpp_csms(["ocpp2.0.1"], silent=True) as port:
        code, out, err = _send("Heartbeat", "--url", f"ws://127.0.0.1:{port}/CP1", "--timeout", "0.5", "--json")
    assert (code, out) == (4, "")
    assert err == "ocppctl: error: no answer to Heartbeat within 0.5 s (--timeout)\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_one_line_says_ctrl_c_stops_the_wait() -> None:
    """On a terminal nothing said how to stop waiting for an answer; a pipe gets no such line
    (the test above)."""
    env = Env(stdout=io.StringIO(), stderr=_Terminal(), stdin=None, environ={})
    with ocpp_csms(["ocpp2.0.1"], silent=True) as port:
        code = run(["send", "Heartbeat", "--url", f"ws://127.0.0.1:{port}/CP1", "--timeout", "0.3", "--json"], env)
    assert (code, env.stdout.getvalue()) == (4, "")
    assert env.stderr.getvalue() == (
        "waiting for the answer (Ctrl-C cancels)\nocppctl: error: no answer to Heartbeat within 0.3 s (--timeout)\n"
    )


def test_bad_items_are_usage_errors() -> None:
    code, out, err = _send("BootNotification", "reason", "--url", "ws://127.0.0.1:9/CP1")
    assert code == 2
    assert err == (
        "ocppctl: error: item 'reason': an item is path=value (a string) or path:=json (at column 7) "
        "(see 'ocppctl send --help')\n"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_as_csms_get_variables_from_a_201_station_that_boots_first() -> None:
    port = _free_port()
    with ocpp_station(port, "CP7", "ocpp2.0.1") as station_answers:
        code, out, err = _send(
            "GetVariables",
            "getVariableData[0].component.name=FiscalMetering",
            "getVariableData[0].variable.name=Enabled",
            "--listen",
            f"127.0.0.1:{port}",
            "--station",
            "CP7",
            "--json",
            "--timeout",
            "10",
            "--connect-timeout",
            "10",
        )
    assert (code, err) == (0, f"ocppctl: listening on 127.0.0.1:{port}, waiting for a station\n")
    assert json.loads(out)["getVariableResult"][0]["attributeValue"] == "true"
    # The station's BootNotification got the default answer, valid and Accepted.
    assert station_answers and station_answers[0].status == "Accepted"


def test_as_csms_get_configuration_from_a_16_station() -> None:
    port = _free_port()
    with ocpp_station(port, "CP16", "ocpp1.6"):
        code, out, err = _send(
            "GetConfiguration",
            "--ocpp",
            "1.6",
            "--listen",
            str(port),
            "--json",
            "--timeout",
            "10",
            "--connect-timeout",
            "10",
        )
    assert code == 0, err
    assert json.loads(out)["configurationKey"][0]["key"] == "HeartbeatInterval"


def test_as_csms_no_station_in_time_is_exit_5() -> None:
    port = _free_port()
    code, out, err = _send("Reset", "type=Immediate", "--listen", f"127.0.0.1:{port}", "--connect-timeout", "0.3")
    assert (code, out) == (5, "")
    assert err.splitlines()[-1] == (
        f"ocppctl: error: no station connected to 127.0.0.1:{port} within 0.3 s (--connect-timeout)"
    )


def test_url_or_listen_not_both() -> None:
    code, out, err = _send("Heartbeat", "--url", "ws://h/CP1", "--listen", "9000")
    assert code == 2 and err == (
        "ocppctl: error: give one of --url (as a station), --listen (as a CSMS) or --via (a running hub) "
        "(see 'ocppctl send --help')\n"
    )


def test_through_a_hub_that_is_not_there_is_exit_5(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hub.sock"
    code, out, err = _send("Heartbeat", "--via", str(path), "--station", "CP1")
    assert (code, out) == (5, "")
    assert err == f"ocppctl: error: no hub at {path}: start `ocppctl listen` (or give --url or --listen)\n"


def test_an_answer_over_max_size_closes_the_link_exit_5() -> None:
    with ocpp_csms(["ocpp2.0.1"]) as port:
        code, out, err = _send("BootNotification", BOOT_201, "--url", f"ws://127.0.0.1:{port}/CP1", "--max-size", "20")
    assert code == 5
    assert err.startswith("ocppctl: error: ocppctl closed the link before the answer came (code 1009: ")
    assert err.endswith(" exceeds limit of 20 bytes) (--max-size)\n") and err.count("\n") == 1


def test_without_compression_and_pings_it_still_talks() -> None:
    with ocpp_csms(["ocpp2.0.1"]) as port:
        argv = ("Heartbeat", "--url", f"ws://127.0.0.1:{port}/CP1", "--no-compression", "--ping-interval", "0")
        code, out, err = _send(*argv, "--json")
    assert (code, err) == (0, "")


def test_as_csms_get_base_report_waits_for_every_part() -> None:
    port = _free_port()
    with ocpp_station(port, "CP8", "ocpp2.0.1"):
        code, out, err = _send(
            "GetBaseReport",
            "requestId:=7",
            "reportBase=FullInventory",
            "--listen",
            str(port),
            "--station",
            "CP8",
            "--wait",
            "NotifyReport",
            "--until-done",
            "--json",
            "--timeout",
            "10",
            "--connect-timeout",
            "10",
        )
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {"status": "Accepted"}
    assert [(r["seqNo"], r.get("tbc")) for r in lines[1:]] == [(0, True), (1, False)]


def test_wait_options_go_together() -> None:
    code, _, err = _send("Heartbeat", "--url", "ws://127.0.0.1:9/CP1", "--count", "2")
    assert code == 2 and "--count and --until-done go with --wait ACTION" in err


def test_the_peer_closing_mid_call_is_exit_5() -> None:
    with ocpp_csms(["ocpp2.0.1"], hang_up=True) as port:
        code, out, err = _send("Heartbeat", "--url", f"ws://127.0.0.1:{port}/CP1", "--json")
    assert (code, out) == (5, "")
    assert err == "ocppctl: error: the peer closed the link before answering (code 1011: going away mid-call)\n"


@contextlib.contextmanager
def _raw_server(handler: Any, subprotocols: list[str] | None = None) -> Iterator[int]:
    """A bare websockets server on 127.0.0.1 (not an OCPP library: it sends exactly what a test
    tells it to), run in a thread; yields its port."""
    import asyncio
    import threading

    from websockets.asyncio.server import serve

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: list[asyncio.Event] = []
    port: list[int] = []

    async def main() -> None:
        stop.append(asyncio.Event())
        async with serve(handler, "127.0.0.1", 0, subprotocols=subprotocols) as server:  # type: ignore[arg-type]
            port.append(server.sockets[0].getsockname()[1])
            ready.set()
            await stop[0].wait()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()))
    thread.start()
    try:
        assert ready.wait(10)
        yield port[0]
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(10)
        loop.close()


def test_a_server_that_picks_no_subprotocol_is_exit_5() -> None:
    """A WebSocket server that accepts the handshake but chooses none of the subprotocols."""
    with _raw_server(lambda connection: connection.wait_closed()) as port:
        code, out, err = _send("Heartbeat", "--url", f"ws://127.0.0.1:{port}/CP1", "--ocpp", "2.0.1,1.6")
    assert (code, out) == (5, "")
    assert err == (
        f"ocppctl: error: 127.0.0.1:{port} accepted none of the subprotocols offered (ocpp2.0.1, ocpp1.6): "
        "it picked none\n"
    )


def test_an_answer_only_the_exact_parser_reads_is_printed() -> None:
    """A CSMS answering with a number beyond a double and a lone surrogate escape (JSON that
    orjson refuses): `send` prints it exactly and reports the finding (was an internal error)."""

    async def answer(connection: Any) -> None:
        call = json.loads(await connection.recv())
        await connection.send('[3,"' + call[1] + '",{"status":"Accepted","data":1e400,"\\ud800":"x"}]')
        await connection.wait_closed()

    with _raw_server(answer, ["ocpp2.0.1"]) as port:
        url = f"ws://127.0.0.1:{port}/CP1"
        text = _send("DataTransfer", "vendorId=com.example", "--url", url, "--ocpp", "2.0.1")
        as_json = _send("DataTransfer", "vendorId=com.example", "--url", url, "--ocpp", "2.0.1", "--json")
    for code, out, err in (text, as_json):
        assert code == 1 and "internal error" not in err, err
        assert "1E+400" in out, out
    assert 'property "\\ud800" is not allowed here' in text[1] + text[2]
    assert json.loads(as_json[1].splitlines()[0]) == {"status": "Accepted", "data": float("inf"), "\ud800": "x"}


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        ("--timeout", "nan", "Invalid value for '--timeout': 'nan' is not a number of seconds"),
        ("--connect-timeout", "NaN", "Invalid value for '--connect-timeout': 'NaN' is not a number of seconds"),
        ("--ping-timeout", "nan", "Invalid value for '--ping-timeout': 'nan' is not a number of seconds"),
        ("--timeout", "inf", "Invalid value for '--timeout': 'inf' is not a number of seconds"),
        ("--ocpp", ",", "Invalid value for '--ocpp': ',' names no version; one or more of 1.6, 2.0.1, 2.1"),
    ],
)
def test_nan_seconds_and_an_empty_version_list_are_usage_errors(option: str, value: str, why: str) -> None:
    """nan passed every range check (it was 'no connection within nan s'); inf reached a hub as
    null (a traceback in the hub, exit 5 here); ',' was an IndexError."""
    code, out, err = _send("Heartbeat", "--url", "ws://127.0.0.1:9/CP1", option, value)
    assert (code, out) == (2, "")
    assert err == f"ocppctl: error: {why} (see 'ocppctl send --help')\n"


def test_an_integer_beyond_64_bits_is_sent_as_written() -> None:
    """The payload's 26-digit integer reached the CSMS as 1e+26 (orjson rounds it on reading);
    the CSMS now receives every digit, from a JSON payload and from a := item alike."""
    received: list[str] = []

    async def answer(connection: Any) -> None:
        text = await connection.recv()
        received.append(text)
        await connection.send('[3,"' + json.loads(text)[1] + '",{"status":"Accepted"}]')
        await connection.wait_closed()

    with _raw_server(answer, ["ocpp2.0.1"]) as port:
        url = f"ws://127.0.0.1:{port}/CP1"
        first = _send("DataTransfer", '{"vendorId":"com.example","data":99999999999999999999999999}', "--url", url)
        second = _send("DataTransfer", "vendorId=com.example", "data:=[-123456789012345678901234567890]", "--url", url)
    assert first[0] == 0 and second[0] == 0, first[2] + second[2]
    assert '"data":99999999999999999999999999}' in received[0]
    assert '"data":[-123456789012345678901234567890]}' in received[1]
    assert '"data": 99999999999999999999999999' in first[1]


def test_stdin_and_password_files_that_are_not_utf8_are_usage_errors(tmp_path: Path) -> None:
    """Both were internal errors (UnicodeDecodeError)."""
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.BytesIO(b"\xff"), environ={})
    code = run(["send", "DataTransfer", "-", "--url", "ws://127.0.0.1:9/CP1"], env)
    assert (code, env.stderr.getvalue()) == (
        2,
        "ocppctl: error: standard input is not UTF-8 at byte 0 (invalid start byte) (see 'ocppctl send --help')\n",
    )
    secret = tmp_path / "password"
    secret.write_bytes(b"\xff\xfe")
    code, out, err = _send("Heartbeat", "--url", "ws://127.0.0.1:9/CP1", "--password-file", str(secret))
    assert (code, out) == (2, "")
    assert err == (
        f"ocppctl: error: {secret}: the password is not UTF-8 text (byte 0: invalid start byte) "
        "(see 'ocppctl send --help')\n"
    )


@contextlib.contextmanager
def _raw_station(name: str, port_box: list[int], boots: bool) -> Iterator[list[str]]:
    """A station on bare websockets that connects once `port_box` holds the port, boots or not,
    and answers the CSMS's calls (Heartbeats); yields what it received, in order."""
    import asyncio
    import threading

    from websockets.asyncio.client import connect

    received: list[str] = []
    loop = asyncio.new_event_loop()

    async def main() -> None:
        for _ in range(400):
            if port_box:
                with contextlib.suppress(OSError):
                    ws = await connect(f"ws://127.0.0.1:{port_box[0]}/{name}", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
                    break
            await asyncio.sleep(0.025)
        else:
            return
        if boots:
            await ws.send('[2,"b","BootNotification",' + BOOT_201 + "]")
        with contextlib.suppress(Exception):
            async for text in ws:
                received.append(str(text))
                frame = json.loads(text)
                if frame[0] == 2:
                    await ws.send(json.dumps([3, frame[1], {"currentTime": "2026-12-04T10:00:00Z"}]))

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    try:
        yield received
    finally:
        thread.join(15)
        loop.close()


def _listening_port(env_stderr: io.StringIO, port_box: list[int]) -> None:
    """Fill `port_box` from send's "listening on HOST:PORT" line as soon as it is written."""
    import threading

    def watch() -> None:
        for _ in range(400):
            text = env_stderr.getvalue()
            if "listening on 127.0.0.1:" in text:
                port_box.append(int(text.split("listening on 127.0.0.1:")[1].split(",")[0]))
                return
            threading.Event().wait(0.025)

    threading.Thread(target=watch, daemon=True).start()


@pytest.mark.parametrize("boots", [True, False])
def test_as_csms_the_call_waits_for_the_boot_or_the_boot_wait(boots: bool) -> None:
    port: list[int] = []
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    _listening_port(env.stderr, port)  # type: ignore[arg-type]
    argv = ["send", "Heartbeat", "--listen", "127.0.0.1:0", "--boot-wait", "1.5", "--json", "--no-validate"]
    with _raw_station("CP2", port, boots) as received:
        code = run([*argv, "--timeout", "5", "--connect-timeout", "10"], env)
    assert code == 0, env.stderr.getvalue()
    err = env.stderr.getvalue().splitlines()
    if boots:  # answered first, then the call: nothing to say
        assert len(err) == 1 and json.loads(received[0])[:2] == [3, "b"] and json.loads(received[1])[2] == "Heartbeat"
    else:  # called anyway after --boot-wait, and said why it waited
        assert err[1].startswith("ocppctl: waiting for CP2's BootNotification (at most ")
        assert err[1].endswith(" s more; --boot-wait)")
        assert json.loads(received[0])[2] == "Heartbeat"


def test_json_output_carries_the_calls_own_findings_and_the_answers() -> None:
    """The vendor-id warning of the call went nowhere with --json; now a line after the answer."""
    with ocpp_csms(["ocpp2.0.1"]) as port:
        code, out, err = _send(
            "DataTransfer", "vendorId=ACME", "--url", f"ws://127.0.0.1:{port}/CP1", "--json", "--timeout", "10"
        )
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 3 and err == ""  # the ocpp CSMS does not take DataTransfer: a CALLERROR
    assert lines[0]["errorCode"] == "NotImplemented"
    assert [(line["of"], line["finding"]["code"], line["finding"]["severity"]) for line in lines[1:]] == [
        ("call", "vendor-id", "warning")
    ]
    assert set(lines[1]["finding"]) >= {"severity", "code", "path", "message", "hint", "line"}
