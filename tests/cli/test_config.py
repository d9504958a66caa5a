"""`ocppctl config get|set` on 127.0.0.1 against `ocppctl sim station --ocpp 1.6`, as its CSMS."""

from __future__ import annotations

import io
import json

from transport.peers import as_csms_of_sim

from ocppctl.cli.env import Env
from ocppctl.cli.main import run


def _run(*argv: str) -> tuple[int, str, str]:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={})
    code = run(list(argv), env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def test_get_every_key() -> None:
    code, out, err = as_csms_of_sim(["config", "get", "--color", "never"], ocpp="1.6")
    assert (code, err.count("\n")) == (0, 1)
    assert out == (
        "KEY                       ACCESS      VALUE\n"
        "HeartbeatInterval         read-write  300\n"
        "ChargePointModel          read-only   ocppctl-sim\n"
        "MeterValueSampleInterval  read-write  60\n"
    )


def test_an_unknown_key_is_exit_1() -> None:
    code, out, err = as_csms_of_sim(["config", "get", "HeartbeatInterval", "NoSuchKey", "--json"], ocpp="1.6")
    assert code == 1
    assert [json.loads(line) for line in out.splitlines()] == [
        {"key": "HeartbeatInterval", "known": True, "readonly": False, "value": "300"},
        {"key": "NoSuchKey", "known": False, "readonly": None, "value": None},
    ]


def test_a_rejected_change_says_the_key_is_read_only() -> None:
    code, out, err = as_csms_of_sim(["config", "set", "ChargePointModel", "x", "--color", "never"], ocpp="1.6")
    assert (code, out) == (1, "ChargePointModel: Rejected (refused: the key is read-only)\n")


def test_an_accepted_change_and_an_unsupported_key() -> None:
    code, out, err = as_csms_of_sim(["config", "set", "HeartbeatInterval", "60", "--json"], ocpp="1.6")
    assert (code, json.loads(out)) == (
        0,
        {"key": "HeartbeatInterval", "status": "Accepted", "meaning": "set, and in effect"},
    )
    code, out, err = as_csms_of_sim(["config", "set", "Foo", "bar", "--color", "never"], ocpp="1.6")
    assert (code, out) == (1, "Foo: NotSupported (the station has no such key it lets you set)\n")


def test_a_value_over_500_characters_is_not_sent() -> None:
    code, out, err = _run("config", "set", "K", "x" * 501, "--listen", "1")
    assert (code, out) == (2, "")
    assert err == (
        "ocppctl: error: the value is 501 characters: OCPP 1.6 allows 500 (ChangeConfiguration) "
        "(see 'ocppctl config set --help')\n"
    )


def test_a_201_station_has_no_configuration_keys() -> None:
    code, out, err = _run("config", "get", "--listen", "1", "--ocpp", "2.0.1")
    assert (code, out) == (2, "")
    assert err.startswith("ocppctl: error: OCPP 2.0.1 has a device model, not configuration keys: use `ocppctl vars`")
