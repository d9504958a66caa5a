"""The meta-commands (repl/commands.py) and call lines, driven through Repl.execute on CSMS links
that are built but never started: no station, no socket, what a user sees before one connects."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V201
from ocppctl.repl.app import Repl
from ocppctl.repl.commands import COMMANDS
from ocppctl.repl.config import Settings
from ocppctl.transport.links import CsmsLinks

HELP_FIRST_LINE = "ACTION {json} or ACTION path=value path:=json sends a call; Tab completes."

ACTIONS_201_CSMS = (
    "OCPP 2.0.1, as the csms: CancelReservation, CertificateSigned, ChangeAvailability, ClearCache, "
    "ClearChargingProfile, ClearDisplayMessage, ClearVariableMonitoring, CostUpdated, CustomerInformation, "
    "DataTransfer, DeleteCertificate, GetBaseReport, GetChargingProfiles, GetCompositeSchedule, "
    "GetDisplayMessages, GetInstalledCertificateIds, GetLocalListVersion, GetLog, GetMonitoringReport, "
    "GetReport, GetTransactionStatus, GetVariables, InstallCertificate, PublishFirmware, "
    "RequestStartTransaction, RequestStopTransaction, ReserveNow, Reset, SendLocalList, SetChargingProfile, "
    "SetDisplayMessage, SetMonitoringBase, SetMonitoringLevel, SetNetworkProfile, SetVariableMonitoring, "
    "SetVariables, TriggerMessage, UnlockConnector, UnpublishFirmware, UpdateFirmware"
)

NO_STATION = "error: no station has connected to 127.0.0.1:0 yet"


class Session:
    """A Repl over CSMS links that are never started, printing into a list."""

    def __init__(self, registry: SchemaRegistry, settings: Settings | None = None) -> None:
        self.printed: list[str] = []
        self.links = CsmsLinks("127.0.0.1", 0, registry, [V201])
        self.repl = Repl(self.links, registry, settings or Settings(), self.printed.append, color=False)

    def run(self, line: str) -> list[str]:
        """What executing `line` prints."""
        start = len(self.printed)
        asyncio.run(self.repl.execute(line))
        return self.printed[start:]


@pytest.fixture
def session(registry: SchemaRegistry) -> Session:
    return Session(registry)


# --- the table of meta-commands -----------------------------------------------------------------


def test_every_meta_command_has_help_and_a_known_kind_of_argument() -> None:
    kinds = {None, "action", "peer-action", "station", "file", "onoff", "pending", "folded"}
    for name, meta in COMMANDS.items():
        assert meta.name == name
        assert name.startswith(":")
        assert meta.help.strip(), name
        assert meta.completes in kinds, (name, meta.completes)


# --- :help ---------------------------------------------------------------------------------------


def test_help_lists_every_meta_command_once(session: Session) -> None:
    printed = session.run(":help")
    assert len(printed) == 1
    lines = printed[0].split("\n")
    assert lines[0] == HELP_FIRST_LINE
    assert [line.split()[0] for line in lines[1:]] == list(COMMANDS)
    for line, meta in zip(lines[1:], COMMANDS.values(), strict=True):
        assert line.startswith(f"  {meta.name} {meta.args}".rstrip() + " ")
        assert line.endswith(f"  {meta.help}")
    # the help texts start in one column
    assert len({line.index(meta.help) for line, meta in zip(lines[1:], COMMANDS.values(), strict=True)}) == 1


@pytest.mark.parametrize("line", [":help use", ":help :use", "  :help   use  "])
def test_help_on_one_command_shows_one_line(session: Session, line: str) -> None:
    assert session.run(line) == ["  :use ID  send to this station from now on"]


def test_help_on_an_unknown_command_says_so_then_lists_them_all(session: Session) -> None:
    printed = session.run(":help nope")
    assert printed[0] == "no meta-command :nope"
    assert printed[1:] == session.run(":help")


# --- :template, :schema, :actions ----------------------------------------------------------------


def test_template_of_an_action_with_no_required_property(session: Session) -> None:
    assert session.run(":template Heartbeat") == ["Heartbeat {}"]


def test_template_of_get_variables(session: Session) -> None:
    assert session.run(":template GetVariables") == [
        "GetVariables {\n"
        '  "getVariableData": [\n'
        "    {\n"
        '      "component": {\n'
        '        "name": "name"\n'
        "      },\n"
        '      "variable": {\n'
        '        "name": "name"\n'
        "      }\n"
        "    }\n"
        "  ]\n"
        "}"
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (":template", "error: which action? (Tab lists them)"),
        (":template GetVariablez", 'error: "GetVariablez" is not an OCPP 2.0.1 action (did you mean "GetVariables"?)'),
        (":template Fooo", 'error: "Fooo" is not an OCPP 2.0.1 action (`ocppctl actions --ocpp 2.0.1` lists them)'),
        (
            ":schema GetConfiguration",
            'error: "GetConfiguration" is not an OCPP 2.0.1 action (OCPP 2.0.1 does this with GetVariables)',
        ),
    ],
)
def test_template_and_schema_name_a_bad_action(session: Session, line: str, error: str) -> None:
    assert session.run(line) == [error]


def test_schema_prints_the_response_schema(session: Session, registry: SchemaRegistry) -> None:
    printed = session.run(":schema Heartbeat response")
    assert len(printed) == 1
    document = json.loads(printed[0])
    assert document["required"] == ["currentTime"]
    assert document["properties"]["currentTime"]["format"] == "date-time"
    schema = registry.get(V201, "Heartbeat", "response")
    assert schema is not None
    assert document == schema.document


def test_schema_prints_the_request_schema_by_default(session: Session) -> None:
    document = json.loads("\n".join(session.run(":schema GetVariables")))
    assert document["required"] == ["getVariableData"]
    assert document["properties"]["getVariableData"]["minItems"] == 1


def test_actions_lists_what_the_csms_may_send(session: Session) -> None:
    printed = session.run(":actions")
    assert printed == [ACTIONS_201_CSMS]
    names = printed[0].removeprefix("OCPP 2.0.1, as the csms: ").split(", ")
    assert "GetVariables" in names
    assert "Heartbeat" not in names
    assert "BootNotification" not in names
    assert names == sorted(names)


# --- stations ------------------------------------------------------------------------------------


def test_stations_with_none_connected(session: Session) -> None:
    assert session.run(":stations") == ["no station connected"]


def test_use_a_station_that_is_not_connected(session: Session) -> None:
    assert session.run(":use CP9") == ["error: station CP9 is not connected (connected: none)"]
    assert session.links.current is None


@pytest.mark.parametrize(
    "line",
    [
        "GetVariables getVariableData[0].component.name=A getVariableData[0].variable.name=B",
        'Reset {"type": "Immediate"}',
    ],
)
def test_a_call_with_no_station_connected(session: Session, line: str) -> None:
    assert session.run(line) == [NO_STATION]


def test_an_invalid_call_with_no_station_is_refused_before_the_missing_station(session: Session) -> None:
    # the same findings the toolbar shows, whether or not a station is there to send to
    assert session.run("Reset type=Later") == [
        'error: Reset request: "Later" is not an allowed value [schema] at /type\n    hint: allowed: Immediate, OnIdle',
        "not sent (start with --no-validate to send it anyway)",
    ]
    assert (
        session.run("Heartbeat")[0].split("\n")[0]
        == "error: Heartbeat is sent by the station, not by the CSMS [direction]"
    )
    assert session.run("Fooo")[0].startswith('error: "Fooo" is not an OCPP 2.0.1 action')
    assert session.run("Reset type=Immediate") == [NO_STATION]  # a valid call meets the missing station


def test_a_call_whose_payload_cannot_be_read_is_refused_before_the_link(session: Session) -> None:
    assert session.run("Reset {bad") == [
        "error: the payload argument is not JSON: Expecting property name enclosed in double quotes (line 1, column 2)"
    ]
    assert session.run("Reset -") == [
        "error: - (standard input) cannot be read in the REPL: give the payload on the line"
    ]


# --- :auto, :last, :show, :pending, :reply, :error, :wait ----------------------------------------


def test_auto_off_then_auto_shows_it(session: Session) -> None:
    assert session.links.auto is True
    assert session.run(":auto off") == ["auto answers off"]
    assert session.links.auto is False
    assert session.run(":auto") == ["auto answers off"]
    assert session.run(":auto on") == ["auto answers on"]
    assert session.links.auto is True


def test_auto_starts_as_the_settings_say(registry: SchemaRegistry) -> None:
    session = Session(registry, Settings(auto_answer=False))
    assert session.links.auto is False
    assert session.run(":auto") == ["auto answers off"]


def test_auto_with_a_bad_value(session: Session) -> None:
    assert session.run(":auto maybe") == ["error: say :auto on or :auto off"]
    assert session.links.auto is True


def test_last_before_any_answer(session: Session) -> None:
    assert session.run(":last") == ["error: no answer received yet"]


def test_show_an_unknown_id(session: Session) -> None:
    assert session.run(":show nope") == ["error: no folded payload with id 'nope' (recent: none yet)"]


@pytest.mark.parametrize(
    ("line", "printed"),
    [
        (":pending", ["no call waiting"]),
        (":reply", ["error: which call? :pending lists them"]),
        (":reply 1 status=Accepted", ["error: no call '1' of the peer is waiting for an answer (:pending lists them)"]),
        (":error 1", ["error: say :error ID CODE [description]"]),
        (":error 1 InternalError", ["error: no call '1' of the peer is waiting for an answer (:pending lists them)"]),
        (":wait Heartbeat soon", ["error: 'soon' is not a number of seconds"]),
        (":wait Heartbeat nan", ["error: 'nan' is not a number of seconds"]),
        (":wait Heartbeat -1", ["error: '-1' is not a number of seconds"]),
        (":wait Heartbeat 0.01", ["error: no Heartbeat call within 0.01 s"]),
        (":wait", ["error: which action? (Tab lists them)"]),
    ],
)
def test_answers_by_hand_and_waits_with_no_station(session: Session, line: str, printed: list[str]) -> None:
    assert session.run(line) == printed


# --- :record -------------------------------------------------------------------------------------


def test_record_starts_shows_and_stops(session: Session, tmp_path: Path) -> None:
    target = tmp_path / "x.jsonl"
    assert session.run(":record") == ["not recording"]
    assert session.run(f":record {target}") == [f"recording to {target}"]
    assert target.is_file()
    assert session.run(":record") == [f"recording to {target}"]
    assert session.run(":record off") == [f"recording to {target} stopped"]
    assert session.run(":record") == ["not recording"]
    assert target.read_text(encoding="utf-8") == ""


def test_record_to_another_file_stops_the_first(session: Session, tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    session.run(f":record {first}")
    assert session.run(f":record {second}") == [f"recording to {first} stopped", f"recording to {second}"]
    assert session.run(":record") == [f"recording to {second}"]
    session.run(":record off")


def test_record_where_it_cannot(session: Session, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "x.jsonl"
    assert session.run(f":record {target}") == [f"error: {target}: cannot record there: No such file or directory"]
    assert session.run(":record") == ["not recording"]


# --- unknown commands, :quit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (":nosuch", "error: no meta-command :nosuch; :help lists them"),
        (":hlep", 'error: no meta-command :hlep (did you mean ":help"?)'),
        (":sation", 'error: no meta-command :sation (did you mean ":stations"?)'),
        (":", "error: no meta-command :; :help lists them"),
    ],
)
def test_an_unknown_meta_command(session: Session, line: str, error: str) -> None:
    assert session.run(line) == [error]
    assert session.repl.done is False


def test_quit_ends_the_session(session: Session) -> None:
    assert session.repl.done is False
    assert session.run(":quit") == []
    assert session.repl.done is True


def test_a_recording_that_cannot_be_written_stops_with_one_line_and_the_traffic_still_shows(session: Session) -> None:
    from ocppctl.core.frames import CALL, Frame
    from ocppctl.transport.flow import Flow

    assert session.run(":record /dev/full") == ["recording to /dev/full"]
    frame = Frame(CALL, "1", "Heartbeat", {})
    flow = Flow("2026-11-30T10:00:00.000Z", "CP1", 1, "station", V201, '[2,"1","Heartbeat",{}]', frame=frame)
    start = len(session.printed)
    session.repl.observe(flow)
    assert session.printed[start:] == [
        "error: recording to /dev/full stopped: No space left on device",
        "10:00:00.000 CP1 ← CALL Heartbeat 1\n  {}",
    ]
    assert session.run(":record") == ["not recording"]


def test_what_came_from_the_peer_is_escaped_in_meta_command_output(session: Session) -> None:
    session.repl.last = {"status": "Accepted\x9b2J"}  # a C1 control (CSI) that orjson leaves as is
    assert session.run(":last") == ['{"status":"Accepted\\x9b2J"}']


def test_schema_takes_only_response_after_the_action(session: Session) -> None:
    assert session.run(":schema BootNotification respons") == [
        "error: say :schema ACTION or :schema ACTION response, not 'respons'"
    ]
