"""`ocppctl check station` on 127.0.0.1 against ocppctl's simulated station and the `ocpp`
package's station: what the user sees (the table, --json, --junit, the exit code)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from ocppctl.cli.env import Env
from ocppctl.cli.main import run

from .peers import ocpp_csms, ocpp_station, scripted_csms, scripted_station, sim_station_at, socket_path
from .test_send import _free_port


def check_station(port: int, *argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    common = ["--listen", f"127.0.0.1:{port}", "--connect-timeout", "10", "--color", "never"]
    code = run(["check", "station", *common, *argv], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def statuses(out: str) -> dict[str, tuple[str, str | None]]:
    lines = [json.loads(line) for line in out.splitlines()]
    return {line["check"]: (line["status"], line["why"]) for line in lines if "check" in line}


def test_a_201_sim_station_passes_every_check() -> None:
    port = _free_port()
    with sim_station_at(port, "CP1", "2.0.1"):
        code, out, err = check_station(port, "--timeout", "5")
    assert code == 0, out + err
    rows = [line.split()[:2] for line in out.splitlines()]
    assert rows == [
        ["PASS", "cold-boot"],
        ["PASS", "get-variables"],
        ["PASS", "get-base-report-full-inventory"],
        ["PASS", "get-base-report-configuration-inventory"],
        ["PASS", "get-base-report-summary-inventory"],
        ["PASS", "set-variables"],
        ["PASS", "change-availability"],
        ["PASS", "remote-transaction"],
        ["PASS", "trigger-message"],
        ["PASS", "data-transfer-unknown-vendor"],
        ["PASS", "reset"],
        ["11", "checks:"],
    ]
    assert out.splitlines()[-1] == "11 checks: 11 passed, 0 failed, 0 skipped"
    assert err == f"ocppctl: listening on 127.0.0.1:{port}, waiting for a station\n"


def test_a_16_sim_station_passes_the_core_profile_and_its_not_implemented_is_skipped(tmp_path: Path) -> None:
    port = _free_port()
    junit = tmp_path / "check.xml"
    with sim_station_at(port, "CP16", "1.6"):
        code, out, _ = check_station(port, "--timeout", "5", "--json", "--junit", str(junit))
    assert code == 0, out
    found = statuses(out)
    skipped = "the station answered NotImplemented"
    assert found == {
        "cold-boot": ("pass", None),
        "get-configuration": ("pass", None),
        "change-configuration": ("pass", None),
        "change-availability": ("pass", None),
        "remote-transaction": ("pass", None),
        "unlock-connector": ("skipped", f"UnlockConnector: {skipped}"),
        "clear-cache": ("skipped", f"ClearCache: {skipped}"),
        "trigger-message": ("pass", None),
        "data-transfer-unknown-vendor": ("pass", None),
        "reset": ("pass", None),
    }
    last = json.loads(out.splitlines()[-1])
    assert last == {"summary": {"checks": 10, "pass": 8, "fail": 0, "skipped": 2}}
    first = json.loads(out.splitlines()[0])
    assert first["requirement"].startswith("1.6 §4.2") and first["ocpp"] == "1.6"
    assert [f["action"] for f in first["frames"][:2]] == ["BootNotification", "BootNotification"]
    suite = ElementTree.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("10", "0", "2")
    cases = suite.findall("testcase")
    assert [c.get("name", "").split(":")[0] for c in cases] == list(found)
    assert cases[5].find("skipped") is not None and cases[0].find("failure") is None


def test_the_ocpp_package_station_fails_what_it_gets_wrong_and_its_not_implemented_is_skipped() -> None:
    port = _free_port()
    with ocpp_station(port, "CP9", "ocpp2.0.1"):
        code, out, _ = check_station(port, "--timeout", "1", "--json", "--ocpp", "2.0.1")
    assert code == 1
    not_implemented = "the station answered NotImplemented"
    assert statuses(out) == {
        "cold-boot": ("fail", "no StatusNotification after the boot was accepted"),
        "get-variables": ("fail", "GetVariables OCPPCommCtrlr/OcppctlCheckUnknown: Accepted, not UnknownVariable"),
        "get-base-report-full-inventory": ("pass", None),
        "get-base-report-configuration-inventory": ("pass", None),
        "get-base-report-summary-inventory": ("pass", None),
        "set-variables": ("skipped", f"SetVariables: {not_implemented}"),
        "change-availability": ("skipped", f"ChangeAvailability: {not_implemented}"),
        "remote-transaction": ("skipped", f"RequestStartTransaction: {not_implemented}"),
        "trigger-message": ("skipped", f"TriggerMessage: {not_implemented}"),
        "data-transfer-unknown-vendor": ("skipped", f"DataTransfer: {not_implemented}"),
        "reset": ("skipped", f"Reset: {not_implemented}"),
    }


def test_no_station_is_exit_5_in_one_line() -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    port = _free_port()
    code = run(["check", "station", "--listen", str(port), "--connect-timeout", "0.2"], env)
    assert code == 5
    assert env.stderr.getvalue().splitlines()[-1] == (
        f"ocppctl: error: no station connected to 127.0.0.1:{port} within 0.2 s (--connect-timeout)"
    )


def check_csms(url: str, *argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(["check", "csms", "--url", url, "--timeout", "5", "--connect-timeout", "10", "--json", *argv], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


@pytest.mark.parametrize("version", ["2.0.1", "1.6"])
def test_ocppctl_listen_passes_check_csms(version: str, tmp_path: Path) -> None:
    port = _free_port()
    listen = subprocess.Popen(
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port)
        code, out, err = check_csms(f"ws://127.0.0.1:{port}/CP1", "--ocpp", version, "--connectors", "2")
    finally:
        listen.send_signal(signal.SIGTERM)
        listen.wait(15)
    assert code == 0, out + err
    assert statuses(out) == {
        name: ("pass", None)
        for name in (
            "boot",
            "heartbeat",
            "status-notification",
            "authorize",
            "transaction",
            "data-transfer-unknown-vendor",
            "csms-calls",
        )
    }
    statuses_sent = [f for f in json.loads(out.splitlines()[2])["frames"] if f["from"] == "station"]
    assert len(statuses_sent) == 2


@pytest.mark.parametrize(("version", "started"), [("1.6", "StartTransaction"), ("2.0.1", "TransactionEvent")])
def test_the_ocpp_package_csms_passes_what_it_answers_and_the_rest_is_skipped(version: str, started: str) -> None:
    with ocpp_csms([f"ocpp{version}"]) as port:
        code, out, _ = check_csms(f"ws://127.0.0.1:{port}/CP2", "--ocpp", version)
    assert code == 0
    skipped = "the csms answered NotImplemented"
    assert statuses(out) == {
        "boot": ("pass", None),
        "heartbeat": ("pass", None),
        "status-notification": ("skipped", f"StatusNotification: {skipped}"),
        "authorize": ("skipped", f"Authorize: {skipped}"),
        "transaction": ("skipped", f"{started}: {skipped}"),
        "data-transfer-unknown-vendor": ("skipped", f"DataTransfer: {skipped}"),
        "csms-calls": ("pass", None),
    }


def _wrong(action: str, payload: dict[str, Any]) -> Any:
    """A 1.6 CSMS that gets some answers wrong: each wrong answer fails one check."""
    now = datetime.now(timezone.utc).isoformat()
    answers: dict[str, Any] = {
        "BootNotification": {"currentTime": now, "interval": 0, "status": "Accepted"},
        "Heartbeat": {"currentTime": "2000-01-01T00:00:00Z"},
        "StatusNotification": {},
        "Authorize": {"idTagInfo": {"status": "Invalid" if payload.get("idTag") == "STRANGER" else "Accepted"}},
        "StartTransaction": {"transactionId": 7, "idTagInfo": {"status": "Accepted"}},
        "MeterValues": {},
        "StopTransaction": {"idTagInfo": {"status": "Invalid"}},
        "DataTransfer": {"status": "Accepted"},
    }
    return answers.get(action, ("NotImplemented", "no"))


def test_a_csms_that_answers_wrongly_fails_exactly_those_checks() -> None:
    with scripted_csms("ocpp1.6", _wrong) as port:
        code, out, _ = check_csms(f"ws://127.0.0.1:{port}/CP3", "--ocpp", "1.6", "--unknown-token", "STRANGER")
    assert code == 1
    assert statuses(out) == {
        "boot": ("fail", "BootNotification: interval 0 is not a sane heartbeat interval (1 to 86400 s)"),
        "heartbeat": ("fail", statuses(out)["heartbeat"][1]),
        "status-notification": ("pass", None),
        "authorize": ("pass", None),
        "authorize-unknown": ("pass", None),
        "transaction": ("fail", "StopTransaction: idTagInfo {'status': 'Invalid'}"),
        "data-transfer-unknown-vendor": (
            "fail",
            "DataTransfer for an unknown vendorId: status Accepted, not UnknownVendorId",
        ),
        "csms-calls": ("pass", None),
    }
    why = statuses(out)["heartbeat"][1] or ""
    assert why.startswith("Heartbeat: currentTime 2000-01-01T00:00:00Z is ") and why.endswith(
        " s from ours (skew 60 s)"
    )


def test_a_csms_answer_that_breaks_its_schema_fails_its_check() -> None:
    def answer(action: str, payload: dict[str, Any]) -> Any:
        return {"status": "Accepted"} if action == "Authorize" else _wrong(action, payload)

    with scripted_csms("ocpp1.6", answer) as port:
        _, out, _ = check_csms(f"ws://127.0.0.1:{port}/CP4", "--ocpp", "1.6")
    assert statuses(out)["authorize"] == (
        "fail",
        'Authorize at /status: Authorize response: property "status" is not allowed here',
    )


def test_a_sim_station_answered_pending_then_accepted_boots_again() -> None:
    port = _free_port()
    with sim_station_at(port, "CP5", "2.0.1"):
        code, out, _ = check_station(port, "--timeout", "5", "--json", "--boot", "Pending", "--boot-interval", "1")
    assert code == 0, out
    found = statuses(out)
    assert list(found)[:2] == ["boot-pending", "cold-boot"]
    assert set(found.values()) == {("pass", None)}


def test_boot_takes_only_pending_and_rejected() -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(["check", "station", "--listen", "0", "--boot", "Accepted"], env) == 2
    assert "'Accepted' is not Pending or Rejected" in env.stderr.getvalue()


def _hanging_up_station(port: int, come_back: bool = False) -> threading.Thread:
    """A 2.0.1 station on bare websockets: it boots, says its connector is Available, and closes
    the link (1011) on the CSMS's first call; with `come_back` it connects again at once, boots,
    and answers every call NotImplemented until the CSMS closes the link."""

    async def main() -> None:
        from websockets.asyncio.client import connect

        _wait_port(port)
        url = f"ws://127.0.0.1:{port}/CP6"
        boot = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
        status = {"timestamp": "2026-12-04T10:00:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 1}
        async with connect(url, subprotocols=["ocpp2.0.1"], proxy=None) as link:  # type: ignore[list-item]
            await link.send(json.dumps([2, "b", "BootNotification", boot]))
            await link.recv()
            await link.send(json.dumps([2, "s", "StatusNotification", status]))
            await link.recv()
            await link.recv()
            await link.close(1011, "bye")
        if not come_back:
            return
        async with connect(url, subprotocols=["ocpp2.0.1"], proxy=None) as link:  # type: ignore[list-item]
            await link.send(json.dumps([2, "b2", "BootNotification", boot]))
            with contextlib.suppress(Exception):
                async for text in link:
                    frame = json.loads(text)
                    if frame[0] == 2:
                        await link.send(json.dumps([4, frame[1], "NotImplemented", "", {}]))

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    return thread


def test_a_station_that_leaves_fails_the_check_it_was_in_and_those_left() -> None:
    port = _free_port()
    thread = _hanging_up_station(port)
    code, out, _ = check_station(port, "--timeout", "5", "--json", "--ocpp", "2.0.1", "--connect-timeout", "2")
    thread.join(10)
    assert code == 1
    found = statuses(out)
    gone = "the peer closed the link (code 1011: bye)"
    assert found.pop("cold-boot") == ("pass", None)
    assert found.pop("get-variables") == ("fail", f"no answer to GetVariables (the link ended: {gone})")
    assert set(found.values()) == {("fail", f"not run: {gone}")}
    assert len(found) == 9


def test_a_station_that_comes_back_is_checked_on_its_new_link() -> None:
    port = _free_port()
    thread = _hanging_up_station(port, come_back=True)
    code, out, _ = check_station(port, "--timeout", "5", "--json", "--ocpp", "2.0.1")
    thread.join(10)
    assert code == 1
    found = statuses(out)
    assert found["get-variables"][0] == "fail"
    assert found["get-base-report-full-inventory"] == ("skipped", "GetBaseReport: the station answered NotImplemented")
    assert found["reset"] == ("skipped", "Reset: the station answered NotImplemented")


def test_the_ocpp_package_16_station_fails_what_it_gets_wrong_and_its_not_implemented_is_skipped() -> None:
    port = _free_port()
    with ocpp_station(port, "CP8", "ocpp1.6"):
        code, out, _ = check_station(port, "--timeout", "1", "--json", "--ocpp", "1.6")
    assert code == 1
    found = statuses(out)
    assert found.pop("cold-boot") == ("fail", "no StatusNotification after the boot was accepted")
    assert found.pop("get-configuration") == ("fail", "GetConfiguration [OcppctlCheckUnknown]: not in unknownKey")
    first = {
        "change-configuration": "ChangeConfiguration",
        "change-availability": "ChangeAvailability",
        "remote-transaction": "RemoteStartTransaction",
        "unlock-connector": "UnlockConnector",
        "clear-cache": "ClearCache",
        "trigger-message": "TriggerMessage",
        "data-transfer-unknown-vendor": "DataTransfer",
        "reset": "Reset",
    }
    assert found == {
        name: ("skipped", f"{action}: the station answered NotImplemented") for name, action in first.items()
    }


def test_verbose_shows_the_requirement_and_every_frame_judged_escaped() -> None:
    def answer(action: str, payload: dict[str, Any]) -> Any:
        return {"status": "Rejected", "data": "\x1b[31mred"} if action == "DataTransfer" else _wrong(action, payload)

    with scripted_csms("ocpp1.6", answer) as port:
        env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
        url = f"ws://127.0.0.1:{port}/CP7"
        code = run(["check", "csms", "--url", url, "--ocpp", "1.6", "--timeout", "5", "-v", "--color", "never"], env)
    assert code == 1
    lines = env.stdout.getvalue().splitlines()
    at = next(i for i, line in enumerate(lines) if "data-transfer-unknown-vendor" in line)
    assert lines[at].split()[0] == "FAIL"
    assert lines[at + 1 : at + 4] == [
        "        1.6 §4.3: status UnknownVendorId",
        '        → CALL DataTransfer {"vendorId":"org.ocppctl.check.unknown","messageId":"check"}',
        '        ← CALLRESULT DataTransfer {"status":"Rejected","data":"\\u001b[31mred"}',
    ]
    assert "\x1b" not in env.stdout.getvalue()


def _profiled_16() -> Any:
    """A 1.6 station with the Local Auth List, Reservation and Smart Charging profiles, which
    does not clear the charging profile it was given; every other call NotImplemented."""
    versions = [3]

    def status(state: str) -> tuple[str, dict[str, Any]]:
        payload = {"connectorId": 1, "errorCode": "NoError", "status": state, "timestamp": "2026-12-04T10:00:00Z"}
        return ("StatusNotification", payload)

    def answer(action: str, payload: dict[str, Any]) -> Any:
        if action == "GetLocalListVersion":
            return {"listVersion": versions[-1]}, []
        if action == "SendLocalList":
            versions.append(payload["listVersion"])
            return {"status": "Accepted"}, []
        if action == "ReserveNow":
            return {"status": "Accepted"}, [status("Reserved")]
        if action == "CancelReservation":
            return {"status": "Accepted"}, [status("Available")]
        if action in ("SetChargingProfile", "GetCompositeSchedule"):
            return {"status": "Accepted"}, []
        if action == "ClearChargingProfile":
            return {"status": "Unknown"}, []
        return ("NotImplemented", "no"), []

    return answer


def test_16_profiles_on_request() -> None:
    port = _free_port()
    boot = {"chargePointVendor": "V", "chargePointModel": "M"}
    with scripted_station(port, "CP10", "ocpp1.6", boot, _profiled_16()):
        argv = (
            "--timeout",
            "1",
            "--json",
            "--ocpp",
            "1.6",
            "--profile",
            "SmartCharging,Reservation,LocalAuthListManagement",
        )
        code, out, _ = check_station(port, *argv)
    assert code == 1
    found = statuses(out)
    assert list(found)[-4:] == ["local-auth-list", "reservation", "smart-charging", "reset"]
    assert found["local-auth-list"] == ("pass", None)
    assert found["reservation"] == ("pass", None)
    assert found["smart-charging"] == (
        "fail",
        "ClearChargingProfile of the profile set: status Unknown, not Accepted",
    )


def test_profile_names_are_checked() -> None:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    assert run(["check", "station", "--listen", "0", "--profile", "Core"], env) == 2
    assert "'Core' is not one of LocalAuthListManagement, Reservation, SmartCharging" in env.stderr.getvalue()


@pytest.mark.parametrize(
    ("call", "why"),
    [
        (
            ("GetConfiguration", {"key": "not a list"}),
            'GetConfiguration at /key: GetConfiguration request: expected array, got string "not a list"',
        ),
        (("Heartbeat", {}), "Heartbeat: Heartbeat is sent by the station, not by the CSMS"),
    ],
)
def test_a_csms_call_that_breaks_its_schema_or_direction_fails_csms_calls(call: Any, why: str) -> None:
    with scripted_csms("ocpp1.6", _wrong, {"Heartbeat": [call]}) as port:
        _, out, _ = check_csms(f"ws://127.0.0.1:{port}/CP5", "--ocpp", "1.6")
    assert statuses(out)["csms-calls"] == ("fail", why)
    judged = json.loads(out.splitlines()[-2])["frames"]
    assert [(f["from"], f["type"], f["action"]) for f in judged] == [
        ("csms", "CALL", call[0]),
        ("station", "CALLERROR", call[0]),
    ]


def test_a_call_of_ours_the_schema_refuses_fails_its_check_saying_so() -> None:
    """A 1.6 idTag is at most 20 characters: --token longer is refused before it is sent."""
    with scripted_csms("ocpp1.6", _wrong) as port:
        _, out, _ = check_csms(f"ws://127.0.0.1:{port}/CP9", "--ocpp", "1.6", "--token", "T" * 21)
    status, why = statuses(out)["authorize"]
    assert status == "fail"
    assert why is not None and why.startswith("ocppctl's own Authorize was refused before sending: ")
