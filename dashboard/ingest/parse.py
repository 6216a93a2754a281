"""Turn the fields a logging client sent into one normalised record dict.

Pure and stdlib-only: the stock ``logging.handlers.HTTPHandler`` sends every
value as text (``"None"``, ``"()"``, numbers as text, ``args`` as a repr), JSON
clients send real values. Nothing here trusts the input: args are parsed with
bounded ``ast`` parsing (never ``eval``), format specs are checked before
``%`` runs, and every string returned is encodable as UTF-8.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .extras import FormFields, read_extras
from .levels import learn_level, learned_level, level_name, level_number
from .limits import truncate_fields
from .safe_format import MAX_DEPTH, format_message, read_args
from .shippers import exception_value, normalise
from .trace_ids import take_ids
from .tracebacks import summary_of_traceback

__all__ = ["MAX_FIELDS", "RecordError", "exception_summary", "parse_record"]


class RecordError(ValueError):
    """A field set that cannot be read as a log record; str() is a reason for humans."""


MAX_FIELDS = 1000            # more fields than this in one record -> RecordError
MAX_EPOCH = 253_402_300_800  # 10000-01-01: later "created" values are not timestamps
_INT64 = 2**63               # ints outside signed 64 bits cannot be stored

_TEXT_FIELDS = ("pathname", "filename", "module", "funcName", "processName", "threadName",
                "taskName", "exc_info", "exc_text", "stack_info")
_INT_FIELDS = ("lineno", "process", "thread")
_DROPPED = ("msecs", "relativeCreated")
_EMPTY_ARGS = ("", "None", "()", "{}", "[]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_INT_TEXT = re.compile(r"[-+]?[0-9]{1,20}")
_EXC_INFO = re.compile(r"\(<class '([^']+)'>, (.*), (?:<traceback object at 0x[0-9a-fA-F]+>|None)\)", re.S)


def exception_summary(exc_info: str | None, exc_text: str | None = None) -> tuple[str | None, str | None]:
    """(type name, value text) from the stock handler's exc_info repr (it never sends the traceback),
    else from the exception line at the end of a traceback text sent without that repr."""
    match = _EXC_INFO.fullmatch(exc_info.strip()) if isinstance(exc_info, str) else None
    if match is None:
        type_name, value = summary_of_traceback(exc_text)
        return _clean(type_name), _clean(value)
    return _clean(match.group(1)), _clean(exception_value(match.group(2)))


def parse_record(fields: Mapping[str, Any], *, received: float, app: str | None = None,
                 source: str | None = None) -> dict[str, Any]:
    """Turn one client's field mapping into the normalised record dict stored by the dashboard."""
    if not isinstance(fields, Mapping):
        raise RecordError(f"a record must be an object, not {type(fields).__name__}")
    if len(fields) > MAX_FIELDS:
        raise RecordError(f"record has {len(fields)} fields; the limit is {MAX_FIELDS}")
    shaped = normalise(fields)  # loguru, structlog, python-json-logger shapes -> LogRecord names
    rest: dict[str, Any] = {str(k): v for k, v in shaped.items()}  # whatever is left ends in extra
    for key in _DROPPED:
        rest.pop(key, None)
    extra: dict[str, Any] = {}
    record: dict[str, Any] = {"app": _clean(app), "source": _clean(source)}

    record["created"] = _created(rest, extra, received)
    record["name"] = _text(rest.pop("name", None)) or "root"
    record["levelno"], record["levelname"] = _level(rest, extra, app)
    for key in _TEXT_FIELDS:
        record[key] = _text(rest.pop(key, None))
    for key in _INT_FIELDS:
        record[key] = _int(rest.pop(key, None), key, extra)

    message = rest.pop("message", None)
    msg = rest.pop("msg", None)
    if msg is None and message is None:  # loguru ("text") and structlog ("event") JSON clients
        for alias in ("text", "event"):
            if rest.get(alias) is not None:
                msg = rest.pop(alias)
                break
    msg_text = "" if msg is None else _str(msg)
    record["msg"] = _text(msg)
    args_value, record["args"], args_error = _args(rest.pop("args", None))
    record["format_error"] = None
    if message is not None:
        record["message"] = _str(message)
    else:
        record["message"], record["format_error"] = format_message(msg_text, args_value, record["args"], args_error)

    packed = rest.pop("extra", None)
    packed = dict(packed) if isinstance(packed, Mapping) else packed  # ids are taken out of a copy
    record["trace_id"], record["span_id"] = take_ids(rest, packed)
    loose, packed, sent = read_extras(rest, packed, form=isinstance(fields, FormFields))
    extra.update((k, _jsonable(v)) for k, v in loose.items())
    record["extra_text"] = {_clean(k): _clean(v) for k, v in sent.items()} or None
    if packed is not None:
        if isinstance(packed, dict) and all(isinstance(k, str) for k in packed):
            for k, v in packed.items():
                extra.setdefault(k, _jsonable(v))
        else:
            extra.setdefault("extra", _jsonable(packed))
    record["extra"] = {_clean(k): v for k, v in extra.items()}
    record["exc_type"], record["exc_value"] = exception_summary(record["exc_info"], record["exc_text"])  # once
    return truncate_fields({k: _clean(v) if isinstance(v, str) else v for k, v in record.items()})


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    """A parsed record as a database row (extras as JSON text)."""
    sent = record.get("extra_text")
    return dict(record, extra=json.dumps(record["extra"], ensure_ascii=False, default=str),
                extra_text=json.dumps(sent, ensure_ascii=False) if sent else None)


# --- field readers -----------------------------------------------------------------------------

def _clean(text: str | None) -> str | None:
    """Replace lone surrogates so the text can always be stored and sent as UTF-8 (ASCII has none:
    most fields are ASCII, and the check is much cheaper than the search)."""
    return text if text is None or text.isascii() else _SURROGATES.sub("\ufffd", text)


def _str(value: Any) -> str:
    """str() like the stock handler does, but never failing (deeply nested JSON)."""
    try:
        return value if isinstance(value, str) else str(value)
    except (RecursionError, ValueError):
        return "<unprintable value>"


def _text(value: Any) -> str | None:
    """Optional text field: "None" and "" mean absent."""
    text = None if value is None else _str(value)
    return None if text in ("", "None") else text


def _int(value: Any, key: str, extra: dict[str, Any]) -> int | None:
    """Int field restored from text; anything unreadable -> None, raw value kept in extra."""
    if value is None or value in ("", "None"):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        number = int(value)
    if number is None or not -_INT64 <= number < _INT64:
        extra[key] = _jsonable(value)
        return None
    return number


def _epoch(value: Any) -> float | None:
    """Epoch seconds from a number, numeric text or ISO 8601 text (naive = UTC)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        if not isinstance(value, str):
            return None
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("z", "Z")) else text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            seconds = moment.timestamp()
        except (ValueError, OverflowError):
            return None
    return seconds if math.isfinite(seconds) and 0 <= seconds < MAX_EPOCH else None


def _created(rest: dict[str, Any], extra: dict[str, Any], received: float) -> float:
    """`created`, else a usable `time`/`timestamp` alias (consumed only if used), else `received`."""
    if "created" in rest:
        raw = rest.pop("created")
        seconds = _epoch(raw)
        if seconds is None and raw not in (None, "", "None"):
            extra["created"] = _jsonable(raw)
        return seconds if seconds is not None else float(received)
    usable = [(alias, seconds) for alias in ("time", "timestamp") if (seconds := _epoch(rest.get(alias))) is not None]
    # a number or a time with its zone beats a naive one (python-json-logger: asctime renamed "time" beside
    # timestamp=True), since naive text is read as UTC and may be the app's local time
    usable.sort(key=lambda pair: _naive(rest[pair[0]]))
    if usable:
        del rest[usable[0][0]]
        return usable[0][1]
    return float(received)


def _naive(value: Any) -> bool:
    """True for date-time text without a zone (the only kind of time whose meaning is a guess)."""
    if not isinstance(value, str):
        return False
    try:
        float(value)
        return False  # epoch seconds as text
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.strip()).tzinfo is None  # "Z" reads as UTC since Python 3.11
    except ValueError:
        return False


def _level(rest: dict[str, Any], extra: dict[str, Any], app: str | None = None) -> tuple[int, str]:
    """(levelno, levelname) from levelno, levelname, or the `level` alias; INFO when none is usable.

    A custom name sent with its number is learned; sent alone later, it gets that number back.
    """
    raw_no, raw_name = rest.pop("levelno", None), _text(rest.pop("levelname", None))
    alias = rest.get("level")
    if raw_no is None and raw_name is None and isinstance(alias, (str, int)) and not isinstance(alias, bool):
        del rest["level"]  # loguru / structlog / renamed python-json-logger JSON: "INFO", "info", "NOTICE" or 20
        try:
            number = level_number(alias)
        except ValueError:
            learned = learned_level(alias, app)
            return 20 if learned is None else learned, _str(alias)
        return number, level_name(number)
    number = _int(raw_no, "levelno", extra)
    if number is not None and raw_name is not None:
        learn_level(raw_name, number, app)
    elif number is None:
        try:
            number = level_number(raw_name or "INFO")
        except ValueError:  # an unknown name: its learned number when it came alone, INFO otherwise
            learned = learned_level(raw_name or "", app) if raw_no is None else None
            number = 20 if learned is None else learned
    return number, raw_name or level_name(number)


# --- args and message --------------------------------------------------------------------------

def _args(value: Any) -> tuple[tuple[Any, ...] | dict[Any, Any] | None, str | None, str | None]:
    """(usable args for %-formatting or None, args text to store, why the text could not be read)
    as LogRecord would hold them."""
    if value is None:
        return None, None, None
    error = None
    if isinstance(value, (list, tuple, dict)):  # a JSON client sent real values
        parsed: Any = tuple(value) if isinstance(value, (list, tuple)) else value
        try:
            text: str | None = repr(parsed)
        except (RecursionError, ValueError):
            text = "<unprintable args>"
    else:
        text = _str(value)
        parsed, error = (None, None) if text.strip() in _EMPTY_ARGS else read_args(text)
    if not parsed or not isinstance(parsed, (tuple, dict)):
        return None, None if text is None or text.strip() in _EMPTY_ARGS else text, error
    if len(parsed) == 1 and isinstance(parsed, tuple) and isinstance(parsed[0], dict) and parsed[0]:
        parsed = parsed[0]  # LogRecord stores args=({'a': 1},) as the dict itself
    return parsed, text, None


def _jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of an extra value: strings cleaned, NaN/inf as text, non-JSON types as repr."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -_INT64 <= value < _INT64 else _str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _clean(value)
    if depth >= MAX_DEPTH:
        return "<nested too deep>"
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_clean(_str(k)): _jsonable(v, depth + 1) for k, v in value.items()}
    return _clean(_str(value))
