"""The control protocol's typed messages (transport/control_messages.py): a hub refuses a
malformed request with a reply (never a crash), and `send --via` trusts no reply it cannot
vouch for: each malformed one is one line and exit 5, never 70 nor the reply's own `exit`."""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.transport.control import (
    CONTROL_LIMIT,
    ControlError,
    Wait,
    call_request,
    control_request,
    parse_reply,
    parse_request,
)

from .test_control import short_tmp  # noqa: F401 - a fixture
from .test_hub_watch import _boot, _hub, _until

HUGE = "1" + "0" * 400


@pytest.mark.parametrize(
    ("timeout", "shown"),
    [(HUGE, HUGE[:37] + "..."), ("0", "0"), ("-1", "-1"), ('"abc"', '"abc"'), ("true", "true"), ("1e400", "1E+400")],
)
def test_a_request_timeout_out_of_range_is_refused_with_exit_2(timeout: str, shown: str) -> None:
    line = f'{{"op":"call","station":"CP1","action":"Heartbeat","payload":{{}},"timeout":{timeout}}}\n'
    with pytest.raises(ControlError) as caught:
        parse_request(line.encode())
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith(f"bad control request: timeout {shown} is not ")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"[1]\n", "the request is not a JSON object: b'[1]\\n'"),
        (b"\xff\n", "the request is not JSON: b'\\xff\\n'"),
        (b'{"op":"dance"}\n', 'bad control request: unknown op "dance"'),
        (b'{"op":"call","station":7,"action":"Heartbeat"}\n', "bad control request: `station` is not a station id"),
        (b'{"op":"call","action":"H","wait":[]}\n', "bad control request: `wait` is not an object"),
        (b'{"op":"call","action":"H","wait":{}}\n', "bad control request: `wait.action` is not an action name"),
        (
            b'{"op":"call","action":"H","wait":{"action":"N","count":0}}\n',
            "bad control request: `wait.count` 0 is not a count",
        ),
        (
            b'{"op":"call","action":"H","wait":{"action":"N","until_done":"yes"}}\n',
            "bad control request: `wait.until_done` is not true or false",
        ),
        (b'{"op":"call","station":"CP1","action":7}\n', "bad control request: `action` is not an action name"),
        (b'{"op":"call","station":"CP1","action":"H","id":5}\n', "bad control request: `id` is not a string"),
        (
            b'{"op":"call","station":"CP1","action":"H","check":1}\n',
            "bad control request: `check` is not true or false",
        ),
    ],
)
def test_a_malformed_request_is_one_error_with_exit_2(line: bytes, message: str) -> None:
    with pytest.raises(ControlError) as caught:
        parse_request(line)
    assert (caught.value.exit_code, caught.value.message) == (2, message)


def test_a_request_round_trips() -> None:
    request = call_request("CP1", "DataTransfer", {"n": 10**30}, "id-1", False, 2.5)
    assert parse_request(request.encode()) == request
    waiting = call_request(None, "GetBaseReport", {}, None, True, 5, Wait("NotifyReport", None, True))
    assert parse_request(waiting.encode()) == waiting and waiting.station == ""
    assert parse_request(b'{"op":"watch"}\n').op == "watch"


@pytest.mark.parametrize("timeout", [0, -3, float("nan"), float("inf")])
def test_a_timeout_of_0_or_less_is_refused_before_anything_is_sent(timeout: float) -> None:
    with pytest.raises(ControlError) as caught:
        call_request("CP1", "Heartbeat", {}, None, True, timeout)
    assert caught.value.exit_code == 2


def test_todays_hub_answers_a_400_digit_timeout_with_a_refusal(registry: SchemaRegistry) -> None:
    """It crashed the handler (OverflowError) and left the client with no reply."""

    async def main() -> dict[str, object]:
        async with _hub(registry) as served:
            leave = threading.Event()
            booting = asyncio.ensure_future(asyncio.to_thread(_boot, served.port, "CP1", "ocpp2.0.1", leave))
            try:
                await _until(lambda: any(f.station == "CP1" and f.side for f in served.observed))
                request = {"op": "call", "station": "CP1", "action": "Heartbeat", "payload": {}}
                return await control_request(served.control, {**request, "timeout": int(HUGE)}, "no hub", 5)
            finally:
                leave.set()
                await asyncio.wait_for(booting, 15)

    reply = asyncio.run(main())
    assert reply == {
        "ok": False,
        "exit": 2,
        "error": f"bad control request: timeout {HUGE[:37]}... is not in (0, 1e+06] s",
    }


def test_todays_hub_refuses_an_over_long_request_with_a_reply(registry: SchemaRegistry) -> None:
    async def main() -> dict[str, object]:
        async with _hub(registry) as served:
            reader, writer = await asyncio.open_unix_connection(served.control, limit=1 << 16)
            writer.write(b'{"op":"stations","pad":"' + b"x" * (CONTROL_LIMIT + 10) + b'"}\n')
            line = await asyncio.wait_for(reader.readline(), 10)
            writer.close()
            return json.loads(line)

    assert asyncio.run(main()) == {"ok": False, "exit": 2, "error": f"bad control request: over {CONTROL_LIMIT} bytes"}


STATIONS = b'{"ok":true,"stations":["CP1"],"versions":{"CP1":"2.0.1"}}\n'


@contextmanager
def _fake_hub(folder: Path, *replies: bytes) -> Iterator[tuple[str, list[bytes]]]:
    """A control socket answering its connections' requests with `replies`, one each, in
    order; yields its path and the requests."""
    path = str(folder / "hub.sock")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen()
    listener.settimeout(10)
    requests: list[bytes] = []

    def serve() -> None:
        with listener:
            for reply in replies:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                with connection:
                    connection.settimeout(10)
                    requests.append(connection.makefile("rb").readline())
                    connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield path, requests
    finally:
        thread.join(15)
        if os.path.exists(path):
            os.unlink(path)


def _send_via(path: str, *more: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["send", "Heartbeat", "--via", path, "--station", "CP1", "--color", "never", *more], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()  # type: ignore[attr-defined]


SENT = json.dumps('[2,"1","Heartbeat",{}]')
GOOD = '{"ok":true,"version":"2.0.1","sent":' + SENT + ',"sent_findings":[],"kind":"result",'


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (GOOD + '"rtt_ms":1,"findings":[]}\n', "neither stations nor an answer"),
        (GOOD + '"answer":"[3,\\"1\\"","rtt_ms":1,"findings":[]}\n', "`answer` is not JSON"),
        ('{"ok":false,"exit":"abc","error":"x"}\n', '`exit` is "abc"'),
        (GOOD + '"answer":"[3,\\"1\\",{}]","rtt_ms":"fast","findings":[]}\n', '`rtt_ms` is "fast"'),
        (
            GOOD + '"answer":"[3,\\"1\\",{}]","rtt_ms":1,"findings":[{"code":1}]}\n',
            "a finding in `findings` has no severity",
        ),
        ('{"ok":false,"exit":99,"error":"x"}\n', "exit 99 with ok false"),
        ('{"ok":false,"exit":0,"error":"it failed"}\n', "exit 0 with ok false"),
        ('{"ok":"yes"}\n', '`ok` is "yes"'),
    ],
)
def test_send_via_refuses_a_malformed_reply_with_exit_5(short_tmp: Path, reply: str, why: str) -> None:  # noqa: F811
    with _fake_hub(short_tmp, STATIONS, reply.encode()) as (path, requests):
        code, out, err = _send_via(path)
    assert (code, out) == (5, "")
    assert err == f"ocppctl: error: {path} sent a malformed reply: {why}\n"
    assert json.loads(requests[0]) == {"op": "stations"}
    assert json.loads(requests[1])["timeout"] == 30


def test_send_via_refuses_a_reply_that_is_not_json_with_exit_5(short_tmp: Path) -> None:  # noqa: F811
    with _fake_hub(short_tmp, STATIONS, b"x" * 200_000 + b"\n") as (path, _):
        code, out, err = _send_via(path)
    assert (code, out) == (5, "")
    assert err == f"ocppctl: error: the reply from {path} is not JSON: {b'x' * 60!r}...\n"


def test_send_via_refuses_a_reply_over_the_limit_with_exit_5(short_tmp: Path) -> None:  # noqa: F811
    with _fake_hub(short_tmp, STATIONS, b"x" * (CONTROL_LIMIT + 10) + b"\n") as (path, _):
        code, out, err = _send_via(path)
    assert (code, out, err) == (5, "", f"ocppctl: error: {path} sent a reply over {CONTROL_LIMIT} bytes\n")


def test_send_via_ends_with_the_exit_code_of_a_well_formed_failure(short_tmp: Path) -> None:  # noqa: F811
    reply = '{"ok":false,"exit":4,"error":"no answer to Heartbeat within 30 s (--timeout)","version":"2.0.1",'
    reply += '"sent":' + SENT + ',"sent_findings":[]}\n'
    with _fake_hub(short_tmp, STATIONS, reply.encode()) as (path, _):
        code, out, err = _send_via(path)
    assert (code, err) == (4, "ocppctl: error: no answer to Heartbeat within 30 s (--timeout)\n")
    assert out == "→ CALL Heartbeat 1 (OCPP 2.0.1)\n{}\n"


def test_a_reply_is_checked_by_one_function() -> None:
    reply = parse_reply(b'{"ok":true,"stations":["CP2","CP1"]}\n', "hub.sock")
    assert (reply.ok, reply.exit, reply.stations) == (True, 0, ["CP2", "CP1"])


def test_a_hubs_error_text_reaches_the_terminal_escaped_on_one_line(short_tmp: Path) -> None:  # noqa: F811
    evil = "\x1b[2J\x1b]0;pwned\x07...\nFAKE \u202e"
    failure = json.dumps({"ok": False, "exit": 5, "error": evil}).encode() + b"\n"
    with _fake_hub(short_tmp, STATIONS, failure) as (path, _):
        code, out, err = _send_via(path)
    assert (code, out) == (5, "")
    assert err == "ocppctl: error: \\x1b[2J\\x1b]0;pwned\\x07...\\nFAKE \\u202e\n"


def test_send_via_refuses_a_malformed_stations_reply_with_exit_5(short_tmp: Path) -> None:  # noqa: F811
    with _fake_hub(short_tmp, b'{"ok":true,"stations":["CP1"],"versions":{"CP1":7}}\n') as (path, _):
        code, out, err = _send_via(path)
    assert (code, out, err) == (5, "", f"ocppctl: error: {path} sent a malformed reply: versions are not strings\n")
