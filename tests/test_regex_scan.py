"""The literal PostgreSQL narrows a /regex/ by (logs.regex_scan.required_literal): only what every
match must contain, else nothing (the filter-agreement suite checks the hits themselves)."""
from __future__ import annotations

import pytest

from dashboard.logs.regex_scan import required_literal


@pytest.mark.parametrize(("pattern", "literal"), [
    ("timeout after \\d+", "timeout after "),
    ("STRASSE", "STRASSE"),
    ("foo(bar)baz", "foo"),              # a group's own run counts; the longest wins (the first of equals)
    ("(?x) t i m e", "time"),            # verbose: the spaces are not in the text
    ("(?-i:Upstream) down", "Upstream"),
    ("a|B", None),                       # a branch: neither side is required
    ("ab(cd|ef)gh", None),               # runs under 3 characters narrow nothing through trigrams
    ("(abcd)?x", None),                  # optional
    ("(abcd){e<=1}", None),              # the regex module's fuzzy matching: "abcd" need not occur
    ("[[:alpha:]]xyz", None),            # a POSIX class there, a set and "]" for the stdlib parser
    ("x\\p{Lu}yzw", None),               # the stdlib cannot read it
    ("[éÉ]té", None),                    # non-ASCII letters may match other folded text
    ("chloé", "chlo"),
])
def test_required_literal(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal
