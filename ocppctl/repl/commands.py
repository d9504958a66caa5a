"""Meta-commands (`:help`, `:use ID`, `:reply ID {...}`, ...), registered with a decorator so
`:help` and completion know them all. Each takes the session and the rest of the line; each
says what went wrong in one line (LinkError, UsageFailure) and never ends the session."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ocppctl.core.jsontext import dumps
from ocppctl.errors import UsageFailure
from ocppctl.render.style import escape, escape_line, escape_lines
from ocppctl.repl.lines import payload_of

if TYPE_CHECKING:
    from ocppctl.repl.app import Repl

Handler = Callable[["Repl", str], Awaitable[None]]


@dataclass(frozen=True)
class Meta:
    name: str
    args: str  # how the arguments are written, for :help
    help: str
    completes: str | None  # action, peer-action, station, file, onoff, pending: what the argument is
    run: Handler


COMMANDS: dict[str, Meta] = {}


def meta(name: str, args: str, help_text: str, completes: str | None = None) -> Callable[[Handler], Handler]:
    def register(run: Handler) -> Handler:
        COMMANDS[name] = Meta(name, args, help_text, completes, run)
        return run

    return register


def _pretty(repl: Repl, value: Any) -> str:
    from ocppctl.render.highlight import highlight_json

    text = dumps(value, indent=True)
    return highlight_json(text) if repl.color else escape_lines(text)


def _action(repl: Repl, argument: str, response: bool = False) -> tuple[str, str]:
    """(action, schema kind) of the action the argument names, in the link's version."""
    from ocppctl.core.checks import resolve_action

    words = argument.split()
    if not words:
        raise UsageFailure("which action? (Tab lists them)")
    return resolve_action(repl.links.version(), words[0], response)


@meta(":help", "[COMMAND]", "list the meta-commands, or say what one does")
async def _help(repl: Repl, argument: str) -> None:
    wanted = argument.strip()
    if wanted and not wanted.startswith(":"):
        wanted = ":" + wanted
    shown = [COMMANDS[wanted]] if wanted in COMMANDS else list(COMMANDS.values())
    if wanted and wanted not in COMMANDS:
        repl.echo(f"no meta-command {wanted}")
    width = max(len(f"{m.name} {m.args}") for m in shown)
    lines = [f"  {(m.name + ' ' + m.args).strip():<{width}}  {m.help}" for m in shown]
    if len(shown) > 1:
        lines.insert(0, "ACTION {json} or ACTION path=value path:=json sends a call; Tab completes.")
    repl.echo("\n".join(lines))


@meta(":actions", "", "the actions this side may send, in the link's version")
async def _actions(repl: Repl, argument: str) -> None:
    version = repl.links.version()
    names = sorted(a for a in version.actions if version.may_initiate(a, repl.links.side))
    repl.echo(f"OCPP {version.name}, as the {repl.links.side}: " + ", ".join(names))


@meta(":template", "ACTION", "a minimal valid payload of ACTION", "action")
async def _template(repl: Repl, argument: str) -> None:
    from ocppctl.core.payloads import template

    action, kind = _action(repl, argument)
    schema = repl.registry.get(repl.links.version(), action, kind)
    repl.echo(f"{action} " + _pretty(repl, template(schema.document) if schema is not None else {}))


@meta(":schema", "ACTION [response]", "the JSON schema of ACTION's request (or response)", "action")
async def _schema(repl: Repl, argument: str) -> None:
    words = argument.split()
    if words[1:] not in ([], ["response"]):
        raise UsageFailure(f"say :schema ACTION or :schema ACTION response, not {' '.join(words[1:])!r}")
    action, kind = _action(repl, argument, response=words[1:] == ["response"])
    schema = repl.registry.get(repl.links.version(), action, kind)
    repl.echo(_pretty(repl, schema.document if schema is not None else None))


@meta(":stations", "", "the stations connected, the one in use marked *")
async def _stations(repl: Repl, argument: str) -> None:
    versions = repl.links.versions_of()
    if not versions:
        repl.echo("no station connected")
    for name, version in sorted(versions.items()):
        mark = "*" if name == repl.links.current else " "
        repl.echo(f"{mark} {escape(name)}  OCPP {version.name}")


@meta(":use", "ID", "send to this station from now on", "station")
async def _use(repl: Repl, argument: str) -> None:
    if not argument.strip():
        raise UsageFailure("which station? (:stations lists them, Tab completes)")
    repl.links.use(argument.strip())
    repl.echo(f"using {escape(argument.strip())}")


@meta(":wait", "ACTION [SECONDS]", "wait for the peer's call of ACTION", "peer-action")
async def _wait(repl: Repl, argument: str) -> None:
    action, _ = _action(repl, argument)
    version, peer = repl.links.version(), repl.links.peer
    if not version.may_initiate(action, peer):
        raise UsageFailure(f"{action} is not sent by the {peer}: :wait waits for the peer's calls")
    words = argument.split()
    seconds = repl.timeout
    if len(words) > 1:
        try:
            seconds = float(words[1])
        except ValueError:
            seconds = math.nan
        if not (math.isfinite(seconds) and seconds > 0):  # as --timeout: nan, inf and 0 are no wait
            raise UsageFailure(f"{words[1]!r} is not a number of seconds")
    await repl.wait_for(action, seconds)


@meta(":record", "FILE|off", "append the traffic to FILE in capture format (validate reads it)", "file")
async def _record(repl: Repl, argument: str) -> None:
    target = argument.strip()
    if not target:
        repl.echo(f"recording to {repl.record_path}" if repl.record_path else "not recording")
        return
    if target == "off" and repl.record_path is None:
        repl.echo("not recording")
        return
    repl.record(None if target == "off" else target)


@meta(":last", "", "the last answer received, as JSON")
async def _last(repl: Repl, argument: str) -> None:
    if repl.last is None:
        raise UsageFailure("no answer received yet")
    repl.echo(escape(dumps(repl.last)))  # the peer's: no C1 control reaches the terminal


@meta(":show", "ID", "a folded payload in full", "folded")
async def _show(repl: Repl, argument: str) -> None:
    text = repl.folded.get(argument.strip())
    if text is None:
        known = ", ".join(list(repl.folded)[-5:]) or "none yet"
        raise UsageFailure(f"no folded payload with id {argument.strip()!r} (recent: {known})")
    repl.echo(text)


@meta(":auto", "on|off", "answer the peer's calls with default answers, or wait for :reply", "onoff")
async def _auto(repl: Repl, argument: str) -> None:
    value = argument.strip()
    if value not in ("on", "off", ""):
        raise UsageFailure("say :auto on or :auto off")
    if value:
        repl.links.set_auto(value == "on")
    repl.echo(f"auto answers {'on' if repl.links.auto else 'off'}")


@meta(":pending", "", "the peer's calls waiting for :reply or :error")
async def _pending(repl: Repl, argument: str) -> None:
    waiting = repl.links.pending()
    if not waiting:
        repl.echo("no call waiting")
    for station, frame in waiting:  # all of it the peer's: escaped
        payload = dumps(frame.payload)
        repl.echo(escape_line(f"{frame.id}  {station}  {frame.action}  {payload}"))


@meta(":reply", "ID {json}|items", "answer the peer's call ID with a CALLRESULT", "pending")
async def _reply(repl: Repl, argument: str) -> None:
    call_id, _, rest = argument.strip().partition(" ")
    if not call_id:
        raise UsageFailure("which call? :pending lists them")
    await repl.links.reply(call_id, payload_of(rest), check=repl.check)


@meta(":error", "ID CODE [DESCRIPTION]", "answer the peer's call ID with a CALLERROR", "pending")
async def _error(repl: Repl, argument: str) -> None:
    words = argument.split(maxsplit=2)
    if len(words) < 2:
        raise UsageFailure("say :error ID CODE [description]")
    await repl.links.fail(words[0], words[1], words[2] if len(words) > 2 else "", check=repl.check)


@meta(":connect", "", "connect again (station role) or listen again (CSMS role)")
async def _connect(repl: Repl, argument: str) -> None:
    await repl.links.start()
    repl.echo(repl.links.state())


@meta(":quit", "", "leave (Ctrl-D does too)")
async def _quit(repl: Repl, argument: str) -> None:
    repl.done = True


def find(name: str) -> Meta:
    """The meta-command called `name`; UsageFailure with the closest one otherwise."""
    found = COMMANDS.get(name)
    if found is not None:
        return found
    from ocppctl.core.hints import closest

    near = closest(name, COMMANDS, cutoff=0.6)
    raise UsageFailure(f"no meta-command {name}" + (f' (did you mean "{near}"?)' if near else "; :help lists them"))
