"""The reference engine: python `jsonschema`, set up to agree with the letter of the schemas.

Imported only when needed (it costs 50-150 ms): for payloads the fast engine cannot represent
exactly, and by the test that proves both engines agree. Numbers arrive as Decimal (see
`jsontext.loads_decimal`), so the type checkers below treat Decimal as a number, and as an
integer only under draft-06, where 20000.0 is an integer and under draft-04 it is not.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jsonschema
from jsonschema import Draft4Validator, Draft6Validator
from jsonschema.exceptions import ValidationError

from ocppctl.core.schemas import DRAFT4


def _number(checker: Any, instance: Any) -> bool:
    return isinstance(instance, (int, float, Decimal)) and not isinstance(instance, bool)


def _integer_04(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _integer_06(checker: Any, instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    if isinstance(instance, float):
        return instance.is_integer()
    if isinstance(instance, Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return False


def _multiple_of(validator: Any, divisor: Any, instance: Any, schema: Any) -> Any:
    if not _number(None, instance):
        return
    try:
        quotient = Decimal(str(instance)) / Decimal(str(divisor))
        failed = quotient != quotient.to_integral_value()
    except ArithmeticError:
        failed = True
    if failed:
        yield ValidationError(f"{instance!r} is not a multiple of {divisor}")


def _build_class(base: Any, integer: Any) -> Any:
    checker = base.TYPE_CHECKER.redefine_many({"number": _number, "integer": integer})
    validators = dict(base.VALIDATORS)
    validators["multipleOf"] = _multiple_of
    return jsonschema.validators.create(
        meta_schema=base.META_SCHEMA,
        validators=validators,
        type_checker=checker,
        format_checker=base.FORMAT_CHECKER,
    )


_REF04 = _build_class(Draft4Validator, _integer_04)
_REF06 = _build_class(Draft6Validator, _integer_06)


def build_reference(document: dict[str, Any], draft: str) -> Any:
    """A python-jsonschema validator for one schema document, formats enforced."""
    cls = _REF04 if draft == DRAFT4 else _REF06
    return cls(document, format_checker=cls.FORMAT_CHECKER)
