"""Device-model addresses: `COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]/VARIABLE[INSTANCE][:ATTRIBUTE]`.

One line names what OCPP 2.0.1 spells as nested JSON (ComponentType, VariableType and an
attributeType): `FiscalMetering@1/Certificate`, `CustomizationCtrlr[com.vendor.x]/Enabled`,
`SampledDataCtrlr/TxUpdatedInterval:Target`. Parsing is pure and errors carry the column of the
bad character, so the CLI can point at it as it does for payload items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ATTRIBUTES = ("Actual", "Target", "MinSet", "MaxSet")  # 2.0.1 AttributeEnumType
NAME_MAX = 50  # identifierString of ComponentType.name/instance, VariableType.name/instance
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_SHAPE = "COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]/VARIABLE[INSTANCE][:ATTRIBUTE]"


class AddressError(ValueError):
    """An address that does not parse; `column` (1-based) is the bad character's."""

    def __init__(self, text: str, column: int, why: str) -> None:
        super().__init__(f"{text!r} at column {column}: {why} ({_SHAPE})")
        self.text = text
        self.column = column
        self.why = why


@dataclass(frozen=True)
class Address:
    """One variable attribute of the device model; `attribute` None means the default (Actual)."""

    component: str
    variable: str
    component_instance: str | None = None
    evse: int | None = None
    connector: int | None = None
    variable_instance: str | None = None
    attribute: str | None = None

    def component_json(self) -> dict[str, Any]:
        """The ComponentType object."""
        out: dict[str, Any] = {"name": self.component}
        if self.component_instance is not None:
            out["instance"] = self.component_instance
        if self.evse is not None:
            out["evse"] = (
                {"id": self.evse} if self.connector is None else {"id": self.evse, "connectorId": self.connector}
            )
        return out

    def variable_json(self) -> dict[str, Any]:
        """The VariableType object."""
        out: dict[str, Any] = {"name": self.variable}
        if self.variable_instance is not None:
            out["instance"] = self.variable_instance
        return out

    def get_item(self) -> dict[str, Any]:
        """A GetVariableDataType."""
        item: dict[str, Any] = {"component": self.component_json(), "variable": self.variable_json()}
        if self.attribute is not None:
            item["attributeType"] = self.attribute
        return item

    def set_item(self, value: str) -> dict[str, Any]:
        """A SetVariableDataType setting `value`."""
        item = self.get_item()
        item["attributeValue"] = value
        return item

    def component_text(self) -> str:
        """COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]: the component's part of the address."""
        text = self.component + (f"[{self.component_instance}]" if self.component_instance is not None else "")
        if self.evse is not None:
            text += f"@{self.evse}" + (f".{self.connector}" if self.connector is not None else "")
        return text

    def variable_text(self) -> str:
        """VARIABLE[INSTANCE]: the variable's part."""
        return self.variable + (f"[{self.variable_instance}]" if self.variable_instance is not None else "")

    def __str__(self) -> str:
        attribute = f":{self.attribute}" if self.attribute is not None else ""
        return f"{self.component_text()}/{self.variable_text()}{attribute}"


def from_json(component: Any, variable: Any, attribute: Any = None) -> Address:
    """The address of a ComponentType/VariableType pair as a result or report carries them
    (already schema-checked: missing parts are read as absent, not refused)."""
    component = component if isinstance(component, dict) else {}
    variable = variable if isinstance(variable, dict) else {}
    evse = component.get("evse") if isinstance(component.get("evse"), dict) else {}
    return Address(
        str(component.get("name", "")),
        str(variable.get("name", "")),
        _text_or_none(component.get("instance")),
        evse.get("id") if isinstance(evse.get("id"), int) else None,
        evse.get("connectorId") if isinstance(evse.get("connectorId"), int) else None,
        _text_or_none(variable.get("instance")),
        _text_or_none(attribute),
    )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_selector(text: str) -> dict[str, Any]:
    """A ComponentVariableType of GetReport from `COMPONENT[INSTANCE][@EVSE[.CONNECTOR]]` with
    an optional `/VARIABLE[INSTANCE]` (no attribute: a report covers them all)."""
    if "/" in _outside_brackets(text):
        address = parse(text)
        if address.attribute is not None:
            raise AddressError(text, len(text) - len(address.attribute), "a report selects no attribute")
        return {"component": address.component_json(), "variable": address.variable_json()}
    try:
        address = parse(text + "/x")  # the component part, read by the one parser
    except AddressError as exc:
        past = exc.column > len(text)  # at the "/x" added: say what was expected, not what was found
        raise AddressError(
            text, min(exc.column, len(text) + 1), exc.why.split(", not")[0] if past else exc.why
        ) from None
    return {"component": address.component_json()}


def _outside_brackets(text: str) -> str:
    out, depth = [], 0
    for char in text:
        depth += char == "["
        if not depth:
            out.append(char)
        depth -= char == "]" and depth > 0
    return "".join(out)


def parse(text: str) -> Address:
    """An Address from its one-line form; AddressError pointing at the first bad character."""
    reader = _Reader(text)
    component = reader.name("a component name")
    component_instance = reader.instance()
    evse = connector = None
    if reader.take("@"):
        evse = reader.number("an EVSE id")
        if reader.take("."):
            connector = reader.number("a connector id")
    if not reader.take("/"):
        reader.fail("expected '/' before the variable name" if not reader.done() else "'/VARIABLE' is missing")
    variable = reader.name("a variable name")
    variable_instance = reader.instance()
    attribute = None
    if reader.take(":"):
        start = reader.at
        word = reader.rest()
        if word not in ATTRIBUTES:
            reader.at = start
            reader.fail(f"the attribute is one of {', '.join(ATTRIBUTES)}, not {word!r}")
        attribute = word
    if not reader.done():
        reader.fail(f"unexpected {reader.peek()!r}")
    return Address(component, variable, component_instance, evse, connector, variable_instance, attribute)


def parse_assignment(text: str) -> tuple[Address, str]:
    """`ADDRESS=VALUE` (the value may be empty and may hold '='); AddressError as parse()."""
    reader = _Reader(text)
    # the first '=' outside [...] ends the address: instances may hold '='
    depth = 0
    for at, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        elif char == "=" and depth == 0:
            return parse(text[:at]), text[at + 1 :]
    reader.at = len(text)
    reader.fail("expected ADDRESS=VALUE")
    raise AssertionError("unreachable")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def fail(self, why: str) -> None:
        raise AddressError(self.text, self.at + 1, why)

    def done(self) -> bool:
        return self.at >= len(self.text)

    def peek(self) -> str:
        return self.text[self.at] if not self.done() else ""

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self.at += 1
            return True
        return False

    def rest(self) -> str:
        word, self.at = self.text[self.at :], len(self.text)
        return word

    def name(self, what: str) -> str:
        start = self.at
        while not self.done() and self.peek() in _NAME_CHARS:
            self.at += 1
        if self.at == start:
            self.fail(f"expected {what}" + (f", not {self.peek()!r}" if not self.done() else ""))
        if self.at - start > NAME_MAX:
            self.at = start + NAME_MAX
            self.fail(f"{what} is at most {NAME_MAX} characters")
        return self.text[start : self.at]

    def instance(self) -> str | None:
        if not self.take("["):
            return None
        start = self.at
        end = self.text.find("]", start)
        if end < 0:
            self.at = len(self.text)
            self.fail("the instance has no closing ']'")
        if end == start:
            self.fail("an instance is not empty (leave out the brackets)")
        if end - start > NAME_MAX:
            self.at = start + NAME_MAX
            self.fail(f"an instance is at most {NAME_MAX} characters")
        self.at = end + 1
        return self.text[start:end]

    def number(self, what: str) -> int:
        start = self.at
        while not self.done() and self.peek().isascii() and self.peek().isdigit():
            self.at += 1
        if self.at == start:
            self.fail(f"expected {what} (a number)" + (f", not {self.peek()!r}" if not self.done() else ""))
        return int(self.text[start : self.at])
