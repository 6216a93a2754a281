"""`logdash tail`'s lines: hostile text is spelled out, a record cannot fake another's line, colours by level."""
from __future__ import annotations

import json
import re
import time
from datetime import datetime

import pytest

from dashboard.client.terminal import INDENT, clock, json_line, level_style, render, use_color

# What a terminal would obey or hide: C0 but tab and newline, DEL, C1, bidi, zero-width, separators, tags.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                 "\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
SGR = re.compile("\x1b\\[[0-9;]*m")
HOSTILE = {
    "clear screen": ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    "OSC 8 link": ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
                   "\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\"),
    "OSC 52 clipboard": ("\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07"),
    "8-bit CSI": ("\x9b31mred", "\\x9b31mred"),
    "bidi override": ("\u202eexe.txt\u202c", "\\u202eexe.txt\\u202c"),
    "isolate": ("\u2066x\u2069", "\\u2066x\\u2069"),
    "zero width": ("pay\u200bments", "pay\\u200bments"),
    "carriage return": ("ok\rFAKE", "ok\\x0dFAKE"),
    "NUL and BEL": ("a\x00b\x07", "a\\x00b\\x07"),
    "DEL and NEL": ("\x7f\x85", "\\x7f\\x85"),
    "line separator": ("a\u2028b", "a\\u2028b"),
}


def record(**fields: object) -> dict[str, object]:
    base = {"id": 1, "created": 1_700_000_000.25, "levelno": 20, "levelname": "INFO", "app": "shop",
            "name": "shop.cart", "message": "hello", "exc_text": None, "stack_info": None}
    return {**base, **fields}


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("field", ["message", "name", "app", "levelname", "exc_text", "stack_info"])
def test_control_characters_in_any_field_are_spelled_out(name: str, field: str) -> None:
    raw, shown = HOSTILE[name]
    for color in (False, True):
        text = render(record(**{field: f"<{raw}>"}), color=color)
        assert not RAW.search(SGR.sub("", text)), repr(text)
        assert f"<{shown}>" in text


def test_a_message_cannot_fake_the_next_record() -> None:
    fake = "12:00:00.000 ERROR    shop payments card stolen"
    text = render(record(message=f"first\n{fake}\nlast"), color=False)
    lines = text.split("\n")
    assert lines[0].endswith("first") and re.match(r"\d\d:\d\d:\d\d\.\d{3} INFO     shop shop\.cart first$", lines[0])
    assert lines[1:] == [INDENT + fake, INDENT + "last"]
    assert all(line.startswith(INDENT) for line in lines[1:])


def test_windows_line_ends_are_line_ends_and_a_lone_return_is_shown() -> None:
    text = render(record(message="one\r\ntwo\rthree"), color=False)
    assert text.split("\n")[1] == INDENT + "two\\x0dthree"


def test_traceback_and_stack_follow_indented() -> None:
    tb = 'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\nValueError: bad\n'
    text = render(record(levelno=40, levelname="ERROR", message="failed", exc_text=tb, stack_info="Stack:\n  here"),
                  color=False)
    assert text.split("\n")[1:] == [INDENT + "Traceback (most recent call last):",
                                    INDENT + '  File "a.py", line 1, in <module>', INDENT + "ValueError: bad",
                                    INDENT + "Stack:", INDENT + "  here"]


def test_time_is_local_with_milliseconds() -> None:
    now = time.time()
    assert clock(now) == datetime.fromtimestamp(now).strftime("%H:%M:%S.") + f"{int(now * 1000) % 1000:03d}"
    assert clock(None) == clock("x") == clock(1e300) == "??:??:??.???"


def test_missing_fields_still_make_one_line() -> None:
    assert render({"id": 3}, color=False) == "??:??:??.???          - - "


@pytest.mark.parametrize(("levelno", "codes"), [
    (10, {"2"}), (20, {"32"}), (25, {"32"}), (30, {"33"}), (40, {"31", "1"}), (50, {"31", "1", "7"}),
])
def test_level_colours(levelno: int, codes: set[str]) -> None:
    text = render(record(levelno=levelno, levelname="X"), color=True)
    used = {code for seq in SGR.findall(text) for code in seq[2:-1].split(";")} - {"0"}
    assert used == codes
    assert "\x1b" not in render(record(levelno=levelno), color=False)


def test_odd_level_numbers_get_the_lowest_style() -> None:
    assert level_style("40") == level_style(None) == level_style(True) == level_style(10)


def test_json_line_is_ascii_one_line_and_round_trips() -> None:
    data = record(message="a\nb \x1b[2J \u202e é \U0001f600", extra={"k": [1, None]})
    line = json_line(data)
    assert line.isascii() and "\n" not in line and "\x1b" not in line
    assert json.loads(line) == data


@pytest.mark.parametrize(("flag", "tty", "env", "expected"), [
    (None, True, {}, True), (None, False, {}, False), (None, True, {"NO_COLOR": "1"}, False),
    (None, True, {"NO_COLOR": ""}, True), (True, False, {"NO_COLOR": "1"}, True), (False, True, {}, False),
])
def test_colour_follows_the_terminal_no_color_and_the_flag(flag, tty, env, expected) -> None:
    assert use_color(flag, tty, env) is expected
