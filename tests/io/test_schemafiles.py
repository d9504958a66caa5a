"""ocppctl.io.schemafiles: the shipped schemas are found from the source tree (tests run from the
repository), read byte for byte, and shared by one registry per process."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V21, V201
from ocppctl.io import schemafiles

REPO = Path(__file__).resolve().parent.parent.parent


def test_schema_dir_is_the_repositorys_schemas_folder() -> None:
    """A str, not a Path: validate's start-up avoids importing pathlib."""
    where = schemafiles.schema_dir()
    assert isinstance(where, str)
    found = Path(where)
    assert found == REPO / "schemas"
    assert (found / "SHA256SUMS").is_file()
    assert {p.name for p in found.iterdir() if p.is_dir()} >= {"v16", "v201", "v21"}


def test_provenance_names_the_ocpp_package_release() -> None:
    assert "ocpp 2.1.0" in schemafiles.PROVENANCE
    assert "SHA256SUMS" in schemafiles.PROVENANCE


def test_file_loader_reads_the_shipped_bytes() -> None:
    load = schemafiles.file_loader()
    shipped = (REPO / "schemas" / "v201" / "HeartbeatRequest.json").read_bytes()
    assert load("v201/HeartbeatRequest.json") == shipped
    manifest = (REPO / "schemas" / "SHA256SUMS").read_text()
    assert f"{hashlib.sha256(shipped).hexdigest()}  v201/HeartbeatRequest.json" in manifest


def test_file_loader_with_another_root(tmp_path: Path) -> None:
    """Tests build registries over other folders (a str or a Path)."""
    (tmp_path / "v16").mkdir()
    (tmp_path / "v16" / "Heartbeat.json").write_bytes(b"{}")
    assert schemafiles.file_loader(tmp_path)("v16/Heartbeat.json") == b"{}"  # type: ignore[arg-type]
    assert schemafiles.file_loader(str(tmp_path))("v16/Heartbeat.json") == b"{}"


def test_file_loader_raises_file_not_found_for_a_missing_schema(tmp_path: Path) -> None:
    """The registry's Loader contract: FileNotFoundError when there is no such file."""
    with pytest.raises(FileNotFoundError):
        schemafiles.file_loader(str(tmp_path))("v16/Nope.json")


def test_default_registry_is_shared_and_serves_every_version() -> None:
    registry = schemafiles.default_registry()
    assert isinstance(registry, SchemaRegistry)
    assert schemafiles.default_registry() is registry
    for version, action in ((V16, "Heartbeat"), (V201, "Heartbeat"), (V21, "Heartbeat")):
        schema = registry.get(version, action, "request")
        assert schema is not None, version.name
        assert schema.is_valid({})
    raw = registry.raw(V201, "BootNotification", "request")
    assert raw == (REPO / "schemas" / "v201" / "BootNotificationRequest.json").read_bytes()


def test_missing_schemas_say_where_they_were_looked_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A broken install names both places it looked, so the user knows to reinstall."""
    fake_package = tmp_path / "site" / "ocppctl"
    (fake_package / "io").mkdir(parents=True)
    monkeypatch.setattr(schemafiles, "__file__", str(fake_package / "io" / "schemafiles.py"))
    schemafiles.schema_dir.cache_clear()
    try:
        with pytest.raises(FileNotFoundError) as raised:
            schemafiles.schema_dir()
    finally:
        monkeypatch.undo()
        schemafiles.schema_dir.cache_clear()
    message = str(raised.value)
    assert str(fake_package / "schemas") in message
    assert str(tmp_path / "site" / "schemas") in message
    assert message.endswith("reinstall ocppctl")
    assert Path(schemafiles.schema_dir()) == REPO / "schemas"


def test_installed_layout_is_preferred(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A non-editable install ships the schemas as package data in ocppctl/schemas/."""
    fake_package = tmp_path / "site" / "ocppctl"
    (fake_package / "io").mkdir(parents=True)
    (fake_package / "schemas").mkdir()
    (fake_package / "schemas" / "SHA256SUMS").write_text("")
    monkeypatch.setattr(schemafiles, "__file__", str(fake_package / "io" / "schemafiles.py"))
    schemafiles.schema_dir.cache_clear()
    try:
        assert Path(schemafiles.schema_dir()) == fake_package / "schemas"
    finally:
        monkeypatch.undo()
        schemafiles.schema_dir.cache_clear()
    assert Path(schemafiles.schema_dir()) == REPO / "schemas"
