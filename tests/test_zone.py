"""Times are rendered in the zone the browser names in its cookie, from the first byte; a zone the
server does not know (or no zone at all) is UTC, and the page says so. JSON stays epoch and ISO UTC."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import store_records

from dashboard.web import format as fmt
from dashboard.web.zone import COOKIE, read_zone

CREATED = 1_800_000_000.5  # 2027-01-15 08:00:00.500 UTC: 13:30 in Kolkata, 21:00 in Auckland (summer)
ZONE = "Asia/Kolkata"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def record_id(app) -> int:
    (rid,) = store_records(app, {"msg": "tick", "created": str(CREATED)})
    return rid


@pytest.mark.parametrize(("name", "key", "problem"), [
    (None, "UTC", None), ("", "UTC", None), ("Etc/UTC", "UTC", None), ("Europe/Paris", "Europe/Paris", None),
    ("Europe%2FParis", "Europe/Paris", None), ("Mars/Olympus_Mons", "UTC", "unknown to this server"),
    ("../../etc/passwd", "UTC", "not a time zone name"), ("/etc/localtime", "UTC", "not a time zone name"),
    ("x" * 500, "UTC", "not a time zone name"), ("Europe/Paris\x00", "UTC", "not a time zone name"),
])
def test_a_cookie_names_a_zone_or_gets_utc_with_the_reason(name, key, problem) -> None:
    zone = read_zone(name)
    assert zone.key == key and (zone.problem is None if problem is None else problem in zone.problem)


def test_the_twins_of_python_formatting_follow_the_zone() -> None:
    kolkata = ZoneInfo(ZONE)
    assert fmt.clock(CREATED, kolkata) == "13:30:00.500" and fmt.clock(CREATED) == "08:00:00.500"
    assert fmt.stamp(CREATED, kolkata) == "2027-01-15 13:30:00" and fmt.stamp(CREATED).endswith(" UTC")
    assert fmt.long_time(CREATED, kolkata) == "2027-01-15 13:30:00.500"
    assert fmt.long_time(CREATED) == "2027-01-15 08:00:00.500 UTC"
    assert fmt.date_label(CREATED + 12 * 3600, ZoneInfo("Pacific/Auckland")) == "01-16"


def test_pages_render_times_in_the_cookies_zone(client, record_id) -> None:
    client.set_cookie(COOKIE, ZONE)
    page = client.get(f"/?since={CREATED - 60:.0f}").get_data(as_text=True)
    assert '<html lang="en" data-zone="Asia/Kolkata">' in page
    assert '<span class="c">13:30:00.500</span>' in page and '<span class="c">08:00' not in page
    since = datetime.fromtimestamp(round(CREATED - 60), ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M:%S")
    assert f'data-time="stamp">{since}</time>' in page  # the chip
    toggle = re.search(r'<button type="button" id="tz-toggle"[^>]*>([^<]*)</button>', page)
    assert toggle and toggle[1] == "local" and "Times in Asia/Kolkata" in toggle[0]
    record = client.get(f"/records/{record_id}").get_data(as_text=True)
    assert 'data-time="long">2027-01-15 13:30:00.500</time>' in record
    inspector = client.get("/inspector").get_data(as_text=True)
    assert 'data-zone="Asia/Kolkata"' in inspector


def test_json_stays_in_epoch_and_iso_utc(client, record_id) -> None:
    client.set_cookie(COOKIE, ZONE)
    for url in ("/", f"/records/{record_id}"):
        body = client.get(url, headers={"Accept": "application/json"}).get_json()
        record = body["records"][0] if "records" in body else body["record"]
        assert (record["created"], record["time"]) == (CREATED, "2027-01-15T08:00:00.500Z")


@pytest.mark.parametrize("cookie", ["Mars/Olympus_Mons", "../../etc/passwd", None])
def test_no_zone_or_an_unknown_one_renders_utc_and_says_so(client, record_id, cookie) -> None:
    if cookie:
        client.set_cookie(COOKIE, cookie)
    page = client.get("/").get_data(as_text=True)
    assert 'data-zone="UTC"' in page and '<span class="c">08:00:00.500</span>' in page
    toggle = re.search(r'<button type="button" id="tz-toggle"[^>]*>([^<]*)</button>', page)
    assert toggle and toggle[1] == "UTC"
    assert ("Times in UTC: " in toggle[0]) == (cookie is not None)  # the reason, when one was asked for
    assert "passwd" not in page or "not a time zone name" in page
