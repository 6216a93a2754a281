"""Which names carry secrets, and their values replaced by `[redacted]` in headers, queries and bodies.

The inspector stores requests as they came, so credentials would sit in the database file. Names
are compared once decoded (`%74oken` is `token`), case-insensitively, with `_` read as `-`. Bodies
keep every other byte: only the value of a secret field is replaced.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus, unquote_to_bytes

REDACTED = "[redacted]"
_REDACTED_B = REDACTED.encode()

# Exact names (normalised: lower case, `_` as `-`).
SECRET_NAMES = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "key", "sig", "pwd", "pass", "auth",
    "x-amz-credential", "csrfmiddlewaretoken", "sessionid", "session-id", "jsessionid", "phpsessid",
    "private-key", "client-assertion", "code-verifier", "otp", "totp",
})
# A name is secret too when one of its `-`-separated parts ends with one of these ...
SECRET_PART_ENDINGS = ("token", "secret", "password", "passwd", "apikey", "passphrase")
# ... or is one of these ...
SECRET_PARTS = frozenset({"signature", "credential", "credentials", "csrf", "xsrf"})
# ... or the whole name ends with one of these.
SECRET_SUFFIXES = ("api-key", "access-key", "secret-key", "private-key", "subscription-key", "functions-key",
                   "master-key", "auth-key", "session-key")


def normalise(name: str) -> str:
    """The form names are compared in: `X_Auth_Token` and `x-auth-token` are the same name."""
    return name.strip().lower().replace("_", "-")


def parse_names(setting: str) -> frozenset[str]:
    """LOGDASH_REDACT: more secret names, comma-separated."""
    return frozenset(normalise(n) for n in setting.split(",") if n.strip())


class Redactor:
    """Redacts the built-in secret names plus the `extra` ones (LOGDASH_REDACT)."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.extra = frozenset(normalise(n) for n in extra)
        self._known: dict[str, bool] = {}  # names seen: a batch of records repeats the same few keys
        self._raw_known: dict[bytes, bool] = {}  # the same, by the JSON key as written
        self._fragments = _fragments([*SECRET_NAMES, *SECRET_PART_ENDINGS, *SECRET_PARTS, *SECRET_SUFFIXES,
                                      *self.extra])

    def may_hold_secret(self, body: bytes) -> bool:
        """False only when no name in `body` can be secret: none of the names' fragments is there in
        any case, and no escape (`%6B`, `\\u006b`, a Kelvin sign) could spell one. Most log batches
        hold no credential, and this costs a few microseconds per record, where the scans cost 100."""
        if _SPELLS_LETTER.search(body):
            return True
        low = body.lower()
        return any(fragment in low for fragment in self._fragments)

    def is_secret(self, name: str) -> bool:
        """Whether a header, parameter or field of this (decoded) name holds a credential."""
        known = self._known.get(name)
        if known is None:
            if len(self._known) > 10_000:
                self._known.clear()
            known = self._known[name] = self._judge(name)
        return known

    def is_secret_key(self, raw: bytes) -> bool:
        """`is_secret` of a JSON key as written (quotes and escapes): a batch writes the same few keys
        thousands of times, so each spelling is decoded and judged once."""
        known = self._raw_known.get(raw)
        if known is None:
            if len(self._raw_known) > 10_000:
                self._raw_known.clear()
            known = self._raw_known[raw] = self.is_secret(_json_key(raw))
        return known

    def _judge(self, name: str) -> bool:
        norm = normalise(name)
        if not norm:
            return False
        if norm in SECRET_NAMES or norm in self.extra or norm.endswith(SECRET_SUFFIXES):
            return True
        return any(part in SECRET_PARTS or part.endswith(SECRET_PART_ENDINGS) for part in norm.split("-"))

    def header(self, name: str, value: str) -> str:
        """Keep the auth scheme (Basic, Bearer) so the user sees what was sent, hide the secret."""
        if not value or not self.is_secret(name):
            return value
        scheme, _, secret = value.partition(" ")
        if secret and normalise(name).endswith("authorization"):
            return f"{scheme} {REDACTED}"
        return REDACTED

    def query(self, query: str) -> str:
        """Replace the values of secret parameters (names compared decoded); the rest byte for byte."""
        fields = []
        for field in query.split("&"):
            key, sep, value = field.partition("=")
            secret = sep and value and self.is_secret(unquote_plus(key))
            fields.append(f"{key}={REDACTED}" if secret else field)
        return "&".join(fields)

    def urlencoded(self, body: bytes) -> bytes:
        """The query rule on a form body, in bytes (the body need not be UTF-8)."""
        fields = []
        for field in body.split(b"&"):
            key, sep, value = field.partition(b"=")
            secret = sep and value and self.is_secret(_decoded(key))
            fields.append(key + b"=" + _REDACTED_B if secret else field)
        return b"&".join(fields)

    def loose_pairs(self, body: bytes) -> bytes:
        """`name=value` and `name: value` pairs found in text no parser read (a log line, a broken body)."""
        def replace(m: re.Match[bytes]) -> bytes:
            return m.group(1) + m.group(2) + _REDACTED_B if self.is_secret(_decoded(m.group(1))) else m.group(0)
        return _LOOSE_PAIR.sub(replace, body)

    def json_text(self, body: bytes, cut: bool = False) -> bytes:
        """Values of secret keys at any depth: scalars replaced in place, else the document rewritten.
        `cut`: the body is the head of a longer one, which raises _Cut when a secret holds an object or
        array (its end, and so the document, may lie past the cut)."""
        nested = False  # a secret key holding an object or an array: only then is the body parsed

        def replace(m: re.Match[bytes]) -> bytes:
            nonlocal nested
            if m.group("value") is None:  # a string alone, or a key whose value is no scalar
                if not nested and _OPENS.match(body, m.end()):
                    nested = self.is_secret_key(m.group("key"))
                return m.group(0)
            if not self.is_secret_key(m.group("key")):
                return m.group(0)
            return m.group("key") + m.group("colon") + b'"' + _REDACTED_B + b'"'
        out = _JSON_PAIR.sub(replace, body)
        if not nested:  # every secret held a scalar, replaced in place above
            return out
        if cut:
            raise _Cut
        whole = _parsed(out)
        if whole is not None:  # a secret holding an object or array: the parsed document rewritten
            return self._rewritten(whole) if self._leaks(whole) else out
        lines = out.split(b"\n")
        for i, line in enumerate(lines[:100_000]):  # NDJSON: the same, line by line
            doc = _parsed(line) if line.strip() else None
            if doc is not None and self._leaks(doc):
                lines[i] = self._rewritten(doc)
        return b"\n".join(lines)

    def multipart(self, body: bytes, boundary: str) -> bytes:
        """Text parts named like a secret get `[redacted]` as their content; files and the rest stay."""
        delimiter = b"--" + boundary.encode("latin-1", "replace")
        chunks = body.split(delimiter)
        for i, chunk in enumerate(chunks[1:], 1):
            head, sep, content = chunk.partition(b"\r\n\r\n")
            disposition = _DISPOSITION.search(head)
            if not sep or disposition is None or b"filename" in head.lower():
                continue
            if self.is_secret(_decoded(disposition.group(1))):
                chunks[i] = head + sep + _REDACTED_B + (b"\r\n" if content.endswith(b"\r\n") else b"")
        return delimiter.join(chunks)

    def body(self, content_type: str | None, body: bytes, cap: int | None = None) -> bytes:
        """The body to store, at most `cap` bytes: parsed by its Content-Type where we can, else the loose
        pair rule. Only the kept head is scanned, since a value cut at its end is redacted whole (an open
        string runs to the end, a pair's value to the cut); but a secret holding an object or array can
        only be found in the whole document, so then the whole body is redacted before the cut."""
        if cap is not None and len(body) > cap:
            try:
                return self._redacted(content_type, body[:cap], cut=True)[:cap]
            except _Cut:
                return self._redacted(content_type, body)[:cap]
        return self._redacted(content_type, body)

    def _redacted(self, content_type: str | None, body: bytes, cut: bool = False) -> bytes:
        if not body:
            return body
        mimetype, _, params = (content_type or "").partition(";")
        mimetype = mimetype.strip().lower()
        if mimetype == "multipart/form-data":
            boundary = _BOUNDARY.search(params)
            if boundary:
                return self.multipart(body, boundary.group(1) or boundary.group(2))
        if mimetype == "application/x-www-form-urlencoded":
            return self.urlencoded(body)
        if not self.may_hold_secret(body):
            return body
        try:
            return self.loose_pairs(self.json_text(body, cut))
        except RecursionError:  # JSON nested deeper than the walk for secret objects goes: keep none of it
            return b"[not stored: JSON nested too deep to check for secrets]"

    def _rewritten(self, doc: Any) -> bytes:
        return json.dumps(self._scrub(doc), ensure_ascii=False).encode()

    def _leaks(self, value: Any) -> bool:
        if isinstance(value, dict):
            return any((self.is_secret(str(k)) and v != REDACTED) or self._leaks(v) for k, v in value.items())
        return isinstance(value, list) and any(self._leaks(v) for v in value)

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: REDACTED if self.is_secret(str(k)) else self._scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub(v) for v in value]
        return value


class _Cut(Exception):
    """A secret holds an object or array in a body's head: only the whole body can be redacted."""


# possessive, and an unterminated string runs to the end: no input makes the scan quadratic
_STRING = rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)'
# Every JSON string is consumed whole, so a match never starts inside one; a key's scalar value is captured.
_JSON_PAIR = re.compile(rb"(?P<key>" + _STRING + rb")(?:(?P<colon>\s*:\s*)(?P<value>" + _STRING
                        + rb"|-?[0-9][0-9.eE+-]*|true|false|null))?", re.DOTALL)
_OPENS = re.compile(rb"\s*:\s*[\[{]")  # after a key: its value is an object or an array
# a quoted value left open at the end of the text (a body cut at the cap) is a value too
_LOOSE_PAIR = re.compile(rb"(?<![\w.%-])([\w.%-]+)(\s*[=:]\s*)(?:\"[^\"\r\n]*(?:\"|\Z)|'[^'\r\n]*(?:'|\Z)"
                         rb"|[^\s&;,\"'<>{\[]+)")
_DISPOSITION = re.compile(rb'(?i)content-disposition:[^\r\n]*?\bname="([^"]*)"')
_BOUNDARY = re.compile(r'(?i)boundary=(?:"([^"]+)"|([^\s;]+))')


# An escape that decodes to a letter, `_` or `-` (percent or JSON \\u), or a character whose lower case
# is an ASCII letter (U+212A KELVIN SIGN is k; U+0130 is i and a dot), raw, percent- or \\u-escaped.
_SPELLS_LETTER = re.compile(rb"(?i)%(?:[46][1-9a-f]|[57][0-9a]|5f|2d)|\\u00(?:[46][1-9a-f]|[57][0-9a]|5f|2d)"
                            rb"|\xe2\x84\xaa|\xc4\xb0|%e2%84%aa|%c4%b0|\\u212a|\\u0130")


def _fragments(names: Iterable[str]) -> tuple[bytes, ...]:
    """Substrings every name judged secret contains, lower case: for each listed name (or ending, part,
    suffix) its longest `-`-separated part, unless a shorter fragment already covers one of its parts
    (a name spelled with `_` still holds each part)."""
    chosen: set[bytes] = set()
    for name in sorted({normalise(n) for n in names}, key=len):
        parts = [p.encode() for p in name.split("-") if p]
        if not parts:  # a name of only `-` and `_`
            chosen.update((b"-", b"_"))
        elif not any(f in p for f in chosen for p in parts):
            chosen.add(max(parts, key=len))
    return tuple(sorted(f for f in chosen if not any(g != f and g in f for g in chosen)))


def _decoded(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


def _json_key(raw: bytes) -> str:
    try:
        return str(json.loads(raw.decode("utf-8", "replace")))
    except ValueError:
        return ""


def _parsed(body: bytes) -> Any:
    """The body as one JSON document, or None (not JSON, or nested beyond the parser)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
