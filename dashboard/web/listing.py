"""The shape every JSON list answers with: filter from the URL, a page newest first, the next cursor."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection

from ..store.engine import get_engine
from .args import cursor_args
from .errors import get_or_404

ListRows = Callable[..., tuple[list[dict[str, Any]], int | None]]  # (conn, flt, before=, limit=)


def list_answer(key: str, read_filter: Callable[[Mapping[str, str]], Any], list_rows: ListRows) -> ResponseReturnValue:
    """`{key: [...], "next": cursor}` for the filter in the URL and the `before`/`limit` arguments."""
    flt = read_filter(request.args)
    before, limit = cursor_args()
    with get_engine().connect() as conn:
        page, cursor = list_rows(conn, flt, before=before, limit=limit)
    return jsonify({key: page, "next": cursor})


def one_answer(find: Callable[[Connection], dict[str, Any] | None], missing: str) -> ResponseReturnValue:
    """One item as JSON, or 404 saying what is missing."""
    with get_engine().connect() as conn:
        found = find(conn)
    return jsonify(get_or_404(found, missing))
