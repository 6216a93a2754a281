"""The browser pages of the records: the logs list (`/`) and one record (`/records/<id>`)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import Connection

from .db import get_engine
from .logtree import build_tree, opened
from .logview import (LEVEL_CHOICES, QUICK_RANGES, PageFilter, chips, export_url, page_url,
                      read_page_filter)
from .parse import LEVELS
from .present import HELPERS
from .queries import (app_names, count_matching, get_record, has_records, list_records,
                      logger_counts, neighbour_ids)
from .snippets import connect_snippet, traceback_handler_source

bp = Blueprint("pages", __name__)
PAGE_SIZE = 100
MAX_ROWS = 2000
_FILTER_FIELD = {"last": "since"}  # chip name -> RecordFilter field it sets


@bp.context_processor
def helpers() -> dict[str, Any]:
    """Formatting helpers for this blueprint's templates."""
    return {**HELPERS, "page_url": page_url, "opened": opened}


def loosen_hints(conn: Connection, page: PageFilter) -> list[dict[str, Any]]:
    """For an empty result: how many records each filter, dropped alone, would bring back."""
    hints = []
    for chip in chips(page):
        count = count_matching(conn, page.flt.without(_FILTER_FIELD.get(chip.name, chip.name)))
        hints.append({"chip": chip, "count": count})
    return sorted(hints, key=lambda h: -h["count"])


def logs_context(conn: Connection, page: PageFilter) -> dict[str, Any]:
    """Everything logs.html shows, from one connection."""
    records, cursor = list_records(conn, page.flt, limit=PAGE_SIZE)
    stored = bool(records) or has_records(conn)
    state = {"filter": page.flt.to_args(), "records": records, "next": cursor, "pageSize": PAGE_SIZE,
             "maxRows": MAX_ROWS}
    return {
        "page": page, "records": records, "next": cursor, "stored": stored, "state": state,
        "chips": chips(page), "apps": app_names(conn), "levels": [(name, LEVELS[name]) for name in LEVEL_CHOICES],
        "quick_ranges": list(QUICK_RANGES),
        "tree": build_tree(logger_counts(conn, page.flt.without("logger"))),
        "hints": loosen_hints(conn, page) if stored and not records else [],
        "multi_day": len({int(r["created"] // 86400) for r in records}) > 1,
        "export": {fmt: export_url(page.flt, fmt) for fmt in ("ndjson", "csv")},
        "snippet": None if stored else connect_snippet(
            request.host, request.scheme == "https", bool(current_app.config["INGEST_TOKEN"])),
    }


@bp.get("/")
def logs():  # noqa: ANN201
    """Newest records first, with filters; the page's script then tails new ones live."""
    page = read_page_filter(request.args)
    with get_engine().connect() as conn:
        context = logs_context(conn, page)
    return render_template("logs.html", active="logs", **context)


@bp.get("/records/<int:record_id>")
def record(record_id: int):  # noqa: ANN201
    """One record with every field; older/newer links stay within the list's filter."""
    page = read_page_filter(request.args)
    with get_engine().connect() as conn:
        found = get_record(conn, record_id)
        if found is None:
            abort(404, description=f"There is no record {record_id} (it may have been pruned).")
        older, newer = neighbour_ids(conn, page.flt, record_id)
    suffix = "?" + urlencode(page.args) if page.args else ""
    return render_template(
        "record.html", active="logs", record=found, back_url=page_url(page.args),
        older_url=f"/records/{older}{suffix}" if older else None,
        newer_url=f"/records/{newer}{suffix}" if newer else None,
        traceback_snippet=traceback_handler_source())
