"""Strict JSON: what OCPP-J accepts and refuses, where the problem is, and duplicate keys."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocppctl.core.jsontext import (
    _LONG_NUMBER,
    JsonSyntaxError,
    decode,
    dumps,
    duplicate_keys,
    is_json,
    loads,
    loads_decimal,
    loads_exact,
    may_be_inexact,
)


def test_plain_json() -> None:
    assert loads('[2,"1","Heartbeat",{}]') == [2, "1", "Heartbeat", {}]
    assert decode('{"a": [1, 2.5, null, true, "x"]}') == ({"a": [1, 2.5, None, True, "x"]}, False)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("[NaN]", "NaN is not JSON", 1, 2),
        ("[Infinity]", "Infinity is not JSON", 1, 2),
        ("[-Infinity]", "-Infinity is not JSON", 1, 2),
        ('["NaN", Infinity]', "Infinity is not JSON", 1, 9),
        ('["a\\"NaN", NaN]', "NaN is not JSON", 1, 12),
        ('[2, "1",\n "Heartbeat", {"x": NaN}]', "NaN is not JSON", 2, 21),
        ("[1e400, NaN]", "NaN is not JSON", 1, 9),
    ],
)
def test_nan_and_infinity_are_not_json(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(JsonSyntaxError) as info:
        loads(text)
    assert (info.value.message, info.value.line, info.value.column) == (message, line, column)
    assert info.value.pos == len("\n".join(text.split("\n")[: line - 1])) + (1 if line > 1 else 0) + column - 1


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "Expecting value", 1, 1),
        ("[1,\n2,]", "Expecting value", 2, 3),
        ('{"a":1,}', "Expecting property name enclosed in double quotes", 1, 8),
        ("[1] x", "Extra data", 1, 5),
        ("[1,2] // comment", "Extra data", 1, 7),
        ("[nan]", "Expecting value", 1, 2),
        ('["\t"]', "Invalid control character at", 1, 3),
        ("\ufeff[1]", "Expecting value", 1, 1),
        ("[01]", "Expecting ',' delimiter", 1, 3),
    ],
)
def test_syntax_errors_say_where(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(JsonSyntaxError) as info:
        loads(text)
    assert (info.value.message, info.value.line, info.value.column) == (message, line, column)


def test_nan_in_a_string_is_fine() -> None:
    assert loads('["NaN", "Infinity"]') == ["NaN", "Infinity"]


def test_a_number_beyond_a_double_is_a_json_number() -> None:
    value, exact = decode("[1e400, -1E400]")
    assert value == [Decimal("1e400"), Decimal("-1e400")]
    assert exact is True
    assert loads_decimal('{"x": 1e400}') == {"x": Decimal("1E+400")}


@pytest.mark.parametrize("digits", ["18446744073709551616", "123456789012345678901234567890", "-9223372036854775809"])
def test_integers_beyond_64_bits(digits: str) -> None:
    """Accepted as numbers, every digit kept (orjson would round them into floats): what is
    shown, recorded or sent again is what was written; decode says the exact parser read them."""
    assert loads(f"[{digits}]") == [int(digits)]
    assert decode(f'{{"a":[{digits}]}}') == ({"a": [int(digits)]}, True)
    assert loads_exact(f"[{digits}]") == [int(digits)]
    assert loads_decimal(f"[{digits}]") == [int(digits)]
    assert may_be_inexact(f'[2,"1","X",{{"v":{digits}}}]')


def test_64_bit_integers_stay_exact() -> None:
    assert loads("[18446744073709551615, -9223372036854775808]") == [18446744073709551615, -9223372036854775808]
    assert not may_be_inexact('[2,"123456789012345678","X",{"v":123456789012345678}]')


def test_long_digit_runs_in_strings_are_read_by_the_fast_parser() -> None:
    """An ICCID or a serial number is no integer to keep exact: such frames stay on the fast path."""
    text = '[2,"1","BootNotification",{"modem":{"iccid":"89490000000000000017"},"serial":"SN12345678901234567890"}]'
    assert decode(text) == (orjson.loads(text), False)
    for number in (
        "12345678901234567890",
        " 12345678901234567890",
        "[-12345678901234567890]",
        '{"a":\n12345678901234567890}',
    ):
        assert may_be_inexact(number), number


_PIECES = st.one_of(
    st.text(alphabet="0123456789", min_size=17, max_size=21),  # runs either side of 19 digits
    st.sampled_from(["-", "[", "]", ",", ":", " ", "\n", '"', "x", "\u00e9", "\U0001f600", "\ud800"]),
)


@given(st.lists(_PIECES, max_size=8).map("".join))
def test_the_digit_run_prefilter_agrees_with_the_pattern(text: str) -> None:
    """may_be_inexact looks for 19 digits in a row before it asks the regular expression."""
    assert may_be_inexact(text) == (_LONG_NUMBER.search(text) is not None)


def test_decimal_parse_keeps_fractions_exact() -> None:
    assert loads_decimal("[21.4, 0.3, 20000.0, 7]") == [Decimal("21.4"), Decimal("0.3"), Decimal("20000.0"), 7]
    with pytest.raises(JsonSyntaxError):
        loads_decimal("[NaN]")


def test_lone_surrogate_escape_is_json() -> None:
    value, exact = decode('["\\ud800", "\\udfff x"]')
    assert value == ["\ud800", "\udfff x"]
    assert exact is True
    assert loads('["\\ud83d\\ude00"]') == ["\U0001f600"]


# --- duplicate keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ('{"a":1,"a":2}', ["a"]),
        ('{"a": 1, "a": 2}', ["a"]),
        ('[2,"1","X",{"b":{"c":1,"c":1},"d":[{"e":1,"e":2}]}]', ["c", "e"]),
        ('{"a":1,"a":2,"a":3}', ["a"]),
        ('{"a":1,"\\u0061":2}', ["a"]),
        ('{"a":1,"b":2}', []),
        ('{ "a" : 1 , "b" : 2 }', []),
        ('[2, "1", "Heartbeat", {}]', []),
        ('{"a":{"b":1},"c":{"b":2}}', []),
    ],
)
def test_duplicate_keys(text: str, keys: list[str]) -> None:
    assert duplicate_keys(text, loads(text)) == keys


def test_duplicate_keys_skip_the_second_parse_for_compact_text() -> None:
    """A compact text re-encodes byte for byte: no second look (the speed target depends on it)."""
    text = '[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"m","vendorName":"v"}}]'
    assert dumps(loads(text)) == text
    assert duplicate_keys(text, loads(text)) == []


def test_duplicate_keys_of_non_ascii_text() -> None:
    text = '{"naïve":"é","naïve":"ü"}'
    assert duplicate_keys(text, loads(text)) == ["naïve"]
    assert duplicate_keys('{"k":"é"}', loads('{"k":"é"}')) == []


@pytest.mark.parametrize("text", ['{"a":1e400}', '{"a":"\\ud800"}', '{"a": 2, "a": 1e400}'])
def test_duplicate_keys_of_exactly_parsed_text(text: str) -> None:
    expected = ["a"] if text.count('"a"') == 2 else []
    assert duplicate_keys(text, loads(text)) == expected


def test_dumps_is_compact() -> None:
    assert dumps([2, "1", "Heartbeat", {}]) == '[2,"1","Heartbeat",{}]'
    assert dumps({"é": 1}) == '{"é":1}'


@pytest.mark.parametrize("text", ["[1e99999999999999999999]", '{"x": -5.1e+2123456789012345678901234567890}'])
def test_huge_exponents_never_escape_as_other_errors(text: str) -> None:
    try:
        value = loads(text)
    except JsonSyntaxError:
        return
    assert isinstance(value, (list, dict))


@pytest.mark.parametrize("parse", [loads, loads_exact, loads_decimal])
def test_an_integer_longer_than_python_converts_is_a_syntax_finding(parse: object) -> None:
    """int() refuses more than 4,300 digits (a ValueError that is not a JSON error): it must
    become a finding that names the number briefly and points at it, never an internal error."""
    text = '[2,"1","Heartbeat",{"a":' + "9" * 5000 + "}]"
    with pytest.raises(JsonSyntaxError) as caught:
        parse(text)  # type: ignore[operator]
    assert (
        caught.value.message == "number 99999999999999999999... (5000 characters) is out of any range ocppctl can hold"
    )
    assert caught.value.column == text.index("9999") + 1


def test_dumps_writes_what_only_the_exact_parser_returns() -> None:
    """A number beyond a double, an integer beyond 64 bits and a lone surrogate escape are JSON
    that orjson will not write back: dumps writes them exactly, and they read back the same."""
    text = '{"a":1E+400,"b":123456789012345678901234567890,"c":"\\ud800x","\\udc00":[-0.0,"é"]}'
    value = loads(text)
    assert dumps(value) == text  # only the string holding the surrogate is written escaped
    assert loads(dumps(value)) == value


def test_dumps_indents_the_exact_way_as_orjson_does() -> None:
    import orjson

    plain = {"a": [1, {"b": 2}], "c": {}, "d": [], "e": "x"}
    odd = {"a": [1, {"b": Decimal("2")}], "c": {}, "d": [], "e": "x"}  # only the exact writer takes it
    assert dumps(odd, indent=True) == orjson.dumps(plain, option=orjson.OPT_INDENT_2).decode()
    assert dumps(odd) == orjson.dumps(plain).decode()


def test_dumps_writes_any_depth_the_parsers_return() -> None:
    """orjson writes 255 levels at most; the exact writer walks with a stack, so a peer's
    thousand-level array (which orjson reads) can still be shown and recorded."""
    text = "[" * 1000 + "1" + "]" * 1000
    assert dumps(loads(text)) == text
    assert dumps(loads(text), indent=True).count("\n") == 2000


@pytest.mark.parametrize(
    ("text", "expected"),
    [('[2,"1","Heartbeat",{}]', True), ("[1e400]", True), ("[NaN]", False), ("[1,]", False), ("[1] x", False)],
)
def test_is_json_says_what_decode_would_accept(text: str, expected: bool) -> None:
    assert is_json(text) is expected
    try:
        decode(text)
    except JsonSyntaxError:
        assert not expected
    else:
        assert expected
