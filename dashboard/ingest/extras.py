"""Extras from the stock handler: its form sends every value as str(value), so they come back here.

`"42"`, `"True"`, `"['a', 'b']"`, `"None"`, `"{'k': 1}"` are restored to the literal they print
(with the bounded parser of `literals`; inside a container, a part that is not a literal becomes
its text). Text that is not a literal as a whole (`"hello"`, `"datetime.date(2024, 1, 1)"`) stays
text. The restored value is what `extra` holds; the text as sent is kept beside it, in
`extra_text` (key -> text, only for the keys restored), so nothing is lost: `"007"` is no
Python int and stays text, but `"1e5"` becomes 100000.0 and its text stays `"1e5"`.
JSON clients send real values: theirs are kept as they are.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .literals import Unreadable, as_text, parse

__all__ = ["FormFields", "read_extras", "restore"]


class FormFields(dict[str, Any]):
    """The fields of one record as the stock handler sends them (urlencoded body or GET query):
    every value is text."""


_NAMES = {"True": True, "False": False, "None": None}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")
_LITERAL_START = frozenset("'\"([{-+.0123456789")
_PREFIXED_STRING = re.compile(r"[bBrRuU]{1,2}['\"]")


def restore(text: str) -> Any:
    """The literal `text` prints, or the text itself when it is not one."""
    stripped = text.strip()
    if stripped in _NAMES:
        return _NAMES[stripped]
    if _INT.fullmatch(stripped):  # the common cases first, without a parser
        return int(stripped)
    if not stripped or (stripped[0] not in _LITERAL_START and not _PREFIXED_STRING.match(stripped)):
        return text  # a word, a sentence: no literal starts this way
    try:
        value = parse(text, as_text)
    except Unreadable:
        return text
    if isinstance(value, str) and value == text.strip():
        return text  # a bare name or call: its own text, not a literal
    return value


def read_extras(loose: Mapping[str, Any], packed: Any, *, form: bool) -> tuple[dict[str, Any], Any, dict[str, str]]:
    """(loose extras, the packed `extra` field, the text sent for each restored key).

    For a form, loose values are restored and a packed `extra` text is read (its parts that are not
    literals as text); JSON values and a JSON `extra` object pass through."""
    out: dict[str, Any] = {}
    sent: dict[str, str] = {}
    for key, value in loose.items():
        restored = restore(value) if form and isinstance(value, str) else value
        if restored is not value:
            sent[key] = value
        out[key] = restored
    if isinstance(packed, str):
        value = restore(packed)
        packed = value if isinstance(value, dict) and all(isinstance(k, str) for k in value) else packed
    return out, packed, sent
