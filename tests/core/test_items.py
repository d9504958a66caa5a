"""Request items (`path=value`, `path:=json`) into payloads: the syntax `send` and the REPL share."""

from __future__ import annotations

from typing import Any

import pytest

from ocppctl.core.payloads import ItemError, apply_items


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["reason=PowerUp"], {"reason": "PowerUp"}),
        (["interval:=300"], {"interval": 300}),
        (["interval=300"], {"interval": "300"}),
        (["ok:=true", "none:=null"], {"ok": True, "none": None}),
        (
            ["chargingStation.model=X", "chargingStation.vendorName=Y"],
            {"chargingStation": {"model": "X", "vendorName": "Y"}},
        ),
        (
            ["getVariableData[0].component.name=FiscalMetering", "getVariableData[0].variable.name=Enabled"],
            {"getVariableData": [{"component": {"name": "FiscalMetering"}, "variable": {"name": "Enabled"}}]},
        ),
        (["list[0]=a", "list[1]=b", "list[0]=c"], {"list": ["c", "b"]}),
        (["m[0][0]:=1"], {"m": [[1]]}),
        (['data:={"a":[1,2]}'], {"data": {"a": [1, 2]}}),
        (["data=a=b"], {"data": "a=b"}),
        (["url=https://h/p?x=1"], {"url": "https://h/p?x=1"}),
        (["a\\.b=1"], {"a.b": "1"}),
        (["a\\=b=1"], {"a=b": "1"}),
        (["a\\:=1"], {"a:": "1"}),
        (["empty="], {"empty": ""}),
    ],
)
def test_items_build_the_payload(items: list[str], expected: dict[str, Any]) -> None:
    assert apply_items(items) == expected


def test_items_change_a_copy_of_the_base() -> None:
    base = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
    result = apply_items(["chargingStation.model=HPC"], base)
    assert result == {"reason": "PowerUp", "chargingStation": {"model": "HPC", "vendorName": "V"}}
    assert base["chargingStation"]["model"] == "M"


@pytest.mark.parametrize(
    ("items", "message", "caret"),
    [
        (["reason"], "an item is path=value (a string) or path:=json", "reason\n      ^"),
        (["=x"], "the path before '=' is empty", "=x\n^"),
        (["a:=NaN"], "not JSON after ':=': NaN is not JSON", "a:=NaN\n   ^"),
        (["a:={bad"], "not JSON after ':=': Expecting property name enclosed in double quotes", "a:={bad\n    ^"),
        (["a=1", "a.b=2"], '"b" needs an object here, but this is a string', "a.b=2\n  ^"),
        (["a=1", "a[0]=2"], "[0] needs an array here, but this is a string", "a[0]=2\n ^"),
        (["a[2]=x"], "index 2 skips past the end (the array has 0 items)", "a[2]=x\n ^"),
        (["a[x]=1"], "an index is a number in brackets, e.g. [0]", "a[x]=1\n ^"),
        (["[0]=1"], "a payload is an object: the path starts with a name", "[0]=1\n^"),
        (["a..b=1"], "empty name in path", "a..b=1\n  ^"),
    ],
)
def test_bad_items_say_what_and_where(items: list[str], message: str, caret: str) -> None:
    with pytest.raises(ItemError) as raised:
        apply_items(items)
    assert raised.value.message == message
    assert raised.value.caret() == caret
