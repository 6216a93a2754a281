"""What the app's str() printed, rebuilt from the repr of a value that is not a literal.

`%s` prints str(value) but the stock handler sends repr(value): for the common standard types
the value is rebuilt here from literal arguments only (never evaluated, nothing imported by
name from the text): datetime, date, time, timedelta, timezone, ZoneInfo, Decimal, Fraction,
UUID, built-in exceptions, frozenset, bytearray. Those are real objects, so `%d`, `%.2f` and
`%r` behave as in the app. Others become a `Shown`: str() is the documented substitute, repr()
the text as sent:

- paths (`PosixPath('/x')`, `WindowsPath`, the `Pure` variants, `Path`): the path text;
- enum members (`<Color.RED: 1>`): `Color.RED`, str() of an Enum member. An IntEnum or StrEnum
  member prints its value instead, and its repr does not say which it is; `%d`/`%f` get the value;
- exceptions of the app's own classes (a name ending in Error, Exception or Warning): str() as
  BaseException makes it (the one argument, or the tuple of them); a custom __str__ is not known;
- anything else (`<object object at 0x7f...>`, `Point(x=1, y=2)`): its repr, which is what str()
  prints for most objects.
"""
from __future__ import annotations

import ast
import builtins
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .literals import Reader, Unreadable, literal

MAX_NUMBER_TEXT = 100   # digits of a Decimal rebuilt as a number (int(Decimal('1e999999')) would not end)
_ENUM = re.compile(r"<([A-Za-z_][\w.]*(?:\|[A-Za-z_][\w.]*)*): (.{1,100})>", re.S)
_ZONE_KEY = re.compile(r"[A-Za-z0-9_+\-]{1,40}(?:/[A-Za-z0-9_+\-]{1,40}){0,3}")
_EXCEPTION_NAME = re.compile(r"\w*(?:Error|Exception|Warning)")


class Shown:
    """A value rebuilt only as text: str() is what the app's str() printed, repr() the repr it sent."""
    __slots__ = ("source", "text")

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.source


class ShownNumber(Shown):
    """A Shown whose app value was a number (an IntEnum member): `%d` and `%f` use the number."""
    __slots__ = ("number",)

    def __init__(self, text: str, source: str, number: int | float) -> None:
        super().__init__(text, source)
        self.number = number

    def __int__(self) -> int:
        return int(self.number)

    def __float__(self) -> float:
        return float(self.number)


def _dotted(node: ast.AST) -> str | None:
    """`datetime.datetime` for that Name/Attribute chain (at most 4 parts), else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute) and len(parts) < 4:
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _decimal(text: str) -> Decimal | Shown:
    value = Decimal(text)
    if len(text) > MAX_NUMBER_TEXT or (value.is_finite() and abs(value.adjusted()) > MAX_NUMBER_TEXT):
        return Shown(str(value), f"Decimal({text!r})")  # text only: as a number it could take forever
    return value


def _zone(key: str) -> ZoneInfo:
    if not _ZONE_KEY.fullmatch(key) or ".." in key:
        raise ValueError("not a time zone name")
    return ZoneInfo(key)


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)


# Constructors that rebuild the app's value exactly from literal arguments.
_EXACT: dict[str, Callable[..., Any]] = {
    "datetime.datetime": datetime, "datetime.date": date, "datetime.time": time,
    "datetime.timedelta": timedelta, "datetime.timezone": timezone,
    "zoneinfo.ZoneInfo": _zone, "Decimal": _decimal, "decimal.Decimal": _decimal,
    "Fraction": Fraction, "fractions.Fraction": Fraction, "UUID": _uuid, "uuid.UUID": _uuid,
    "frozenset": frozenset, "bytearray": bytearray,
}
_PATHS = {"PosixPath": PurePosixPath, "PurePosixPath": PurePosixPath, "Path": PurePosixPath,
          "PurePath": PurePosixPath, "WindowsPath": PureWindowsPath, "PureWindowsPath": PureWindowsPath}
_ARG_TYPES = (str, bytes, int, float, bool, type(None), set, list, tuple, dict, timedelta, timezone, ZoneInfo)


def _exception(name: str, args: list[Any]) -> str | None:
    """str() of the exception `name(*args)`: exact for built-in classes, BaseException's rule otherwise."""
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, BaseException):
        return str(cls(*args))
    if _EXCEPTION_NAME.fullmatch(name):
        return str(BaseException(*args))
    return None


def _call(node: ast.Call, reader: Reader, source: str) -> Any:
    name = _dotted(node.func)
    if name is None:
        return None
    args = [reader.value(a) for a in node.args]
    kwargs = {kw.arg: reader.value(kw.value) for kw in node.keywords if kw.arg is not None}
    if len(kwargs) != len(node.keywords):
        return None  # **unpacking
    plain = all(isinstance(v, _ARG_TYPES) for v in (*args, *kwargs.values()))  # no argument is only text
    if name in _EXACT:
        return _EXACT[name](*args, **kwargs) if plain else None
    if name in _PATHS:
        paths_ok = plain and args and not kwargs and all(isinstance(a, str) for a in args)
        return Shown(str(_PATHS[name](*args)), source) if paths_ok else None
    if kwargs:
        return None
    text = _exception(name.rpartition(".")[2], args)  # str(exc) is str(arg): a Shown argument is right too
    return None if text is None else Shown(text, source)


def _placeholder(text: str) -> Shown:
    """A `<...>` repr: an enum member shows as `Cls.NAME`, anything else as it came."""
    match = _ENUM.fullmatch(text)
    if match is None:
        return Shown(text, text)
    try:
        number = literal(match.group(2))
    except Unreadable:
        number = None
    if type(number) in (int, float):
        return ShownNumber(match.group(1), text, number)
    return Shown(match.group(1), text)


def substitute(node: ast.AST, reader: Reader) -> Any:
    """`other` for args: the app's value (or a Shown standing for it) for a node that is not a literal."""
    original = reader.placeholder(node)
    if original is not None:
        return _placeholder(original)
    source = reader.source(node)
    if _dotted(node) == "datetime.timezone.utc":
        return UTC
    if isinstance(node, ast.Call):
        try:
            value = _call(node, reader, source)
        except (TypeError, ValueError, ArithmeticError, InvalidOperation, ZoneInfoNotFoundError, OSError):
            value = None  # the arguments do not make that value: show the repr
        if value is not None:
            return value
    return Shown(source, source)
