"""`ocppctl send` before anything is sent: a call refused by its check (live exchanges:
tests/transport/test_send.py)."""

from __future__ import annotations


def test_a_number_written_as_a_string_item_is_hinted_as_an_item(ocppctl) -> None:
    """`evseId=2` sets a string; the check's hint said "write 2 without quotes", which no one typed."""
    result = ocppctl("send", "Reset", "type=Immediate", "evseId=2", "--listen", "127.0.0.1:1")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        'error: Reset request: expected integer, got string "2" [schema] at /evseId\n'
        "    hint: evseId=2 sets a string: write evseId:=2 for a number\n"
        "ocppctl: the call was not sent (--no-validate sends it anyway)\n"
    )


def test_a_number_quoted_in_json_keeps_the_quotes_hint(ocppctl) -> None:
    result = ocppctl("send", "Reset", '{"type": "Immediate", "evseId": "2"}', "--listen", "127.0.0.1:1")
    assert result.code == 1
    assert "    hint: a number in quotes is a string: write 2 without quotes\n" in result.err
