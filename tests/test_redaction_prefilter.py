"""The redactor's shortcut: a body in which no secret name can be spelled is stored untouched without
the scans. Hypothesis writes bodies out of secret names (in any case, `_` for `-`, percent- and
\\u-escaped, with Kelvin signs) and harmless words; whenever the shortcut says "nothing here", the full
scans must agree byte for byte."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.inspector.redact import SECRET_NAMES, SECRET_PART_ENDINGS, SECRET_PARTS, SECRET_SUFFIXES, Redactor

EXTRA = ("x-build-thing", "---")
NAMES = sorted({*SECRET_NAMES, *SECRET_PART_ENDINGS, *SECRET_PARTS, *SECRET_SUFFIXES, *EXTRA})
WORDS = ["level", "msg", "timeout", "user", "path", "id", "sig", "to", "ken", "pa", "ss", "k", "ey", "x", "-", "_"]


def _spell(draw: st.DrawFn, name: str) -> str:
    out = []
    for ch in name:
        how = draw(st.sampled_from(["as is", "upper", "as is", "percent", "json", "kelvin", "dash"]))
        if how == "upper":
            out.append(ch.upper())
        elif how == "percent":
            out.append(f"%{ord(ch):02X}")
        elif how == "json":
            out.append(f"\\u{ord(ch):04x}")
        elif how == "kelvin" and ch == "k":
            out.append("\u212a")
        elif how == "dash" and ch == "-":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


@st.composite
def names(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return _spell(draw, draw(st.sampled_from(NAMES)))
    return "".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)))


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    pieces = []
    for _ in range(draw(st.integers(1, 6))):
        key, value = draw(names()), draw(names())
        shape = draw(st.sampled_from(["json", "nested", "loose", "text", "ndjson"]))
        if shape == "json":
            pieces.append(json.dumps({key: value}, ensure_ascii=draw(st.booleans())))
        elif shape == "nested":
            pieces.append(f'{{"{key}": {{"{value}": [1, "{value}"]}}}}')
        elif shape == "loose":
            pieces.append(f"{key}{draw(st.sampled_from(['=', ': ', ' =', ':']))}{value}")
        elif shape == "ndjson":
            pieces.append(json.dumps({"msg": f"{key}={value}"}) + "\n" + json.dumps({key: 1}))
        else:
            pieces.append(f"{key} {value}")
    return draw(st.sampled_from(["\n", " ", ", "])).join(pieces).encode()


@settings(max_examples=400, deadline=None)
@given(bodies(), st.sampled_from(["application/json", "application/x-ndjson", "text/plain", None]))
def test_the_shortcut_never_skips_a_body_the_scans_would_change(body: bytes, content_type: str | None) -> None:
    redactor = Redactor(EXTRA)
    scanned = redactor.loose_pairs(redactor.json_text(body))
    if not redactor.may_hold_secret(body):
        assert scanned == body
    assert redactor.body(content_type, body) == scanned


def test_a_batch_without_secret_names_is_stored_as_sent() -> None:
    body = "\n".join(json.dumps({"msg": "took %s ms (%d%%)", "args": [i, 5], "request_id": f"{i:08x}"})
                     for i in range(1000)).encode()
    redactor = Redactor()
    assert not redactor.may_hold_secret(body)
    assert redactor.body("application/x-ndjson", body) is body


def test_each_kind_of_spelling_counts_as_a_possible_secret() -> None:
    redactor = Redactor(["x-build-thing"])
    for body in (b'{"Token": 1}', b'{"\\u0074oken": 1}', b"%74oken=1", b'{"\xe2\x84\xaaey": 1}',
                 b'{"api_KEY": 1}', b"X_Build_thing: 1", b'{"a": "pAsSword=1"}'):
        assert redactor.may_hold_secret(body), body
        assert redactor.body("application/json", body) != body, body
