"""Helpers the browser tests share (fixtures live in conftest.py)."""
from __future__ import annotations

import json
import logging
import socket
import time
from typing import Any

from conftest import Live, log_with
from playwright.sync_api import expect

from dashboard.web import sockets as live_module

NOW = time.time()


def post(live: Live, *records: dict[str, Any], app: str = "shop") -> None:
    """Store records through /ingest as JSON (lets a test choose `created`)."""
    body = json.dumps([{"created": NOW, "levelname": "INFO", **r} for r in records]).encode()
    status, answer = live.post(f"/ingest?app={app}", body, "application/json")
    assert status == 200, answer


def ingest(live: Live, app: str, records: list[dict[str, Any]]) -> None:
    """Store records through /ingest as one JSON array for `app`, as given."""
    status, answer = live.post(f"/ingest?app={app}", json.dumps(records).encode(), "application/json")
    assert status == 200, answer


def send(live: Live, msg: str, level: int = logging.INFO, name: str = "test.app", **kw: Any) -> None:
    """Log one record through the stock HTTPHandler."""
    handler = live.handler()
    log_with(handler, level, msg, name=name, **kw)
    handler.close()


def open_logs(page: Any, live: Live, query: str = "") -> None:
    """Load the logs page and wait until its tail is live."""
    page.goto(f"{live.url}/{query}")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def messages(page: Any) -> list[str]:
    return page.locator("#rows .row .msg").all_text_contents()


def row_ids(page: Any) -> list[int]:
    return [int(i) for i in page.locator("#rows .row").evaluate_all("rows => rows.map(r => r.dataset.id)")]


def expect_messages(page: Any, expected: list[str]) -> None:
    """Wait until the list shows exactly these messages, newest first."""
    expect(page.locator("#rows .row .msg")).to_have_text(expected)


# The shape of a DOM subtree, to compare server-rendered markup with the markup a script builds:
# tag, classes, the attributes that carry meaning, own text (whitespace collapsed), children.
SHAPE = """root => {
  const KEPT = ["title", "datetime", "href", "role", "aria-label", "data-id", "data-epoch", "data-time", "data-tab",
                "data-panel", "data-copy", "scope", "download"];
  const walk = node => [
    node.tagName.toLowerCase(), [...node.classList].sort().join(" "),
    KEPT.filter(a => node.hasAttribute(a)).map(a => `${a}=${node.getAttribute(a)}`).join(" "),
    [...node.childNodes].filter(c => c.nodeType === Node.TEXT_NODE).map(c => c.data).join("")
      .replace(/\\s+/g, " ").trim(),
    [...node.children].map(walk),
  ];
  return walk(root);
}"""


def shape(locator: Any) -> Any:
    """SHAPE of the element `locator` points at."""
    return locator.evaluate(SHAPE)


# The text of a box as shown whole: each text node inside its own box and every box up to the root (a
# text cut by an ellipsis, or hidden in a 1 px box for screen readers only, is not shown)
SHOWN_TEXT = """root => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let shown = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    let whole = r.width > 0;
    for (let box = node.parentElement; whole; box = box.parentElement) {
      const b = box.getBoundingClientRect();
      whole = r.left >= b.left - .5 && r.right <= b.right + .5;
      if (box === root) break;
    }
    if (whole) shown += node.data;
  }
  return shown;
}"""


def shown_text(locator: Any) -> str:
    """SHOWN_TEXT of the element `locator` points at."""
    return locator.evaluate(SHOWN_TEXT)


class Network:
    """The network under the live sockets: `cut()` drops every open one (no close frame) and refuses
    new ones until `restore()`; `urls` lists each socket's path and query, in order."""

    def __init__(self, monkeypatch: Any) -> None:
        self.sockets: list[socket.socket] = []
        self.urls: list[str] = []
        self.down = False
        monkeypatch.setattr(live_module, "foreign_origin", self.gate)

    def gate(self, request: Any) -> str | None:
        """Runs at the start of every live socket, where the origin check runs."""
        self.urls.append(request.full_path)
        self.sockets.append(request.environ["werkzeug.socket"])
        if self.down:
            self.sockets[-1].shutdown(socket.SHUT_RDWR)
            return "network down"
        return None

    def cut(self) -> None:
        self.down = True
        for sock in self.sockets:
            sock.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.down = False
