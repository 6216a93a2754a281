"""Websockets are checked before the upgrade: a foreign Origin gets a real 403, a foreign Host 400, no UI
token 401 — never a 101 then a close. Real websocket clients against real servers (Werkzeug and gunicorn)."""
from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import websocket
from conftest import Live, log_with

TOKEN = "ws-ui-token"
PATHS = ("/ws/tail", "/ws/requests")


def connect(live: Live, path: str, **options: Any) -> websocket.WebSocket:
    return websocket.create_connection(f"ws://{live.host}:{live.port}{path}?after=0", timeout=10, **options)


def refused(live: Live, path: str, **options: Any) -> tuple[int, str]:
    """The status and body of a handshake that must fail (it raises on anything but 101)."""
    with pytest.raises(websocket.WebSocketBadStatusException) as failed:
        connect(live, path, **options).close()
    return failed.value.status_code, (failed.value.resp_body or b"").decode()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1", "https://{here}", "null",
                                    "http://evil.example:{port}"])
def test_a_foreign_origin_gets_403_before_the_upgrade(live: Live, path: str, origin: str) -> None:
    status, body = refused(live, path, origin=origin.format(here=f"127.0.0.1:{live.port}", port=live.port))
    assert status == 403 and "refused" in json.loads(body)["error"]


@pytest.mark.parametrize("path", PATHS)
def test_a_foreign_host_gets_400_before_the_upgrade(live: Live, path: str) -> None:
    status, body = refused(live, path, host=f"evil.example:{live.port}", origin=f"http://evil.example:{live.port}")
    assert status == 400 and "LOGDASH_ALLOWED_HOSTS" in body


@pytest.mark.parametrize("path", PATHS)
def test_our_own_origin_and_no_origin_connect(live: Live, path: str) -> None:
    for options in ({}, {"origin": f"http://localhost:{live.port}", "host": f"localhost:{live.port}"},
                    {"suppress_origin": True}):
        ws = connect(live, path, **options)
        assert ws.status == 101
        ws.close()


@pytest.mark.parametrize("app_settings", [{"UI_TOKEN": TOKEN, "UI_FAIL_DELAY": 0.05}])
def test_with_a_ui_token_websockets_need_it(live: Live) -> None:
    for path in PATHS:
        status, body = refused(live, path)
        assert status == 401 and "UI token required" in json.loads(body)["error"]
        assert refused(live, path, header=["Authorization: Bearer wrong"])[0] == 401
    client = live.app.test_client()  # a browser's session cookie, signed by this app
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    assert client.post("/login", data={"csrf": csrf, "token": TOKEN}).status_code == 302
    cookie = f"logdash_session={client.get_cookie('logdash_session').value}"
    tail = connect(live, "/ws/tail", cookie=cookie)
    requests = connect(live, "/ws/requests", header=[f"Authorization: Bearer {TOKEN}"])
    log_with(live.handler(), logging.INFO, "seen live")
    assert json.loads(tail.recv())["record"]["message"] == "seen live"
    assert json.loads(requests.recv())["request"]["path"] == "/ingest"
    tail.close()
    requests.close()


def test_gunicorn_refuses_before_the_upgrade_too(serve, db_url: str) -> None:
    live = serve(db_url, workers=1, env={"LOGDASH_UI_TOKEN": TOKEN})
    bearer = [f"Authorization: Bearer {TOKEN}"]
    assert refused(live, "/ws/tail", origin="http://evil.example", header=bearer)[0] == 403
    assert refused(live, "/ws/requests", host="evil.example", header=bearer)[0] == 400
    assert refused(live, "/ws/tail")[0] == 401
    ws = connect(live, "/ws/tail", header=bearer)
    log_with(live.handler(), logging.INFO, "through gunicorn")
    assert json.loads(ws.recv())["record"]["message"] == "through gunicorn"
    ws.close()
