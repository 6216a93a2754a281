"""Args text up to the body limit is read; pathological text is refused quickly, in little memory."""
from __future__ import annotations

import time
import tracemalloc

import pytest
from parse_helpers import fast

from dashboard.ingest.limits import MAX_TEXT
from dashboard.ingest.literals import MAX_ARGS_TEXT

MB = 1_000_000


def test_a_1_mb_argument_formats_well_under_a_second() -> None:
    args = "('" + "y" * (MB - 200) + "', 'tail')"
    started = time.perf_counter()
    r = fast({"msg": "%s %s", "args": args})
    assert time.perf_counter() - started < 0.5
    assert r["format_error"] is None  # formatted; then cut like any message over MAX_TEXT, marked and measured
    assert r["message"].startswith("y" * (MAX_TEXT - 100)) and r["message"].endswith(f"{MB - 200 + 5:,} characters]")
    assert r["extra"]["logdash_truncated"]["message"] == MB - 200 + 5


def test_a_large_mapping_value_cannot_be_multiplied() -> None:
    r = fast({"msg": "%(a)s" * 20, "args": "{'a': '" + "z" * 500_000 + "'}"})
    assert r["message"] == "%(a)s" * 20
    assert r["format_error"] == "the message would be over 4,194,304 characters"


@pytest.mark.parametrize(("args", "why"), [
    ("[" * 100_000 + "]" * 100_000, "nested over 50 deep"),
    ("(" + "-" * 500_000 + "1,)", "nested over 50 deep"),
    ("(" * 1_000_000, "nested over 50 deep"),
    ("(" + "1," * 500_000 + ")", "more than 20,000 tokens"),
    ("(" + "1+" * 500_000 + "1,)", "more than 20,000 tokens"),
    ("(a" + ".b" * 400_000 + ",)", "more than 20,000 tokens"),
    ("(f" + "()" * 400_000 + ",)", "more than 20,000 tokens"),
    ("(" + "not " * 200_000 + "x,)", "more than 20,000 tokens"),
    ("(" + "<" * 900_000 + ",)", "more than 20,000 tokens"),
    ("(" + "x" * (MAX_ARGS_TEXT + 1) + ",)", f"text over {MAX_ARGS_TEXT:,} characters"),
    ("('''a''',)", "a triple-quoted string"),
])
def test_pathological_args_are_refused_fast_and_small(args: str, why: str) -> None:
    tracemalloc.start()
    try:
        started = time.perf_counter()
        r = fast({"msg": "%s", "args": args})
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (r["message"], r["format_error"]) == ("%s", f"args could not be read: {why}")
    assert elapsed < 0.5
    assert peak < 20 * MB + 2 * len(args)  # the text itself, its masked copy, and a bounded tree


@pytest.mark.parametrize("args", [
    "(" + "1," * 9_000 + ")",                                  # under the token cap: parsed, tree kept small
    "(" + "1+" * 9_000 + "1,)",                                 # a deep tree the parser gives up on
    "(a" + ".b" * 9_000 + ",)",
    "(" + "not " * 9_000 + "x,)",
])
def test_just_under_the_caps_stays_bounded(args: str) -> None:
    tracemalloc.start()
    try:
        started = time.perf_counter()
        fast({"msg": "%s", "args": args})
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5 and peak < 40 * MB
