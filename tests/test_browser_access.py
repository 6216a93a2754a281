"""Signing in with the UI token in Debian's chromium: the form, the live tail over the session cookie, the
"send a test record" button with both tokens set, and signing out."""
from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import open_logs
from conftest import Live
from playwright.sync_api import expect

TOKENS = {"UI_TOKEN": "browser-ui-token", "INGEST_TOKEN": "browser-ingest-token", "UI_FAIL_DELAY": 0.05}


@pytest.mark.parametrize("app_settings", [TOKENS])
def test_sign_in_tail_send_a_test_record_and_sign_out(live: Live, page: Any) -> None:
    page.goto(f"{live.url}/?level=INFO")
    expect(page).to_have_url(f"{live.url}/login?next=%2F%3Flevel%3DINFO")
    page.fill("#token", TOKENS["UI_TOKEN"])
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live.url}/?level=INFO")
    open_logs(page, live, "?level=INFO")  # the live tail connected with the session cookie
    page.click("#send-test")  # /ingest with the page's CSRF token instead of the ingest token
    expect(page.locator("#rows .row .msg")).to_contain_text(["Test record from the logdash page"])
    page.click(".logout-form button")
    expect(page).to_have_url(f"{live.url}/login")
    page.goto(f"{live.url}/inspector")
    expect(page).to_have_url(f"{live.url}/login?next=%2Finspector")
