"""CustomizationCtrlr instances from NotifyReport parts."""

from __future__ import annotations

from ocppctl.core.customizations import Customization, customizations


def _item(component: dict[str, object], variable: str, **attribute: object) -> dict[str, object]:
    return {"component": component, "variable": {"name": variable}, "variableAttribute": [attribute]}


def test_instances_across_parts_with_their_enabled_value() -> None:
    parts = [
        {"reportData": [_item({"name": "CustomizationCtrlr", "instance": "com.b"}, "Enabled", value="false")]},
        {
            "reportData": [
                _item({"name": "FiscalMetering"}, "Enabled", value="true"),
                _item(
                    {"name": "CustomizationCtrlr", "instance": "com.a"}, "Enabled", value="true", mutability="ReadOnly"
                ),
                _item({"name": "CustomizationCtrlr", "instance": "com.a"}, "Enabled", type="Target", value="false"),
                _item({"name": "CustomizationCtrlr", "instance": "com.c"}, "Version", value="2"),
                _item({"name": "CustomizationCtrlr"}, "Enabled", value="true"),  # no instance: no vendor
            ]
        },
        {"seqNo": 2, "tbc": False},
    ]
    assert customizations(parts) == [
        Customization("com.a", "true", "ReadOnly"),
        Customization("com.b", "false", "ReadWrite"),
        Customization("com.c"),
    ]
    assert customizations([]) == []
