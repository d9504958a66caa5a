"""The control socket (transport/control.py): where it lives and who may own it, the typed
request and reply, and their bounds. The suite runs as root: another local user is simulated
with uid 65534 (nobody) on folders and sockets the test makes."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ocppctl.transport import control
from ocppctl.transport.client import LinkError
from ocppctl.transport.control import ControlError, control_request, default_control_path, open_control

OTHER_UID = 65534


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A folder of ours under /tmp with a short name (socket paths are limited to ~100 bytes)."""
    folder = tempfile.mkdtemp(prefix="oc-")
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fallback(short_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No XDG_RUNTIME_DIR, a temp directory of the test's own: the default control folder is
    the fallback one (returned; not made yet)."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))
    return short_tmp / f"ocppctl-{os.getuid()}"


async def _nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def _open(path: str) -> None:
    server = await open_control(path, _nothing)
    server.close()
    await server.wait_closed()


def _refused(path: str) -> str:
    with pytest.raises(LinkError) as caught:
        asyncio.run(_open(path))
    assert "\n" not in caught.value.message
    return caught.value.message


def test_the_fallback_folder_is_made_ours_and_0700(fallback: Path) -> None:
    path = default_control_path()
    assert path == f"{fallback}/hub.sock"
    old = os.umask(0o077)  # stricter than 0700 would leave: the folder is made 0700 anyway
    try:
        asyncio.run(_open(path))
    finally:
        os.umask(old)
    info = fallback.stat()
    assert (info.st_uid, oct(info.st_mode & 0o777)) == (os.getuid(), "0o700")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_a_fallback_folder_made_by_another_user_is_refused(fallback: Path) -> None:
    fallback.mkdir(mode=0o700)
    os.chown(fallback, OTHER_UID, OTHER_UID)
    path = default_control_path()
    assert _refused(path) == (f"refusing the control socket {path}: {fallback} is owned by uid {OTHER_UID}, not by you")
    assert os.listdir(fallback) == []


def test_a_fallback_folder_open_to_others_is_refused(fallback: Path) -> None:
    fallback.mkdir()
    fallback.chmod(0o777)
    path = default_control_path()
    assert _refused(path) == f"refusing the control socket {path}: {fallback} has mode 0777, not 0700"
    assert os.listdir(fallback) == []


def test_a_fallback_folder_that_is_a_symlink_is_refused(fallback: Path, short_tmp: Path) -> None:
    (short_tmp / "elsewhere").mkdir(mode=0o700)
    fallback.symlink_to(short_tmp / "elsewhere")
    path = default_control_path()
    assert _refused(path) == f"refusing the control socket {path}: {fallback} is a symlink"
    assert os.listdir(short_tmp / "elsewhere") == []


def test_a_client_never_connects_through_a_foreign_fallback_folder(fallback: Path) -> None:
    """The attack of issue 17: another user made the folder and put a socket of theirs in it;
    `send --via` (the default path) must refuse before connecting, so it sends nothing."""
    fallback.mkdir(mode=0o777)
    fallback.chmod(0o777)
    path = default_control_path()
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen()
    listener.setblocking(False)
    os.chown(path, OTHER_UID, OTHER_UID)
    with listener:
        with pytest.raises(ControlError) as caught:
            asyncio.run(control_request(path, {"op": "stations"}, "no hub", 2))
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    assert caught.value.message == f"refusing the control socket {path}: {fallback} has mode 0777, not 0700"
    assert caught.value.exit_code == 5


def test_a_client_never_connects_to_a_socket_of_another_user(short_tmp: Path) -> None:
    path = str(short_tmp / "hub.sock")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen()
    listener.setblocking(False)
    os.chown(path, OTHER_UID, OTHER_UID)
    with listener:
        with pytest.raises(ControlError) as caught:
            asyncio.run(control_request(path, {"op": "stations"}, "no hub", 2))
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert caught.value.message == (
        f"refusing the control socket {path}: the socket is owned by uid {OTHER_UID}, not by you"
    )


def test_a_control_folder_others_can_write_to_is_refused(short_tmp: Path) -> None:
    folder = short_tmp / "open"
    folder.mkdir()
    folder.chmod(0o757)
    path = str(folder / "hub.sock")
    assert _refused(path) == f"refusing the control socket {path}: {folder} has mode 0757: others can write to it"
    with pytest.raises(ControlError):
        asyncio.run(control_request(path, {"op": "stations"}, "no hub", 2))


def test_a_sticky_folder_like_tmp_is_accepted(short_tmp: Path) -> None:
    folder = short_tmp / "sticky"
    folder.mkdir()
    folder.chmod(0o1777)
    asyncio.run(_open(str(folder / "hub.sock")))


def test_control_at_a_regular_file_is_refused_and_the_file_kept(short_tmp: Path) -> None:
    path = short_tmp / "notes.txt"
    path.write_text("keep me\n")
    assert _refused(str(path)) == (
        f"refusing the control socket {path}: it is a file, not a socket (ocppctl never replaces one)"
    )
    assert path.read_text() == "keep me\n"


def test_control_at_a_directory_is_refused_in_one_line(short_tmp: Path) -> None:
    (short_tmp / "d").mkdir()
    assert _refused(str(short_tmp / "d")) == f"refusing the control socket {short_tmp}/d: it is a directory"
    assert (short_tmp / "d").is_dir()


def test_control_at_a_symlink_is_refused(short_tmp: Path) -> None:
    (short_tmp / "target").write_text("x")
    (short_tmp / "hub.sock").symlink_to(short_tmp / "target")
    assert _refused(str(short_tmp / "hub.sock")) == f"refusing the control socket {short_tmp}/hub.sock: it is a symlink"
    assert (short_tmp / "target").read_text() == "x"


def test_a_stale_socket_of_ours_is_replaced(short_tmp: Path) -> None:
    path = str(short_tmp / "hub.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()  # the file stays, nobody listens
    asyncio.run(_open(path))
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_a_live_hub_is_not_replaced(short_tmp: Path) -> None:
    path = str(short_tmp / "hub.sock")

    async def twice() -> Any:
        first = await open_control(path, _nothing)
        try:
            with pytest.raises(LinkError) as caught:
                await open_control(path, _nothing)
            return caught.value.message
        finally:
            first.close()

    assert asyncio.run(twice()) == f"a hub already answers at {path} (--control names another socket)"


def test_a_stale_socket_of_another_user_is_not_replaced(short_tmp: Path) -> None:
    path = str(short_tmp / "hub.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()
    os.chown(path, OTHER_UID, OTHER_UID)
    assert _refused(path) == f"refusing the control socket {path}: the socket is owned by uid {OTHER_UID}, not by you"
    assert os.path.exists(path)


def test_a_missing_folder_is_no_hub(short_tmp: Path) -> None:
    path = str(short_tmp / "nothere" / "hub.sock")
    with pytest.raises(LinkError) as caught:
        asyncio.run(control_request(path, {"op": "stations"}, "no hub", 2))
    assert caught.value.message == "no hub"
    assert control.check_control_path(path) is False
