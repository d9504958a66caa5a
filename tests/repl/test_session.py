"""Whole REPL sessions in-process: keys typed through prompt-toolkit's pipe input, a real peer of
the `ocpp` package on 127.0.0.1, and the printed transcript asserted (ANSI stripped; times, ids
and round-trip times normalised)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from transport.peers import ocpp_csms, ocpp_station
from transport.test_send import _free_port

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V201
from ocppctl.handlers.defaults import CsmsState, csms_answerer
from ocppctl.handlers.sim import DEFAULT_MODEL, DeviceModel, station_answerer
from ocppctl.io.recorder import ocpp_time
from ocppctl.repl.app import Repl
from ocppctl.repl.config import Settings
from ocppctl.repl.prompt import build_session, interact
from ocppctl.transport.links import CsmsLinks, HubLinks, Links, StationLinks

GET_FISCAL_METERING = (
    "GetVariables getVariableData[0].component.name=FiscalMetering getVariableData[0].variable.name=Enabled\r"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise(lines: list[str]) -> str:
    text = _ANSI.sub("", "\n".join(lines))
    text = _UUID.sub("<id>", text)
    text = re.sub(r'"20\d\d-\d\d-\d\dT[0-9:.]+Z"', '"<now>"', text)
    text = re.sub(r"\d\d:\d\d:\d\d\.\d{3}", "HH:MM:SS", text)
    text = re.sub(r"\(\d+\.\d ms\)", "(RTT)", text)
    return re.sub(r"remote=127\.0\.0\.1:\d+", "remote=127.0.0.1:PORT", text)


def csms_answers(registry: SchemaRegistry) -> Any:
    return csms_answerer(registry, CsmsState(), ocpp_time)


def station_answers(registry: SchemaRegistry) -> Any:
    return station_answerer(DeviceModel.from_json(DEFAULT_MODEL), registry, ocpp_time)


class Driver:
    """Types into the REPL and waits for what it prints."""

    def __init__(self, repl: Repl, pipe: Any, lines: list[str], prompt: Any) -> None:
        self.repl = repl
        self.pipe = pipe
        self.lines = lines
        self.prompt = prompt

    async def complete(self, keys: str, expected: str) -> None:
        """Type keys then Tab; wait until the line being typed reads `expected`."""
        buffer = self.prompt.default_buffer
        self.pipe.send_text(keys)
        await self.until(lambda: buffer.complete_state is not None and bool(buffer.complete_state.completions))
        self.pipe.send_text("\t")
        await self.until(lambda: buffer.text == expected)

    def text(self) -> str:
        return normalise(self.lines)

    async def until(self, expected: str | Callable[[], bool], timeout: float = 10.0) -> None:
        check = expected if callable(expected) else (lambda: expected in self.text())
        deadline = asyncio.get_running_loop().time() + timeout
        while not check():
            assert asyncio.get_running_loop().time() < deadline, (
                f"waited for {expected!r}; line {self.prompt.default_buffer.text!r}; got:\n{self.text()}"
            )
            await asyncio.sleep(0.02)

    async def type(self, keys: str, expected: str, timeout: float = 10.0) -> None:
        """Send keys; wait until `expected` appears once more than it did before."""
        seen = self.text().count(expected)
        self.pipe.send_text(keys)
        await self.until(lambda: self.text().count(expected) > seen, timeout)


@asynccontextmanager
async def session(links: Links, registry: SchemaRegistry, settings: Settings | None = None) -> AsyncIterator[Driver]:
    lines: list[str] = []
    repl = Repl(links, registry, settings or Settings(), lines.append, color=True, timeout=5.0)
    await links.start()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompt = build_session(repl)
        task = asyncio.ensure_future(interact(repl, prompt))
        driver = Driver(repl, pipe, lines, prompt)
        try:
            yield driver
            pipe.send_text("\x04")  # Ctrl-D leaves
            await asyncio.wait_for(task, 10)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await repl.close()


def _csms(registry: SchemaRegistry, port: int) -> CsmsLinks:
    return CsmsLinks("127.0.0.1", port, registry, [V201], answer=csms_answers(registry))


def test_as_csms_a_station_boots_then_calls_completion_and_checks(registry: SchemaRegistry) -> None:
    port = _free_port()

    async def main() -> str:
        async with session(_csms(registry, port), registry) as repl:
            await repl.until("→ CALLRESULT BootNotification")
            await repl.type(
                GET_FISCAL_METERING,
                "← CALLRESULT GetVariables",
            )
            await repl.type(":last\r", '"attributeValue"')
            # multi-line JSON: Enter inside an open object continues the line
            await repl.complete('Reset {"type":\r"Imme', 'Reset {"type":\n"Immediate"')
            await repl.type("\r}\r", "← CALLERROR")
            await repl.type("Reset type=Later\r", "not sent")
            await repl.type("Get\x03:stations\r", "OCPP 2.0.1")  # Ctrl-C dropped "Get"
            await repl.type(":sation\r", "did you mean")
        return repl.text()

    with ocpp_station(port, "CP7", "ocpp2.0.1"):
        transcript = asyncio.run(main())
    assert transcript == (
        "HH:MM:SS CP7 connect subprotocol=ocpp2.0.1 remote=127.0.0.1:PORT\n"
        "HH:MM:SS CP7 ← CALL BootNotification <id>\n"
        "  {\n"
        '    "chargingStation": {\n'
        '      "model": "M",\n'
        '      "vendorName": "V"\n'
        "    },\n"
        '    "reason": "PowerUp"\n'
        "  }\n"
        "HH:MM:SS CP7 → CALLRESULT BootNotification <id>\n"
        "  {\n"
        '    "currentTime": "<now>",\n'
        '    "interval": 300,\n'
        '    "status": "Accepted"\n'
        "  }\n"
        "HH:MM:SS CP7 → CALL GetVariables <id>\n"
        "  {\n"
        '    "getVariableData": [\n'
        "      {\n"
        '        "component": {\n'
        '          "name": "FiscalMetering"\n'
        "        },\n"
        '        "variable": {\n'
        '          "name": "Enabled"\n'
        "        }\n"
        "      }\n"
        "    ]\n"
        "  }\n"
        "HH:MM:SS CP7 ← CALLRESULT GetVariables <id> (RTT)\n"
        "  {\n"
        '    "getVariableResult": [\n'
        "      {\n"
        '        "attributeStatus": "Accepted",\n'
        '        "attributeValue": "true",\n'
        '        "component": {\n'
        '          "name": "FiscalMetering"\n'
        "        },\n"
        '        "variable": {\n'
        '          "name": "Enabled"\n'
        "        }\n"
        "      }\n"
        "    ]\n"
        "  }\n"
        '{"getVariableResult":[{"attributeStatus":"Accepted","attributeValue":"true",'
        '"component":{"name":"FiscalMetering"},"variable":{"name":"Enabled"}}]}\n'
        "HH:MM:SS CP7 → CALL Reset <id>\n"
        "  {\n"
        '    "type": "Immediate"\n'
        "  }\n"
        "HH:MM:SS CP7 ← CALLERROR Reset <id> (RTT)\n"
        '  NotImplemented: "Request Action is recognized but not supported by the receiver"\n'
        "  {\n"
        '    "cause": "No handler for Reset registered."\n'
        "  }\n"
        'error: Reset request: "Later" is not an allowed value [schema] at /type\n'
        "    hint: allowed: Immediate, OnIdle\n"
        "not sent (start with --no-validate to send it anyway)\n"
        "* CP7  OCPP 2.0.1\n"
        'error: no meta-command :sation (did you mean ":stations"?)\n'
        "HH:MM:SS CP7 close code=1001 reason=the CSMS is stopping"
    )


def test_answers_by_hand_with_auto_off(registry: SchemaRegistry) -> None:
    port = _free_port()
    found: list[Any] = []

    async def main() -> str:
        async with session(_csms(registry, port), registry, Settings(auto_answer=False)) as repl:
            await repl.until(lambda: bool(repl.repl.links.pending()))
            call_id = repl.repl.links.pending()[0][1].id
            await repl.type(":pending\r", "BootNotification  {")
            await repl.type(f":reply {call_id} status=Accepted\r", "not sent")  # currentTime, interval missing
            await repl.type(
                f":reply {call_id} status=Pending interval:=5 currentTime=2026-11-30T10:00:00Z\r",
                "→ CALLRESULT BootNotification",
            )
            await repl.until(lambda: bool(found))
            await repl.type(":pending\r", "no call waiting")
        return repl.text()

    with ocpp_station(port, "CP8", "ocpp2.0.1") as answers:
        found = answers
        transcript = asyncio.run(main())
    assert found[0].status == "Pending" and found[0].interval == 5
    assert transcript == (
        "HH:MM:SS CP8 connect subprotocol=ocpp2.0.1 remote=127.0.0.1:PORT\n"
        "HH:MM:SS CP8 ← CALL BootNotification <id>\n"
        "  {\n"
        '    "chargingStation": {\n'
        '      "model": "M",\n'
        '      "vendorName": "V"\n'
        "    },\n"
        '    "reason": "PowerUp"\n'
        "  }\n"
        "    waiting for your answer: :reply ID {...} or :error ID CODE (Tab completes the ID)\n"
        '<id>  CP8  BootNotification  {"chargingStation":{"model":"M","vendorName":"V"},"reason":"PowerUp"}\n'
        'error: BootNotification response: required property "currentTime" is missing [schema]\n'
        'error: BootNotification response: required property "interval" is missing [schema]\n'
        "not sent (start with --no-validate to send it anyway)\n"
        "HH:MM:SS CP8 → CALLRESULT BootNotification <id>\n"
        "  {\n"
        '    "status": "Pending",\n'
        '    "interval": 5,\n'
        '    "currentTime": "<now>"\n'
        "  }\n"
        "no call waiting\n"
        "HH:MM:SS CP8 close code=1001 reason=the CSMS is stopping"
    )


def test_as_station_a_lost_link_is_shown_and_connect_makes_it_again(registry: SchemaRegistry, tmp_path: Path) -> None:
    record = tmp_path / "session.jsonl"

    async def main(port: int) -> str:
        answer, _ = station_answers(registry)
        links = StationLinks(f"ws://127.0.0.1:{port}/CP9", 5.0, registry, [V201], answer=answer)
        async with session(links, registry) as repl:
            await repl.type(f":record {record}\r", "recording to")
            await repl.type("Heartbeat\r", "closed")
            await repl.type("Heartbeat\r", "error: not connected (:connect)")
            await repl.type(":connect\r", "connected")
            await repl.type(":record off\r", "stopped")
        return repl.text()

    with ocpp_csms(["ocpp2.0.1"], hang_up=True) as port:
        transcript = asyncio.run(main(port))
    assert transcript == (
        "HH:MM:SS CP9 connect subprotocol=ocpp2.0.1 remote=127.0.0.1:PORT\n"
        f"recording to {record}\n"
        "HH:MM:SS CP9 → CALL Heartbeat <id>\n"
        "  {}\n"
        "HH:MM:SS CP9 close code=1011 reason=going away mid-call\n"
        "error: the peer closed the link before answering (code 1011: going away mid-call)\n"
        "error: not connected (:connect)\n"
        "HH:MM:SS CP9 connect subprotocol=ocpp2.0.1 remote=127.0.0.1:PORT\n"
        "connected\n"
        f"recording to {record} stopped\n"
        "HH:MM:SS CP9 close code=1000"
    )
    records = [json.loads(line) for line in record.read_text().splitlines()]
    assert [r.get("event") or json.loads(r["raw"])[2] for r in records] == ["Heartbeat", "close", "connect"]
    assert records[1]["code"] == 1011 and records[1]["reason"] == "going away mid-call"


def test_attached_to_a_hub_calls_go_through_it_and_its_traffic_shows(registry: SchemaRegistry) -> None:
    from transport.test_hub_watch import _hub

    async def main() -> str:
        async with _hub(registry) as served:
            links = HubLinks(served.control, registry, [V201])
            station = ocpp_station(served.port, "CP5", "ocpp2.0.1")
            station.__enter__()
            try:
                async with session(links, registry) as repl:
                    await repl.until("→ CALLRESULT BootNotification")
                    await repl.type(
                        GET_FISCAL_METERING,
                        "← CALLRESULT GetVariables",
                    )
                    await repl.type(":auto off\r", "answers by hand")
                    await repl.type(":stations\r", "* CP5")
            finally:
                await asyncio.to_thread(station.__exit__, None, None, None)
        return repl.text()

    transcript = asyncio.run(main())
    assert "HH:MM:SS CP5 → CALLRESULT BootNotification <id>\n" in transcript  # the action named from its call
    assert "HH:MM:SS CP5 → CALL GetVariables <id>\n" in transcript
    assert "HH:MM:SS CP5 ← CALLRESULT GetVariables <id> (RTT)\n" in transcript  # timed by the hub
    assert '        "attributeValue": "true",\n' in transcript
    assert transcript.endswith(
        "error: the hub answers its stations' calls itself: `ocppctl repl --listen` answers by hand\n* CP5  OCPP 2.0.1"
    )


def test_wait_error_use_and_show_with_two_stations(registry: SchemaRegistry) -> None:
    port = _free_port()

    async def main() -> tuple[str, str]:
        links = CsmsLinks("127.0.0.1", port, registry, [V201, V16], answer=csms_answers(registry))
        async with session(links, registry, Settings(auto_answer=False, fold_lines=4)) as repl:
            first = ocpp_station(port, "CP1", "ocpp2.0.1")
            repl.pipe.send_text(":wait BootNotification 10\r")
            await asyncio.sleep(0.2)  # the wait is on before the station comes
            first.__enter__()
            try:
                await repl.until(lambda: bool(links.pending()))
                call_id = links.pending()[0][1].id
                await repl.type(f":error {call_id} InternalError try again later\r", "→ CALLERROR")
                await repl.type(":auto on\r", "auto answers on")
                second = ocpp_station(port, "CP2", "ocpp1.6")
                second.__enter__()
                try:
                    await repl.until(lambda: len(links.stations()) == 2)
                    await repl.type(":stations\r", "CP2  OCPP 1.6")
                    await repl.type(":use CP2\r", "using CP2")
                    await repl.type("GetConfiguration\r", "← CALLRESULT GetConfiguration")
                    raw = _ANSI.sub("", "\n".join(repl.lines))
                    folded = re.search(r"  … 6 more lines \(:show (\S+)\)", raw)
                    assert folded is not None, raw
                    before = len(repl.lines)
                    await repl.type(f":show {folded.group(1)}\r", '"value": "300"')
                    whole = normalise(repl.lines[before:])
                finally:
                    await asyncio.to_thread(second.__exit__, None, None, None)
            finally:
                await asyncio.to_thread(first.__exit__, None, None, None)
        return repl.text(), whole

    transcript, whole = asyncio.run(main())
    assert (
        "HH:MM:SS CP1 → CALLERROR <id>\n" in transcript
        or "HH:MM:SS CP1 → CALLERROR BootNotification <id>\n" in transcript
    )
    assert '  InternalError: "try again later"\n' in transcript
    assert "* CP1  OCPP 2.0.1\n  CP2  OCPP 1.6\n" in transcript
    assert whole == (
        "HH:MM:SS CP2 ← CALLRESULT GetConfiguration <id>\n"
        "  {\n"
        '    "configurationKey": [\n'
        "      {\n"
        '        "key": "HeartbeatInterval",\n'
        '        "readonly": false,\n'
        '        "value": "300"\n'
        "      }\n"
        "    ]\n"
        "  }"
    )


def test_as_station_default_answers_send_the_report_after_get_base_report(registry: SchemaRegistry) -> None:
    async def main() -> str:
        csms = _csms(registry, 0)
        await csms.start()
        answer, then = station_answers(registry)
        url = f"ws://127.0.0.1:{csms.port}/CP4"
        links = StationLinks(url, 5.0, registry, [V201], answer=answer, then=then)
        try:
            async with session(links, registry) as repl:
                await repl.until(lambda: csms.stations() == ["CP4"])
                event = await csms.call("GetBaseReport", {"requestId": 7, "reportBase": "FullInventory"}, 5.0)
                assert event.kind == "result" and event.frame is not None
                assert event.frame.payload == {"status": "Accepted"}
                await repl.until('"tbc": false')
                await repl.until(lambda: repl.text().count("← CALLRESULT NotifyReport") == 2)
        finally:
            await csms.close()
        return repl.text()

    transcript = asyncio.run(main())
    assert transcript.count("HH:MM:SS CP4 → CALL NotifyReport <id>\n") == 2
    assert transcript.count('    "requestId": 7,\n') == 3  # the call and both parts
    assert "error" not in transcript  # every part valid, every answer valid


async def _bare_station(port: int, name: str, script: Callable[[Any, list[Any]], Any]) -> Any:
    """A station on bare websockets in this loop: it boots, then `script(ws, frame)` answers
    each CSMS call (and may send calls of its own right after)."""
    from websockets.asyncio.client import connect

    ws = await connect(f"ws://127.0.0.1:{port}/{name}", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]
    await ws.send('[2,"boot","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]')

    async def serve() -> None:
        with contextlib.suppress(Exception):
            async for text in ws:
                frame = json.loads(text)
                if frame[0] == 2:
                    await script(ws, frame)

    return ws, asyncio.ensure_future(serve())


def test_wait_takes_the_call_that_came_right_after_the_previous_lines_answer(registry: SchemaRegistry) -> None:
    """The station answers RequestStopTransaction and sends TransactionEvent Ended 1 ms later,
    before `:wait` runs: the call is kept for it, not missed (it was in 10 of 23 runs)."""
    ended = {
        "eventType": "Ended",
        "timestamp": "2026-12-04T10:00:00Z",
        "triggerReason": "RemoteStop",
        "seqNo": 1,
        "transactionInfo": {"transactionId": "T1", "stoppedReason": "Remote"},
    }

    async def script(ws: Any, frame: list[Any]) -> None:
        await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
        await asyncio.sleep(0.001)
        await ws.send(json.dumps([2, "te1", "TransactionEvent", ended]))

    async def main() -> str:
        links = CsmsLinks("127.0.0.1", 0, registry, [V201], answer=csms_answers(registry))
        async with session(links, registry) as repl:
            ws, task = await _bare_station(links.port, "CP3", script)
            await repl.until("→ CALLRESULT BootNotification")
            await repl.type("RequestStopTransaction transactionId=T1\r", "← CALLRESULT RequestStopTransaction")
            await repl.until("← CALL TransactionEvent")  # it came before the next line
            await repl.type(":wait TransactionEvent 2\r:stations\r", "* CP3")  # :stations runs once :wait ended
            await ws.close()
            await task
        return repl.text()

    transcript = asyncio.run(main())
    assert "no TransactionEvent call" not in transcript


def test_a_recording_started_while_a_call_is_open_validates_on_its_own(
    registry: SchemaRegistry, tmp_path: Path
) -> None:
    """:auto off, the station's Heartbeat waits for :reply, :record switches files meanwhile:
    the new file starts with the open call, so neither file holds an orphan answer."""
    import io

    from ocppctl.cli.env import Env
    from ocppctl.cli.main import run

    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"

    async def main() -> None:
        links = CsmsLinks("127.0.0.1", 0, registry, [V201], answer=csms_answers(registry))
        async with session(links, registry) as repl:
            await repl.type(f":record {first}\r", "recording to")
            await repl.type(":auto off\r", "auto answers off")

            async def nothing(ws: Any, frame: list[Any]) -> None:
                return None

            ws, task = await _bare_station(links.port, "CP4", nothing)
            await repl.until("waiting for your answer")
            await repl.type(f":record {second}\r", f"recording to {second}")
            await repl.type(
                ':reply boot {"currentTime":"2026-12-04T10:00:00Z","interval":300,"status":"Accepted"}\r',
                "→ CALLRESULT",
            )
            await ws.close()
            await task

    asyncio.run(main())
    for path in (first, second):
        env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
        code = run(["validate", "--color", "never", str(path)], env)
        assert code == 0, env.stdout.getvalue()
        assert "orphan-response" not in env.stdout.getvalue()
    assert json.loads(json.loads(second.read_text().splitlines()[0])["raw"])[2] == "BootNotification"  # the open call


def test_a_call_before_the_stations_boot_waits_and_says_so(registry: SchemaRegistry) -> None:
    from ocppctl.transport.client import LinkOptions

    async def answer(ws: Any, frame: list[Any]) -> None:
        await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))

    async def main() -> str:
        links = CsmsLinks(
            "127.0.0.1", 0, registry, [V201], answer=csms_answers(registry), options=LinkOptions(boot_grace=0.5)
        )
        async with session(links, registry) as repl:
            from websockets.asyncio.client import connect

            ws = await connect(f"ws://127.0.0.1:{links.port}/CP5", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]

            async def serve() -> None:
                with contextlib.suppress(Exception):
                    async for text in ws:
                        frame = json.loads(text)
                        if frame[0] == 2:
                            await answer(ws, frame)

            task = asyncio.ensure_future(serve())
            await repl.until("CP5 connect")
            await repl.type("ClearCache {}\r", "← CALLRESULT ClearCache")
            await ws.close()
            await task
        return repl.text()

    transcript = asyncio.run(main())
    notice = "waiting for CP5's BootNotification (at most 1 s more; --boot-wait)"
    assert notice in transcript.splitlines()
    assert transcript.index(notice) < transcript.index("→ CALL ClearCache")
