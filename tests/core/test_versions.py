"""Version tables against the schema files that ship: every action, and only those, has a schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocppctl.core.versions import BY_SUBPROTOCOL, V16, V21, V201, VERSION_NAMES, VERSIONS, Version, get_version


def _stems(folder: Path) -> set[str]:
    return {path.name[: -len(".json")] for path in folder.glob("*.json")}


def _actions_16(folder: Path) -> set[str]:
    stems = _stems(folder)
    requests = {stem for stem in stems if not stem.endswith("Response")}
    # every 1.6 request X.json has its XResponse.json and the reverse
    assert {stem + "Response" for stem in requests} == stems - requests
    return requests


def _actions_2x(folder: Path) -> tuple[set[str], set[str]]:
    """(request/response actions, SEND actions) of a 2.x folder."""
    stems = _stems(folder)
    calls = {stem[: -len("Request")] for stem in stems if stem.endswith("Request")}
    responses = {stem[: -len("Response")] for stem in stems if stem.endswith("Response")}
    assert calls == responses
    sends = {stem for stem in stems if not stem.endswith(("Request", "Response"))}
    return calls, sends


def test_v16_actions_equal_the_schema_files(schemas_root: Path) -> None:
    assert set(V16.actions) == _actions_16(schemas_root / "v16")
    assert len(V16.actions) == 39
    assert V16.send_actions == frozenset()


def test_v201_actions_equal_the_schema_files(schemas_root: Path) -> None:
    calls, sends = _actions_2x(schemas_root / "v201")
    assert sends == set()
    assert set(V201.actions) == calls
    assert len(V201.actions) == 64


def test_v21_actions_equal_the_schema_files(schemas_root: Path) -> None:
    calls, sends = _actions_2x(schemas_root / "v21")
    assert sends == {"NotifyPeriodicEventStream"}
    assert set(V21.actions) == calls | sends
    assert V21.send_actions == frozenset(sends)
    assert V21.actions["NotifyPeriodicEventStream"] == "station"


@pytest.mark.parametrize("version", [V16, V201, V21], ids=lambda v: v.name)
def test_every_action_has_its_schema_files(version: Version, schemas_root: Path) -> None:
    for action in version.actions:
        kinds = ["send"] if action in version.send_actions else ["request", "response"]
        for kind in kinds:
            assert (schemas_root / version.folder / version.schema_file(action, kind)).is_file(), (action, kind)


@pytest.mark.parametrize(
    ("version", "action", "who"),
    [
        (V16, "BootNotification", "station"),
        (V16, "StartTransaction", "station"),
        (V16, "RemoteStartTransaction", "csms"),
        (V16, "SignedUpdateFirmware", "csms"),
        (V16, "SecurityEventNotification", "station"),
        (V16, "DataTransfer", "both"),
        (V201, "TransactionEvent", "station"),
        (V201, "GetVariables", "csms"),
        (V201, "RequestStartTransaction", "csms"),
        (V201, "DataTransfer", "both"),
        (V21, "BatterySwap", "station"),
        (V21, "SetDERControl", "csms"),
        (V21, "DataTransfer", "both"),
    ],
)
def test_initiators(version: Version, action: str, who: str) -> None:
    assert version.actions[action] == who


def test_may_initiate() -> None:
    assert V201.may_initiate("BootNotification", "station")
    assert not V201.may_initiate("BootNotification", "csms")
    assert V201.may_initiate("GetVariables", "csms")
    assert not V201.may_initiate("GetVariables", "station")
    assert V201.may_initiate("DataTransfer", "station") and V201.may_initiate("DataTransfer", "csms")
    assert not V201.may_initiate("NoSuchAction", "station")


def test_error_codes_16_keep_the_specification_spelling() -> None:
    assert V16.error_codes == {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "TypeConstraintViolation",
        "GenericError",
    }
    assert "FormatViolation" not in V16.error_codes
    assert "OccurrenceConstraintViolation" not in V16.error_codes


@pytest.mark.parametrize("version", [V201, V21], ids=lambda v: v.name)
def test_error_codes_2x(version: Version) -> None:
    assert version.error_codes == {
        "FormatViolation",
        "GenericError",
        "InternalError",
        "MessageTypeNotSupported",
        "NotImplemented",
        "NotSupported",
        "OccurrenceConstraintViolation",
        "PropertyConstraintViolation",
        "ProtocolError",
        "RpcFrameworkError",
        "SecurityError",
        "TypeConstraintViolation",
    }
    assert "FormationViolation" not in version.error_codes
    assert "OccurenceConstraintViolation" not in version.error_codes


def test_subprotocols() -> None:
    assert [VERSIONS[name].subprotocol for name in VERSION_NAMES] == ["ocpp1.6", "ocpp2.0.1", "ocpp2.1"]
    assert set(BY_SUBPROTOCOL) == {"ocpp1.6", "ocpp2.0.1", "ocpp2.1"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("1.6", V16),
        ("2.0.1", V201),
        ("2.1", V21),
        ("ocpp1.6", V16),
        ("ocpp2.0.1", V201),
        ("OCPP2.1", V21),
        (" 2.0.1 ", V201),
        ("2.0", None),
        ("1.5", None),
        ("ocpp2.0", None),
        ("", None),
    ],
)
def test_get_version(name: str, expected: Version | None) -> None:
    assert get_version(name) is expected


def test_message_types() -> None:
    assert V16.message_types == {2, 3, 4}
    assert V201.message_types == {2, 3, 4}
    assert V21.message_types == {2, 3, 4, 5, 6}


def test_schema_file_names() -> None:
    assert V16.schema_file("Authorize", "request") == "Authorize.json"
    assert V16.schema_file("Authorize", "response") == "AuthorizeResponse.json"
    assert V201.schema_file("Authorize", "request") == "AuthorizeRequest.json"
    assert V201.schema_file("Authorize", "response") == "AuthorizeResponse.json"
    assert V21.schema_file("NotifyPeriodicEventStream", "send") == "NotifyPeriodicEventStream.json"


def test_a_version_through_a_pipe_is_the_same_object() -> None:
    """validate -j sends connections' versions between processes; versions compare by identity."""
    import pickle

    for version in VERSIONS.values():
        assert pickle.loads(pickle.dumps(version)) is version
