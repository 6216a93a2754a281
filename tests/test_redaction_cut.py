"""A long body is stored cut at LOGDASH_REQUEST_BODY_CAP, and only the kept head is scanned for secrets.
Hypothesis writes bodies of secret and harmless names holding unique values, in every shape the redactor
reads (JSON scalars, secrets holding objects, NDJSON, loose `name=value` text, quoted values, forms,
multipart), and cuts them anywhere: no piece of a value the whole body's redaction hides may be in the
head, and a body within the cap is redacted exactly as before."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.inspector.redact import Redactor

NAMES = ["token", "password", "api_key", "Authorization", "x-csrf", "user", "path", "msg", "level", "tok"]
SHAPES = ["json", "nested", "ndjson", "loose", "double", "single", "form", "part"]
TYPES = {"form": "application/x-www-form-urlencoded", "part": "multipart/form-data; boundary=BNDRY"}


def value(i: int) -> str:
    """A value no name or other value contains: any three characters of it in a row are its own."""
    return f"Qz{i}vvvvvvQz"


def piece(shape: str, name: str, i: int) -> str:
    v = value(i)
    return {"json": json.dumps({name: v, "n": i}), "nested": json.dumps({name: {"inner": [v, {"deep": v}]}}),
            "ndjson": json.dumps({"msg": "x"}) + "\n" + json.dumps({name: v}), "loose": f"{name}={v}",
            "double": f'{name}: "{v} and more"', "single": f"{name}='{v}'", "form": f"{name}={v}",
            "part": f'--BNDRY\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{v}\r\n'}[shape]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str | None, bytes, int]:
    shape = draw(st.sampled_from(SHAPES))
    pairs = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6))
    pieces = [piece(shape, name, i) for i, name in enumerate(pairs)]
    if shape == "form":
        text = "&".join(pieces)
    elif shape == "part":
        text = "".join(pieces) + "--BNDRY--\r\n"
    else:
        text = draw(st.sampled_from(["\n", " ", ", "])).join(pieces)
    content_type = TYPES.get(shape) or draw(st.sampled_from(["application/json", "application/x-ndjson",
                                                             "text/plain", None]))
    body = text.encode()
    return content_type, body, draw(st.integers(1, len(body) + 5))


@settings(max_examples=300, deadline=None)
@given(bodies())
def test_a_cut_body_keeps_no_piece_of_a_secret(case: tuple[str | None, bytes, int]) -> None:
    content_type, body, cap = case
    redactor = Redactor()
    whole = redactor.body(content_type, body)
    kept = redactor.body(content_type, body, cap)
    assert len(kept) <= cap
    if len(body) <= cap:
        assert kept == whole
    for i in range(len(NAMES)):
        if value(i).encode() in body and value(i).encode() not in whole:  # a secret the whole redaction hid
            assert f"Qz{i}v".encode() not in kept, (body, cap, kept)


def test_a_long_batch_is_scanned_only_as_far_as_the_cap() -> None:
    """The secret past the cap is not stored, so it is not looked for: a 1,000-line batch costs the scan of
    its head (the whole body's scan would find it and change nothing that is kept)."""
    lines = [json.dumps({"msg": f"line {i}", "api_key": f"k{i}"}) for i in range(1000)]
    body = "\n".join(lines).encode()
    kept = Redactor().body("application/x-ndjson", body, 4096)
    assert len(kept) == 4096
    assert b'"api_key": "[redacted]"' in kept and b'"k1"' not in kept
    assert kept == Redactor().body("application/x-ndjson", body)[:4096]


def test_a_secret_holding_an_object_past_the_cut_is_redacted_from_the_whole_document() -> None:
    body = json.dumps([{"msg": "a" * 50}, {"password": {"value": "hunter2" * 20}}]).encode()
    kept = Redactor().body("application/json", body, 80)
    assert b"hunter2"[:3] not in kept
    assert kept == Redactor().body("application/json", body)[:80]
