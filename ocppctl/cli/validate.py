"""`ocppctl validate`: check captures against the OCA schemas; findings, summary, exit code."""

from __future__ import annotations

import re

import click

from ocppctl.cli.completion import complete_codes
from ocppctl.cli.options import color_option, complete_action, env_of, ocpp_option
from ocppctl.cli.status import ExitCode, combine
from ocppctl.core.findings import CODES

_CODES_HELP = "\b\nFinding codes:\n" + "\n".join(f"  {code:<16} {text}" for code, text in CODES.items())


def _codes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> frozenset[str]:
    out = set()
    for value in values:
        for code in value.split(","):
            code = code.strip()
            if not code:
                continue
            if code not in CODES:
                from ocppctl.core.hints import closest

                near = closest(code, CODES, cutoff=0.6)
                raise click.BadParameter(
                    f"unknown finding code {code!r}" + (f' (did you mean "{near}"?)' if near else "; see --help")
                )
            out.add(code)
    return frozenset(out)


def _pattern(ctx: click.Context, param: click.Parameter, value: str | None) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        compiled = re.compile(value)
    except re.error as exc:
        raise click.BadParameter(f"not a regular expression: {exc}") from None
    if "frame" not in compiled.groupindex:
        raise click.BadParameter(
            "needs a named group (?P<frame>...) around the frame; ts, station and dir are optional"
        )
    return compiled


@click.command(epilog=_CODES_HELP)
@click.argument("files", nargs=-1, metavar="[FILE ...|-]", type=click.Path(allow_dash=True))
@ocpp_option("Read every frame as this version (default: each record's ocpp, else inferred).")
@click.option(
    "--pattern",
    callback=_pattern,
    metavar="REGEX",
    help="Find frames in log lines with this regex: named group frame, optional ts, station, dir.",
)
@click.option(
    "--action",
    shell_complete=complete_action,
    metavar="NAME",
    help="The file holds one bare payload of this action (a request unless --response).",
)
@click.option("--response", is_flag=True, help="With --action: the payload is the action's response.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="Human text, or one JSON finding per line and a last summary line.",
)
@click.option("--json", "as_json", is_flag=True, help="Shorthand for --format json.")
@color_option()
@click.option("-q", "--quiet", is_flag=True, help="Print no findings, only the totals.")
@click.option(
    "--max-findings",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Print at most N findings; counting goes on.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1, max=64),
    default=None,
    metavar="N",
    help="Check a big capture with N processes, each taking a part of the file (default: one per "
    "core, up to 4, for a capture of records, or with --ocpp of bare frames, of 8 MB or more). "
    "Output is the same as with 1.",
)
@click.option(
    "--max-line",
    type=click.IntRange(min=1024),
    default=16 << 20,
    metavar="BYTES",
    help="Longest line read, in bytes (default 16 MiB); a longer one is one finding, not held in memory.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option(
    "--select",
    multiple=True,
    callback=_codes,
    shell_complete=complete_codes,
    metavar="CODE",
    help="Report only these finding codes (repeatable, or comma-separated).",
)
@click.option(
    "--ignore",
    multiple=True,
    callback=_codes,
    shell_complete=complete_codes,
    metavar="CODE",
    help="Do not report these finding codes (repeatable, or comma-separated).",
)
@click.pass_context
def validate(
    ctx: click.Context,
    files: tuple[str, ...],
    ocpp: str | None,
    pattern: re.Pattern[str] | None,
    action: str | None,
    response: bool,
    fmt: str,
    as_json: bool,
    color: str,
    quiet: bool,
    max_findings: int | None,
    jobs: int | None,
    max_line: int,
    strict: bool,
    select: frozenset[str],
    ignore: frozenset[str],
) -> int:
    """Check captured OCPP-J frames (1.6, 2.0.1, 2.1) against the official OCA JSON schemas.

    FILE is a capture in JSON Lines (capture records or bare frames), a .json file holding one
    frame or an array of frames, a plain-text log with frames inside its lines, or - for
    standard input; gzip is read as such. Each file is its own stream: calls are matched to
    their results by unique id per station connection.

    Exit status: 0 no errors, 1 errors found (warnings too with --strict), 2 usage error or an
    input that cannot be read.
    """
    from ocppctl.cli.validate_run import Printer, check_files

    env = env_of(ctx)
    if response and not action:
        raise click.UsageError("--response goes with --action NAME")
    if select & ignore:  # nothing of those codes would be reported: surely not what was meant
        raise click.UsageError(f"{', '.join(sorted(select & ignore))}: both selected and ignored")
    if not files:
        if env.stdin_isatty:
            raise click.UsageError("give a capture file, or - to read standard input")
        files = ("-",)
    from ocppctl.render.style import wants_color

    printer = Printer(
        env.stdout,
        json_lines=as_json or fmt == "json",
        color=wants_color(color, env.stdout_isatty, env.environ),
        quiet=quiet,
        limit=max_findings,
    )
    summary, unreadable = check_files(
        files,
        env,
        printer,
        ocpp=ocpp,
        pattern=pattern,
        action=action,
        response=response,
        select=select,
        ignore=ignore,
        jobs=jobs,
        max_line=max_line,
    )
    failed = summary.errors > 0 or (strict and summary.warnings > 0)
    code = combine(ExitCode.USAGE if unreadable else 0, ExitCode.FINDINGS if failed else 0)
    printer.finish(summary, code)
    return code
