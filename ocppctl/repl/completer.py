"""The prompt-toolkit Completer: a thin adapter from suggest() to Completion objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import Version
from ocppctl.repl.suggest import suggest


class OcppCompleter(Completer):
    """Completes the line before the cursor for the link's current version and side."""

    def __init__(
        self,
        registry: SchemaRegistry,
        link: Callable[[], tuple[Version, str]],
        names: Callable[[], Mapping[str, list[str]]] = dict,
    ) -> None:
        self.registry = registry
        self.link = link  # (version, side) of the current link: they change on :use and :connect
        self.names = names  # station ids, pending call ids, folded payload ids, as they are now
        self._paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        version, side = self.link()
        found = suggest(document.text_before_cursor, version, side, self.registry, self.names())
        if found.kind == "file":
            yield from self._paths.get_completions(Document(found.word, len(found.word)), complete_event)
            return
        for value in found.values:
            yield Completion(value, start_position=-len(found.word), display_meta=found.kind)
