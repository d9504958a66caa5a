"""What `validate` does once its options are read: open each input, feed the stream checker,
print findings as they come. Kept apart from the click command so its import stays light."""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
from typing import TextIO

from ocppctl.cli.env import Env
from ocppctl.core.capture import LongLine, split_document
from ocppctl.core.checks import resolve_action
from ocppctl.core.findings import Finding
from ocppctl.core.stream import CheckOptions, StreamChecker, UndecodableLine, check_payload
from ocppctl.core.summary import Report, Summary
from ocppctl.core.versions import get_version
from ocppctl.errors import InputError, UsageFailure
from ocppctl.io.inputs import MAX_LINE, Input, open_input
from ocppctl.io.schemafiles import default_registry
from ocppctl.render.findings import finding_json, finding_text, summary_json, summary_text, totals_line

MIN_BYTES = 8 * 1024 * 1024  # a smaller file is checked by one process: workers would cost more


class OutputClosed(Exception):
    """Standard output's reader went away (`| head -1`, `| true`): validate stops quietly, its
    exit status covering what was checked until then."""


class Printer:
    """Writes findings as they arrive (text or JSON lines), honouring --quiet and --max-findings.
    When the reader of its stream goes away it raises OutputClosed, once, and writes no more."""

    def __init__(self, out: TextIO, json_lines: bool, color: bool, quiet: bool, limit: int | None) -> None:
        self.out = out
        self.json_lines = json_lines
        self.color = color
        self.quiet = quiet
        self.limit = limit
        self.printed = 0
        self.held_back = 0
        self.closed = False

    def __call__(self, finding: Finding) -> None:
        if self.quiet:
            return
        if self.limit is not None and self.printed >= self.limit:
            self.held_back += 1
            return
        self.printed += 1
        text = (finding_json(finding) if self.json_lines else finding_text(finding, self.color)) + "\n"
        if self.closed:
            return
        try:
            self.out.write(text)
        except BrokenPipeError:
            self._gone()
            raise OutputClosed from None

    def _gone(self) -> None:
        """Nobody reads any more: later writes and the last flush go to the null device, so no
        'Exception ignored' or click's exit 1 follows."""
        self.closed = True
        # not a file (a test's StringIO): nothing will flush it
        with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.out.fileno())

    def finish(self, summary: Summary, exit_code: int) -> None:
        if self.closed:
            return
        try:
            self._finish(summary, exit_code)
            self.out.flush()
        except BrokenPipeError:
            self._gone()

    def _finish(self, summary: Summary, exit_code: int) -> None:
        if self.json_lines:
            self.out.write(summary_json(summary, exit_code, self.held_back) + "\n")
            return
        if self.held_back:
            more = "finding" if self.held_back == 1 else "findings"
            self.out.write(f"… {self.held_back:,} more {more} not shown (--max-findings {self.limit})\n")
        if self.quiet:
            self.out.write(totals_line(summary, self.color) + "\n")
        else:
            if self.printed or self.held_back:
                self.out.write("\n")
            self.out.write(summary_text(summary, self.color) + "\n")


def check_files(
    files: tuple[str, ...],
    env: Env,
    printer: Printer,
    *,
    ocpp: str | None,
    pattern: re.Pattern[str] | None,
    action: str | None,
    response: bool,
    select: frozenset[str],
    ignore: frozenset[str],
    jobs: int | None = None,
    max_line: int = MAX_LINE,
) -> tuple[Summary, bool]:
    """Check every input; return the summary and whether any input could not be read."""
    summary = Summary()
    report = Report(summary, printer, select, ignore)
    try:
        registry = default_registry()
        registry_version = get_version(ocpp) if ocpp else None
    except FileNotFoundError as exc:
        raise UsageFailure(str(exc)) from None
    kind = "request"
    if action is not None:
        if registry_version is None:
            raise UsageFailure("--action needs --ocpp: a bare payload does not say its version")
        action, kind = resolve_action(registry_version, action, response)
    unreadable = False
    for path in files:
        try:
            source = open_input(path, env.stdin)
            source.max_line = max_line
        except InputError as exc:
            env.stderr.write(f"ocppctl: error: {exc.message}\n")
            unreadable = True
            continue
        summary.files += 1
        try:
            if action is not None:
                assert registry_version is not None
                check_payload(
                    registry,
                    registry_version,
                    action,
                    kind,
                    source.read_text(),
                    report,
                    source.name,
                )
                continue
            workers = 1 if source.is_document or pattern is not None else _jobs(path, jobs)
            if workers > 1:
                from ocppctl.cli.validate_jobs import check_parallel, plain_file, split_version

                assumed = split_version(path, registry_version)
                if assumed is not None:
                    options = CheckOptions(registry_version, None, None if registry_version else assumed)
                    with plain_file(source, path) as plain:
                        if plain is not None:
                            check_parallel(plain, source.name, options, report, workers)
                            continue
                    source.close()  # read by one process after all, from the start
                    source = open_input(path, env.stdin)
                    source.max_line = max_line
            checker = StreamChecker(registry, report, source.name, CheckOptions(registry_version, pattern))
            _feed(checker, source, pattern is not None)
            checker.finish()
        except InputError as exc:
            env.stderr.write(f"ocppctl: error: {exc.message}\n")
            unreadable = True
        except UndecodableLine as exc:
            env.stderr.write(f"ocppctl: error: {source.name}: {exc}; re-encode the file as UTF-8\n")
            unreadable = True
        except OutputClosed:
            break  # nobody reads the findings: stop (the exit status says what was found so far)
        finally:
            if path != "-":
                source.close()
    return summary, unreadable


def _jobs(path: str, requested: int | None) -> int:
    """Processes for one file; multiprocessing is imported only for a file big enough to split."""
    if requested == 1 or path == "-":
        return 1
    if requested is None:
        try:
            if os.path.getsize(path) < MIN_BYTES:
                return 1
        except OSError:
            return 1
    from ocppctl.cli.validate_jobs import jobs_for

    return jobs_for(path, requested)


def _feed(checker: StreamChecker, source: Input, pattern: bool) -> None:
    """Feed a source line by line, or, for a .json file or a pretty-printed JSON document on
    stdin or under another name, element by element. Leading blank lines are counted, not kept."""
    if source.is_document:
        _feed_text(checker, source.read_text())
        return
    blank, start = source.skip_blank()
    lines = source.lines(blank, start)
    head: list[bytes | LongLine] = []
    for line in lines:
        if type(line) is bytes and not line.strip():
            blank += 1  # after a BOM, or a block that ended inside a blank line
            continue
        head.append(line)
        break
    first = head[-1].strip() if head and type(head[-1]) is bytes else b""
    if first in (b"[", b"{") and not pattern:
        # A document pretty-printed over several lines (as json.dumps(indent=...) and jq write
        # them). Anything else streams line by line, so memory stays flat and findings come
        # as the lines do.
        parts = [line if type(line) is bytes else b"\n" for line in itertools.chain(head, lines)]
        data = b"".join(parts)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UndecodableLine(blank + data.count(b"\n", 0, exc.start) + 1, exc.reason) from None
        _feed_text(checker, text, blank)
    else:
        checker.feed_lines(itertools.chain(head, lines), blank + 1)


def _feed_text(checker: StreamChecker, text: str, offset: int = 0) -> None:
    """A whole text: a JSON document's elements, else its lines; `offset` blank lines came before it."""
    document = split_document(text)
    if document is not None:
        for item in document:
            if offset:
                item.line += offset
            checker.feed_item(item)
    else:  # not one frame or an array of them: read it as lines
        checker.feed_lines(text.split("\n"), offset + 1)
