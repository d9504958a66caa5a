"""The REPL's settings and history (repl/config.py): the packaged defaults, the user's file
where XDG says, each bad value named once, and a history file kept private and bounded."""

from __future__ import annotations

import configparser
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ocppctl.repl.config import (
    DEFAULTS,
    BoundedHistory,
    Settings,
    config_path,
    history_path,
    load_settings,
    xdg_dir,
)

DEFAULT_SETTINGS = Settings(style="native", auto_answer=True, history_size=1000, fold_lines=20, problems=[])


def _user_file(tmp_path: Path, text: str | bytes) -> Path:
    """The user's config file under HOME=tmp_path (no XDG_CONFIG_HOME)."""
    path = tmp_path / ".config" / "ocppctl" / "config"
    path.parent.mkdir(parents=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# --- where the files are -------------------------------------------------------------------------


def test_config_and_history_paths_follow_xdg() -> None:
    assert config_path({"HOME": "/h"}) == Path("/h/.config/ocppctl/config")
    assert config_path({"HOME": "/h", "XDG_CONFIG_HOME": "/x"}) == Path("/x/ocppctl/config")
    assert history_path({"HOME": "/h"}) == Path("/h/.local/state/ocppctl/history")
    assert history_path({"HOME": "/h", "XDG_STATE_HOME": "/s"}) == Path("/s/ocppctl/history")


@pytest.mark.parametrize("value", ["", "relative/dir", "./x", "~/x"])
def test_an_xdg_variable_that_is_not_an_absolute_path_is_ignored(value: str) -> None:
    assert xdg_dir({"HOME": "/h", "XDG_CONFIG_HOME": value}, "XDG_CONFIG_HOME", ".config") == Path("/h/.config/ocppctl")
    assert config_path({"HOME": "/h", "XDG_CONFIG_HOME": value}) == Path("/h/.config/ocppctl/config")


# --- settings ------------------------------------------------------------------------------------


def test_the_packaged_defaults_file_says_what_settings_defaults_are() -> None:
    parser = configparser.ConfigParser()
    assert parser.read(DEFAULTS, encoding="utf-8") == [str(DEFAULTS)]
    assert dict(parser["repl"]) == {
        "style": "native",
        "auto_answer": "on",
        "history_size": "1000",
        "fold_lines": "20",
    }


def test_no_user_file_gives_the_defaults(tmp_path: Path) -> None:
    assert not config_path({"HOME": str(tmp_path)}).exists()
    assert load_settings({"HOME": str(tmp_path)}) == DEFAULT_SETTINGS


@pytest.mark.parametrize("text", ["", "# nothing set\n", "[repl]\n"])
def test_a_user_file_that_sets_nothing_gives_the_defaults(tmp_path: Path, text: str) -> None:
    _user_file(tmp_path, text)
    assert load_settings({"HOME": str(tmp_path)}) == DEFAULT_SETTINGS


def test_a_user_file_overrides_each_key(tmp_path: Path) -> None:
    _user_file(tmp_path, "[repl]\nstyle = monokai\nauto_answer = off\nhistory_size = 5\nfold_lines = 7\n")
    assert load_settings({"HOME": str(tmp_path)}) == Settings(
        style="monokai", auto_answer=False, history_size=5, fold_lines=7, problems=[]
    )


@pytest.mark.parametrize(
    ("text", "changed"),
    [
        ("[repl]\nstyle = monokai\n", {"style": "monokai"}),
        ("[repl]\nauto_answer = no\n", {"auto_answer": False}),
        ("[repl]\nauto_answer = false\n", {"auto_answer": False}),
        ("[repl]\nauto_answer = 0\n", {"auto_answer": False}),
        ("[repl]\nhistory_size = 50\n", {"history_size": 50}),
        ("[repl]\nfold_lines = 40\n", {"fold_lines": 40}),
    ],
)
def test_a_user_file_overrides_one_key_and_keeps_the_others(tmp_path: Path, text: str, changed: dict[str, Any]) -> None:
    _user_file(tmp_path, text)
    expected = replace(DEFAULT_SETTINGS, problems=[], **changed)
    assert load_settings({"HOME": str(tmp_path)}) == expected


def test_xdg_config_home_is_honoured(tmp_path: Path) -> None:
    home, xdg = tmp_path / "home", tmp_path / "xdg"
    (home / ".config" / "ocppctl").mkdir(parents=True)
    (home / ".config" / "ocppctl" / "config").write_text("[repl]\nfold_lines = 9\n", encoding="utf-8")
    (xdg / "ocppctl").mkdir(parents=True)
    (xdg / "ocppctl" / "config").write_text("[repl]\nfold_lines = 33\n", encoding="utf-8")
    assert load_settings({"HOME": str(home), "XDG_CONFIG_HOME": str(xdg)}).fold_lines == 33
    assert load_settings({"HOME": str(home)}).fold_lines == 9


def test_a_relative_xdg_config_home_falls_back_to_home_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / ".config" / "ocppctl").mkdir(parents=True)
    (home / ".config" / "ocppctl" / "config").write_text("[repl]\nfold_lines = 9\n", encoding="utf-8")
    (tmp_path / "xdg" / "ocppctl").mkdir(parents=True)
    (tmp_path / "xdg" / "ocppctl" / "config").write_text("[repl]\nfold_lines = 33\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # "xdg" would name tmp_path/xdg if it were taken as relative
    assert load_settings({"HOME": str(home), "XDG_CONFIG_HOME": "xdg"}).fold_lines == 9


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[repl]\nauto_answer = maybe\n", "auto_answer = 'maybe' is not valid; the default is used"),
        ("[repl]\nauto_answer =\n", "auto_answer = '' is not valid; the default is used"),
        ("[repl]\nhistory_size = lots\n", "history_size = 'lots' is not valid; the default is used"),
        ("[repl]\nhistory_size = 1.5\n", "history_size = '1.5' is not valid; the default is used"),
        ("[repl]\nstyle = nosuchstyle\n", "style 'nosuchstyle' is not a Pygments style; 'native' is used"),
        ("[repl]\nfold_lines = x\n", "fold_lines = 'x' is not a number"),
        ("[repl]\nhistory_size = -5\n", "history_size = -5 is below 0; the default is used"),
        ("[repl]\nfold_line = 5\n", 'fold_line is not a setting (did you mean "fold_lines"?); it is ignored'),
        (
            "[repl]\ncolour = on\n",
            "colour is not a setting (known: style, auto_answer, history_size, fold_lines); it is ignored",
        ),
        ("[other]\nstyle = monokai\n", "section [other] is not read; the settings go under [repl]"),
    ],
)
def test_a_bad_value_is_named_once_and_left_at_its_default(tmp_path: Path, text: str, problem: str) -> None:
    user = _user_file(tmp_path, text)
    assert load_settings({"HOME": str(tmp_path)}) == Settings(
        style="native", auto_answer=True, history_size=1000, fold_lines=20, problems=[f"{user}: {problem}"]
    )


@pytest.mark.parametrize(("value", "used"), [("1", 2), ("-3", 2)])
def test_a_fold_below_two_lines_is_named_and_two_is_used(tmp_path: Path, value: str, used: int) -> None:
    user = _user_file(tmp_path, f"[repl]\nfold_lines = {value}\n")
    assert load_settings({"HOME": str(tmp_path)}) == replace(
        DEFAULT_SETTINGS, fold_lines=used, problems=[f"{user}: fold_lines = {value} is below 2; 2 is used"]
    )


def test_each_bad_value_is_named_and_the_good_ones_apply(tmp_path: Path) -> None:
    user = _user_file(tmp_path, "[repl]\nstyle = nosuchstyle\nauto_answer = off\nhistory_size = lots\nfold_lines = x\n")
    assert load_settings({"HOME": str(tmp_path)}) == Settings(
        style="native",
        auto_answer=False,
        history_size=1000,
        fold_lines=20,
        problems=[
            f"{user}: style 'nosuchstyle' is not a Pygments style; 'native' is used",
            f"{user}: history_size = 'lots' is not valid; the default is used",
            f"{user}: fold_lines = 'x' is not a number",
        ],
    )


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("not an ini file\nstyle = monokai\n", "File contains no section headers."),
        (
            b"\xff\xfe[repl]\n",
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_named_and_the_defaults_are_used(
    tmp_path: Path, content: str | bytes, why: str
) -> None:
    user = _user_file(tmp_path, content)
    assert load_settings({"HOME": str(tmp_path)}) == Settings(
        style="native",
        auto_answer=True,
        history_size=1000,
        fold_lines=20,
        problems=[f"{user}: ignored, it cannot be read: {why}"],
    )


def test_a_file_that_breaks_the_ini_rules_midway_is_ignored_whole(tmp_path: Path) -> None:
    user = _user_file(tmp_path, "[repl]\nstyle = monokai\nstyle = native\n")
    settings = load_settings({"HOME": str(tmp_path)})
    assert settings.style == "native"
    assert settings.problems == [
        f"{user}: ignored, it cannot be read: While reading from {str(user)!r} [line  3]: "
        "option 'style' in section 'repl' already exists"
    ]


def test_a_config_file_that_cannot_be_opened_is_named(tmp_path: Path) -> None:
    user = config_path({"HOME": str(tmp_path)})
    user.mkdir(parents=True)  # exists, but cannot be opened as a file
    problems = load_settings({"HOME": str(tmp_path)}).problems
    assert len(problems) == 1
    assert problems[0] == f"{user}: ignored, it cannot be opened: Is a directory"


# --- history -------------------------------------------------------------------------------------


def test_the_history_file_is_created_0600_in_a_folder_made_0700(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path / "home"), "XDG_STATE_HOME": str(tmp_path / "state")}
    path = history_path(environ)
    assert path == tmp_path / "state" / "ocppctl" / "history"
    BoundedHistory(path, 10)
    assert path.is_file()
    assert path.read_bytes() == b""
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_an_existing_looser_history_file_is_tightened_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "ocppctl" / "history"
    BoundedHistory(path, 10).append_string("Reset type=Immediate")
    os.chmod(path, 0o644)
    history = BoundedHistory(path, 10)
    assert _mode(path) == 0o600
    assert list(history.load_history_strings()) == ["Reset type=Immediate"]


def test_a_new_history_loads_only_the_newest_entries_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "ocppctl" / "history"
    history = BoundedHistory(path, 3)
    for entry in ["one", "two", "three", "four", "five"]:
        history.append_string(entry)
    assert list(BoundedHistory(path, 3).load_history_strings()) == ["five", "four", "three"]
    # the first reopening cut the file back to the newest three: a larger size finds no more
    assert list(BoundedHistory(path, 10).load_history_strings()) == ["five", "four", "three"]


def test_a_multi_line_entry_comes_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "ocppctl" / "history"
    BoundedHistory(path, 3).append_string('Reset {"type":\n"Immediate"\n}')
    assert list(BoundedHistory(path, 3).load_history_strings()) == ['Reset {"type":\n"Immediate"\n}']


def test_the_history_file_is_cut_back_to_the_newest_entries_when_a_session_starts(tmp_path: Path) -> None:
    path = tmp_path / "ocppctl" / "history"
    history = BoundedHistory(path, 3)
    for entry in ["one", "two", "three", "four", "five"]:
        history.append_string(entry)
    BoundedHistory(path, 3)  # the next session starts
    # a reader with room for more sees what the file holds
    assert list(BoundedHistory(path, 100).load_history_strings()) == ["five", "four", "three"]
    assert "one" not in path.read_text() and path.stat().st_mode & 0o777 == 0o600


def test_a_history_that_cannot_be_kept_is_said_in_one_line_and_the_session_goes_on(tmp_path: Path) -> None:
    import io

    from ocppctl.cli.env import Env
    from ocppctl.cli.repl_run import _history

    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the state folder should be
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=None, environ={"XDG_STATE_HOME": str(blocked)})
    assert _history(env, Settings()) is None
    assert env.stderr.getvalue() == f"ocppctl: no history this session: {blocked}/ocppctl/history: Not a directory\n"
