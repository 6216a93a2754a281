"""Search hits marked in shown text: which terms to mark, and server-rendered text with <mark>s.

The pages mark the positive words, phrases and regexes of the search (exclusions and field
terms mark nothing). The server marks what it renders, so hits show from the first paint; the
browser marks rows it builds later with static/js/highlight.js, from the same `spec`.
Text is escaped piece by piece: only the <mark> tags are markup.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ..store import regexp
from .filter import RecordFilter
from .terms import Regex, Text

PER_TEXT = 0.005  # seconds a regex may take to find the hits of one shown text


def spec(flt: RecordFilter) -> dict[str, list[str]]:
    """What to mark for this filter: folded needles ("texts") and regex sources ("regexes")."""
    try:
        terms = flt.terms
    except ValueError:
        terms = ()
    return {"texts": [t.needle for t in terms if isinstance(t, Text) and not t.exclude],
            "regexes": [t.pattern for t in terms if isinstance(t, Regex) and not t.exclude]}


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` case folded, and for each folded character the index of the character it came from."""
    out, owner = [], []
    for i, ch in enumerate(text):
        f = ch.casefold()
        out.append(f)
        owner.extend([i] * len(f))
    return "".join(out), owner


def hits(text: str, marks: dict[str, list[str]]) -> list[tuple[int, int]]:
    """The [start, end) spans of `text` to mark, sorted and merged."""
    spans: list[tuple[int, int]] = []
    if marks.get("texts"):
        folded, owner = _folded(text)
        for needle in marks["texts"]:
            at = folded.find(needle)
            while needle and at >= 0:
                spans.append((owner[at], owner[at + len(needle) - 1] + 1))
                at = folded.find(needle, at + len(needle))
    for source in marks.get("regexes", ()):
        try:
            found = regexp.compiled(source).finditer(text, timeout=PER_TEXT)
            spans.extend(m.span() for m in found if m.end() > m.start())
        except (regexp.RegexError, TimeoutError):
            continue
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: Any, marks: dict[str, list[str]] | None) -> Markup:
    """`text` escaped, each hit in a <mark>."""
    text = "" if text is None else str(text)
    if not marks or not (marks.get("texts") or marks.get("regexes")):
        return escape(text)
    out, last = [], 0
    for start, end in hits(text, marks):
        out += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)
