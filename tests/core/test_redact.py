"""core/redact.py: every kind of secret gets a consistent pseudonym and findings stay the same."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ocppctl.core.findings import Finding
from ocppctl.core.redact import Redactor

CheckLines = Callable[..., list[Finding]]  # the check_lines fixture of tests/conftest.py

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUSECRET\nMORESECRET==\n-----END CERTIFICATE-----"
CSR = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBCSRSECRET\n-----END CERTIFICATE REQUEST-----"


def _record(frm: str, ocpp: str, frame: list[object], **extra: object) -> str:
    record = {"station": "CP9", "conn": 1, "from": frm, "ocpp": ocpp, **extra}
    record["raw"] = json.dumps(frame)
    return json.dumps(record) + "\n"


# A capture holding every kind of secret the command knows, valid but for the 21-character idTag.
CAPTURE = [
    json.dumps({"station": "CP9", "conn": 1, "event": "connect", "remote": "203.0.113.9:50412"}) + "\n",
    _record(
        "station",
        "1.6",
        [
            2,
            "1",
            "BootNotification",
            {
                "chargePointVendor": "V",
                "chargePointModel": "M",
                "chargePointSerialNumber": "SN-0001",
                "chargeBoxSerialNumber": "BOX-0001",
            },
        ],
        ts="2026-11-22T10:00:00Z",
    ),
    _record("station", "1.6", [2, "2", "Authorize", {"idTag": "04A2C91A6B5E80AABBCC"}]),
    _record("station", "1.6", [2, "3", "Authorize", {"idTag": "04A2C91A6B5E80AABBCCD"}]),
    _record("csms", "1.6", [2, "4", "ChangeConfiguration", {"key": "AuthorizationKey", "value": "s3cretKey"}]),
    _record(
        "csms",
        "1.6",
        [
            2,
            "5",
            "SendLocalList",
            {
                "listVersion": 1,
                "updateType": "Full",
                "localAuthorizationList": [
                    {"idTag": "04A2C91A6B5E80AABBCC", "idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET7"}}
                ],
            },
        ],
    ),
    _record(
        "station",
        "1.6",
        [3, "6", {"configurationKey": [{"key": "AuthorizationKey", "readonly": False, "value": "s3cretKey"}]}],
    ),
    _record("station", "2.0.1", [2, "7", "Authorize", {"idToken": {"idToken": "DE*ABC*123", "type": "eMAID"}}]),
    _record(
        "csms",
        "2.0.1",
        [
            2,
            "8",
            "SetVariables",
            {
                "setVariableData": [
                    {
                        "attributeValue": "hunter22hunter22",
                        "component": {"name": "SecurityCtrlr"},
                        "variable": {"name": "BasicAuthPassword"},
                    }
                ]
            },
        ],
    ),
    _record(
        "station",
        "2.0.1",
        [
            3,
            "9",
            {
                "getVariableResult": [
                    {
                        "attributeStatus": "Accepted",
                        "attributeValue": "hunter22hunter22",
                        "component": {"name": "SecurityCtrlr"},
                        "variable": {"name": "BasicAuthPassword"},
                    }
                ]
            },
        ],
    ),
    _record("csms", "2.0.1", [2, "10", "CertificateSigned", {"certificateChain": PEM}]),
    _record("station", "2.0.1", [2, "11", "SignCertificate", {"csr": CSR}]),
    _record(
        "station",
        "2.0.1",
        [2, "12", "DataTransfer", {"vendorId": "X", "data": "uplink 2001:db8:aa::5 via 203.0.113.9"}],
    ),
    '{"station": "CP9", "from": "station", "ocpp": "1.6", "raw": "[2,\\"13\\",\\"Authorize\\",{\\"idTag\\":\\"FLEET7\\"}"}\n',
]
SECRETS = [
    "203.0.113.9",
    "SN-0001",
    "BOX-0001",
    "04A2C91A6B5E80",
    "s3cretKey",
    "FLEET7",
    "DE*ABC*123",
    "hunter22",
    "SECRET",
    "MIIB",
    "2001:db8:aa::5",
]


def _frame(line: str) -> list[object]:
    frame: list[object] = json.loads(json.loads(line)["raw"])
    return frame


def test_every_kind_gets_a_consistent_pseudonym() -> None:
    redactor = Redactor()
    out = [redactor.line(line) for line in CAPTURE]
    assert json.loads(out[0]) == {"station": "CP9", "conn": 1, "event": "connect", "remote": "192.0.2.1:50412"}
    assert _frame(out[1])[3] == {
        "chargePointVendor": "V",
        "chargePointModel": "M",
        "chargePointSerialNumber": "serial-1",
        "chargeBoxSerialNumber": "serial-2",
    }
    assert list(json.loads(out[1])) == ["station", "conn", "from", "ocpp", "ts", "raw"]  # keys kept in place
    assert json.loads(out[1])["ts"] == "2026-11-22T10:00:00Z"
    assert _frame(out[2])[3] == {"idTag": "idTag-1".ljust(20, "x")}  # 20 characters, as the original
    assert _frame(out[3])[3] == {"idTag": "idTag-2".ljust(21, "x")}  # 21: still one too many
    assert _frame(out[4])[3] == {"key": "AuthorizationKey", "value": "password-1"}
    entry = _frame(out[5])[3]["localAuthorizationList"][0]  # type: ignore[index]
    assert entry == {"idTag": "idTag-1".ljust(20, "x"), "idTagInfo": {"status": "Accepted", "parentIdTag": "idTag-3"}}
    assert _frame(out[6])[2] == {
        "configurationKey": [{"key": "AuthorizationKey", "readonly": False, "value": "password-1"}]
    }
    assert _frame(out[7])[3] == {"idToken": {"idToken": "idToken-1".ljust(10, "x"), "type": "eMAID"}}
    assert _frame(out[8])[3]["setVariableData"][0]["attributeValue"] == "password-2".ljust(16, "x")  # type: ignore[index]
    assert _frame(out[9])[2]["getVariableResult"][0]["attributeValue"] == "password-2".ljust(16, "x")  # type: ignore[index]
    body = "certificate-1".ljust(len("MIIBszCCAVmgAwIBAgIUSECRET\nMORESECRET=="), "x")
    chain = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"
    assert _frame(out[10])[3] == {"certificateChain": chain}
    csr = "-----BEGIN CERTIFICATE REQUEST-----\ncertificate-2\n-----END CERTIFICATE REQUEST-----"
    assert _frame(out[11])[3] == {"csr": csr}
    assert _frame(out[12])[3] == {"vendorId": "X", "data": "uplink 2001:db8::1 via 192.0.2.1"}
    # a frame that is not JSON is scrubbed as text
    assert json.loads(out[13])["raw"] == '[2,"13","Authorize",{"idTag":"idTag-3"}'
    joined = "".join(out)
    for secret in SECRETS:
        assert secret not in joined, secret
    assert redactor.counts() == {
        "ipv4": 1,
        "serial": 2,
        "idTag": 3,
        "password": 2,
        "idToken": 1,
        "certificate": 2,
        "ipv6": 1,
    }


def test_raw_is_compact_and_untouched_lines_stay_byte_for_byte() -> None:
    redactor = Redactor()
    spaced = '{"from": "station", "raw": "[2, \\"1\\", \\"Authorize\\", {\\"idTag\\": \\"ABC\\"}]"}\r\n'
    assert (
        redactor.line(spaced)
        == '{"from": "station", "raw": "[2,\\"1\\",\\"Authorize\\",{\\"idTag\\":\\"idTag-1\\"}]"}\r\n'
    )
    plain = '{"from":"station","raw":"[2, \\"2\\", \\"Heartbeat\\", {}]"}\n'
    assert redactor.line(plain) == plain
    assert redactor.line('[2,"3","Authorize",{"idTag":"ABC"}]\n') == '[2,"3","Authorize",{"idTag":"idTag-1"}]\n'
    frame_record = '{"frame": [2, "4", "StartTransaction", {"idTag": "ABC", "meterStart": 20000.0}]}\n'
    assert json.loads(redactor.line(frame_record))["frame"][3] == {"idTag": "idTag-1", "meterStart": 20000.0}
    assert redactor.line("\n") == "\n"


def test_a_non_string_secret_keeps_its_type() -> None:
    redactor = Redactor()
    line = '[2,"1","ChangeConfiguration",{"key":"AuthorizationKey","value":60}]'
    assert redactor.line(line) == line  # a type finding stays a type finding


def test_log_lines_lose_values_seen_before() -> None:
    redactor = Redactor()
    redactor.line('[2,"1","Authorize",{"idTag":"04A2C91A6B5E80"}]')
    said = redactor.line("10:06:52 INFO CP001 idTag 04A2C91A6B5E80 accepted from 198.51.100.23:40112\n")
    assert said == "10:06:52 INFO CP001 idTag idTag-1xxxxxxx accepted from 192.0.2.1:40112\n"


def _where(findings: list[object]) -> list[tuple[object, ...]]:
    return [(f.code, f.line, f.severity, f.path, f.column) for f in findings]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["capture-1.6.jsonl", "capture-2.0.1.jsonl", "capture-1.6.log"])
def test_examples_validate_the_same(check_lines: CheckLines, name: str) -> None:
    lines = (EXAMPLES / name).read_text(encoding="utf-8").splitlines(keepends=True)
    redactor = Redactor()
    redacted = [redactor.line(line) for line in lines]
    assert redacted != lines
    before, after = check_lines(lines, file=name), check_lines(redacted, file=name)
    assert before, name
    assert _where(after) == _where(before)


def test_the_capture_of_every_kind_validates_the_same(check_lines: CheckLines) -> None:
    redactor = Redactor()
    redacted = [redactor.line(line) for line in CAPTURE]
    before, after = check_lines(CAPTURE), check_lines(redacted)
    assert {f.code for f in before} == {"schema", "json-syntax", "unanswered-call", "orphan-response", "vendor-id"}
    # the same findings on the same lines; a column after a replaced value in a frame that is
    # not JSON moves by as much as the pseudonym is longer than what it replaced
    assert [w[:4] for w in _where(after)] == [w[:4] for w in _where(before)]


def test_a_value_seen_before_stays_in_other_fields_of_a_frame() -> None:
    redactor = Redactor()
    redactor.line('[2,"1","Authorize",{"idTag":"2026"}]')
    line = '[2,"2","Heartbeat",{"note":"2026-11-22T10:00:00Z"}]'
    assert redactor.line(line) == line  # a timestamp stays a valid timestamp
