"""The customizations a station reports: its CustomizationCtrlr instances (one per vendorId,
whitepaper section "Device Model") and whether each is Enabled. Pure: from NotifyReport parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONTROLLER = "CustomizationCtrlr"


@dataclass(frozen=True)
class Customization:
    """One CustomizationCtrlr instance; `enabled` its Enabled Actual value (None: not reported)."""

    vendor_id: str
    enabled: str | None = None
    mutability: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"vendorId": self.vendor_id, "enabled": self.enabled, "mutability": self.mutability}


def customizations(parts: list[Any]) -> list[Customization]:
    """The instances in the reportData of NotifyReport payloads, sorted by vendorId."""
    found: dict[str, Customization] = {}
    for part in parts:
        data = part.get("reportData") if isinstance(part, dict) else None
        for item in data if isinstance(data, list) else []:
            component = item.get("component") if isinstance(item, dict) else None
            if not isinstance(component, dict) or component.get("name") != CONTROLLER:
                continue
            vendor = component.get("instance")
            if not isinstance(vendor, str):
                continue
            found.setdefault(vendor, Customization(vendor))
            if (item.get("variable") or {}).get("name") != "Enabled":
                continue
            for attribute in item.get("variableAttribute") or []:
                if isinstance(attribute, dict) and attribute.get("type", "Actual") == "Actual":
                    value = attribute.get("value")
                    found[vendor] = Customization(
                        vendor, None if value is None else str(value), attribute.get("mutability", "ReadWrite")
                    )
    return [found[key] for key in sorted(found)]
