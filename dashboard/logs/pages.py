"""The browser pages of the records, each with its JSON twin: the logs list (`/`) and one record."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection

from ..ingest.levels import CHOICES, LEVELS
from ..store.engine import get_engine
from ..web.errors import get_or_404
from ..web.templating import retention
from ..web.twin import page_or_twin
from .page_state import QUICK_RANGES, PageFilter, chips, export_url, page_url, read_page_filter
from .present import HELPERS
from .queries import app_names, count_matching, get_record, has_records, list_records, logger_counts, neighbour_ids
from .snippets import connect_snippet, traceback_handler_source
from .tree import build_tree, opened

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


def logs_data(conn: Connection, page: PageFilter) -> dict[str, Any]:
    """Everything the logs page shows, from one connection (also its JSON twin)."""
    records, cursor = list_records(conn, page.flt, limit=PAGE_SIZE)
    stored = bool(records) or has_records(conn)
    return {
        "page": page, "records": records, "next": cursor, "stored": stored,
        "chips": chips(page), "apps": app_names(conn),
        "tree": build_tree(logger_counts(conn, page.flt.without("logger"))),
        "hints": loosen_hints(conn, page) if stored and not records else [],
        "multi_day": len({int(r["created"] // 86400) for r in records}) > 1,
        "export": {fmt: export_url(page.flt, fmt) for fmt in ("ndjson", "csv")},
        "retention": retention(),
        "snippet": None if stored else connect_snippet(
            request.host, request.scheme == "https", bool(current_app.config["INGEST_TOKEN"])),
    }


@bp.get("/")
def logs() -> ResponseReturnValue:
    """Newest records first, with filters; the page's script then tails new ones live."""
    page = read_page_filter(request.args)
    with get_engine().connect() as conn:
        data = logs_data(conn, page)
    state = {"filter": page.flt.to_args(), "records": data["records"], "next": data["next"],
             "pageSize": PAGE_SIZE, "maxRows": MAX_ROWS}
    return page_or_twin("logs.html", data, active="logs", state=state, quick_ranges=list(QUICK_RANGES),
                        levels=[(name, LEVELS[name]) for name in CHOICES], **data)


def record_data(conn: Connection, record_id: int, page: PageFilter) -> dict[str, Any]:
    """One record and the links around it; older/newer stay within the list's filter."""
    found = get_or_404(get_record(conn, record_id),
                       f"There is no record {record_id} (it may have been pruned).")
    older, newer = neighbour_ids(conn, page.flt, record_id)
    suffix = "?" + urlencode(page.args) if page.args else ""
    return {"record": found, "back_url": page_url(page.args), "older_id": older, "newer_id": newer,
            "older_url": f"/records/{older}{suffix}" if older else None,
            "newer_url": f"/records/{newer}{suffix}" if newer else None}


@bp.get("/records/<int:record_id>")
def record(record_id: int) -> ResponseReturnValue:
    """One record with every field, the traceback, and its neighbours in the list."""
    page = read_page_filter(request.args)
    with get_engine().connect() as conn:
        data = record_data(conn, record_id, page)
    return page_or_twin("record.html", data, active="logs", traceback_snippet=traceback_handler_source(), **data)
