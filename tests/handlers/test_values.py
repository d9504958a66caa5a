"""A value fits its variable's dataType and valuesList, or says in a few words why not."""

from __future__ import annotations

import pytest

from ocppctl.handlers.values import value_problem


@pytest.mark.parametrize(
    ("data_type", "value", "values_list"),
    [
        ("integer", "300", None),
        ("integer", "-5", None),
        ("decimal", "40.5", None),
        ("decimal", "61", None),
        ("boolean", "true", None),
        ("boolean", "false", None),
        ("dateTime", "2026-12-04T10:00:00.123Z", None),
        ("dateTime", "2026-12-04T10:00:00+01:00", None),
        ("string", "anything at all", None),
        ("OptionList", "Type2", "Type2,CCS"),
        ("SequenceList", "CCS,Type2,CCS", "Type2,CCS"),
        ("MemberList", "CCS,Type2", "Type2, CCS"),
        ("MemberList", "", "Type2,CCS"),
    ],
)
def test_a_value_that_fits(data_type: str, value: str, values_list: str | None) -> None:
    assert value_problem(data_type, value, values_list) is None


@pytest.mark.parametrize(
    ("data_type", "value", "values_list", "why"),
    [
        ("integer", "3.5", None, "'3.5' is not an integer"),
        ("integer", "", None, "'' is not an integer"),
        ("decimal", "abc", None, "'abc' is not a decimal"),
        ("decimal", "inf", None, "'inf' is not a decimal"),
        ("decimal", "1e999", None, "'1e999' is not a decimal"),
        ("boolean", "maybe", None, "'maybe' is not a boolean (true or false)"),
        ("boolean", "True", None, "'True' is not a boolean (true or false)"),
        ("dateTime", "2026-12-04 10:00", None, "'2026-12-04 10:00' is not an RFC 3339 date-time"),
        ("OptionList", "Schuko", "Type2,CCS", "'Schuko' is not one of Type2,CCS"),
        ("SequenceList", "CCS,Schuko", "Type2,CCS", "'Schuko' is not one of Type2,CCS"),
        ("MemberList", "CCS,CCS", "Type2,CCS", "a MemberList names each member once"),
    ],
)
def test_a_value_that_does_not_fit_says_why(data_type: str, value: str, values_list: str | None, why: str) -> None:
    assert value_problem(data_type, value, values_list) == why
