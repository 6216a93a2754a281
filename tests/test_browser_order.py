"""In Debian's chromium: times in the chosen zone on first paint, the list around a record, and the
histogram's header (legend, peak, scale), CRITICAL's own colour and its keyboard."""
from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from browser_helpers import NOW, open_logs, post, row_ids
from conftest import Live
from playwright.sync_api import expect

CREATED = 1_800_000_000.5  # 2027-01-15 08:00:00.500 UTC, 13:30:00.500 in Kolkata

# Runs in every document before its own scripts: the times as the server wrote them, read when the
# parser is done and before any module script has run.
FIRST_TEXTS = """document.addEventListener("readystatechange", () => {
  if (document.readyState === "interactive")
    window.firstTexts = [...document.querySelectorAll("#rows .row .t .c")].map(n => n.textContent);
});"""


def test_the_first_paint_is_already_in_the_browsers_zone(live: Live, browser: Any) -> None:
    post(live, {"msg": "tick", "created": CREATED})
    context = browser.new_context(timezone_id="Asia/Kolkata")
    try:
        page = context.new_page()
        page.add_init_script(FIRST_TEXTS)
        page.goto(live.url + "/")  # a first visit: the head names the zone, the page comes in it
        expect(page.locator("#rows .row .t .c")).to_have_text("13:30:00.500")
        assert page.evaluate("window.firstTexts") == ["13:30:00.500"]  # as written by the server: no rewrite
        sent = {c["name"]: c["value"] for c in context.cookies()}["logdash_zone"]
        assert sent in ("Asia/Kolkata", "Asia/Calcutta")  # ICU may still say the older name
        expect(page.locator("#tz-toggle")).to_have_text("local")
        page.click("#tz-toggle")  # UTC: the page now, and the server from the next page on
        expect(page.locator("#rows .row .t .c")).to_have_text("08:00:00.500")
        page.reload()
        assert page.evaluate("window.firstTexts") == ["08:00:00.500"]
        cookies = context.cookies()
    finally:
        context.close()
    context = browser.new_context(timezone_id="Asia/Kolkata", java_script_enabled=False)
    try:
        context.add_cookies([{**c, "value": "Asia/Kolkata"} for c in cookies if c["name"] == "logdash_zone"])
        page = context.new_page()
        page.goto(live.url + "/")  # no script at all: what the server sent is what shows
        expect(page.locator("#rows .row .t .c")).to_have_text("13:30:00.500")
    finally:
        context.close()


def times(page: Any) -> list[float]:
    return [float(t) for t in page.locator("#rows .row").evaluate_all("rows => rows.map(r => r.dataset.created)")]


def test_surrounding_records_are_marked_scrolled_into_view_and_page_both_ways(live: Live, page: Any) -> None:
    records = [{"msg": f"s{i:03d}", "created": NOW - 1000 + i} for i in range(250)]
    records[129]["levelname"] = "ERROR"  # the record the list below goes around
    random.Random(5).shuffle(records)  # arrival order is not time order
    post(live, *records)
    _, whole = live.get("/api/records?limit=1000")
    ids = [r["id"] for r in whole["records"]]
    target = ids[120]
    open_logs(page, live)  # the first paint and older pages in time order, not in arrival order
    assert row_ids(page) == ids[:100] and times(page) == sorted(times(page), reverse=True)
    page.click("#load-older")
    expect(page.locator("#rows .row")).to_have_count(200)
    assert times(page) == sorted(times(page), reverse=True)
    for way in ("row", "record"):  # from a filtered list: its expanded row, or the record page it opens
        page.goto(f"{live.url}/?level=ERROR&q=s129")
        page.locator("#rows .row .line").click()
        if way == "row":
            page.locator("#rows .row.open .around-link").click()
        else:
            page.get_by_role("link", name="Open record").click()
            expect(page).to_have_url(re.compile(rf"/records/{target}\?level=ERROR&q=s129$"))
            page.click("#around")
        expect(page).to_have_url(f"{live.url}/?around={target}")  # every filter cleared
        expect(page.locator(".chip")).to_have_count(0)
        expect(page.locator("#rows .row")).to_have_count(100)
        assert row_ids(page) == ids[70:170]  # other levels around it
    marked = page.locator("#rows .row.marked")
    expect(marked).to_have_attribute("data-id", str(target))
    expect(marked).to_have_attribute("aria-current", "true")
    expect(marked).to_be_in_viewport()
    assert row_ids(page) == ids[70:170]
    expect(page.locator("#live-state")).to_have_attribute("data-state", "paused")
    page.locator("#load-newer").scroll_into_view_if_needed()
    top = f'#rows .row[data-id="{ids[70]}"]'
    before = page.locator(top).bounding_box()["y"]
    page.click("#load-newer")
    expect(page.locator("#load-newer")).to_be_hidden()  # these reach the newest
    assert row_ids(page) == ids[:170]
    assert abs(page.locator(top).bounding_box()["y"] - before) < 2  # what the reader looked at stayed put
    page.locator("#load-older").scroll_into_view_if_needed()
    expect(page.locator("#list-end-note")).to_be_visible()
    assert row_ids(page) == ids


def bars(page: Any, level: str) -> Any:
    return page.locator(f"#histogram rect.bar.lvl-{level}")


def test_histogram_header_scale_legend_and_critical_colour(live: Live, page: Any) -> None:
    post(live, *[{"msg": f"b{i}", "created": NOW - 1800 + (i % 3) * 600, "levelname": "INFO"} for i in range(100)],
         {"msg": "one error", "created": NOW - 300, "levelname": "ERROR"},
         {"msg": "one critical", "created": NOW - 900, "levelname": "CRITICAL"})
    open_logs(page, live)
    expect(bars(page, "critical")).to_have_count(1)
    expect(page.locator(".hist-legend li")).to_have_text(["INFO", "ERROR", "CRITICAL"])
    peak = page.locator(".hist-peak")
    expect(peak).to_have_text(re.compile(r"^max \d+ per "))
    label = peak.bounding_box()
    boxes = page.locator("#histogram rect.bar").evaluate_all("rs => rs.map(r => r.getBoundingClientRect().toJSON())")
    for box in boxes:
        assert label["y"] + label["height"] <= box["y"] or label["x"] + label["width"] <= box["x"] \
            or box["x"] + box["width"] <= label["x"], (label, box)  # never over a bar

    colours = """() => Object.fromEntries(["info", "error", "critical"].map(l => [l, [
      getComputedStyle(document.querySelector(`#histogram rect.bar.lvl-${l}`)).fill,
      getComputedStyle(document.querySelector(`.hist-legend .swatch.lvl-${l}`)).backgroundColor]]))"""
    for _theme in ("first", "toggled"):
        seen = page.evaluate(colours)
        assert all(bar == swatch for bar, swatch in seen.values()), seen  # the legend says what the bars show
        assert hue_gap(seen["critical"][0], seen["error"][0]) > 60, seen
        page.click("#theme-toggle")

    small, big = (bars(page, "error").evaluate("r => r.height.baseVal.value"),
                  page.locator("#histogram rect.bar.lvl-info").evaluate_all(
                      "rs => Math.max(...rs.map(r => r.height.baseVal.value))"))
    page.click(".hist-scale button[data-scale=sqrt]")
    expect(page.locator(".hist-scale button[data-scale=sqrt]")).to_have_attribute("aria-pressed", "true")
    rooted = bars(page, "error").evaluate("r => r.height.baseVal.value")
    assert abs(rooted / big - (small / big) ** 0.5) < 0.05, (small, rooted, big)  # 1 of 34: about 0.17
    page.reload()  # remembered
    expect(page.locator(".hist-scale button[data-scale=sqrt]")).to_have_attribute("aria-pressed", "true")
    expect(bars(page, "error")).to_have_count(1)
    assert abs(bars(page, "error").evaluate("r => r.height.baseVal.value") - rooted) < 1


def hue_gap(a: str, b: str) -> float:
    """Degrees between the hues of two rgb() colours."""
    def hue(colour: str) -> float:
        r, g, b = (int(x) / 255 for x in re.findall(r"\d+", colour)[:3])
        high, low = max(r, g, b), min(r, g, b)
        if high == low:
            return 0.0
        d = high - low
        h = (g - b) / d % 6 if high == r else (b - r) / d + 2 if high == g else (r - g) / d + 4
        return h * 60
    gap = abs(hue(a) - hue(b)) % 360
    return min(gap, 360 - gap)


def test_histogram_keyboard_moves_between_buckets_announces_them_and_zooms(live: Live, page: Any) -> None:
    post(live, *[{"msg": f"k{i}", "created": NOW - 3000 + i * 60, "levelname": ["INFO", "ERROR"][i % 2]}
                 for i in range(50)])
    open_logs(page, live)
    expect(page.locator("#histogram rect.bar").first).to_be_visible()
    chart = page.locator("#histogram svg")
    assert "Arrow keys" in chart.get_attribute("aria-label")
    chart.focus()
    readout = page.locator(".hist-readout")
    expect(readout).to_have_attribute("role", "status")
    expect(readout).to_have_text(re.compile(r" – .*: "))
    page.keyboard.press("Home")
    first = readout.text_content()
    page.keyboard.press("ArrowRight")
    assert readout.text_content() != first
    page.keyboard.press("ArrowLeft")
    assert readout.text_content() == first
    while "no records" in readout.text_content():
        page.keyboard.press("ArrowRight")
    expect(readout).to_have_text(re.compile(r": \d+ records? \((INFO|ERROR) \d+"))
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expect(readout).to_have_text(re.compile(r": (\d+) records in 3 bars$"))
    counted = int(re.search(r": (\d+) records in 3 bars", readout.text_content())[1])
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"since=.*until="))
    args = parse_qs(urlparse(page.url).query)
    assert args.keys() >= {"since", "until"} and "last" not in args
    expect(page.locator("#rows .row")).to_have_count(counted)
