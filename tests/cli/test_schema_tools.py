"""`ocppctl actions`, `schema` and `template`: the schemas as a reference at the prompt, and a
template that `validate --action` accepts for every action of every version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocppctl.core.versions import VERSIONS

SCHEMAS = Path(__file__).resolve().parent.parent.parent / "schemas"

STATION_16 = """\
Authorize                         station -> CSMS
BootNotification                  station -> CSMS
DataTransfer                      both ways
DiagnosticsStatusNotification     station -> CSMS
FirmwareStatusNotification        station -> CSMS
Heartbeat                         station -> CSMS
LogStatusNotification             station -> CSMS
MeterValues                       station -> CSMS
SecurityEventNotification         station -> CSMS
SignCertificate                   station -> CSMS
SignedFirmwareStatusNotification  station -> CSMS
StartTransaction                  station -> CSMS
StatusNotification                station -> CSMS
StopTransaction                   station -> CSMS
"""

# --- actions --------------------------------------------------------------------------------


def test_actions_from_station_in_16(ocppctl) -> None:
    result = ocppctl("actions", "--ocpp", "1.6", "--from", "station")
    assert (result.code, result.out, result.err) == (0, STATION_16, "")


def test_actions_lists_every_action_of_the_version_sorted(ocppctl) -> None:
    for name, version in VERSIONS.items():
        lines = ocppctl("actions", "--ocpp", name).out.splitlines()
        assert [line.split()[0] for line in lines] == sorted(version.actions), name


def test_actions_default_to_201_and_say_so_on_stderr(ocppctl) -> None:
    """The note goes to stderr, so `ocppctl actions | grep ...` still sees only actions."""
    default = ocppctl("actions")
    explicit = ocppctl("actions", "--ocpp", "2.0.1")
    assert (default.code, default.out) == (0, explicit.out)
    assert default.err == "ocppctl: OCPP 2.0.1 (the default; --ocpp 1.6 or --ocpp 2.1 for the others)\n"
    assert explicit.err == ""


def test_actions_marks_send_messages(ocppctl) -> None:
    lines = ocppctl("actions", "--ocpp", "2.1", "--from", "station").out.splitlines()
    assert "NotifyPeriodicEventStream          station -> CSMS  (SEND)" in lines
    assert "DataTransfer                       both ways" in lines


def test_actions_from_csms_never_lists_station_only_actions(ocppctl) -> None:
    out = ocppctl("actions", "--ocpp", "2.0.1", "--from", "csms").out
    assert out.startswith("CancelReservation           CSMS -> station\n")
    assert "BootNotification" not in out
    assert "DataTransfer                both ways\n" in out


def test_actions_json_one_object_per_line(ocppctl) -> None:
    result = ocppctl("actions", "--ocpp", "2.1", "--from", "station", "--json")
    assert result.code == 0
    rows = result.json_lines()
    assert rows[:2] == [
        {"action": "Authorize", "from": "station", "kind": "CALL", "ocpp": "2.1"},
        {"action": "BatterySwap", "from": "station", "kind": "CALL", "ocpp": "2.1"},
    ]
    assert {"action": "NotifyPeriodicEventStream", "from": "station", "kind": "SEND", "ocpp": "2.1"} in rows
    assert {"action": "DataTransfer", "from": "both", "kind": "CALL", "ocpp": "2.1"} in rows
    assert {row["from"] for row in rows} == {"station", "both"}
    every = ocppctl("actions", "--ocpp", "2.1", "--json").json_lines()
    assert len(every) == len(VERSIONS["2.1"].actions)


# --- schema ---------------------------------------------------------------------------------


def test_schema_prints_the_request_schema_as_shipped(ocppctl) -> None:
    """v16/Authorize.json ends with a newline, so what is printed is the file, byte for byte."""
    shipped = (SCHEMAS / "v16" / "Authorize.json").read_bytes()
    assert shipped.endswith(b"\n")
    result = ocppctl("schema", "Authorize", "--ocpp", "1.6")
    assert (result.code, result.err) == (0, "")
    assert result.out.encode("utf-8") == shipped


def test_schema_response_in_16(ocppctl) -> None:
    shipped = (SCHEMAS / "v16" / "BootNotificationResponse.json").read_bytes()
    result = ocppctl("schema", "BootNotification", "--response", "--ocpp", "1.6")
    assert (result.code, result.err) == (0, "")
    assert result.out.encode("utf-8") == shipped


def test_schema_bytes_equal_the_shipped_file(ocppctl) -> None:
    """Most v201/v21 files end in '}' with no newline: `ocppctl schema X > f` must still match the
    file and its SHA256SUMS line, so nothing is added (the file also holds a non-ASCII ’)."""
    for kind, response in (("Request", ()), ("Response", ("--response",))):
        shipped = (SCHEMAS / "v201" / f"BootNotification{kind}.json").read_bytes()
        assert not shipped.endswith(b"\n")
        result = ocppctl("schema", "BootNotification", *response)
        assert (result.code, result.err) == (0, "")
        assert result.out.encode("utf-8") == shipped


def test_schema_on_a_terminal_ends_with_a_newline(ocppctl) -> None:
    """Uncoloured on a terminal, the prompt must not follow the closing brace on its line."""
    shipped = (SCHEMAS / "v201" / "BootNotificationRequest.json").read_text("utf-8")
    result = ocppctl("schema", "BootNotification", "--color", "never", stdout_isatty=True)
    assert (result.code, result.out, result.err) == (0, shipped + "\n", "")
    ends_with_newline = (SCHEMAS / "v16" / "Authorize.json").read_text("utf-8")
    assert ends_with_newline.endswith("\n")
    on_tty = ocppctl("schema", "Authorize", "--ocpp", "1.6", stdout_isatty=True, environ={"NO_COLOR": "1"})
    assert on_tty.out == ends_with_newline


def test_schema_of_a_send_message(ocppctl) -> None:
    shipped = (SCHEMAS / "v21" / "NotifyPeriodicEventStream.json").read_bytes()
    result = ocppctl("schema", "NotifyPeriodicEventStream", "--ocpp", "2.1")
    assert (result.code, result.err) == (0, "")
    assert result.out.encode("utf-8") == shipped


def test_schema_is_highlighted_only_on_request(ocppctl) -> None:
    plain = ocppctl("schema", "Heartbeat", "--response").out
    colored = ocppctl("schema", "Heartbeat", "--response", "--color", "always").out
    assert "\x1b[" in colored and "\x1b" not in plain
    assert "\x1b" not in ocppctl("schema", "Heartbeat", stdout_isatty=True, environ={"NO_COLOR": "1"}).out


@pytest.mark.parametrize("command", ["schema", "template"])
def test_unknown_action_is_exit_2_with_did_you_mean(ocppctl, command: str) -> None:
    result = ocppctl(command, "Bootnotificaton")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        'ocppctl: error: "Bootnotificaton" is not an OCPP 2.0.1 action (did you mean "BootNotification"?) '
        f"(see 'ocppctl {command} --help')\n"
    )


@pytest.mark.parametrize("command", ["schema", "template"])
def test_unknown_action_without_a_near_miss_points_at_actions(ocppctl, command: str) -> None:
    result = ocppctl(command, "Xyzzy", "--ocpp", "1.6")
    assert result.code == 2
    assert result.err == (
        'ocppctl: error: "Xyzzy" is not an OCPP 1.6 action (`ocppctl actions --ocpp 1.6` lists them) '
        f"(see 'ocppctl {command} --help')\n"
    )


@pytest.mark.parametrize("command", ["schema", "template"])
@pytest.mark.parametrize(
    ("action", "ocpp", "versions"),
    [("BatterySwap", "2.0.1", "2.1"), ("BatterySwap", "1.6", "2.1"), ("ClearDisplayMessage", "1.6", "2.0.1 and 2.1")],
)
def test_action_of_another_version_is_exit_2_naming_its_versions(
    ocppctl, command: str, action: str, ocpp: str, versions: str
) -> None:
    """The name is right, the version likely wrong: say where the action lives, not a near spelling."""
    result = ocppctl(command, action, "--ocpp", ocpp)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f'ocppctl: error: "{action}" is not an OCPP {ocpp} action '
        f"({action} is an OCPP {versions} action: is the version right?) (see 'ocppctl {command} --help')\n"
    )


@pytest.mark.parametrize("command", ["schema", "template"])
@pytest.mark.parametrize(
    ("action", "ocpp", "hint"),
    [
        ("StartTransaction", "2.0.1", "OCPP 2.0.1 does this with TransactionEvent"),
        ("TransactionEvent", "1.6", "OCPP 1.6 does this with StartTransaction, StopTransaction or MeterValues"),
    ],
)
def test_action_of_the_other_generation_names_its_counterpart(
    ocppctl, command: str, action: str, ocpp: str, hint: str
) -> None:
    result = ocppctl(command, action, "--ocpp", ocpp)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"ocppctl: error: \"{action}\" is not an OCPP {ocpp} action ({hint}) (see 'ocppctl {command} --help')\n"
    )


@pytest.mark.parametrize("command", ["schema", "template"])
def test_send_message_with_response_is_exit_2(ocppctl, command: str) -> None:
    result = ocppctl(command, "NotifyPeriodicEventStream", "--ocpp", "2.1", "--response")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "ocppctl: error: NotifyPeriodicEventStream is a SEND message: it has no response "
        f"(see 'ocppctl {command} --help')\n"
    )


# --- template -------------------------------------------------------------------------------


def test_template_of_a_response(ocppctl) -> None:
    result = ocppctl("template", "Heartbeat", "--response")
    assert (result.code, result.out, result.err) == (0, '{\n  "currentTime": "2026-01-01T00:00:00Z"\n}\n', "")


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_template_vendor_id_is_a_reverse_dns_name(ocppctl, version: str) -> None:
    """A template must not teach the name the vendor-id lint warns about."""
    result = ocppctl("template", "DataTransfer", "--ocpp", version)
    assert (result.code, result.out, result.err) == (0, '{\n  "vendorId": "com.example"\n}\n', "")
    frame = json.dumps([2, "d1", "DataTransfer", json.loads(result.out)]).encode() + b"\n"
    checked = ocppctl("validate", "--ocpp", version, "--select", "vendor-id", "-q", "-", stdin=frame)
    assert (checked.code, checked.out) == (
        0,
        "1 file: 1 frame, 1 call, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n",
    )


def test_template_of_an_empty_request(ocppctl) -> None:
    assert ocppctl("template", "Heartbeat").out == "{}\n"


def test_template_holds_the_required_fields_only(ocppctl) -> None:
    payload = json.loads(ocppctl("template", "BootNotification").out)
    assert set(payload) == {"reason", "chargingStation"}
    assert set(payload["chargingStation"]) == {"model", "vendorName"}
    payload_16 = json.loads(ocppctl("template", "BootNotification", "--ocpp", "1.6").out)
    assert set(payload_16) == {"chargePointVendor", "chargePointModel"}


def test_template_is_highlighted_only_on_request(ocppctl) -> None:
    plain = ocppctl("template", "BootNotification").out
    colored = ocppctl("template", "BootNotification", "--color", "always").out
    assert "\x1b[" in colored and "\x1b" not in plain
    assert "\x1b[" in ocppctl("template", "BootNotification", stdout_isatty=True).out


def _kinds(version_name: str, send: bool) -> list[tuple[str, str, bool]]:
    version = VERSIONS[version_name]
    out = []
    for action in sorted(version.actions):
        is_send = action in version.send_actions
        if is_send != send:
            continue
        out.append((version_name, action, False))
        if not is_send:
            out.append((version_name, action, True))
    return out


def _template_then_validate(ocppctl, version: str, action: str, response: bool) -> tuple[int, str]:
    extra = ["--response"] if response else []
    made = ocppctl("template", action, "--ocpp", version, *extra)
    assert (made.code, made.err) == (0, ""), (version, action, response)
    checked = ocppctl("validate", "--ocpp", version, "--action", action, *extra, "-", stdin=made.out.encode())
    return checked.code, checked.out


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_template_passes_validate_action(ocppctl, version: str) -> None:
    failures = []
    for _, action, response in _kinds(version, send=False):
        code, out = _template_then_validate(ocppctl, version, action, response)
        if (code, out) != (0, "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n"):
            failures.append(((action, "response" if response else "request"), out.splitlines()[0]))
    assert failures == []


def test_every_send_template_passes_validate_action(ocppctl) -> None:
    sends = _kinds("2.1", send=True)
    assert sends == [("2.1", "NotifyPeriodicEventStream", False)]
    for version, action, response in sends:
        assert _template_then_validate(ocppctl, version, action, response) == (
            0,
            "1 file: 1 frame, 0 calls, 0 results, 0 CALLERRORs; 0 errors, 0 warnings\n",
        )
