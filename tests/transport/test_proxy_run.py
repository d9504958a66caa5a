"""`ocppctl proxy` as a real process between a station of the `ocpp` package (or one written
here) and `ocppctl listen`: what it prints, what it records, `send --via` through it."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.cli.proxy_run import _view
from ocppctl.core.frames import Frame
from ocppctl.core.versions import VERSIONS
from ocppctl.transport.flow import Flow

from .peers import ocpp_station, socket_path
from .test_send import _free_port


def _start(command: str, *argv: str) -> subprocess.Popen[str]:
    """`ocppctl listen` or `ocppctl proxy` with a control socket of its own."""
    if "--control" not in argv:
        argv = (*argv, "--control", socket_path(f"{command}.sock"))
    return subprocess.Popen(
        [sys.executable, "-m", "ocppctl", command, "--color", "never", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(process: subprocess.Popen[str], how: int = signal.SIGTERM) -> tuple[str, str]:
    if process.poll() is None:
        process.send_signal(how)
    return process.communicate(timeout=15)


def _listening(process: subprocess.Popen[str], lines: int) -> list[str]:
    assert process.stderr is not None
    said = [process.stderr.readline() for _ in range(lines)]
    assert "listening on" in said[0], said
    return said


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_station_boots_through_the_proxy_and_send_via_reaches_it(tmp_path: Path) -> None:
    csms_port, proxy_port = _free_port(), _free_port()
    record, control = tmp_path / "proxy.jsonl", tmp_path / "proxy.sock"
    csms = _start("listen", "--listen", f"127.0.0.1:{csms_port}", "--heartbeat-interval", "77")
    upstream = f"ws://127.0.0.1:{csms_port}/ocpp"
    relay = _start(
        "proxy", "--listen", f"127.0.0.1:{proxy_port}", "--upstream", upstream, "--record", str(record),
        "--control", str(control),
    )  # fmt: skip
    try:
        _listening(csms, 1)
        said = _listening(relay, 3)
        assert said[1:] == [
            f"ocppctl: control socket {control} (send --via)\n",
            f"ocppctl: relaying to {upstream}/STATIONID\n",
        ]
        with ocpp_station(proxy_port, "CP201", "ocpp2.0.1") as answers:
            deadline = time.monotonic() + 15
            while not answers and time.monotonic() < deadline:
                time.sleep(0.05)
            assert answers[0].status == "Accepted" and answers[0].interval == 77  # the CSMS's answer, relayed
            items = ["getVariableData[0].component.name=FiscalMetering", "getVariableData[0].variable.name=Enabled"]
            env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
            code = run(["send", "GetVariables", *items, "--via", str(control), "--station", "CP201", "--json"], env)
            assert (code, env.stderr.getvalue()) == (0, "")
            assert json.loads(env.stdout.getvalue().splitlines()[0])["getVariableResult"][0]["attributeValue"] == "true"
    finally:
        relay_out, relay_err = _stop(relay)
        csms_out, _ = _stop(csms)
    assert relay.returncode == 0, relay_err
    lines = [line[13:] for line in relay_out.splitlines()]  # the time of day left out
    assert lines[0].startswith("CP201 connect path=/CP201 subprotocols=['ocpp2.0.1'] subprotocol=ocpp2.0.1 remote=")
    assert lines[1].startswith("CP201 → CALL BootNotification ") and lines[2].startswith("CP201 ← CALLRESULT ")
    assert lines[3].startswith("CP201 ← CALL GetVariables ocppctl-") and lines[4].startswith("CP201 → CALLRESULT ")
    assert "GetVariables" not in csms_out  # the injected call and its answer never went upstream
    records = _records(record)
    assert [r.get("event") or r["from"] for r in records] == ["connect", "station", "csms", "csms", "station", "close"]
    assert records[-1]["by"] == "station" and records[-1]["code"] == 1000
    checked = subprocess.run(
        [sys.executable, "-m", "ocppctl", "validate", "--color", "never", str(record)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_sigterm_while_frames_flow_loses_no_frame(tmp_path: Path) -> None:
    """Every frame that crossed the proxy, either way, is in its recording, however it stops."""
    csms_port, proxy_port = _free_port(), _free_port()
    record = tmp_path / "proxy.jsonl"
    csms = _start("listen", "--listen", f"127.0.0.1:{csms_port}")
    relay = _start(
        "proxy", "--listen", f"127.0.0.1:{proxy_port}", "--upstream", f"ws://127.0.0.1:{csms_port}",
        "--record", str(record), "--quiet",
    )  # fmt: skip

    async def flow() -> tuple[list[str], list[str]]:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        sent: list[str] = []
        got: list[str] = []
        ws = await connect(f"ws://127.0.0.1:{proxy_port}/CP1", subprotocols=["ocpp2.0.1"], proxy=None)  # type: ignore[list-item]

        async def read() -> None:
            try:
                async for message in ws:
                    got.append(str(message))
            except ConnectionClosed:
                pass

        reader = asyncio.ensure_future(read())
        try:
            for n in range(100_000):
                text = f'[2,"h{n}","Heartbeat",{{}}]'
                await ws.send(text)
                sent.append(text)
                if n == 300:
                    relay.send_signal(signal.SIGTERM)  # while frames flow
                await asyncio.sleep(0.001)
        except ConnectionClosed:
            pass
        await asyncio.wait_for(reader, 10)
        return sent, got

    try:
        _listening(csms, 1)
        _listening(relay, 3)
        sent, got = asyncio.run(flow())
    finally:
        _, relay_err = relay.communicate(timeout=15)  # SIGTERM was sent above, once
        _stop(csms)
    assert relay.returncode == 0, relay_err
    recorded = _records(record)
    frames = [(r["from"], r["raw"]) for r in recorded if "raw" in r]
    answers = [raw for side, raw in frames if side == "csms"]
    # each answer the station got was recorded, in order (and the last ones read from the CSMS
    # as the proxy stopped, recorded before they were relayed, may not have reached it)
    assert len(got) > 100 and answers[: len(got)] == got
    from_station = [raw for side, raw in frames if side == "station"]
    assert from_station == sent[: len(from_station)] and len(from_station) >= len(got)
    assert recorded[-1]["event"] == "close" and recorded[-1]["code"] == 1001 and recorded[-1]["by"] == "proxy"


def test_the_view_filters_by_station_action_and_findings() -> None:
    from ocppctl.core.findings import ERROR, Finding

    version = VERSIONS["2.0.1"]

    def frame(station: str, action: str | None, answers: str | None = None, bad: bool = False) -> Flow:
        findings = [Finding(ERROR, "schema", "bad")] if bad else []
        shape = Frame(2 if action else 3, "1", action, {})
        return Flow("t", station, 1, "station", version, "[]", findings, frame=shape, answers=answers)

    event = Flow("t", "CP1", 1, None, version, event="connect")
    boot, answer = frame("CP1", "BootNotification"), frame("CP1", None, answers="BootNotification")
    beat, other, bad = frame("CP1", "Heartbeat"), frame("CP2", "BootNotification"), frame("CP1", "Heartbeat", bad=True)
    flows = [event, boot, answer, beat, other, bad]
    assert [_view(None, None, False)(f) for f in flows] == [True] * 6
    assert [_view("CP1", None, False)(f) for f in flows] == [True, True, True, True, False, True]
    assert [_view(None, "BootNotification", False)(f) for f in flows] == [False, True, True, False, True, False]
    assert [_view(None, None, True)(f) for f in flows] == [True, False, False, False, False, True]


def test_ocppctl_sim_station_boots_through_the_proxy_at_a_csms_of_the_ocpp_package(tmp_path: Path) -> None:
    from .peers import ocpp_csms

    proxy_port = _free_port()
    record = tmp_path / "proxy.jsonl"
    with ocpp_csms(["ocpp1.6"]) as csms_port:
        relay = _start(
            "proxy", "--listen", f"127.0.0.1:{proxy_port}", "--upstream", f"ws://127.0.0.1:{csms_port}",
            "--record", str(record), "--json",
        )  # fmt: skip
        station = None
        try:
            _listening(relay, 3)
            url = f"ws://127.0.0.1:{proxy_port}/SIM1"
            station = subprocess.Popen(
                [sys.executable, "-m", "ocppctl", "sim", "station", "--url", url, "--ocpp", "1.6", "--json"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and '"from":"csms"' not in record.read_text(encoding="utf-8"):
                time.sleep(0.05)
        finally:
            if station is not None:
                station.terminate()
                station.wait(15)
            relay_out, relay_err = _stop(relay)
    assert relay.returncode == 0, relay_err
    shown = [json.loads(line) for line in relay_out.splitlines()]
    assert [r.get("event") or r["from"] for r in shown][:3] == ["connect", "station", "csms"]
    assert shown[0]["subprotocol"] == "ocpp1.6" and shown[0]["path"] == "/SIM1"
    boot, answer = shown[1], shown[2]
    assert '"BootNotification"' in boot["raw"] and boot["findings"] == []
    assert json.loads(answer["raw"])[2]["status"] == "Accepted" and answer["findings"] == []
    assert answer["rtt_ms"] > 0  # the CSMS's answer, timed from when the proxy relayed the call
    assert shown[-1]["event"] == "close"
    assert [r for r in _records(record) if "raw" in r][:2] == [
        {k: v for k, v in r.items() if k not in ("findings", "rtt_ms")} for r in shown[1:3]
    ]


def test_upstream_user_takes_its_password_from_a_file_or_the_environment(tmp_path: Path) -> None:
    import pytest

    from ocppctl.cli.proxy_run import _upstream_security
    from ocppctl.errors import UsageFailure

    def options(**given: Any) -> dict[str, Any]:
        names = ("user", "password_file", "cacert", "cert", "key", "insecure")
        return {f"upstream_{name}": given.get(name) for name in names}

    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={"OCPPCTL_PASSWORD": "from-env"})
    secret = tmp_path / "pw"
    secret.write_text("from-file\n", encoding="utf-8")
    url = "ws://csms/ocpp"
    from_file = _upstream_security(env, url, options(user="proxy", password_file=str(secret)))
    assert (from_file.user, from_file.password) == ("proxy", "from-file")
    from_env = _upstream_security(env, url, options(user="proxy"))
    assert (from_env.user, from_env.password) == ("proxy", "from-env")
    passed_through = _upstream_security(env, url, options())
    assert (passed_through.user, passed_through.password, passed_through.headers()) == (None, None, {})
    bare = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    with pytest.raises(UsageFailure) as failed:
        _upstream_security(bare, url, options(user="proxy"))
    assert failed.value.message.startswith("--upstream-user needs a password (--upstream-password-file, ")
