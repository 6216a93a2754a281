"""The JS formatting twins (static/js/format.js, levels.js) give exactly what their Python originals
(dashboard/web/format.py, dashboard/ingest/levels.py) give, run in Debian's chromium on the same inputs."""
from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dashboard.ingest import levels
from dashboard.web import format as fmt

pytest.importorskip("playwright.sync_api")

CALL = """async ([module, name, cases]) => {
  const fn = (await import(module))[name];
  return cases.map(args => fn(...args));
}"""

TEXTS = [
    "", "plain", "tab\tand\nnewline kept", "\x1b[31mred\x1b[0m", "\x00\x01\x07\x08\x0b\x0c\r\x1f\x7f",
    "C1: \x80\x85\x9b\x9f and \xa0\xff kept", "bidi \u202eevil\u202c \u200e\u200f\u061c \u2066iso\u2069 \u202a\u202d",
    "astral 😀 𝄞 \U0010ffff", "😀\x1b😀", "<script>alert(1)</script> & \"quotes\"", "ünïcödé ß ς",
    "\u2028line sep\u2029 zero\u200bwidth", "line\r\nwindows\rlone cr",
]
NUMBERS = [0, 1, 999, 1000, 1049, 1050, 1234, 1250, 1949, 1950, 9949, 9950, 9999, 10_000, 10_499, 10_500, 12_500,
           99_500, 999_499, 999_500, 999_999, 10**6, 1_250_000, 9_950_000, 9_999_999, 10**7, 10_500_000, 25 * 10**6,
           999_999_999, 10**9, 1_250_000_000, 5 * 10**12]
LONG = "\n".join(f"line {i} " + "😀" * (i % 4) + "x" * (i % 7) for i in range(40)) + "\n"
FOLD_TEXTS = ["", "one line", "a\nb\nc", "a\nb\nc\n", "\n\n\n", "😀😀😀\n😀😀\n😀", LONG, LONG.rstrip("\n"),
              "no newline but rather long " * 8]
EPOCHS = [
    0, 0.0005, 0.0004999, 0.9995, 0.9999994, 0.9999995, 0.9999996, 1.5e-6, 2.5e-6, -0.5, -1.0005, 86399.9999996,
    951_868_799.9999996, 1_735_689_599.9996, 1_735_689_599.9995, 1_800_000_000.123, 1_800_000_000.9995,
    1_800_000_000.9999995, 1_800_000_000.0005, 1_700_000_000.5, 4_102_444_799.999, round(time.time(), 6),
    *(1_800_000_000 + k / 1000 for k in range(0, 1000, 37)),
    *(1_800_000_000 + (k + 0.5) / 1000 for k in range(0, 1000, 41)),
    *(1_234_567_890 + k / 10_000 for k in range(9990, 10_000)),
]


def run_js(page: Any, module: str, name: str, cases: list[list[Any]]) -> list[Any]:
    """Call `name` of `module` in the page once per argument list."""
    return page.evaluate(CALL, [module, name, cases])


def same(py: Callable[..., Any], js: list[Any], cases: list[list[Any]]) -> None:
    """Every JS answer equals the Python one (tuples arrive as lists)."""
    wrong = []
    for args, answer in zip(cases, js, strict=True):
        expected = py(*args)
        if isinstance(expected, tuple):
            expected = list(expected)
        if answer != expected:
            wrong.append((args, expected, answer))
    assert not wrong, "(arguments, Python, JS):\n" + "\n".join(map(repr, wrong))


@pytest.fixture
def twins(live, page) -> Any:
    """A page of the live server, ready to import modules (no records: nothing else moves on it)."""
    page.goto(live.url + "/")
    return page


@pytest.mark.parametrize(("js_name", "py", "cases"), [
    ("printable", fmt.printable, [[t] for t in [*TEXTS, None]]),
    ("abbreviate", fmt.abbreviate, [[n] for n in NUMBERS]),
    ("byteSize", fmt.byte_size, [[n] for n in [None, *NUMBERS]]),
    ("lineCount", fmt.line_count, [[t] for t in TEXTS + FOLD_TEXTS]),
    ("statusClass", fmt.status_class, [[s] for s in range(101, 600)]),
    ("fold", fmt.fold, [[t] for t in FOLD_TEXTS]),
    ("fold", fmt.fold, [[t, lines, chars] for t, lines, chars in
                        itertools.product(FOLD_TEXTS, [0, 1, 2, 3, 5, 39, 40, 41], [0, 1, 2, 4, 7, 50, 1000])]),
])
def test_js_twin_matches_python(twins: Any, js_name: str, py: Callable[..., Any], cases: list[list[Any]]) -> None:
    same(py, run_js(twins, "/static/js/format.js", js_name, cases), cases)


def test_fold_at_the_default_limits(twins: Any) -> None:
    many_lines = "".join(f"{i}\n" for i in range(fmt.FOLD_LINES + 50))
    wide = ("😀" * 7 + "abc") * (fmt.FOLD_CHARS // 5)  # the character cut falls on emoji and letters alike
    cases = [[many_lines], [many_lines[:-1]], [wide], [wide[1:]], [wide[3:]], ["x\n" * fmt.FOLD_LINES]]
    same(fmt.fold, run_js(twins, "/static/js/format.js", "fold", cases), cases)


@pytest.mark.parametrize(("js_name", "py"), [("clock", fmt.clock), ("dateLabel", fmt.date_label),
                                             ("stamp", fmt.stamp)])
def test_times_in_utc_match_python(twins: Any, js_name: str, py: Callable[[float], str]) -> None:
    answers = run_js(twins, "/static/js/format.js", js_name, [[e, True] for e in EPOCHS])
    same(py, answers, [[e] for e in EPOCHS])


def test_long_time_is_the_iso_time_spelled_for_people(twins: Any) -> None:
    answers = run_js(twins, "/static/js/format.js", "longTime", [[e, True] for e in EPOCHS])
    assert answers == [fmt.iso_time(e).replace("T", " ").replace("Z", " UTC") for e in EPOCHS]


def test_local_times_follow_the_browser_zone(live, browser) -> None:
    """utc=false: the same rounding, in the zone the browser runs in (one with a 45-minute offset)."""
    zone = "Asia/Kathmandu"
    context = browser.new_context(timezone_id=zone)
    try:
        page = context.new_page()
        page.goto(live.url + "/")
        for js_name, pattern in (("clock", "%H:%M:%S."), ("dateLabel", "%m-%d"), ("stamp", "%Y-%m-%d %H:%M:%S")):
            answers = run_js(page, "/static/js/format.js", js_name, [[e, False] for e in EPOCHS])
            moments = [datetime.fromtimestamp(e, ZoneInfo(zone)) for e in EPOCHS]
            expected = [m.strftime(pattern) + (f"{m.microsecond // 1000:03d}" if js_name == "clock" else "")
                        for m in moments]
            assert answers == expected, js_name
    finally:
        context.close()


def test_character_counts_and_cuts_count_code_points_as_python(twins: Any) -> None:
    texts = ["", "abc", "😀", "a😀b😀c", "𝄞" * 9, "x" * 600 + "😀" * 10]
    assert run_js(twins, "/static/js/format.js", "charCount", [[t] for t in texts]) == [len(t) for t in texts]
    cases = [[t, n] for t in texts for n in (0, 1, 2, 3, 500, 605)]
    assert run_js(twins, "/static/js/format.js", "firstChars", cases) == [t[:n] for t, n in cases]


def test_level_classes_come_from_the_server(twins: Any) -> None:
    names = [*levels.LEVELS, "warn", "Fatal", "info", "TRACE", "Level 25", "", None, "__proto__", "constructor",
             "toString", "hasOwnProperty"]
    same(levels.level_class, run_js(twins, "/static/js/levels.js", "levelClass", [[n] for n in names]),
         [[n] for n in names])
    same(levels.css_name, run_js(twins, "/static/js/levels.js", "levelCss", [[n] for n in names]), [[n] for n in names])
