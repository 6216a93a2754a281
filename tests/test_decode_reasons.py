"""Why a body is not JSON, in Python's own words and whole: a message that points at a place keeps the
place (`Unterminated string starting at` alone reads as if cut off)."""
from __future__ import annotations

import pytest

from dashboard.ingest.decode import DecodeError, Invalid, decode, read_json


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"msg": "cut', "invalid JSON at line 1 column 9: Unterminated string starting at: line 1 column 9 (char 8)"),
    (b'{"msg": "a\x01b"}',
     "invalid JSON at line 1 column 11: Invalid control character at: line 1 column 11 (char 10)"),
    (b'{\n  "msg": "x",\n}', "invalid JSON at line 3 column 1: Expecting property name enclosed in double quotes"),
    (b'{"msg": "x"} {}', "invalid JSON at line 1 column 14: Extra data"),
])
def test_a_json_body_names_what_is_wrong_and_where(body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        read_json(body)
    assert str(caught.value) == reason


def test_an_ndjson_line_names_its_own_line() -> None:
    items = decode("POST", "application/x-ndjson", {}, b'{"msg": "ok"}\n{"msg": "cut\n')
    assert items[1] == Invalid("invalid JSON on line 2 column 9: Unterminated string starting at: "
                               "line 2 column 9 (char 8)")
