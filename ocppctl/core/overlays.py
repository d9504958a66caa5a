"""Documented corrections to known defects in the OCA schema files, applied at load time.

The files themselves stay byte-identical (their licence, CC BY-ND 4.0, forbids derivatives, and
the sha256 manifest proves it). Each overlay names the defect and its source; a finding whose
verdict depends on an overlaid spot says so. schemas/README.md lists the same overlays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_SAMPLED_UNIT = "/properties/transactionData/items/properties/sampledValue/items/properties/unit/enum"


@dataclass(frozen=True)
class Overlay:
    """Append `values` to the list found at `pointer` in one schema file."""

    id: str
    version: str
    file: str
    pointer: str
    values: tuple[str, ...]
    note: str

    @property
    def schema_path(self) -> tuple[str, ...]:
        return tuple(self.pointer.strip("/").split("/"))


OVERLAYS: tuple[Overlay, ...] = (
    Overlay(
        id="ocpp16-stoptransaction-hertz",
        version="1.6",
        file="StopTransaction.json",
        pointer=_SAMPLED_UNIT,
        values=("Hertz",),
        note=(
            "OCPP 1.6 errata add the unit Hertz to UnitOfMeasure; MeterValues.json has it, "
            "StopTransaction.json's transactionData does not"
        ),
    ),
)


def apply(version: str, file: str, document: dict[str, Any]) -> list[Overlay]:
    """Apply the overlays for one file to its parsed document in place; return those applied."""
    applied = []
    for overlay in OVERLAYS:
        if overlay.version != version or overlay.file != file:
            continue
        node: Any = document
        for part in overlay.schema_path:
            node = node[part]
        for value in overlay.values:
            if value not in node:
                node.append(value)
        applied.append(overlay)
    return applied
