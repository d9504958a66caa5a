"""The REPL's settings and history, where XDG says: defaults ship as a packaged file
(`ocppctlrc`), the user's `$XDG_CONFIG_HOME/ocppctl/config` is read over them; history lives
in `$XDG_STATE_HOME/ocppctl/history`, mode 0600 (it holds payloads, maybe secrets)."""

from __future__ import annotations

import configparser
import itertools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from prompt_toolkit.history import FileHistory

DEFAULTS = Path(__file__).with_name("ocppctlrc")


@dataclass
class Settings:
    style: str = "native"
    auto_answer: bool = True
    history_size: int = 1000
    fold_lines: int = 20
    problems: list[str] = field(default_factory=list)  # one line each, shown at start


def xdg_dir(environ: Mapping[str, str], variable: str, fallback: str) -> Path:
    """An XDG base directory: the variable when it holds an absolute path, else ~/fallback."""
    value = environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value) / "ocppctl"
    return Path(environ.get("HOME") or Path.home()) / fallback / "ocppctl"


def config_path(environ: Mapping[str, str]) -> Path:
    return xdg_dir(environ, "XDG_CONFIG_HOME", ".config") / "config"


def history_path(environ: Mapping[str, str]) -> Path:
    return xdg_dir(environ, "XDG_STATE_HOME", ".local/state") / "history"


def load_settings(environ: Mapping[str, str]) -> Settings:
    """The packaged defaults, then the user's file; a bad or out-of-range value, an unknown key
    or section, is named (Settings.problems) and left at its default or nearest bound."""
    parser = configparser.ConfigParser()
    parser.read(DEFAULTS, encoding="utf-8")
    user = config_path(environ)
    settings = Settings()
    try:
        if user.exists():
            parser.read_string(user.read_text(encoding="utf-8"), source=str(user))
    except OSError as exc:
        settings.problems.append(f"{user}: ignored, it cannot be opened: {exc.strerror or exc}")
    except (configparser.Error, UnicodeDecodeError) as exc:
        settings.problems.append(f"{user}: ignored, it cannot be read: {str(exc).splitlines()[0]}")
        parser = configparser.ConfigParser()
        parser.read(DEFAULTS, encoding="utf-8")
    _unknown(parser, user, settings.problems)
    section = parser["repl"]
    settings.style = _style(section.get("style", settings.style), user, settings.problems)
    for name, convert in (("auto_answer", section.getboolean), ("history_size", section.getint)):
        try:
            setattr(settings, name, convert(name, getattr(settings, name)))
        except ValueError:
            settings.problems.append(f"{user}: {name} = {section.get(name)!r} is not valid; the default is used")
    if settings.history_size < 0:
        settings.problems.append(f"{user}: history_size = {settings.history_size} is below 0; the default is used")
        settings.history_size = Settings.history_size
    try:
        fold_lines = section.getint("fold_lines", settings.fold_lines)
    except ValueError:
        settings.problems.append(f"{user}: fold_lines = {section.get('fold_lines')!r} is not a number")
    else:
        if fold_lines < 2:
            settings.problems.append(f"{user}: fold_lines = {fold_lines} is below 2; 2 is used")
        settings.fold_lines = max(2, fold_lines)
    return settings


def _unknown(parser: configparser.ConfigParser, where: Path, problems: list[str]) -> None:
    """A section or key that nothing reads (a typo, most likely): named, with the closest known one."""
    from ocppctl.core.hints import closest

    known = [f.name for f in fields(Settings) if f.name != "problems"]
    for name in parser.sections():
        if name != "repl":
            problems.append(f"{where}: section [{name}] is not read; the settings go under [repl]")
    for key in parser["repl"]:
        if key not in known and key not in parser.defaults():
            near = closest(key, known, cutoff=0.6)
            hint = f'did you mean "{near}"?' if near else f"known: {', '.join(known)}"
            problems.append(f"{where}: {key} is not a setting ({hint}); it is ignored")


def _style(name: str, where: Path, problems: list[str]) -> str:
    from pygments.styles import get_all_styles

    if name in set(get_all_styles()):
        return name
    problems.append(f"{where}: style {name!r} is not a Pygments style; 'native' is used")
    return "native"


class BoundedHistory(FileHistory):
    """prompt-toolkit's file history, created 0600, keeping the newest `size` entries (the file
    is cut back to them when a session starts)."""

    def __init__(self, path: Path, size: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)  # an older, looser file is tightened
        super().__init__(str(path))
        self.size = size
        kept = list(itertools.islice(super().load_history_strings(), size + 1))  # newest first
        if len(kept) > size:  # more than `size` on disk: keep only the newest
            path.write_text("", encoding="utf-8")
            for entry in reversed(kept[:size]):
                self.store_string(entry)

    def load_history_strings(self) -> Iterable[str]:
        for count, entry in enumerate(super().load_history_strings()):  # newest first
            if count >= self.size:
                break
            yield entry
