"""Strict JSON text decoding for OCPP-J: the one JSON parser every layer uses.

orjson is the fast path. It refuses a few texts that *are* JSON (a number that overflows a
double such as 1e400, a lone surrogate escape) and turns integers beyond 64 bits into floats;
the standard library parser, told to refuse NaN and Infinity, reads those exactly (decode hands
it any text where a number may start with 19 digits). dumps writes back whatever either parser returned.
Duplicate keys are found without re-parsing: orjson's compact re-encoding of the value equals
the input byte for byte unless the text was not compact to begin with, and only such texts get
the second, slower look.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import orjson


class JsonSyntaxError(Exception):
    """Text that is not JSON; `pos` is the 0-based character offset of the problem."""

    def __init__(self, message: str, pos: int, text: str) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.line = text.count("\n", 0, pos) + 1
        self.column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        self.char = text[pos : pos + 1]  # the character the parser stopped at ("" at the end)
        self.after_cr = text[pos - 1 : pos] == "\r"  # just past a carriage return (JSON whitespace)


class _Constant(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


class _OutOfRange(ValueError):
    """A JSON number beyond what even a Decimal holds (1e99999999999999999999), or an integer
    of more digits than the interpreter converts (4,300)."""

    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number

    def message(self) -> str:
        shown = self.number if len(self.number) <= 40 else f"{self.number[:20]}... ({len(self.number)} characters)"
        return f"number {shown} is out of any range ocppctl can hold"


def _exact_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
        raise _OutOfRange(text) from None


def _exact_float(text: str) -> Any:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _decimal(text)  # a JSON number all the same; validators see its exact value
    return value


def _double_decimal(text: str) -> Any:
    """A number as the Decimal of the double it rounds to (21.4 stays 21.4, so multipleOf 0.1
    holds; 1.0000000000000001 is 1.0, as every OCPP peer parsing into doubles reads it, and as
    the fast engine sees it), or exactly when it overflows a double (1e400)."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _decimal(text)
    from decimal import Decimal

    return Decimal(repr(value))


def _decimal(text: str) -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(text)
    except InvalidOperation:
        raise _OutOfRange(text) from None


_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


@cache
def _decoders() -> tuple[Any, Any, Any]:
    """The standard library's decoders (strict and Decimal) and its error type, built on first
    need: most runs never leave orjson's fast path, and importing json costs start-up time."""
    import json

    return (
        json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_exact_float, parse_int=_exact_int),
        json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_double_decimal, parse_int=_exact_int),
        json.JSONDecodeError,
    )


def _slow_loads(text: str) -> Any:
    strict, _, decode_error = _decoders()
    try:
        return strict.decode(text)
    except _Constant as exc:
        pos = 0
        for match in _CONSTANT.finditer(text):
            if match.group(1):
                pos = match.start(1)
                break
        raise JsonSyntaxError(f"{exc.name} is not JSON", pos, text) from None
    except decode_error as exc:
        raise JsonSyntaxError(exc.msg, exc.pos, text) from None
    except _OutOfRange as exc:
        raise JsonSyntaxError(exc.message(), max(text.find(exc.number), 0), text) from None
    except RecursionError:
        raise JsonSyntaxError("nested too deeply", 0, text) from None


def raw_decode(text: str, pos: int) -> tuple[Any, int]:
    """Parse the JSON value starting at `pos`; return it and where it ends (strict, like loads)."""
    strict, _, decode_error = _decoders()
    try:
        return strict.raw_decode(text, pos)
    except _Constant as exc:
        match = _CONSTANT.search(text, pos)
        while match is not None and not match.group(1):
            match = _CONSTANT.search(text, match.end())
        raise JsonSyntaxError(f"{exc.name} is not JSON", match.start(1) if match else pos, text) from None
    except decode_error as exc:
        raise JsonSyntaxError(exc.msg, exc.pos, text) from None
    except _OutOfRange as exc:
        raise JsonSyntaxError(exc.message(), max(text.find(exc.number, pos), pos), text) from None
    except RecursionError:
        raise JsonSyntaxError("nested too deeply", pos, text) from None


def loads(text: str) -> Any:
    """Parse one JSON text strictly; raise JsonSyntaxError with the offset of the problem."""
    return decode(text)[0]


def decode(text: str) -> tuple[Any, bool]:
    """Parse strictly; also say whether the exact (standard library) parser had to be used.

    A value from the exact parser may hold integers beyond 64 bits or Decimals for numbers that
    overflow a double: only the reference validator judges those correctly.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _slow_loads(text), True
    if may_be_inexact(text):  # orjson rounds integers beyond 64 bits into floats: read them exactly
        return _slow_loads(text), True
    return value, False


def is_json(text: str) -> bool:
    """Whether a text is one JSON value, without keeping it: orjson says so at once for nearly
    every frame, the exact parser judges what orjson refuses (1e400 is still JSON)."""
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            _slow_loads(text)
        except JsonSyntaxError:
            return False
    return True


def loads_exact(text: str) -> Any:
    """Parse with exact integers (orjson rounds those beyond 64 bits into floats)."""
    return _slow_loads(text)


def loads_decimal(text: str) -> Any:
    """Parse with exact integers and every other number as a Decimal (of the double it rounds
    to, see _double_decimal), for the reference engine."""
    try:
        return _decoders()[1].decode(text)
    except _OutOfRange as exc:
        raise JsonSyntaxError(exc.message(), max(text.find(exc.number), 0), text) from None
    except (ValueError, RecursionError) as exc:
        raise JsonSyntaxError(str(exc), 0, text) from None


def may_be_inexact(text: str) -> bool:
    """True when orjson may have rounded an integer of 19 or more digits into a float: a run of
    19 digits where a number can start (at the start, or after '[', ':', ',' or white space,
    and an optional '-'). A serial number or an ICCID in a string (after a quote) is no
    reason to read a frame with the slow parser and judge it with the reference engine."""
    # The regular expression alone costs 15 us on a 700-byte record, which is full of digits;
    # a run of 19 digits, looked for in C among bytes with every digit made "0", 1-3 us.
    if _DIGIT_RUN not in text.encode("utf-8", "surrogatepass").translate(_DIGITS_AS_ZERO):
        return False
    return _LONG_NUMBER.search(text) is not None


_LONG_NUMBER = re.compile(r"(?:^|[\[:,\s])-?[0-9]{19}")
_DIGITS_AS_ZERO = bytes(48 if 48 <= byte <= 57 else 46 for byte in range(256))  # digits "0", the rest "."
_DIGIT_RUN = b"0" * 19


def duplicate_keys(text: str, value: Any) -> list[str]:
    """Keys that occur twice in one object of `text`, which parsed to `value`.

    Returns [] at once for compact texts (orjson re-encodes them byte for byte).
    """
    try:
        if orjson.dumps(value) == text.encode("utf-8", "surrogatepass"):
            return []
    except TypeError:  # a Decimal from the exact parser (1e400): look the slow way
        pass
    found: list[str] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            seen: set[str] = set()
            for key in keys:
                if key in seen and key not in found:
                    found.append(key)
                seen.add(key)
        return dict(pairs)

    import json

    try:
        json.loads(text, object_pairs_hook=hook, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return found
    return found


def dumps(value: Any, indent: bool = False) -> str:
    """JSON text of any value our parsers return, compact as sent on the wire (or indented by
    two spaces). orjson writes it, except what it refuses and only the exact parser yields: a
    Decimal (1e400), an integer beyond 64 bits, a string holding a lone surrogate (the escape
    "\\ud800" read back). Those are written exactly, the surrogate as its escape again, so text
    that came from a peer can always be shown, logged and sent."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return _exact_dumps(value, indent)


def _exact_dumps(value: Any, indent: bool) -> str:
    """The writer of last resort, in orjson's layout: walked with a stack, not recursion, so
    that any depth our parsers return (orjson writes 255 levels at most) can be written."""
    out: list[str] = []
    stack: list[tuple[bool, Any, str]] = [(False, value, "")]  # (is text, value or text, padding)
    while stack:
        is_text, item, pad = stack.pop()
        if is_text:
            out.append(item)
            continue
        if isinstance(item, (list, tuple, dict)) and item:
            inner = pad + "  " if indent else ""
            opening, closing = ("{", "}") if isinstance(item, dict) else ("[", "]")
            parts: list[tuple[bool, Any, str]] = [(True, opening, "")]
            entries = item.items() if isinstance(item, dict) else enumerate(item)
            for at, (key, child) in enumerate(entries):
                head = ("," if at else "") + ("\n" + inner if indent else "")
                if isinstance(item, dict):
                    head += _string(str(key)) + (": " if indent else ":")
                parts += [(True, head, ""), (False, child, inner)]
            parts.append((True, ("\n" + pad if indent else "") + closing, ""))
            stack.extend(reversed(parts))
        else:
            out.append(_scalar(item))
    return "".join(out)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else "null"
    if isinstance(value, (list, tuple)):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    from decimal import Decimal

    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _string(text: str) -> str:
    try:
        return orjson.dumps(text).decode()
    except TypeError:  # a lone surrogate: the standard library writes it as its escape
        import json

        return json.dumps(text)
