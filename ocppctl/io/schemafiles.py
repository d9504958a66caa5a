"""Where the shipped schema files are, and a loader for the core's registry.

`schemas/` lives at the top of the repository. A non-editable install ships it as the
package data `ocppctl/schemas/` (setup.cfg maps it there); from the source tree, and in an
editable install, it is found beside the package. SHA256SUMS marks the real folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ocppctl.core.schemas import Loader, SchemaRegistry

PROVENANCE = "OCA JSON schemas as shipped by the PyPI package ocpp 2.1.0 (sha256 manifest in SHA256SUMS)"


@lru_cache(maxsize=1)
def schema_dir() -> Path:
    """The folder holding v16/, v201/, v21/ and SHA256SUMS."""
    here = Path(__file__).resolve().parent.parent  # the ocppctl package
    for candidate in (here / "schemas", here.parent / "schemas"):
        if (candidate / "SHA256SUMS").is_file():
            return candidate
    raise FileNotFoundError(
        f"ocppctl's schema files are missing (looked in {here / 'schemas'} and {here.parent / 'schemas'}); reinstall ocppctl"
    )


def file_loader(root: Path | None = None) -> Loader:
    """A loader reading 'v16/Authorize.json'-style paths under `root` (default: schema_dir())."""

    def load(relative: str) -> bytes:
        base = root if root is not None else schema_dir()
        return (base / relative).read_bytes()

    return load


@lru_cache(maxsize=1)
def default_registry() -> SchemaRegistry:
    """The registry over the shipped schemas, shared by every command of a process."""
    return SchemaRegistry(file_loader())
