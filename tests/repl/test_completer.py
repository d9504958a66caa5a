"""The prompt-toolkit completer over suggest(), with Document objects."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V201
from ocppctl.repl.completer import OcppCompleter


def _complete(registry: SchemaRegistry, text: str, version=V201, side="csms") -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    completer = OcppCompleter(registry, lambda: (version, side))
    found = completer.get_completions(Document(text, len(text)), CompleteEvent(completion_requested=True))
    return [(c.text, c.start_position, c.display_meta_text) for c in found]


def test_an_enum_value_replaces_the_word_typed(registry: SchemaRegistry) -> None:
    assert _complete(registry, "Reset type=Imm") == [("Immediate", -3, "enum")]


def test_property_names_inside_json(registry: SchemaRegistry) -> None:
    assert _complete(registry, 'Reset {"') == [
        ('"type"', -1, "property"),
        ('"customData"', -1, "property"),
        ('"evseId"', -1, "property"),
    ]


def test_the_completer_follows_the_links_version_and_side(registry: SchemaRegistry) -> None:
    assert _complete(registry, "Remote", V16, "csms") == [
        ("RemoteStartTransaction", -6, "action"),
        ("RemoteStopTransaction", -6, "action"),
    ]
    assert _complete(registry, "Remote", V16, "station") == []


def test_only_the_text_before_the_cursor_counts(registry: SchemaRegistry) -> None:
    completer = OcppCompleter(registry, lambda: (V201, "csms"))
    document = Document("Reset type=Imm and more", len("Reset type=Imm"))
    assert [c.text for c in completer.get_completions(document, CompleteEvent())] == ["Immediate"]


def test_meta_arguments_come_from_the_session(registry: SchemaRegistry) -> None:
    completer = OcppCompleter(registry, lambda: (V201, "csms"), lambda: {"station": ["CP001", "CP002", "XY"]})
    found = completer.get_completions(Document(":use CP", 7), CompleteEvent())
    assert [(c.text, c.display_meta_text) for c in found] == [("CP001", "station"), ("CP002", "station")]


def test_record_completes_file_paths(registry: SchemaRegistry, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "capture-one.jsonl").write_text("")
    (tmp_path / "other.txt").write_text("")
    monkeypatch.chdir(tmp_path)
    completer = OcppCompleter(registry, lambda: (V201, "csms"))
    found = completer.get_completions(Document(":record capt", 12), CompleteEvent())
    assert [c.text for c in found] == ["ure-one.jsonl"]
