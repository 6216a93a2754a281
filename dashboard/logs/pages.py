"""The browser pages of the records, each with its JSON twin: the logs list (`/`) and one record."""
from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection
from werkzeug.exceptions import NotFound

from ..ingest.levels import CHOICES, LEVELS
from ..store.engine import get_engine
from ..store.search import MAX_EXTRA, value_text
from ..web.args import INT64_MAX
from ..web.errors import get_or_404
from ..web.templating import retention
from ..web.twin import page_or_twin
from . import highlight
from .columns import column_widths
from .page_state import (
    QUICK_RANGES,
    PageFilter,
    chips,
    export_url,
    mute_url,
    muted_terms,
    page_url,
    read_page_filter,
    unmute_url,
)
from .present import HELPERS
from .queries import (
    app_names,
    count_matching,
    get_record,
    has_records,
    logger_counts,
    neighbour_ids,
    newest_record_id,
)
from .snippets import connect_snippet, traceback_handler_source
from .terms import SEARCH_FIELDS, search_key
from .tree import build_tree, opened
from .window import Window, records_page

bp = Blueprint("pages", __name__)
PAGE_SIZE = 100
MAX_ROWS = 2000
_FILTER_FIELD = {"last": "since"}  # chip name -> RecordFilter field it sets


@bp.context_processor
def helpers() -> dict[str, Any]:
    """Formatting helpers for this blueprint's templates."""
    return {**HELPERS, "page_url": page_url, "opened": opened, "marked": highlight.marked, "mute_url": mute_url,
            "unmute_url": unmute_url, "search_key": search_key, "value_text": value_text, "MAX_EXTRA": MAX_EXTRA}


def loosen_hints(conn: Connection, page: PageFilter) -> list[dict[str, Any]]:
    """For an empty result: how many records each filter, dropped alone, would bring back."""
    hints = []
    for chip in chips(page):
        loose = (replace(page.flt, q=chip.q_left) if chip.name in ("q", "mute")
                 else page.flt.without(_FILTER_FIELD.get(chip.name, chip.name)))
        count = count_matching(conn, loose)
        hints.append({"chip": chip, "count": count})
    return sorted(hints, key=lambda h: -h["count"])


def logs_data(conn: Connection, page: PageFilter, around: int | None = None) -> dict[str, Any]:
    """Everything the logs page shows, from one connection (also its JSON twin); around a record
    (filters cleared by the link that asks) when `around` names one."""
    tail_after = newest_record_id(conn)  # first: the list below holds every record up to it
    shown = around_or_newest(conn, page, around)
    records = shown["records"]
    stored = bool(records) or has_records(conn)
    return {
        "page": page, "records": records, "next": shown["next"], "newer": shown["newer"],
        "around": shown.get("around"), "tail_after": tail_after, "stored": stored,
        "chips": chips(page), "apps": app_names(conn),
        "tree": build_tree(logger_counts(conn, page.flt.without_logger_terms())),
        "muted": sorted({t.value for t in muted_terms(page.flt.q)}),
        "hits": highlight.spec(page.flt),
        "hints": loosen_hints(conn, page) if stored and not records else [],
        "multi_day": len({int(r["created"] // 86400) for r in records}) > 1,
        "export": {fmt: export_url(page.flt, fmt) for fmt in ("ndjson", "csv")},
        "retention": retention(),
        "snippet": None if stored else connect_snippet(
            request.host, request.scheme == "https", bool(current_app.config["INGEST_TOKEN"])),
    }


def around_or_newest(conn: Connection, page: PageFilter, around: int | None) -> dict[str, Any]:
    """The records around one record, or the newest page; a record that is gone is reported, not a 404."""
    if around is not None:
        try:
            return records_page(conn, page.flt, Window(around=around, limit=PAGE_SIZE))
        except NotFound:
            page.problems.append(f"around: there is no record {around} (it may have been pruned); "
                                 "showing the newest records")
    return records_page(conn, page.flt, Window(limit=PAGE_SIZE))


def read_around() -> int | None:
    """The `around` argument of the page: a record id, or None (a bad one is reported on the page)."""
    raw = request.args.get("around", "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) <= INT64_MAX else None


@bp.get("/")
def logs() -> ResponseReturnValue:
    """Records newest first (by time), with filters, or around one record; the page's script then
    tails new ones live."""
    page = read_page_filter(request.args)
    if request.args.get("around", "").strip() and read_around() is None:
        page.problems.append(f"around: {request.args['around'][:40]!r} is not a record id")
    with get_engine().connect() as conn:
        data = logs_data(conn, page, read_around())
    state = {"filter": page.flt.to_args(), "records": data["records"], "next": data["next"],
             "newer": data["newer"], "around": data["around"], "after": data["tail_after"],
             "pageSize": PAGE_SIZE, "maxRows": MAX_ROWS, "hits": data["hits"], "searchFields": SEARCH_FIELDS}
    return page_or_twin("logs.html", data, active="logs", state=state, quick_ranges=list(QUICK_RANGES),
                        levels=[(name, LEVELS[name]) for name in CHOICES],
                        columns=column_widths(data["apps"], data["tree"]), **data)


def record_data(conn: Connection, record_id: int, page: PageFilter) -> dict[str, Any]:
    """One record and the links around it; older/newer stay within the list's filter."""
    found = get_or_404(get_record(conn, record_id),
                       f"There is no record {record_id} (it may have been pruned).")
    older, newer = neighbour_ids(conn, page.flt, found)
    suffix = "?" + urlencode(page.args) if page.args else ""
    return {"record": found, "back_url": page_url(page.args), "older_id": older, "newer_id": newer,
            "around_url": f"/?around={record_id}",
            "hits": highlight.spec(page.flt),
            "older_url": f"/records/{older}{suffix}" if older else None,
            "newer_url": f"/records/{newer}{suffix}" if newer else None}


@bp.get("/records/<int:record_id>")
def record(record_id: int) -> ResponseReturnValue:
    """One record with every field, the traceback, and its neighbours in the list."""
    page = read_page_filter(request.args)
    with get_engine().connect() as conn:
        data = record_data(conn, record_id, page)
    return page_or_twin("record.html", data, active="logs", traceback_snippet=traceback_handler_source(), **data)
