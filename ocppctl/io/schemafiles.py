"""Where the shipped schema files are, and a loader for the core's registry.

`schemas/` lives at the top of the repository. A non-editable install ships it as the
package data `ocppctl/schemas/` (setup.cfg maps it there); from the source tree, and in an
editable install, it is found beside the package. SHA256SUMS marks the real folder.
"""

from __future__ import annotations

import os
from functools import lru_cache

from ocppctl.core.schemas import Loader, SchemaRegistry

PROVENANCE = "OCA JSON schemas as shipped by the PyPI package ocpp 2.1.0 (sha256 manifest in SHA256SUMS)"


@lru_cache(maxsize=1)
def schema_dir() -> str:
    """The folder holding v16/, v201/, v21/ and SHA256SUMS (os.path: pathlib costs start-up time)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the ocppctl package
    candidates = (os.path.join(here, "schemas"), os.path.join(os.path.dirname(here), "schemas"))
    for candidate in candidates:
        if os.path.isfile(os.path.join(candidate, "SHA256SUMS")):
            return candidate
    raise FileNotFoundError(
        f"ocppctl's schema files are missing (looked in {candidates[0]} and {candidates[1]}); reinstall ocppctl"
    )


def file_loader(root: str | None = None) -> Loader:
    """A loader reading 'v16/Authorize.json'-style paths under `root` (default: schema_dir())."""

    def load(relative: str) -> bytes:
        base = root if root is not None else schema_dir()
        with open(os.path.join(base, *relative.split("/")), "rb") as handle:
            return handle.read()

    return load


@lru_cache(maxsize=1)
def default_registry() -> SchemaRegistry:
    """The registry over the shipped schemas, shared by every command of a process."""
    return SchemaRegistry(file_loader())
