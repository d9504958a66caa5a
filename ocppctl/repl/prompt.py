"""The terminal front end of the REPL: prompt-toolkit's prompt with completion, Pygments
highlighting, a bottom toolbar that checks the line as you type, multi-line JSON, history;
traffic printed above the line being typed (patch_stdout)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from typing import Any, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.application.current import get_app
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.patch_stdout import patch_stdout

from ocppctl.repl.app import Repl
from ocppctl.repl.completer import OcppCompleter
from ocppctl.repl.lines import first_problem, starts_command, unbalanced


def _key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter", filter=Condition(lambda: unbalanced(get_app().current_buffer.text)))
    def _(event: Any) -> None:
        """Enter inside an open JSON object or array continues the line."""
        event.current_buffer.insert_text("\n")

    return bindings


class Toolbar:
    """The bottom toolbar: the first problem of the line being typed (or that it is valid), then
    role, version, station, connection state and auto answers. The check is cached per text."""

    def __init__(self, repl: Repl) -> None:
        self.repl = repl
        self._text: str | None = None
        self._verdict: list[tuple[str, str]] = []

    def fragments(self) -> StyleAndTextTuples:
        links = self.repl.links
        version = links.version()
        text = get_app().current_buffer.text
        if text != self._text:
            self._text, self._verdict = text, self._check(text, version, links.side)
        station = links.current or "-"
        auto = "auto on" if links.auto else "auto off"
        state = f" {links.side} · OCPP {version.name} · {station} · {links.state()} · {auto} "
        return [("class:bottom-toolbar", state), *self._verdict]

    def _check(self, text: str, version: Any, side: str) -> list[tuple[str, str]]:
        if not text.strip() or text.lstrip().startswith(":"):
            return []
        if unbalanced(text):
            return [("class:bottom-toolbar", " … ")]
        problem = first_problem(text, self.repl.registry, version, side)
        if problem is None:
            return [("class:bottom-toolbar.ok", " ✓ valid ")]
        where = f" at {problem.path}" if problem.path else ""
        message = re.sub(r"^\w+ (request|send): ", "", problem.message)  # the action is on the line
        return [("class:bottom-toolbar.bad", f" ✗ {message}{where} [{problem.code}] ")]


def build_session(repl: Repl, history: History | None = None, **kwargs: Any) -> PromptSession[str]:
    """The prompt of a session; tests pass their own input and output via an app session."""
    from prompt_toolkit.styles import Style, merge_styles, style_from_pygments_cls
    from pygments.styles import get_style_by_name

    from ocppctl.render.highlight import line_lexer

    links = repl.links

    def names() -> dict[str, list[str]]:
        return {
            "station": links.stations(),
            "pending": [frame.id for _, frame in links.pending()],
            "folded": list(repl.folded),
        }

    style = merge_styles(
        [
            style_from_pygments_cls(get_style_by_name(repl.settings.style)),
            Style.from_dict(
                {"bottom-toolbar.ok": "bg:ansigreen fg:black", "bottom-toolbar.bad": "bg:ansired fg:white"}
            ),
        ]
    )
    return PromptSession(
        message=lambda: f"{links.current or '-'}> ",
        completer=OcppCompleter(repl.registry, lambda: (links.version(), links.side), names),
        complete_while_typing=True,
        lexer=PygmentsLexer(line_lexer()),
        bottom_toolbar=Toolbar(repl).fragments,
        key_bindings=_key_bindings(),
        history=history or InMemoryHistory(),
        prompt_continuation=lambda width, line, wrap: "." * (width - 1) + " ",
        style=style,
        include_default_pygments_style=False,
        **kwargs,
    )


async def interact(repl: Repl, session: PromptSession[str]) -> None:
    """Read lines until :quit or Ctrl-D. Ctrl-C at the prompt clears the line; Ctrl-C while a
    call waits for its answer gives up waiting (the answer, if it comes, is printed with the traffic)."""
    with patch_stdout(raw=True):
        while not repl.done:
            try:
                text = await session.prompt_async()
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            await _run_interruptible(repl, text)


async def run_lines(repl: Repl, stream: TextIO) -> None:
    """Lines from a stream that is not a terminal (`ocppctl repl < script.txt`): read one by one,
    run in turn (an open JSON object continues on the next line, until a line that starts a
    command: the payload never closed, and says so, and the script goes on); no prompt, no
    toolbar."""
    text = ""
    while not repl.done:
        line = await asyncio.to_thread(stream.readline)
        if not line:
            break
        if text and starts_command(line):
            await _run_interruptible(repl, text)
            text = ""
        text += line
        if not unbalanced(text):
            await _run_interruptible(repl, text)
            text = ""
    if text.strip():
        await _run_interruptible(repl, text)


async def _run_interruptible(repl: Repl, text: str) -> None:
    task = asyncio.ensure_future(repl.execute(text))
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise
        repl.echo("interrupted")
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGINT)
