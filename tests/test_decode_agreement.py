"""JSON and NDJSON bodies are read by orjson where it reads them exactly as Python's `json` does. Hypothesis
writes documents with integers of any size, floats out to infinity, NaN, lone surrogates and keys
repeated, and the items must be `json.loads`'s, value for value and type for type."""
from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from dashboard.ingest.decode import decode

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**62, max_value=2**66),
    st.integers(min_value=-(2**66), max_value=-(2**62)), st.floats(allow_nan=True, allow_infinity=True),
    st.text(), st.sampled_from(["\ud800", "a\udfffb", "\u2028", "\x00"]))
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=12)


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 is not 1.0), NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=5), documents, max_size=5), min_size=1, max_size=4),
       st.booleans())
def test_bodies_read_as_json_reads_them(records: list[dict[str, Any]], ascii_only: bool) -> None:
    lines = [json.dumps(r, ensure_ascii=ascii_only) for r in records]
    ndjson = "\n".join(lines).encode("utf-8", "surrogatepass")
    array = json.dumps(records, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        array.decode("utf-8")
    except UnicodeDecodeError:
        return  # raw lone surrogates are not UTF-8: such a body is refused whoever reads it
    got = decode("POST", "application/x-ndjson", MultiDict(), ndjson)
    assert same(got, [json.loads(line) for line in lines])  # a raw U+2028 in a string does not end a line
    assert same(decode("POST", "application/json", MultiDict(), array), json.loads(array))


def test_an_integer_past_64_bits_stays_an_integer() -> None:
    body = b'{"msg": "x", "big": 123456789012345678901234567890, "neg": -9223372036854775809}'
    [item] = decode("POST", "application/json", MultiDict(), body)
    assert item["big"] == 123456789012345678901234567890 and isinstance(item["big"], int)
    assert item["neg"] == -9223372036854775809 and isinstance(item["neg"], int)
