"""The peer engine on real sockets: a Csms on 127.0.0.1 (port 0) and stations written here with
bare websockets, so every frame on the wire is seen as the station sees it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import VERSIONS
from ocppctl.errors import LinkError, TimedOut
from ocppctl.handlers.defaults import CsmsState, csms_answerer
from ocppctl.io.recorder import ocpp_time
from ocppctl.transport.client import LinkOptions
from ocppctl.transport.csms import Csms
from ocppctl.transport.flow import Flow

BOOT_201 = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
BOOT_16 = {"chargePointVendor": "V", "chargePointModel": "M"}
GET = {"getVariableData": [{"component": {"name": "FiscalMetering"}, "variable": {"name": "Enabled"}}]}


@contextlib.asynccontextmanager
async def csms(
    registry: SchemaRegistry, boot_grace: float | None = None, answer_invalid: bool = False
) -> AsyncIterator[tuple[Csms, list[Flow]]]:
    """A Csms answering with the default answers; what its observer saw."""
    seen: list[Flow] = []
    server = Csms(
        registry,
        [VERSIONS["2.0.1"], VERSIONS["1.6"], VERSIONS["2.1"]],
        seen.append,
        csms_answerer(registry, CsmsState(), ocpp_time),
        options=LinkOptions(boot_grace=boot_grace, answer_invalid=answer_invalid),
    )
    await server.start("127.0.0.1", 0)
    try:
        yield server, seen
    finally:
        await asyncio.wait_for(server.stop(), 10)


async def station(port: int, name: str = "CP1", subprotocol: str = "ocpp2.0.1") -> Any:
    from websockets.asyncio.client import connect

    return await connect(f"ws://127.0.0.1:{port}/{name}", subprotocols=[subprotocol], proxy=None)  # type: ignore[list-item]


async def until(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def boot(ws: Any, payload: Any = BOOT_201) -> list[Any]:
    await ws.send(json.dumps([2, "b1", "BootNotification", payload]))
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


def test_one_call_outstanding_and_each_timeout_counts_from_sending(registry: SchemaRegistry) -> None:
    """The second CALL reaches the station only once it answered the first; the second call's
    0.5 s timeout counts from when it left, not from the 0.6 s it waited in the queue."""

    async def main() -> list[str]:
        async with csms(registry) as (server, _):
            ws = await station(server.port)
            await until(lambda: "CP1" in server.peers)
            peer = server.peers["CP1"]
            first = asyncio.ensure_future(peer.call("GetVariables", GET, 5))
            second = asyncio.ensure_future(peer.call("Heartbeat", {}, 0.5, check=False))
            wire: list[str] = []
            call = json.loads(await ws.recv())
            wire.append(f"got {call[2]}")
            with pytest.raises(TimeoutError):  # nothing else is sent while the first is open
                await asyncio.wait_for(ws.recv(), 0.6)
            answer = {"getVariableResult": [{"attributeStatus": "Accepted", **GET["getVariableData"][0]}]}
            await ws.send(json.dumps([3, call[1], answer]))
            wire.append("answered")
            call = json.loads(await ws.recv())
            wire.append(f"got {call[2]}")
            await ws.send(json.dumps([3, call[1], {"currentTime": "2026-12-04T10:00:00Z"}]))
            assert (await first).kind == "result" and (await second).kind == "result"
            await ws.close()
            return wire

    assert asyncio.run(main()) == ["got GetVariables", "answered", "got Heartbeat"]


def test_a_call_that_times_out_frees_the_turn_and_its_late_answer_answers_nothing(registry: SchemaRegistry) -> None:
    async def main() -> tuple[str, list[Any]]:
        async with csms(registry) as (server, seen):
            ws = await station(server.port)
            await until(lambda: "CP1" in server.peers)
            peer = server.peers["CP1"]
            with pytest.raises(TimedOut) as timed_out:
                await peer.call("GetVariables", GET, 0.2)
            late = json.loads(await ws.recv())
            nxt = asyncio.ensure_future(peer.call("Heartbeat", {}, 2, check=False))
            heartbeat = json.loads(await asyncio.wait_for(ws.recv(), 2))
            result = {"getVariableResult": [{"attributeStatus": "Accepted", **GET["getVariableData"][0]}]}
            await ws.send(json.dumps([3, late[1], result]))
            await ws.send(json.dumps([3, heartbeat[1], {"currentTime": "2026-12-04T10:00:00Z"}]))
            await nxt
            await ws.close()
            await until(lambda: any(f.event == "close" for f in seen))
            answers = [(f.answers, f.rtt_ms is not None) for f in seen if f.side == "station" and f.text]
            return timed_out.value.message, answers

    message, answers = asyncio.run(main())
    assert message == "no answer to GetVariables within 0.2 s (--timeout)"
    assert answers == [(None, False), ("Heartbeat", True)]  # the late one answers no call of ours


BAD_CALLS_201 = [
    ('[2,"a","StatusNotification",{"timestamp":"2026-12-04T10:00:00Z","connectorStatus":"Available",'
     '"evseId":"1","connectorId":1}]', "TypeConstraintViolation"),
    ('[2,"b","Heartbeat",{"extra":1}]', "FormatViolation"),
    ('[2,"c","BootNotification",{"reason":"PowerUp"}]', "OccurrenceConstraintViolation"),
    ('[2,"d","BootNotification",{"reason":"Sometime","chargingStation":{"model":"M","vendorName":"V"}}]',
     "PropertyConstraintViolation"),
    ('[2,"e","NoSuchAction",{}]', "NotImplemented"),
    ('[2,"f","GetVariables",' + json.dumps(GET) + "]", "NotSupported"),
    ('[2,"g","Heartbeat"]', "FormatViolation"),
    ('[7,"h","Heartbeat",{}]', "MessageTypeNotSupported"),
    ("not json at all", "RpcFrameworkError"),
]  # fmt: skip


@pytest.mark.parametrize("answer_invalid", [False, True])
def test_an_invalid_call_gets_the_callerror_ocpp_j_names(registry: SchemaRegistry, answer_invalid: bool) -> None:
    async def main() -> list[Any]:
        async with csms(registry, answer_invalid=answer_invalid) as (server, _):
            ws = await station(server.port)
            replies = []
            for text, _code in BAD_CALLS_201:
                await ws.send(text)
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            await ws.close()
            return replies

    replies = asyncio.run(main())
    expected_ids = ["a", "b", "c", "d", "e", "f", "g", "h", "-1"]
    assert [r[1] for r in replies] == expected_ids
    if answer_invalid:  # answered as if valid; what no answer can be made of stays an error
        assert [r[0] for r in replies] == [3, 3, 3, 3, 4, 4, 4, 4, 4]
        return
    assert [(r[0], r[2]) for r in replies] == [(4, code) for _, code in BAD_CALLS_201]
    assert replies[0][3] == 'StatusNotification request: expected integer, got string "1" at /evseId'


def test_16_spells_its_codes_and_answers_no_unaddressable_frame(registry: SchemaRegistry) -> None:
    async def main() -> list[Any]:
        async with csms(registry) as (server, _):
            ws = await station(server.port, subprotocol="ocpp1.6")
            replies = []
            for text in ('[2,"a","Heartbeat",{"x":1}]', '[2,"b","BootNotification",{}]', '[2,"c","Heartbeat",{}]'):
                await ws.send(text)
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            await ws.send("not json")  # 1.6 names no answer to this
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.3)
            await ws.close()
            return replies

    replies = asyncio.run(main())
    assert [r[2] for r in replies[:2]] == ["FormationViolation", "OccurenceConstraintViolation"]
    assert replies[2][0] == 3 and "currentTime" in replies[2][2]


def test_a_csms_calls_only_after_the_boot(registry: SchemaRegistry) -> None:
    async def main() -> list[str]:
        async with csms(registry, boot_grace=5) as (server, _):
            ws = await station(server.port)
            await until(lambda: "CP1" in server.peers)
            peer = server.peers["CP1"]
            assert peer.holding() is not None and "BootNotification" in peer.holding()  # type: ignore[operator]
            call = asyncio.ensure_future(peer.call("GetVariables", GET, 5))
            with pytest.raises(TimeoutError):  # held while the station has not booted
                await asyncio.wait_for(ws.recv(), 0.3)
            order = [(await boot(ws))[0] == 3 and "boot answered"]
            got = json.loads(await asyncio.wait_for(ws.recv(), 5))
            order.append(f"then {got[2]}")
            await ws.send(json.dumps([3, got[1], {"getVariableResult": []}]))
            await call
            await ws.close()
            return order  # type: ignore[return-value]

    assert asyncio.run(main()) == ["boot answered", "then GetVariables"]


def test_with_no_boot_a_csms_calls_after_the_grace_and_says_so(registry: SchemaRegistry) -> None:
    async def main() -> tuple[float, list[str]]:
        async with csms(registry, boot_grace=0.4) as (server, seen):
            ws = await station(server.port)
            await until(lambda: "CP1" in server.peers)
            started = time.monotonic()
            call = asyncio.ensure_future(server.peers["CP1"].call("Heartbeat", {}, 5, check=False))
            got = json.loads(await asyncio.wait_for(ws.recv(), 5))
            waited = time.monotonic() - started
            await ws.send(json.dumps([3, got[1], {}]))
            await call
            await ws.close()
            return waited, [str(f.detail.get("message")) for f in seen if f.event == "note"]

    waited, notes = asyncio.run(main())
    assert 0.2 < waited < 3
    assert notes == ["no BootNotification within 0.4 s: calling anyway"]


def test_a_newer_connection_of_a_station_replaces_the_older(registry: SchemaRegistry) -> None:
    async def main() -> tuple[Any, Any, str]:
        async with csms(registry) as (server, _):
            old = await station(server.port)
            await until(lambda: "CP1" in server.peers)
            first = server.peers["CP1"]
            new = await station(server.port)
            await until(lambda: server.peers.get("CP1") is not first)
            await until(lambda: old.close_code is not None)
            got = asyncio.ensure_future(server.peers["CP1"].call("Heartbeat", {}, 5, check=False))
            call = json.loads(await asyncio.wait_for(new.recv(), 5))  # calls go to the newer link
            await new.send(json.dumps([3, call[1], {}]))
            await got
            await new.close()
            return old.close_code, old.close_reason, call[2]

    assert asyncio.run(main()) == (1000, "replaced by a newer connection of CP1", "Heartbeat")


def test_a_station_that_stops_reading_is_dropped_not_waited_for(registry: SchemaRegistry) -> None:
    """Writes are bounded in time: the station never reads, the buffers fill, the answer fails
    with LinkError within the write timeout and the link is dropped."""

    async def main() -> str:
        reader, writer = await asyncio.open_connection("127.0.0.1", server_port[0])
        key = "dGhlIHNhbXBsZSBub25jZQ=="
        writer.write(
            (
                "GET /CP1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        await until(lambda: "CP1" in server_ref[0].peers)
        peer = server_ref[0].peers["CP1"]
        peer.auto = False  # its calls are answered by hand below, with megabytes it never reads
        peer.write_timeout = 0.5
        call = b'[2,"%d","DataTransfer",{"vendorId":"com.example"}]'
        for n in range(60):
            text = call % n
            writer.write(bytes([0x81, 0x80 | len(text)]) + b"\0\0\0\0" + text)  # masked with a zero key
        await writer.drain()
        await until(lambda: len(peer.session.incoming) == 60)
        big = {"status": "Accepted", "data": "x" * 900_000}
        started = time.monotonic()
        with pytest.raises(LinkError) as lost:
            for uid in list(peer.session.incoming):
                await peer.reply(uid, big, check=False)
        assert time.monotonic() - started < 20
        writer.close()
        return lost.value.message

    server_port: list[int] = []
    server_ref: list[Csms] = []

    async def run() -> str:
        options = LinkOptions(boot_grace=None, max_size=None)
        server = Csms(registry, [VERSIONS["2.0.1"]], lambda flow: None, None, options=options)
        server_port.append(await server.start("127.0.0.1", 0))
        server_ref.append(server)
        try:
            return await main()
        finally:
            await asyncio.wait_for(server.stop(), 10)

    message = asyncio.run(run())
    assert message == "CP1 stopped reading: nothing written for 0.5 s"


# --- one battery of bad calls, every command that plays a CSMS -------------------------------------


def _process(argv: list[str], stdin: str | None = None) -> tuple[Any, int]:
    """An ocppctl process listening on port 0, and the port it says it listens on (stdout or
    stderr, whichever the command writes it to)."""
    import re
    import subprocess
    import sys
    import threading

    process = subprocess.Popen(
        [sys.executable, "-m", "ocppctl", *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    found: list[int] = []
    ready = threading.Event()

    def read(stream: Any) -> None:
        for line in stream:
            match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if match and not found:
                found.append(int(match.group(1)))
                ready.set()

    for stream in (process.stdout, process.stderr):
        threading.Thread(target=read, args=(stream,), daemon=True).start()
    if stdin is not None:
        assert process.stdin is not None
        process.stdin.write(stdin)
        process.stdin.flush()
    assert ready.wait(20), f"{argv[0]} did not say where it listens"
    return process, found[0]


async def _battery(port: int, frames: list[str], subprotocol: str = "ocpp2.0.1") -> list[list[Any]]:
    """Each frame sent in turn; the reply to each ([4, id, code] or [3, id]), the CSMS's own
    calls meanwhile answered."""
    ws = await station(port, "CP1", subprotocol)
    replies: list[list[Any]] = []
    for text in frames:
        await ws.send(text)
        while True:
            reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if reply[0] != 2:
                break
            await ws.send(json.dumps([3, reply[1], {}]))
        replies.append(reply[:3] if reply[0] == 4 else reply[:2])  # a result: its payload holds the time
    await ws.close()
    return replies


def test_listen_send_and_the_repl_answer_one_battery_of_bad_calls_alike(tmp_path: Any) -> None:
    from .peers import socket_path

    frames = [text for text, _ in BAD_CALLS_201] + ['[2,"z","Heartbeat",{}]']
    commands = {
        "listen": (["listen", "--listen", "127.0.0.1:0", "--control", socket_path("hub.sock")], None),
        "send --listen": (["send", "ClearCache", "{}", "--listen", "127.0.0.1:0", "--boot-wait", "60"], None),
        "repl --listen": (["repl", "--listen", "127.0.0.1:0", "--ocpp", "2.0.1,1.6"], ":wait Heartbeat 30\n"),
    }
    seen = {}
    for name, (argv, script) in commands.items():
        process, port = _process(argv, script)
        try:
            seen[name] = asyncio.run(_battery(port, frames))
        finally:
            process.terminate()
            process.communicate(timeout=15)
    expected = [[4, text_id, code] for (_, code), text_id in zip(BAD_CALLS_201, "abcdefgh", strict=False)]
    expected.append([4, "-1", "RpcFrameworkError"])
    assert seen["listen"][:-1] == expected
    assert seen["listen"][-1] == [3, "z"]
    assert seen["send --listen"] == seen["listen"] and seen["repl --listen"] == seen["listen"]


def test_a_responder_that_fails_on_a_payload_gives_internal_error(registry: SchemaRegistry) -> None:
    """A simulated peer answers; it never falls over (and a valid call gets the responder's)."""
    from ocppctl.core.rpc import RpcSession
    from ocppctl.transport.peer import Peer

    def responder(version: Any, action: str, payload: Any) -> Any:
        return "result", payload["missing"] if action == "DataTransfer" else {"status": "Accepted"}

    session = RpcSession(registry, VERSIONS["2.0.1"], "csms", lambda: "x", station="CP1")
    peer = Peer(None, session, 1, responder=responder)
    failing = session.receive('[2,"a","DataTransfer",{"vendorId":"com.example"}]', 0.0)
    assert peer.verdict(failing.frame, failing.findings) == (  # type: ignore[arg-type]
        "error",
        ("InternalError", "ocppctl failed on this payload: KeyError"),
    )
    fine = session.receive('[2,"b","Heartbeat",{}]', 0.0)
    assert peer.verdict(fine.frame, fine.findings) == ("result", {"status": "Accepted"})  # type: ignore[arg-type]


BAD_CALLS_TO_A_STATION = [
    ('[2,"a","GetVariables",{"getVariableData":[{"component":{"name":5},"variable":{"name":"V"}}]}]',
     "TypeConstraintViolation"),
    ('[2,"b","ClearCache",{"extra":1}]', "FormatViolation"),
    ('[2,"c","SetVariables",{}]', "OccurrenceConstraintViolation"),
    ('[2,"d","Reset",{"type":"Later"}]', "PropertyConstraintViolation"),
    ('[2,"e","NoSuchAction",{}]', "NotImplemented"),
    ('[2,"f","Heartbeat",{}]', "NotSupported"),
    ('[2,"g","Reset"]', "FormatViolation"),
    ('[7,"h","Reset",{}]', "MessageTypeNotSupported"),
    ("not json at all", "RpcFrameworkError"),
]  # fmt: skip


def test_the_simulated_station_and_repl_url_answer_one_battery_of_bad_calls_alike() -> None:
    """The station roles: a CSMS written here sends the battery once the station booted."""
    import subprocess
    import sys

    from websockets.asyncio.server import serve

    frames = [text for text, _ in BAD_CALLS_TO_A_STATION] + ['[2,"z","GetVariables",' + json.dumps(GET) + "]"]

    async def one(argv: list[str], script: str | None) -> list[list[Any]]:
        replies: list[list[Any]] = []
        done = asyncio.Event()

        async def handler(ws: Any) -> None:
            async def reply_to(frame: list[Any]) -> None:
                now = "2026-12-04T10:00:00Z"
                answer = {"currentTime": now, "interval": 300, "status": "Accepted"}
                await ws.send(
                    json.dumps([3, frame[1], answer if frame[2] == "BootNotification" else {"currentTime": now}])
                )

            booted = False
            while not booted:  # answer the boot and what follows it for a moment
                frame = json.loads(await ws.recv())
                if frame[0] == 2:
                    await reply_to(frame)
                    booted = frame[2] == "BootNotification"
            for text in frames:
                await ws.send(text)
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if frame[0] != 2:
                        break
                    await reply_to(frame)  # the station's own calls meanwhile
                replies.append(frame[:3] if frame[0] == 4 else frame[:2])
            done.set()
            with contextlib.suppress(Exception):
                await ws.wait_closed()

        async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"]) as server:  # type: ignore[list-item]
            port = server.sockets[0].getsockname()[1]
            url = f"ws://127.0.0.1:{port}/SIM1"
            process = subprocess.Popen(
                [sys.executable, "-m", "ocppctl", *argv, "--url", url],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            try:
                if script is not None:
                    assert process.stdin is not None
                    process.stdin.write(script)
                    process.stdin.flush()
                await asyncio.wait_for(done.wait(), 30)
            finally:
                process.terminate()
                await asyncio.to_thread(process.communicate, timeout=15)
        return replies

    from .peers import socket_path

    sim = asyncio.run(one(["sim", "station", "--control", socket_path("sim.sock")], None))
    boot = 'BootNotification {"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}\n'
    repl = asyncio.run(one(["repl"], boot + ":wait GetVariables 30\n"))
    expected = [[4, uid, code] for (_, code), uid in zip(BAD_CALLS_TO_A_STATION, "abcdefgh", strict=False)]
    expected += [[4, "-1", "RpcFrameworkError"], [3, "z"]]
    assert sim == expected
    assert repl == sim


def test_a_boot_answered_by_hand_lets_the_calls_go(registry: SchemaRegistry) -> None:
    async def main() -> str:
        async with csms(registry, boot_grace=30) as (server, _):
            ws = await station(server.port)
            await until(lambda: "CP1" in server.peers)
            peer = server.peers["CP1"]
            peer.auto = False
            await ws.send('[2,"b1","BootNotification",' + json.dumps(BOOT_201) + "]")
            await until(lambda: "b1" in peer.session.incoming)
            call = asyncio.ensure_future(peer.call("ClearCache", {}, 5))
            await peer.reply("b1", {"currentTime": "2026-12-04T10:00:00Z", "interval": 300, "status": "Pending"})
            assert json.loads(await ws.recv())[:2] == [3, "b1"]
            got = json.loads(await asyncio.wait_for(ws.recv(), 5))  # not 30 s later
            await ws.send(json.dumps([3, got[1], {"status": "Accepted"}]))
            await call
            await ws.close()
            return str(got[2])

    assert asyncio.run(main()) == "ClearCache"
