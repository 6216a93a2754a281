"""Lines of a log (a file, a pipe) as records: what `logdash send` ships. Pure: no I/O, time passed in.

A JSON object line is a record as it is (a shipper's JSON; the dashboard knows their shapes). A plain
line is read for a level and logger at its start (`WARNING:name:msg`, `[ERROR] msg`, a timestamp then
a level), the timestamp becoming `created`. A Python traceback block is one record's `exc_text`: that of
the WARNING-or-worse line printed just before it (`log.exception`), or else a record of its own at ERROR
named by its final `Type: value` line (an uncaught exception). Indented lines continue the record above.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

__all__ = ["LineParser", "parse_plain"]

LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "NOTICE": 25, "WARN": 30, "WARNING": 30, "ERR": 40, "ERROR": 40,
          "CRIT": 50, "CRITICAL": 50, "FATAL": 50}
NAMES = {"WARN": "WARNING", "ERR": "ERROR", "CRIT": "CRITICAL", "FATAL": "CRITICAL"}
RECORD_MARKERS = ("msg", "message", "text", "event")  # what /ingest needs to see a record in an object

_LEVEL = r"(?P<level>trace|debug|info|notice|warn(?:ing)?|err(?:or)?|crit(?:ical)?|fatal)"
_STAMP = (r"(?P<ts>(?:\d{4}-\d{2}-\d{2}[T ])?\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
          r"(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)")
_TS = re.compile(rf"\[?{_STAMP}\]?(?:\s*[|-]\s+|\s+|:|$)(?:\[\d+\]\s*)?", re.I)  # then gunicorn's [pid]
_LEVEL_FIRST = re.compile(rf"(?P<open>[\[<(])?\s*{_LEVEL}\s*(?(open)[\]>)])(?P<sep>:|\s*[|-]\s+|\s+|$)", re.I)
_NAME_LEVEL = re.compile(rf"(?P<name>[\w.-]+)\s+-\s+{_LEVEL}\s+-\s+", re.I)  # the logging cookbook's format
_COLON_NAME = re.compile(r"(?P<name>[^\s:]+):")                               # WARNING:name:msg
_LOGGER_NAME = re.compile(r"(?P<name>(?:__main__|[a-z_][a-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*|\w+(?:\.\w+)+)):\s")
_LOGURU = re.compile(r"(?P<name>[\w.]+):(?P<func>[\w<>.]+):(?P<lineno>\d+) - ")
_FLASK = re.compile(r"in (?P<module>[\w.]+): ")                              # Flask's "[ts] ERROR in app: msg"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TB_HEAD = re.compile(r"(?:Traceback \(most recent call last\)|\s*\+ Exception Group Traceback "
                      r"\(most recent call last\)):\s*")
_CHAIN = ("During handling of the above exception, another exception occurred:",
          "The above exception was the direct cause of the following exception:")


def parse_plain(line: str, now: float) -> dict[str, Any]:
    """One plain line as record fields: level, logger and time when its start says them, INFO otherwise."""
    fields: dict[str, Any] = {}
    rest = line
    stamp = _TS.match(line)
    if stamp and (created := _epoch(stamp.group("ts"), now)) is not None:
        fields["created"], rest = created, line[stamp.end():]
    if match := _NAME_LEVEL.match(rest):
        fields["name"], rest = match.group("name"), rest[match.end():]
    elif (match := _LEVEL_FIRST.match(rest)) and (stamp or match.group("open") or match.group("sep") == ":"):
        rest, sep = rest[match.end():], match.group("sep")
        if sep == ":" and (name := _COLON_NAME.match(rest)):
            fields["name"], rest = name.group("name"), rest[name.end():]
        elif sep == ":":
            rest = rest.lstrip()  # "Error: file missing", uvicorn's "INFO:     Started"
        elif part := _LOGURU.match(rest):
            fields.update(name=part.group("name"), funcName=part.group("func"), lineno=int(part.group("lineno")))
            rest = rest[part.end():]
        elif part := _FLASK.match(rest):
            fields["module"], rest = part.group("module"), rest[part.end():]
        elif part := _LOGGER_NAME.match(rest):
            fields["name"], rest = part.group("name"), rest[part.end():]
    else:
        match = None
    level = match.group("level").upper() if match else "INFO"
    fields["levelname"], fields["levelno"] = NAMES.get(level, level), LEVELS[level]
    fields["msg"] = fields["message"] = rest if "created" in fields or match else line
    fields.setdefault("created", now)
    return fields


def _epoch(stamp: str, now: float) -> float | None:
    """Epoch seconds of a timestamp; without a zone it is local time (logging's asctime), without a date today's
    (yesterday's when that would be over an hour ahead: a line from before midnight)."""
    text = stamp.replace(",", ".").replace(" UTC", "Z").replace("UTC", "Z")
    text = re.sub(r"\s(?=[Z+-])", "", text)
    dated = len(text) > 10 and text[4] == "-"
    today = datetime.fromtimestamp(now).date()
    try:
        moment = datetime.fromisoformat(text if dated else f"{today.isoformat()}T{text}")
    except ValueError:
        return None
    seconds = moment.timestamp()  # naive: local time
    if not dated and seconds > now + 3600:
        seconds = (moment - timedelta(days=1)).timestamp()
    return seconds if date(1970, 1, 2) <= moment.date() else None


class LineParser:
    """Feed lines in order; get back the records they complete. `idle()` hands over a record still waiting
    for more lines unless it is inside a traceback; `end()` hands over everything."""

    def __init__(self) -> None:
        self._record: dict[str, Any] | None = None  # the last record, still open for continuation lines
        self._lines: list[str] = []                 # its message lines
        self._blank = 0                             # blank lines seen since its last line
        self._tb: list[str] | None = None           # the traceback block being read
        self._state = ""                            # where in the block: frames, group, after, gap, chain
        self._tb_created = 0.0                      # when the block began (a record of its own takes it)

    def feed(self, line: str, now: float) -> list[dict[str, Any]]:
        """Take one line (without or with its newline); return the records it completed."""
        line = _ANSI.sub("", line.rstrip("\r\n"))
        out: list[dict[str, Any]] = []
        if self._tb is not None:
            if self._in_block(line):
                return out
            out += self._close()
        if _TB_HEAD.fullmatch(line):
            if not self._owns_traceback():
                out += self._close()
                self._record, self._lines = None, []
            self._tb, self._state, self._tb_created = [line], "group" if line[:1].isspace() else "frames", now
            return out
        if not line.strip():
            self._blank += self._record is not None
            return out
        if line[:1].isspace() and self._record is not None:
            self._lines += [""] * self._blank + [line]
            self._blank = 0
            return out
        out += self._close()
        stripped = line.strip()
        if stripped.startswith("{") and stripped.endswith("}"):
            try:
                value = json.loads(stripped)
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, dict) and any(key in value for key in RECORD_MARKERS):
                return [*out, value]
        self._record, self._lines, self._blank = parse_plain(line, now), [], 0
        return out

    def _owns_traceback(self) -> bool:
        """Whether a traceback starting now belongs to the open record: a WARNING or worse printed just before it
        (`log.exception` prints them so). After an INFO line or a print it is an uncaught exception's."""
        record = self._record
        return record is not None and not self._blank and "exc_text" not in record and record["levelno"] >= 30

    def idle(self) -> list[dict[str, Any]]:
        """The waiting record, unless a traceback is still arriving (its frames, or a chained section)."""
        if self._tb is not None and self._state not in ("after", "gap"):
            return []
        return self._close()

    def end(self) -> list[dict[str, Any]]:
        """Everything still held."""
        return self._close()

    def _in_block(self, line: str) -> bool:
        """True when `line` belongs to the traceback block being read (and keep it)."""
        assert self._tb is not None
        indented, state = line[:1].isspace(), self._state
        if state in ("frames", "group") and (indented or (state == "frames" and line.strip())):
            self._tb.append(line)
            self._state = state if indented else "after"  # frames end at the first unindented line
            return True
        if state == "after" and indented:
            self._tb.append(line)  # a note, or an indented continuation of the message
            return True
        if state in ("after", "gap", "group") and not line.strip():
            self._state = "gap"
            return True
        if state in ("after", "gap", "group") and line in _CHAIN:
            self._tb += ["", line]
            self._state = "chain"
            return True
        if state == "chain" and (not line.strip() or _TB_HEAD.fullmatch(line)):
            self._tb.append(line)
            if line.strip():
                self._state = "group" if indented else "frames"
            return True
        return False

    def _close(self) -> list[dict[str, Any]]:
        """Hand over the open record and/or the traceback block."""
        record, lines, tb = self._record, self._lines, self._tb
        self._record, self._lines, self._blank, self._tb, self._state = None, [], 0, None, ""
        if record is not None and lines:
            record["msg"] = record["message"] = "\n".join([record["message"], *lines])
        if tb is None:
            return [] if record is None else [record]
        exc_text = "\n".join(tb).rstrip()
        if record is None:
            last = _exception_line(tb)
            record = {"levelname": "ERROR", "levelno": 40, "msg": last, "message": last, "created": self._tb_created}
        record["exc_text"] = exc_text
        return [record]


def _exception_line(tb: list[str]) -> str:
    """The final `Type: value` line of a traceback block (the exception that was raised)."""
    for line in reversed(tb):
        if line.strip() and not line[:1].isspace() and line not in _CHAIN and not _TB_HEAD.fullmatch(line):
            return line
    for line in tb:  # an exception group: its own line is inside the block, after "| "
        text = line.strip().lstrip("|").strip()
        if text and not text.startswith(("+", "File ")) and not _TB_HEAD.fullmatch(line):
            return text
    return tb[0].strip()
