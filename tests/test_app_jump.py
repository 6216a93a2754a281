"""A list filtered to an app that logged nothing among the rows next to the place it starts from (another
app's burst lies between): the windows along the time index find none of its records, so the list goes on
from the nearest minute the per-minute counts by app hold it in, both ways, and ends where none does. Pages
equal a sort of the stored records. And a window reads its own rows only, not the rest of the time range.
SQLite (the windows are SQLite's way)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import store_records

from dashboard import close_app, create_app
from dashboard.logs import timeline
from dashboard.logs.filter import RecordFilter
from dashboard.store.engine import get_engine_of
from dashboard.store.paging import Position

BASE = 1_763_701_200.0  # on an hour's boundary
HOUR = 3600.0
# (app, records, first created, seconds apart): each app more than an index sorts at once (2,000), and the
# loud burst more rows than the windows read (20,000)
APPS = (("quiet", 2_100, BASE, 3.0), ("loud", 20_400, BASE + 5 * HOUR, 0.1), ("late", 2_100, BASE + 8 * HOUR, 1.0))


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory, migrated_file: Path) -> Any:
    path = tmp_path_factory.mktemp("jump") / "logdash.db"
    shutil.copyfile(migrated_file, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "RETENTION": "none"})
    for name, count, first, step in APPS:
        rows = [{"msg": f"{name}{i}", "created": str(first + i * step)} for i in range(count)]
        for chunk in range(0, count, 2000):
            store_records(app, *rows[chunk:chunk + 2000], app_name=name)
    yield app
    close_app(app)


def messages(name: str, older: bool, past: float) -> list[str]:
    """The app's records past `past` going older (newest first) or newer (oldest first), as stored."""
    _, count, first, step = next(a for a in APPS if a[0] == name)
    found = [(first + i * step, f"{name}{i}") for i in range(count)]
    found = [f for f in found if (f[0] < past if older else f[0] > past)]
    return [m for _, m in sorted(found, reverse=older)]


def every_page(conn: Any, name: str, older: bool, start: Position | None) -> list[str]:
    page_of = timeline.older_page if older else timeline.newer_page
    seen, cursor = [], start
    while True:
        page, cursor = page_of(conn, RecordFilter(app=name), cursor, 500)
        seen += [r["message"] for r in (page if older else reversed(page))]
        if cursor is None:
            return seen


def test_older_pages_go_on_where_the_app_last_logged(stored: Any) -> None:
    with get_engine_of(stored).connect() as conn:
        assert every_page(conn, "quiet", True, None) == messages("quiet", True, BASE + 9 * HOUR)
        assert every_page(conn, "loud", True, None) == messages("loud", True, BASE + 9 * HOUR)


def test_newer_pages_go_on_where_the_app_logs_next(stored: Any) -> None:
    with get_engine_of(stored).connect() as conn:
        assert every_page(conn, "late", False, Position(BASE - 1, 0)) == messages("late", False, BASE - 1)
        assert every_page(conn, "loud", False, Position(BASE - 1, 0)) == messages("loud", False, BASE - 1)


def test_an_app_with_no_minute_left_ends_the_list(stored: Any) -> None:
    with get_engine_of(stored).connect() as conn:
        assert timeline.newer_page(conn, RecordFilter(app="quiet"), Position(BASE + 2 * HOUR, 0), 100) == ([], None)
        assert timeline.older_page(conn, RecordFilter(app="late"), Position(BASE + 7 * HOUR, 0), 100) == ([], None)


def steps(conn: Any, read: Any) -> int:
    """SQLite virtual-machine steps (in thousands) that `read()` took on this connection."""
    count = [0]
    raw = conn.connection.driver_connection
    raw.set_progress_handler(lambda: count.__setitem__(0, count[0] + 1), 1000)
    try:
        read()
    finally:
        raw.set_progress_handler(None, 1000)
    return count[0]


def test_the_jump_reads_a_window_not_every_record_of_the_app(stored: Any) -> None:
    with get_engine_of(stored).connect() as conn:
        newest = steps(conn, lambda: timeline.older_page(conn, RecordFilter(), None, 100))
        loud = steps(conn, lambda: timeline.older_page(conn, RecordFilter(app="loud"), None, 100))
        print(f"thousands of steps: newest page {newest}, app=loud past the late app's rows {loud}")
    # two windows and the page read along the time index (~80,000 steps), not all 20,400 loud records sorted
    # through the app's index (~1,000,000)
    assert loud < 10 * 20_400 / 1000, loud


@pytest.mark.parametrize("q", ["quiet", "qu", "-loud"])
def test_a_search_beside_the_app_jumps_too(stored: Any, q: str) -> None:
    """A word the app's records share (too common for the full-text index to narrow), a short one (no index),
    an exclusion: none changes where the app logged, so the list goes there and reads a window."""
    flt = RecordFilter(app="quiet", q=q)
    with get_engine_of(stored).connect() as conn:
        seen, cursor = [], None
        while True:
            page, cursor = timeline.older_page(conn, flt, cursor, 500)
            seen += [r["message"] for r in page]
            if cursor is None:
                break
        assert seen == messages("quiet", True, BASE + 9 * HOUR)
        read = steps(conn, lambda: timeline.older_page(conn, flt, None, 100))
        print(f"thousands of steps, app=quiet q={q}: {read}")
    assert read < 150, read  # without the jump: 238, 172 and 170 thousand (the loud burst read row by row)


def test_a_window_that_holds_under_a_page_reads_only_its_rows(stored: Any) -> None:
    """The window's ends are the only bounds on `created` SQLite may take for its range: given the time
    range's far end (`since`) as well, it took that one, and each window that held fewer matches than a
    page read every row down to it (24,600 here)."""
    flt = RecordFilter(since=BASE - 1, q="late2")  # 200 matches among the newest 2,000 rows
    with get_engine_of(stored).connect() as conn:
        page, cursor = timeline.older_page(conn, flt, None, 500)
        assert [r["message"] for r in page] == [m for m in messages("late", True, BASE + 9 * HOUR) if "late2" in m]
        assert cursor is None
        read = steps(conn, lambda: timeline.older_page(conn, flt, None, 500))
        print(f"thousands of steps, q=late2 since the first record: {read}")
    assert read < 650, read  # before: 796 thousand
