"""The search box's language, read into terms. Pure: no database, no Flask.

    timeout "connection reset" -debug logger=app.db -logger=urllib3 request_id=abc123 user:"Chloé M" /time(d)?out/

- a word, or a "quoted phrase" (spaces and any character kept; \\" and \\\\ inside), must appear in the
  searchable text; /regex/ must match it (\\/ for a slash inside);
- key=value or key:value compares a record field or an extra; the value may be "quoted", the key too;
- a leading - excludes any of them.

Whitespace (and NUL) separates terms. What cannot be read raises QueryError saying where and what
to write instead, so the API answers a clear 400 rather than guessing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

_KEY = re.compile(r"[^\W\d][\w.\-]*")  # a bare key: starts with a letter or _, then letters, digits, _ . -


class QueryError(ValueError):
    """A search that cannot be read, with where and what to do instead."""


@dataclass(frozen=True)
class Term:
    """One term of a search: text (a word or a phrase), a regex, or a field comparison."""
    kind: Literal["text", "regex", "field"]
    value: str                # the text, the regex source, or the compared value
    key: str | None = None    # a field term's key, as written
    exclude: bool = False
    quoted: bool = field(default=False, compare=False)  # written as a "phrase" or key="value"
    span: tuple[int, int] = field(default=(0, 0), compare=False)  # where it stands in the search


def _spaced(q: str, i: int) -> bool:
    return i >= len(q) or q[i].isspace()


def _word_end(q: str, i: int) -> int:
    while i < len(q) and not q[i].isspace():
        i += 1
    return i


def _quoted(q: str, start: int) -> tuple[str, int]:
    """The text of the quoted string opening at `start`, and the index after its closing quote."""
    out, i = [], start + 1
    while i < len(q):
        c = q[i]
        if c == "\\" and i + 1 < len(q) and q[i + 1] in '"\\':
            out.append(q[i + 1])
            i += 2
        elif c == '"':
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise QueryError(f'unterminated quote starting at character {start + 1}: close it with "')


def _regex(q: str, start: int) -> tuple[str, int]:
    """The source of the /regex/ opening at `start` (\\/ read as /), and the index after it."""
    out, i = [], start + 1
    while i < len(q):
        c = q[i]
        if c == "\\" and i + 1 < len(q):
            out.append("/" if q[i + 1] == "/" else q[i:i + 2])
            i += 2
        elif c == "/":
            if not out:
                raise QueryError(f"empty /regex/ at character {start + 1}")
            if not _spaced(q, i + 1):
                raise QueryError(f"a /regex/ ends at its closing / (character {i + 1}); put a space after it, or "
                                 f'quote text that starts with /: "{q[start:_word_end(q, start)]}"')
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise QueryError(f'unterminated /regex/ starting at character {start + 1}: end it with /, or quote text '
                     f'that starts with /: "{q[start:_word_end(q, start)]}"')


def _value(q: str, i: int, key: str, sep: str) -> tuple[str, bool, int]:
    """A field's value from `i` (right after key= or key:): (value, quoted, index after it)."""
    if i < len(q) and q[i] == '"':
        value, end = _quoted(q, i)
        if not _spaced(q, end):
            raise QueryError(f"expected a space after the closing quote at character {end}")
        return value, True, end
    end = _word_end(q, i)
    if end == i:
        raise QueryError(f'no value after "{key}{sep}" at character {i}; write {key}{sep}"" for an empty value')
    return q[i:end], False, end


def parse(q: str) -> tuple[Term, ...]:
    """The terms of a search, in order; QueryError for what cannot be read."""
    q = q.replace("\0", " ")  # NUL separates terms, as whitespace does
    terms: list[Term] = []
    i = 0
    while i < len(q):
        if q[i].isspace():
            i += 1
            continue
        start = i
        exclude = q[i] == "-" and not _spaced(q, i + 1)
        i += exclude
        c = q[i]
        if c == '"':
            text, i = _quoted(q, i)
            if i < len(q) and q[i] in "=:":  # "a key"=value
                value, quoted, i = _value(q, i + 1, text, q[i])
                terms.append(Term("field", value, text, exclude, quoted, (start, i)))
                continue
            if not _spaced(q, i):
                raise QueryError(f"expected a space after the closing quote at character {i}")
            if not text:
                raise QueryError(f"empty phrase at character {start + 1}")
            terms.append(Term("text", text, None, exclude, True, (start, i)))
        elif c == "/":
            source, i = _regex(q, i)
            terms.append(Term("regex", source, None, exclude, False, (start, i)))
        elif c in "=:":
            raise QueryError(f'empty key before "{c}" at character {i + 1}; to search for the text, quote it: '
                             f'"{q[i:_word_end(q, i)]}"')
        else:
            key = _KEY.match(q, i)
            sep = key.end() if key else i
            if key and sep < len(q) and q[sep] in "=:" and not q.startswith(":/", sep):  # http://... is a word
                value, quoted, i = _value(q, sep + 1, key.group(), q[sep])
                terms.append(Term("field", value, key.group(), exclude, quoted, (start, i)))
            else:
                i = _word_end(q, i)
                terms.append(Term("text", q[start + exclude:i], None, exclude, False, (start, i)))
    return tuple(terms)


def _quoted_always(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote(text: str) -> str:
    """`text` as a search reads it back as one value: bare when it can be, else "quoted"."""
    if text and not any(ch.isspace() or ch in '"\0' for ch in text):
        return text
    return _quoted_always(text)


def format_term(key: str, value: str, exclude: bool = False) -> str:
    """The term `key=value` (`-key=value` to exclude), quoted where needed."""
    return ("-" if exclude else "") + (key if _KEY.fullmatch(key) else _quoted_always(key)) + "=" + quote(value)


def without(q: str, span: tuple[int, int]) -> str:
    """The search with the term at `span` taken out."""
    return (q[:span[0]].rstrip() + " " + q[span[1]:].lstrip()).strip()


def add_term(q: str | None, term: str) -> str:
    """The search with `term` added: once only, and replacing its opposite (x and -x)."""
    q = (q or "").strip()
    try:
        new, = parse(term)
        old = parse(q)
    except (QueryError, ValueError):
        return f"{q} {term}".strip()
    if new in old:
        return q
    for t in sorted((t for t in old if t == replace(new, exclude=not new.exclude)), key=lambda t: -t.span[0]):
        q = without(q, t.span)
    return f"{q} {term}".strip()
