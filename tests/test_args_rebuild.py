"""Messages rebuilt from args whose repr is not a literal: what the app's getMessage() printed."""
from __future__ import annotations

import datetime
import enum
import logging
import pathlib
import re
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from parse_helpers import fast


class Color(enum.Enum):
    RED = 1


class Size(enum.IntEnum):
    BIG = 3


class PaymentError(Exception):
    pass


UID = uuid.UUID("12345678-1234-5678-1234-567812345678")
WHEN = datetime.datetime(2024, 1, 1, 0, 0)
APP_VALUES = [
    ("at %s", (WHEN,)),
    ("at %s", (datetime.datetime(2024, 1, 1, 9, 5, 7, 123, tzinfo=datetime.UTC),)),
    ("at %s", (datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(seconds=3600))),)),
    ("at %s", (datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5), "EST")),)),
    ("at %s", (datetime.datetime(2024, 7, 1, 12, tzinfo=ZoneInfo("Europe/Paris")),)),
    ("on %s at %s", (datetime.date(2024, 1, 1), datetime.time(12, 30))),
    ("took %s", (datetime.timedelta(days=2, seconds=5, microseconds=7),)),
    ("total %s", (Decimal("1.5"),)),
    ("total %.2f", (Decimal("1.5"),)),
    ("total %d", (Decimal("1.5"),)),
    ("total %r", (Decimal("1.5"),)),
    ("third %s = %.3f", (Fraction(1, 3), Fraction(1, 3))),
    ("id %s", (UID,)),
    ("id %r", (UID,)),
    ("file %s", (pathlib.PosixPath("/srv/app/x.log"),)),
    ("file %s", (pathlib.PurePosixPath("/x"),)),
    ("file %s", (pathlib.PureWindowsPath("C:/data/x.log"),)),
    ("color %s", (Color.RED,)),
    ("sentinel %s", (object(),)),
    ("failed: %s", (ValueError("bad"),)),
    ("failed: %s", (KeyError("k"),)),
    ("failed: %s", (FileNotFoundError(2, "No such file or directory"),)),
    ("failed: %s", (ValueError("a", 2),)),
    ("failed: %s", (PaymentError("card declined"),)),
    ("several %s %s %s", ([Color.RED, WHEN], {"id": UID}, frozenset({1}))),
    ("%(user)s at %(when)s", ({"user": UID, "when": WHEN},)),
    ("%s and %s", (Decimal("2"), float("inf"))),
]


def app_message(msg: str, args: tuple[Any, ...]) -> tuple[str, str]:
    """(what getMessage() made in the app, the args text the stock handler sends) for a real LogRecord."""
    record = logging.LogRecord("app", logging.INFO, __file__, 1, msg, args, None)
    return record.getMessage(), str(record.args)


@pytest.mark.parametrize(("msg", "args"), APP_VALUES, ids=lambda v: re.sub(r" at 0x[0-9a-f]+", "", repr(v))[:40])
def test_message_is_what_the_app_printed(msg: str, args: tuple[Any, ...]) -> None:
    expected, args_text = app_message(msg, args)
    r = fast({"msg": msg, "args": args_text})
    assert (r["message"], r["format_error"], r["args"]) == (expected, None, args_text)


@pytest.mark.parametrize(("args_text", "shown"), [
    ("(WindowsPath('C:/data/x.log'),)", "C:\\data\\x.log"),   # not constructible on this OS; its repr is
    ("(<Size.BIG: 3>,)", "Size.BIG"),                            # an IntEnum prints 3: the repr does not say
    ("(ZeroDivisionError('division by zero'),)", "division by zero"),
    ("(Point(x=1, y=2),)", "Point(x=1, y=2)"),                  # an unknown repr stands for its str()
    ("(datetime.datetime(2024, 1, 1, tzinfo=<DstTzInfo 'Europe/Paris' CET+1:00:00 STD>),)",
     "datetime.datetime(2024, 1, 1, tzinfo=<DstTzInfo 'Europe/Paris' CET+1:00:00 STD>)"),
    ("(datetime.datetime(2024, 13, 1),)", "datetime.datetime(2024, 13, 1)"),   # not a date: shown as sent
    ("(Decimal('1e999999999'),)", "1E+999999999"),              # text only: as a number it would never end
])
def test_documented_substitutes(args_text: str, shown: str) -> None:
    r = fast({"msg": "value %s", "args": args_text})
    assert (r["message"], r["format_error"]) == (f"value {shown}", None)


def test_numbers_behind_substitutes_still_format() -> None:
    assert fast({"msg": "%d/%.1f", "args": "(<Size.BIG: 3>, <Size.BIG: 3>)"})["message"] == "3/3.0"
    r = fast({"msg": "%d", "args": "(<object object at 0x7f00>,)"})
    assert r["message"] == "%d"
    assert r["format_error"] == "%d format: a real number is required, not a value shown as text"


@pytest.mark.parametrize(("msg", "args", "why"), [
    ("%s %s", "('one',)", "not enough arguments for format string"),
    ("%*d", "(5, 3)", "format %*d not rebuilt (a `*` width or precision)"),
    ("%s", "('" + "a" * 1_048_577 + "',)", "args could not be read: text over 1,048,576 characters"),
    ("%s", "(" * 60 + ")" * 60, "args could not be read: nested over 50 deep"),
    ("%(who)s", "{'user': 'ann'}", "no key 'who' in the args mapping"),
    ("%s", "('a', 'b'", "args could not be read: not Python syntax ('(' was never closed, column 1)"),
])
def test_why_the_message_was_not_rebuilt(msg: str, args: str, why: str) -> None:
    r = fast({"msg": msg, "args": args})
    assert (r["message"], r["format_error"]) == (msg, why)


def test_no_reason_when_nothing_needed_formatting() -> None:
    assert fast({"msg": "100% done", "args": "()"})["format_error"] is None
    assert fast({"msg": "done", "args": "(<unclosed"})["format_error"] is None  # no conversion: nothing lost
    assert fast({"msg": "x %s", "args": "('y',)", "message": "sent formatted"})["format_error"] is None


def test_non_literals_are_never_evaluated() -> None:
    r = fast({"msg": "%s %s", "args": "(__import__('os').system('echo pwned'), open('/etc/passwd').read())"})
    assert r["message"] == "__import__('os').system('echo pwned') open('/etc/passwd').read()"
    r = fast({"msg": "%s", "args": "(datetime.datetime.now(),)"})
    assert r["message"] == "datetime.datetime.now()"


def test_angle_reprs_keep_their_text_even_when_it_looks_like_syntax() -> None:
    args = "(<Foo 'a>b' (unbalanced [ at 0x1>, '<not a repr>', <a <nested> one>)"
    r = fast({"msg": "%s|%s|%s", "args": args})
    assert r["message"] == "<Foo 'a>b' (unbalanced [ at 0x1>|<not a repr>|<a <nested> one>"
    assert fast({"msg": "%s %s", "args": "('_lt0_', <x>)"})["message"] == "_lt0_ <x>"  # no name clash


def test_a_50_kb_argument_formats() -> None:
    big = "x" * 50_000
    expected, args_text = app_message("payload %s %s", (big, WHEN))
    assert fast({"msg": "payload %s %s", "args": args_text})["message"] == expected
