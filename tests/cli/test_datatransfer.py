"""`ocppctl datatransfer` both ways on 127.0.0.1: as a station to CSMSs of the `ocpp` package
(1.6 and 2.0.1), as a CSMS to `ocppctl sim station`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from transport.peers import as_csms_of_sim, ocpp_csms

from ocppctl.cli.env import Env
from ocppctl.cli.main import run
from ocppctl.handlers.sim import DEFAULT_MODEL


def _run(*argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.BytesIO(stdin), environ={})
    code = run(["datatransfer", "--color", "never", *argv], env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def test_16_data_goes_as_json_text_and_comes_back_decoded() -> None:
    with ocpp_csms(["ocpp1.6"], data_transfer=True) as port:
        url = f"ws://127.0.0.1:{port}/CP16"
        code, out, err = _run("com.vendor.x", "--data", '{"period": 60}', "--ocpp", "1.6", "--url", url)
    assert (code, err) == (0, "")
    assert out == (
        "com.vendor.x: Accepted (the peer handled the message)\n"
        "data (a string holding JSON, decoded):\n"
        '{\n  "echo": "{\\"period\\":60}"\n}\n'
    )


def test_201_data_is_any_json_value_from_a_file(tmp_path: Path) -> None:
    source = tmp_path / "data.json"
    source.write_text("[1, 2]", encoding="utf-8")
    with ocpp_csms(["ocpp2.0.1"], data_transfer=True) as port:
        url = f"ws://127.0.0.1:{port}/CP1"
        code, out, err = _run("com.vendor.x", "--message-id", "Stats", "--data", f"@{source}", "--url", url, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "vendorId": "com.vendor.x",
        "status": "Accepted",
        "meaning": "the peer handled the message",
        "reason": None,
        "data": {"echo": [1, 2]},
        "decoded": None,
    }


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["com.other"], "com.other: UnknownVendorId (the peer has no implementation for this vendorId (P01.FR.05))\n"),
        (
            ["com.vendor.x", "--message-id", "Unknown"],
            "com.vendor.x: UnknownMessageId (the peer knows the vendorId, not this messageId (P01.FR.06))\n",
        ),
    ],
)
def test_unknown_vendor_or_message_is_explained_exit_1(argv: list[str], line: str) -> None:
    with ocpp_csms(["ocpp2.0.1"], data_transfer=True) as port:
        code, out, err = _run(*argv, "--data", "-", "--url", f"ws://127.0.0.1:{port}/CP1", stdin=b'"x"')
    assert (code, out, err) == (1, line, "")


@pytest.mark.parametrize("ocpp", ["1.6", "2.1"])
def test_as_csms_to_the_simulated_station(tmp_path: Path, ocpp: str) -> None:
    model = tmp_path / "model.json"
    model.write_text(json.dumps({**DEFAULT_MODEL, "vendors": ["com.vendor.x"]}), encoding="utf-8")
    argv = ["datatransfer", "com.vendor.x", "--data", '{"a": 1}', "--ocpp", ocpp, "--color", "never"]
    code, out, err = as_csms_of_sim(argv, ocpp=ocpp, model=str(model))
    assert (code, out) == (0, "com.vendor.x: Accepted (the peer handled the message)\n")


def test_a_peer_that_does_not_take_datatransfer_is_exit_3() -> None:
    with ocpp_csms(["ocpp2.0.1"]) as port:
        code, out, err = _run("com.vendor.x", "--url", f"ws://127.0.0.1:{port}/CP1")
    assert (code, out) == (3, "")
    assert err.startswith("ocppctl: error: DataTransfer answered with CALLERROR NotImplemented")


def test_data_that_is_not_json_is_a_usage_error() -> None:
    code, out, err = _run("x", "--data", "hello", "--listen", "1")
    assert (code, out) == (2, "")
    assert err == (
        "ocppctl: error: --data is not JSON: Expecting value (column 1) (a plain string is written '\"text\"') "
        "(see 'ocppctl datatransfer --help')\n"
    )


def test_a_call_that_breaks_its_schema_is_not_sent() -> None:
    code, out, err = _run("v" * 256, "--listen", "1")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "ocppctl: the call was not sent (--no-validate sends it anyway)"
