"""Request items (`path=value`, `path:=json`) into payloads: the syntax `send` and the REPL share."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ocppctl.core.payloads import ItemError, apply_items, string_items


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


def _clock() -> datetime:
    return datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["timestamp:=now"], {"timestamp": "2026-11-22T10:00:00.123Z"}),
        (["t:=now-5m"], {"t": "2026-11-22T09:55:00.123Z"}),
        (["t:=now+1h30m"], {"t": "2026-11-22T11:30:00.123Z"}),
        (["t:=now+1d"], {"t": "2026-11-23T10:00:00.123Z"}),
        (["t:=now-90s"], {"t": "2026-11-22T09:58:30.123Z"}),
        (["t=now"], {"t": "now"}),  # `=` is a string, always
        (['t:="now"'], {"t": "now"}),  # and a JSON string is one
    ],
)
def test_now_is_the_time_the_clock_gives(items: list[str], expected: dict[str, Any]) -> None:
    assert apply_items(items, clock=_clock) == expected


def test_every_now_of_a_payload_is_one_instant() -> None:
    ticks = iter(range(60))

    def clock() -> datetime:
        return datetime(2026, 11, 22, 10, 0, next(ticks), tzinfo=timezone.utc)

    assert apply_items(["a:=now", "b:=now"], clock=clock) == {
        "a": "2026-11-22T10:00:00.000Z",
        "b": "2026-11-22T10:00:00.000Z",
    }


def test_a_clock_in_another_zone_gives_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert apply_items(["t:=now"], clock=lambda: datetime(2026, 11, 22, 11, 0, tzinfo=paris)) == {
        "t": "2026-11-22T10:00:00.000Z"
    }


@pytest.mark.parametrize("raw", ["now-5", "now-5x", "now5m", "now-", "now+-1m"])
def test_a_bad_now_says_its_form(raw: str) -> None:
    with pytest.raises(ItemError) as raised:
        apply_items([f"t:={raw}"], clock=_clock)
    assert raised.value.message == "a time is now, now-OFFSET or now+OFFSET (e.g. now-5m, now+1h30m; s, m, h, d)"
    assert raised.value.caret() == f"t:={raw}\n   ^"


def test_now_without_a_clock_is_refused() -> None:
    with pytest.raises(ItemError) as raised:
        apply_items(["t:=now"])
    assert raised.value.message == "no clock to read `now` from"


def test_string_items_are_found_by_their_pointer() -> None:
    items = ["interval=60", "a.b[0].c=5", 'x:="60"', "y:=now", "data=a=b", "k\\.x=1", "n:=7", "bad"]
    assert string_items(items) == {
        "/interval": ("interval", "60"),
        "/a/b/0/c": ("a.b[0].c", "5"),
        "/data": ("data", "a=b"),
        "/k.x": ("k\\.x", "1"),
    }
