"""The transcripts in docs/*.md and README.md are what ocppctl prints: each is run and compared.

Transcript syntax (docs/README.md says the same):

- A transcript is a fenced code block (```` ``` ```` with no info string, or `console`) whose
  first line starts with `$ `. Indented blocks and other fenced blocks are prose, not run.
- Each line starting with `$ ` is a command, run by bash; the lines after it, up to the next
  `$ ` line or the closing fence, are its output: stdout and stderr together, in the order a
  terminal shows them.
- The commands of one block share one shell and one fresh directory, so `echo $?` gives the
  exit status of the command before it and a file one command makes is there for the next.
  The directory holds `examples/` of the repository, its captures also at the top
  (`capture-1.6.log`, `capture-2.0.1.jsonl`, ...) and `capture-2.0.1.jsonl.gz`.
- `$ cat FILE` shows a file the transcript uses: the test writes the output shown to FILE
  before any block of the same page runs, so a page can show an input and use it later.
- An HTML comment `<!-- transcript: setup COMMAND -->` runs COMMAND (bash, output unchecked) in
  the directory of the next block before it: for an input a page uses without showing it.
- `<!-- transcript: skip REASON -->` before a block skips it, saying why (a peer the test
  cannot start, a clock).
- `<!-- transcript: live -->` before a block runs it beside a real hub and station: `ocppctl
  listen --listen 127.0.0.1:0` and `ocppctl sim station` as CP001 connected to it, both on the
  default control sockets (`XDG_RUNTIME_DIR` is a directory of the test's), so a page shows
  `ocppctl send ... --station CP001` as a user types it. Options after `live` are the
  station's (`<!-- transcript: live --ocpp 1.6 -->`, `--model FILE`, `--full`), run in the
  block's directory (so a FILE the page shows with `$ cat FILE` is there); what the station
  prints is in `station.log` there, so a page can show the frames it got.
- A line `...` alone in an output stands for any number of lines there (a page showing the
  findings of a run, not its summary, ends them with `...`).
- A block still running after 15 s (every one takes 2 s at most) is stopped, and fails.

Normalised, on both sides alike, by these rules only: trailing spaces of each line and
trailing blank lines; a UUID is `<uuid>`; `127.0.0.1:PORT` is `127.0.0.1:<port>`; the `  at
PATH` line of `ocppctl --version` is `  at <path>`; a duration `2.4 ms` is `<n> ms`; and the
test's `XDG_RUNTIME_DIR` is shown as `/run/user/1000`, a user's usual one.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]

_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*transcript:\s*(setup|skip|live)\b\s*(.*?)\s*-->\s*$")
_CAT = re.compile(r"^cat (\S+)$")
_RULES = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"^  at /.*$", re.M), "  at <path>"),
    (re.compile(r"(?<![\w.])\d+\.\d+ ms\b"), "<n> ms"),
]
_SEPARATOR = "\x1etranscript-command-done\x1e\n"


@dataclass
class Step:
    command: str
    expected: str


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    steps: list[Step]
    setup: list[str] = field(default_factory=list)
    skip: str | None = None
    live: list[str] | None = None  # the options of `sim station` for a live block

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def transcripts(page: Path) -> list[Block]:
    """The transcript blocks of a page, with the setup and skip marks before each."""
    blocks: list[Block] = []
    setup: list[str] = []
    skip: str | None = None
    live: list[str] | None = None
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        mark = _MARK.match(lines[i])
        fence = _FENCE.match(lines[i])
        if mark:
            if mark.group(1) == "setup":
                setup.append(mark.group(2))
            elif mark.group(1) == "live":
                live = shlex.split(mark.group(2))
            else:
                skip = mark.group(2)
        elif fence:
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines))
            body = lines[i + 1 : end]
            if fence.group(1) in ("", "console") and body and body[0].startswith("$ "):
                blocks.append(Block(page, i + 1, _steps(body), setup, skip, live))
            setup, skip, live = [], None, None
            i = end
        i += 1
    return blocks


def _steps(body: list[str]) -> list[Step]:
    steps: list[Step] = []
    for line in body:
        if line.startswith("$ "):
            steps.append(Step(line[2:], ""))
        else:
            steps[-1].expected += line + "\n"
    return steps


def _normal(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n")


def _workdir(tmp: Path, page_blocks: list[Block]) -> Path:
    """A fresh directory with the examples, and the files the page shows with `$ cat FILE`."""
    shutil.copytree(ROOT / "examples", tmp / "examples")
    for capture in (ROOT / "examples").iterdir():
        if capture.suffix in (".log", ".jsonl", ".json"):
            shutil.copy(capture, tmp / capture.name)
    data = (ROOT / "examples" / "capture-2.0.1.jsonl").read_bytes()
    (tmp / "capture-2.0.1.jsonl.gz").write_bytes(gzip.compress(data, mtime=0))
    for block in page_blocks:
        for step in block.steps:
            shown = _CAT.match(step.command)
            if shown and not (tmp / shown.group(1)).exists():
                (tmp / shown.group(1)).write_text(step.expected, encoding="utf-8")
    return tmp


def _environ(runtime: str) -> dict[str, str]:
    environ = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr in the order written, as on a terminal
        "LC_ALL": "C.UTF-8",
        "XDG_RUNTIME_DIR": runtime,  # the default control sockets: the test's own
    }
    environ.pop("NO_COLOR", None)
    return environ


@contextlib.contextmanager
def _hub_and_station(environ: dict[str, str], options: list[str], where: Path) -> Iterator[None]:
    """`ocppctl listen` on port 0 and `ocppctl sim station` CP001 (with `options`, run in `where`,
    printing to `where`/station.log) connected to it, on the default control sockets of `environ`;
    both stopped (SIGTERM, by their process) on leaving."""
    from ocppctl.cli.completion import hub_stations

    ocppctl = str(Path(sys.executable).parent / "ocppctl")
    started: list[subprocess.Popen[str]] = []
    log = (where / "station.log").open("w", encoding="utf-8")
    try:
        hub = subprocess.Popen(
            [ocppctl, "listen", "--listen", "127.0.0.1:0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
        )
        started.append(hub)
        assert hub.stderr is not None
        port = hub.stderr.readline().split("127.0.0.1:")[-1].split()[0]  # listening on 127.0.0.1:PORT
        url = f"ws://127.0.0.1:{port}/CP001"
        started.append(
            subprocess.Popen(
                [ocppctl, "sim", "station", "--url", url, "--connect-timeout", "5", *options],
                cwd=where,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environ,
                text=True,
            )
        )
        control = os.path.join(environ["XDG_RUNTIME_DIR"], "ocppctl", "hub.sock")
        deadline = time.monotonic() + 15
        while hub_stations(control) != ["CP001"]:
            assert time.monotonic() < deadline, "the simulated station did not connect within 15 s"
            time.sleep(0.05)
        yield
    finally:
        for process in reversed(started):
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=15)
        log.close()


def _run(block: Block, where: Path, environ: dict[str, str], timeout: float = 15) -> list[str]:
    """Each command's output, stdout and stderr as they interleave, run in one bash. A block
    takes 2 s at most; one still running after `timeout` (a command waiting its 30 s --timeout
    for an answer that never comes) is stopped, its last output saying so, so it fails fast."""
    script = ["exec 2>&1", "__status=0"]
    script += [f"{{ {line}\n}} >/dev/null" for line in block.setup]
    for step in block.steps:
        script += [
            f"( exit $__status ); {step.command}",
            "__status=$?",
            "printf '\\036transcript-command-done\\036\\n'",
        ]
    with subprocess.Popen(
        ["bash", "-c", "\n".join(script)],
        cwd=where,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=environ,
        start_new_session=True,  # its own process group: stopped whole, with what it started
    ) as bash:
        try:
            stdout, _ = bash.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(bash.pid, signal.SIGKILL)
            stdout, _ = bash.communicate()
            stdout += f"(still running after {timeout:g} s: stopped)\n".encode()
    outputs = stdout.decode("utf-8", "replace").split(_SEPARATOR)
    return outputs[: len(block.steps)]


BLOCKS = [block for page in PAGES for block in transcripts(page)]


def test_there_are_transcripts_to_check() -> None:
    assert len(BLOCKS) >= 20 and {b.page.name for b in BLOCKS} >= {"validate.md", "exit-codes.md", "README.md"}


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.name)
def test_a_transcript_is_what_ocppctl_prints(block: Block, tmp_path: Path) -> None:
    if block.skip is not None:
        pytest.skip(block.skip)
    if Path(sys.executable).parent.joinpath("ocppctl").exists() is False:
        pytest.skip("the ocppctl script is not installed beside this Python")
    where = _workdir(tmp_path, [b for b in BLOCKS if b.page == block.page])
    runtime = tempfile.mkdtemp(prefix="oc-")  # short: a Unix socket path is ~100 bytes at most
    try:
        environ = _environ(runtime)
        live = _hub_and_station(environ, block.live, where) if block.live is not None else None
        with live or contextlib.nullcontext():
            outputs = [out.replace(runtime, "/run/user/1000") for out in _run(block, where, environ)]
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    shown = "".join(f"$ {s.command}\n{_normal(s.expected)}\n" for s in block.steps)
    got = "".join(f"$ {s.command}\n{_normal(out)}\n" for s, out in zip(block.steps, outputs, strict=False))
    if _pattern(shown).fullmatch(got) is None:
        assert got == shown, f"{block.name}: the page and ocppctl disagree"


def _pattern(shown: str) -> re.Pattern[str]:
    """The transcript as a regular expression: each line literal, a `...` line any lines."""
    parts = ["(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + "\n" for line in shown.splitlines()]
    return re.compile("".join(parts))


def test_the_syntax_is_read_as_documented(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "prose\n\n    $ ocppctl indented is not run\n\n"
        "```json\n$ not a transcript\n```\n\n"
        "<!-- transcript: setup printf x > in.txt -->\n"
        "```\n$ cat in.txt\nx\n$ echo $?\n0\n```\n\n"
        "<!-- transcript: skip needs a live CSMS -->\n"
        "```console\n$ ocppctl send Heartbeat\n```\n\n"
        "<!-- transcript: live --ocpp 1.6 --model 'my model.json' -->\n"
        "```\n$ ocppctl config get\n```\n\n"
        "<!-- transcript: live -->\n"
        "```\n$ ocppctl vars get A/B\n```\n",
        encoding="utf-8",
    )
    blocks = transcripts(page)
    assert [(b.line, b.setup, b.skip, b.live) for b in blocks] == [
        (10, ["printf x > in.txt"], None, None),
        (18, [], "needs a live CSMS", None),
        (23, [], None, ["--ocpp", "1.6", "--model", "my model.json"]),
        (28, [], None, []),
    ]
    assert blocks[0].steps == [Step("cat in.txt", "x\n"), Step("echo $?", "0\n")]
    assert _pattern("$ x\na\n...\nz\n").fullmatch("$ x\na\nb\nc\nz\n")
    assert _pattern("$ x\na\n...\n").fullmatch("$ x\na\n")
    assert not _pattern("$ x\na\n").fullmatch("$ x\na\nb\n")
    assert _normal("a 0d2a5e49-8f36-4f8a-b245-29dc0209ac5c b 127.0.0.1:35032  \n\n") == "a <uuid> b 127.0.0.1:<port>"


def test_a_block_still_running_is_stopped_and_fails(tmp_path: Path) -> None:
    block = Block(tmp_path / "page.md", 1, [Step("echo a", "a\n"), Step("echo b; sleep 30; echo c", "b\n")])
    started = time.monotonic()
    outputs = _run(block, tmp_path, _environ(str(tmp_path)), timeout=1)
    assert outputs == ["a\n", "b\n(still running after 1 s: stopped)\n"]
    assert time.monotonic() - started < 10
