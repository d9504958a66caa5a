"""`ocppctl redact`: a capture with pseudonyms for its secrets, to share it safely."""

from __future__ import annotations

import click

from ocppctl.cli.options import env_of


@click.command("redact")
@click.argument("file", metavar="FILE")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    metavar="OUT",
    help="Write the redacted capture here (default: standard output).",
)
@click.pass_context
def redact(ctx: click.Context, file: str, output: str) -> int:
    """Copy a capture (FILE; '-' for stdin; gzip read as `validate` reads it) with consistent
    pseudonyms for idTags and idTokens, AuthorizationKey/BasicAuthPassword values and other
    passwords, certificates, CSRs and PEM blocks, serial numbers and IP addresses. The same value
    becomes the same pseudonym throughout the file (idTag-1, serial-2, 192.0.2.1), padded to the
    original's length, so correlation still works and the copy validates the same. Every other
    key of a record is kept; a redacted `raw` is re-encoded as compact JSON.

    \b
    ocppctl redact capture.jsonl -o shared.jsonl

    Exit status: 0 written, 2 a file that cannot be read or written.
    """
    from ocppctl.cli.redact_run import run_redact

    return run_redact(env_of(ctx), file, output)
