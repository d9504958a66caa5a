"""The `ocppctl` command group, its lazy subcommands, and the edge where errors become
one line and an exit code. `run()` takes its streams as arguments; only `main()` exits."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from ocppctl import __version__
from ocppctl.cli.env import Env
from ocppctl.cli.status import EXIT_CODES_HELP, ExitCode
from ocppctl.errors import OcppctlError, UsageFailure

# name -> (module, attribute, short help): subcommands are imported only when used.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("ocppctl.cli.validate", "validate", "Check captured OCPP-J frames against the OCA schemas."),
    "actions": ("ocppctl.cli.schema_tools", "actions", "List the actions of a version and who sends them."),
    "schema": ("ocppctl.cli.schema_tools", "schema", "Print the JSON schema of an action."),
    "template": ("ocppctl.cli.schema_tools", "template", "Print a minimal valid payload for an action."),
    "check": ("ocppctl.cli.check", "check", "Check a station or a CSMS against the basic OCPP message set."),
    "send": ("ocppctl.cli.send", "send", "Send one action to a CSMS or a station; print the checked answer."),
    "sim": (
        "ocppctl.cli.sim",
        "sim",
        "Simulated peers: `sim station` boots, heartbeats and answers from a device model.",
    ),
    "probe": (
        "ocppctl.cli.probe",
        "probe",
        "Report what a CSMS endpoint accepts: subprotocols, TLS, auth (a boot with --boot).",
    ),
    "listen": ("ocppctl.cli.listen", "listen", "Act as a CSMS for any number of stations; print and record."),
    "proxy": ("ocppctl.cli.proxy", "proxy", "Relay stations to a CSMS unchanged; check, show and record each frame."),
    "vars": ("ocppctl.cli.vars", "vars_group", "Get and set a station's device-model variables by address."),
    "monitor": ("ocppctl.cli.monitor", "monitor_group", "Set, list and clear a station's variable monitors."),
    "config": ("ocppctl.cli.config", "config_group", "Get and change an OCPP 1.6 station's configuration keys."),
    "datatransfer": (
        "ocppctl.cli.datatransfer",
        "datatransfer",
        "Send a vendor's DataTransfer either way; explain the answer.",
    ),
    "customizations": (
        "ocppctl.cli.customizations",
        "customizations",
        "List a station's vendor customizations (CustomizationCtrlr); enable or disable one.",
    ),
    "report": ("ocppctl.cli.report", "report", "A station's device model: a base report, every part gathered."),
    "redact": (
        "ocppctl.cli.redact",
        "redact",
        "Copy a capture with pseudonyms for tokens, secrets, serials, addresses.",
    ),
    "repl": (
        "ocppctl.cli.repl",
        "repl",
        "An interactive session: send calls with completion, watch and answer traffic.",
    ),
    "completion": ("ocppctl.cli.completion", "completion", "Print the shell completion script for bash, zsh or fish."),
}


class LazyGroup(click.Group):
    """A group whose subcommands load on first use, keeping `ocppctl --help` fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command: click.Command = getattr(module, entry[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, _, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            from ocppctl.core.hints import closest

            near = closest(name, COMMANDS, cutoff=0.6)
            hint = f' (did you mean "{near}"?)' if near else ""
            raise click.UsageError(f"no command {name!r}{hint}; `ocppctl --help` lists them", ctx)
        return super().resolve_command(ctx, args)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ocppctl.io.schemafiles import PROVENANCE, schema_dir

    try:
        where = str(schema_dir())
    except FileNotFoundError as exc:
        where = f"MISSING ({exc})"
    click.echo(f"ocppctl {__version__}\nschemas: {PROVENANCE}\n  at {where}")
    ctx.exit(0)


@click.group(
    cls=LazyGroup,
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and where the schemas came from.",
)
@click.option("--debug", is_flag=True, help="Show a Python traceback when a command fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """ocppctl: inspect, validate and talk OCPP-J (1.6, 2.0.1, 2.1).

    Every check uses the official OCA JSON schemas; `ocppctl --version` says where they came from.
    """
    env = ctx.ensure_object(Env)
    env.debug = env.debug or debug


def run(argv: Sequence[str], env: Env) -> int:
    """Run one command line with the given environment; return its exit code."""
    args = list(argv)
    if "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args:
        env.debug = True  # accepted anywhere on the line, before or after the command name
        args.remove("--debug")
    if not args:  # a bare `ocppctl`: the help, on stdout, as for --help
        args = ["--help"]
    try:
        with _redirect(env):
            rv = cli.main(args=args, prog_name="ocppctl", standalone_mode=False, obj=env)
        return int(rv) if isinstance(rv, int) else 0
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        message = " ".join(exc.format_message().split())  # one line, whatever click wrapped
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, click.UsageError) and "--help" not in message:
            message += f" (see '{ctx.command_path if ctx is not None else _command_path(args)} --help')"
        env.stderr.write(f"ocppctl: error: {_redact(message)}\n")
        return int(ExitCode.USAGE)
    except click.Abort:
        env.stderr.write("ocppctl: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except OcppctlError as exc:
        if env.debug:
            _traceback(env)
        from ocppctl.render.style import escape

        message = escape(exc.message)  # it may quote a peer, a hub or a file: one line, never obeyed
        if isinstance(exc, UsageFailure):
            message += f" (see '{_command_path(args)} --help')"
        env.stderr.write(f"ocppctl: error: {_redact(message)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        env.stderr.write("ocppctl: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if env.debug:
            _traceback(env)
        from ocppctl.render.style import escape

        said = _redact(escape(f"{type(exc).__name__}: {exc}"))
        env.stderr.write(f"ocppctl: internal error: {said} (run with --debug for details)\n")
        return int(ExitCode.INTERNAL)


def _redact(message: str) -> str:
    """The last guard on every error line: a URL's password shown as ***."""
    from ocppctl.transport.security import redact

    return redact(message)


def _command_path(args: list[str]) -> str:
    """'ocppctl validate' (or 'ocppctl sim set': a group's subcommand too) for a line naming a
    command, else 'ocppctl'."""
    words = [a for a in args if not a.startswith("-")]
    if not words or words[0] not in COMMANDS:
        return "ocppctl"
    module, attribute, _ = COMMANDS[words[0]]
    command = getattr(importlib.import_module(module), attribute)
    if isinstance(command, click.Group) and len(words) > 1 and words[1] in command.commands:
        return f"ocppctl {words[0]} {words[1]}"
    return f"ocppctl {words[0]}"


def _traceback(env: Env) -> None:
    import traceback

    traceback.print_exc(file=env.stderr)


class _redirect:
    """Point click.echo's default streams at the Env's for the duration of a run."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.saved: tuple[Any, Any] | None = None

    def __enter__(self) -> None:
        self.saved = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = self.env.stdout, self.env.stderr

    def __exit__(self, *exc: object) -> None:
        assert self.saved is not None
        sys.stdout, sys.stderr = self.saved


def main() -> None:
    env = Env.from_process()
    code = run(sys.argv[1:], env)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): say nothing more, and let exit not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)
