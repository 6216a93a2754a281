"""/api/export: exactly the filtered view, newest first (by time), streamed page by page as NDJSON or CSV.

Paging with the (time, id) cursor (a fresh connection per page) keeps memory flat
and never holds a read transaction open while a slow client downloads.
"""
from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, request, stream_with_context
from flask.typing import ResponseReturnValue

from ..store.engine import get_engine
from ..store.paging import Position
from ..web.args import BadArgument
from ..web.format import INVISIBLE, printable
from .filter import RecordFilter
from .queries import list_records
from .serialize import RECORD_FIELDS

bp = Blueprint("export", __name__)

PAGE = 500
FORMATS = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
CSV_COLUMNS = RECORD_FIELDS
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def pages(flt: RecordFilter, page: int = PAGE) -> Iterator[list[dict[str, Any]]]:
    """The matching records, newest first, one page (and one short-lived connection) at a time."""
    cursor: Position | None = None
    while True:
        with get_engine().connect() as conn:
            records, cursor = list_records(conn, flt, before=cursor, limit=page)
        if records:
            yield records
        if cursor is None:
            return


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run and a terminal will not obey: text starting like a formula gets
    a leading quote, and control and invisible characters are spelled out as on the pages (ESC as \\x1b)."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        value = printable(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


# JSON escapes C0 controls itself; these others (DEL, C1, bidi, zero-width, separators, tags) it leaves raw.
_JSON_UNSAFE = re.compile(f"(?:(?![\x00-\x1f]){INVISIBLE.pattern})")


def _json_escape(match: re.Match[str]) -> str:
    units = match.group().encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2))


def json_line(record: dict[str, Any]) -> str:
    """One record as a JSON line with every control and invisible character as a \\u escape: the same
    data once parsed, nothing a terminal interprets when the file is printed."""
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(record, ensure_ascii=False)) + "\n"


def ndjson_lines(flt: RecordFilter) -> Iterator[str]:
    """One JSON object per line."""
    for records in pages(flt):
        yield "".join(json_line(r) for r in records)


def csv_lines(flt: RecordFilter) -> Iterator[str]:
    """A header row, then one row per record; newlines stay inside quoted cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for records in pages(flt):
        writer.writerows([csv_cell(r[c]) for c in CSV_COLUMNS] for r in records)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@bp.get("/api/export")
def export() -> ResponseReturnValue:
    """Download the records matching the filter args as `format=ndjson` or `format=csv`."""
    fmt = request.args.get("format", "ndjson")
    if fmt not in FORMATS:
        raise BadArgument("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    flt = RecordFilter.from_args(request.args)
    lines = ndjson_lines(flt) if fmt == "ndjson" else csv_lines(flt)
    name = time.strftime("logdash-%Y%m%d-%H%M%S", time.gmtime()) + "." + fmt
    return Response(stream_with_context(lines), content_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})
