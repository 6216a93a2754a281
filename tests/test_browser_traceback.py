"""Tracebacks laid out on the record page and in the list's expanded row (static/js/traceback.js): the
final exception line in view however many frames, frame lines apart from code lines, the json module's
frames marked library and folded, chained exceptions in blocks with a separator, copy buttons that give
the text as sent and the record as the API gives it, hostile text inert, search hits still marked, and
text that is no traceback shown as before. The tracebacks are Python's own (traceback.format_exc())."""
from __future__ import annotations

import json
import traceback
from typing import Any

from browser_helpers import post
from conftest import Live
from playwright.sync_api import expect

HOOK = """window.__fired = [];
for (const name of ["alert", "confirm", "prompt"]) window[name] = (...a) => window.__fired.push([name, ...a]);"""
# every box between a node and the page clips it: the part of it one can see without scrolling anything
VISIBLE = """node => {
  let r = node.getBoundingClientRect(), top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
  for (let box = node.parentElement; box; box = box.parentElement) {
    if (getComputedStyle(box).overflowY === "visible") continue;
    const b = box.getBoundingClientRect();
    top = Math.max(top, b.top);
    bottom = Math.min(bottom, b.bottom);
  }
  return r.height > 0 && bottom - top >= Math.min(r.height, 20) - 1;
}"""
AT_END = """selector => { const box = document.querySelector(selector);
  return box.scrollTop > 0 && box.scrollTop + box.clientHeight >= box.scrollHeight - 2; }"""


def chained() -> str:
    """RuntimeError raised from the JSONDecodeError of json.loads (three frames in the json module)."""
    def load_ledger(raw: str) -> Any:
        try:
            return json.loads(raw)
        except ValueError as error:
            raise RuntimeError("ledger config unreadable") from error
    try:
        load_ledger("{not json")
    except RuntimeError:
        return traceback.format_exc()
    raise AssertionError("no exception")


def deep(frames: int = 200) -> str:
    """A recursion 200 frames deep through two functions (Python folds only repeats of one line)."""
    def ping(n: int) -> None:
        pong(n - 1)

    def pong(n: int) -> None:
        if n <= 0:
            raise ValueError("recursion bottomed out")
        ping(n - 1)
    try:
        ping(frames - 1)
    except ValueError:
        return traceback.format_exc()
    raise AssertionError("no exception")


def hostile() -> str:
    """A real traceback whose message and one frame carry markup and quotes."""
    def render(name: str) -> None:
        raise ValueError(f'<img src=x onerror=alert(1)> "{name}" \'q\' <script>alert(2)</script>\u200b')
    try:
        render('<svg onload=alert(3)>')
    except ValueError:
        text = traceback.format_exc()
    frame = '  File "/srv/<img src=x onerror=alert(4)>/"b".py", line 7, in <b onmouseover=alert(5)>\n    x = "</div>"\n'
    head, rest = text.split("\n", 1)
    return f"{head}\n{frame}{rest}"


def record_id(live: Live, app: str, **fields: Any) -> int:
    post(live, {"msg": f"{app} failed", "levelname": "ERROR", **fields}, app=app)
    return live.records(app=app)[0]["id"]


def open_row(page: Any, live: Live, query: str) -> Any:
    page.goto(f"{live.url}/{query}")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    page.locator("#rows .row .line").first.click()
    return page.locator("#rows .row .details")


def test_the_exception_line_shows_above_200_frames(shared_live: Live, shared_page: Any) -> None:
    page, text = shared_page, deep()
    rid = record_id(shared_live, "tb-deep", exc_text=text)
    page.goto(f"{shared_live.url}/records/{rid}")
    headline = page.locator(".tb-headline")
    expect(headline).to_have_text("ValueError: recursion bottomed out")
    expect(headline).to_be_in_viewport(ratio=1)
    assert headline.evaluate(VISIBLE)
    expect(page.locator("#traceback .tb-frame")).to_have_count(201)  # and this test's own frame
    frames = page.locator("#traceback .tb-frames")
    assert frames.evaluate("box => box.scrollHeight > box.clientHeight")  # capped: they scroll
    page.wait_for_function(AT_END, arg="#traceback .tb-frames")  # scrolled to the frames nearest the raise
    last = page.locator("#traceback .tb-exc")  # and under the frames, outside their cap
    expect(last).to_have_text("ValueError: recursion bottomed out")
    last.scroll_into_view_if_needed()
    assert last.evaluate(VISIBLE)

    details = open_row(page, shared_live, "?app=tb-deep")
    headline = details.locator(".tb-headline")
    expect(headline).to_have_text("ValueError: recursion bottomed out")
    expect(headline).to_be_in_viewport(ratio=1)
    assert headline.evaluate(VISIBLE)
    page.wait_for_function(AT_END, arg="#rows .details .tb-frames")


def test_frames_library_frames_and_chained_blocks(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    rid = record_id(shared_live, "tb-chain", exc_text=chained())
    page.goto(f"{shared_live.url}/records/{rid}")
    view = page.locator("#traceback")
    loc, code = view.locator(".tb-frame.tb-app .tb-loc").first, view.locator(".tb-frame.tb-app .tb-code").first
    expect(code).to_contain_text("json.loads(raw)")
    color = "node => getComputedStyle(node).color"
    assert loc.evaluate(color) != code.evaluate(color)
    parts = [loc.locator(f".tb-{part}").evaluate(color) for part in ("file", "lineno", "func")]
    assert len(set(parts)) == 3, parts
    expect(loc.locator(".tb-func")).to_have_text("load_ledger")

    library = view.locator(".tb-frame.tb-library")
    expect(library).to_have_count(3)
    assert all("/json/" in path for path in library.locator(".tb-path").all_text_contents())
    own = view.locator(".tb-frame.tb-app .tb-path").all_text_contents()
    assert len(own) == 3 and all(path.endswith("/test_browser_traceback.py") for path in own), own
    fold = view.locator("details.tb-lib summary")
    expect(fold).to_have_attribute("aria-label", "3 library frames · json")
    expect(library.first).to_be_hidden()  # folded until asked for
    fold.click()
    expect(library.first).to_be_visible()
    dimmed = library.first.locator(".tb-loc").evaluate(color)
    assert dimmed == library.first.locator(".tb-code").evaluate(color) != code.evaluate(color)

    kids = view.evaluate("v => [...v.children].map(c => c.className)")
    assert kids == ["tb-block tb-has-app", "tb-sep tb-cause", "tb-block tb-has-app"], kids
    expect(view.locator(".tb-sep")).to_have_text("The above exception was the direct cause of the following exception:")
    excs = view.locator(".tb-block > .tb-exc")
    expect(excs).to_have_text([
        "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        "RuntimeError: ledger config unreadable"])
    for n in range(2):
        excs.nth(n).scroll_into_view_if_needed()
        assert excs.nth(n).evaluate(VISIBLE)
    expect(page.locator(".tb-headline")).to_have_text("RuntimeError: ledger config unreadable")
    expect(page.locator(".tb-headline .tb-type")).to_have_text("RuntimeError")

    details = open_row(page, shared_live, "?app=tb-chain")
    expect(details.locator(".tb-sep")).to_have_count(1)
    expect(details.locator(".tb-frame.tb-library")).to_have_count(3)
    expect(details.locator(".tb-block > .tb-exc")).to_have_count(2)


def test_copy_buttons_give_the_text_as_sent(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    text = hostile()  # a zero-width space the page shows as \u200b: the copy has the character itself
    rid = record_id(shared_live, "tb-copy", exc_text=text, extra_note="copied")
    page.goto(f"{shared_live.url}/records/{rid}")
    expect(page.locator("#traceback")).to_contain_text("\\u200b")
    button = page.get_by_role("button", name="Copy traceback")
    button.click()
    expect(page.locator(".tb-actions .tb-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == text
    page.get_by_role("button", name="Copy record as JSON").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    status, answer = shared_live.get(f"/api/records/{rid}")
    assert status == 200
    assert json.loads(copied) == answer
    assert copied.startswith('{\n  "') and answer["exc_text"] == text
    expect(page.locator(".record-nav .tb-copy")).to_have_text("Copied")

    page.evaluate("navigator.clipboard.writeText('')")
    details = open_row(page, shared_live, "?app=tb-copy")
    details.get_by_role("button", name="Copy traceback").click()
    expect(details.locator(".tb-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == text


def test_hostile_traceback_renders_inert(shared_live: Live, browser: Any) -> None:
    rid = record_id(shared_live, "tb-hostile", exc_text=hostile())
    context = browser.new_context(viewport={"width": 400, "height": 800})
    context.add_init_script(HOOK)
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        for opened in ("record", "row"):
            if opened == "record":
                page.goto(f"{shared_live.url}/records/{rid}")
                scope = page.locator(".record-page")
            else:
                scope = open_row(page, shared_live, "?app=tb-hostile")
            head, frame = scope.locator(".tb-headline"), scope.locator(".tb-frame").first
            expect(head).to_contain_text('ValueError: <img src=x onerror=alert(1)> "<svg onload=alert(3)>"')
            expect(frame.locator(".tb-dir")).to_have_text("/srv/<img src=x onerror=alert(4)>/")
            expect(frame.locator(".tb-file")).to_have_text('"b".py')
            expect(frame.locator(".tb-func")).to_have_text("<b onmouseover=alert(5)>")
            frame.hover()
            page.wait_for_timeout(100)
            assert page.locator("main img, main b").count() == 0, opened
            tags = scope.locator(".tb-wrap *").evaluate_all("nodes => [...new Set(nodes.map(n => n.localName))]")
            assert set(tags) <= {"div", "span", "mark", "wbr", "details", "summary", "button"}, (opened, tags)
            assert page.evaluate("window.__fired") == [], opened
            assert page.evaluate("document.documentElement.scrollWidth") <= 400, opened  # narrow: nothing sticks out
        assert not problems, problems
    finally:
        context.close()


def test_search_hits_stay_marked_in_the_traceback(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    rid = record_id(shared_live, "tb-search", exc_text=chained())
    page.goto(f"{shared_live.url}/records/{rid}?q=ledger")
    marks = page.locator("#traceback mark")
    expect(marks.first).to_be_visible()
    assert {m.lower() for m in marks.all_text_contents()} == {"ledger"}
    assert marks.count() >= 4  # the function's name in frames and code lines, the message
    expect(page.locator(".tb-headline mark")).to_have_text("ledger")
    page.goto(f"{shared_live.url}/records/{rid}?q=raw_decode")  # a hit in the folded json frames opens them
    expect(page.locator("#traceback details.tb-lib")).to_have_attribute("open", "")
    expect(page.locator("#traceback mark").first).to_be_visible()

    details = open_row(page, shared_live, "?app=tb-search&q=ledger")
    expect(details.locator(".traceback mark").first).to_be_visible()
    expect(details.locator(".tb-headline mark")).to_have_text("ledger")
    assert details.locator(".traceback mark mark").count() == 0  # marked once, not again by the list


def test_text_that_is_no_traceback_stays_a_plain_pre(shared_live: Live, shared_page: Any) -> None:
    page, text = shared_page, "worker gave up\n  (no traceback: File \"x\" was never opened)\tend"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    rid = record_id(shared_live, "tb-plain", exc_text=text)
    page.goto(f"{shared_live.url}/records/{rid}")
    expect(page.locator("pre#traceback.traceback")).to_have_text(text)
    expect(page.locator(".tb")).to_have_count(0)
    page.get_by_role("button", name="Copy traceback").click()  # copies all the same
    expect(page.locator(".tb-actions .tb-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == text
    details = open_row(page, shared_live, "?app=tb-plain")
    expect(details.locator("pre.traceback")).to_have_text(text)
    expect(details.locator(".tb")).to_have_count(0)
    expect(details.get_by_role("button", name="Copy traceback")).to_be_visible()
