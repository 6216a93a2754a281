// How one record is shown: the one-line row and its expanded details. Same markup as the
// server-rendered rows in templates/logs.html. Text only ever goes in through textContent.
import { el } from "../common.js";
import { clock, dateLabel, firstChars, printable } from "../format.js";
import { levelClass } from "../levels.js";

const ROW_TEXT = 500;

/** Fill a row's <time> cell. */
export function setTime(timeNode, epoch, utc) {
  timeNode.querySelector(".d").textContent = dateLabel(epoch, utc);
  timeNode.querySelector(".c").textContent = clock(epoch, utc);
}

function excTitle(r) {
  return r.exc_type ? `${r.exc_type}: ${r.exc_value ?? ""}` : "exception";
}

/** The one-line row of a record. */
export function buildRow(r, utc) {
  const time = el("time", { className: "t", attrs: { datetime: r.time }, title: r.time },
    el("span", { className: "d" }), el("span", { className: "c" }));
  setTime(time, r.created, utc);
  const line = el("div", { className: "line" },
    time,
    el("span", { className: levelClass(r.levelname), text: printable(r.levelname) }),
    el("span", { className: "app", title: printable(r.app), text: printable(r.app) }),
    el("span", { className: "logger", title: printable(r.name), text: printable(r.name) }),
    el("span", { className: "msg", text: printable(firstChars(String(r.message ?? ""), ROW_TEXT)) }),
    (r.exc_info || r.exc_text)
      ? el("span", { className: "exc", text: "!", title: printable(excTitle(r)), attrs: { role: "img", "aria-label": "exception" } })
      : null);
  return el("div", { className: "row", dataset: { id: r.id }, attrs: { role: "listitem" } }, line);
}

function extrasTable(extra) {
  const keys = Object.keys(extra || {});
  if (!keys.length) return null;
  return el("table", { className: "fields extras" }, keys.map(k => el("tr", {},
    el("th", { text: printable(k), attrs: { scope: "row" } }),
    el("td", { text: printable(typeof extra[k] === "string" ? extra[k] : JSON.stringify(extra[k])) }))));
}

function exception(r) {
  if (r.exc_text) return el("pre", { className: "traceback", text: printable(r.exc_text) });
  if (!r.exc_info) return null;
  if (!r.exc_type) return el("pre", { className: "traceback", text: printable(r.exc_info) });
  return el("p", { className: "exc-summary" },
    el("strong", { text: printable(r.exc_type) }), ": ", printable(r.exc_value),
    el("span", { className: "muted", text: "  (traceback not sent — the record page shows how to send it)" }));
}

/** The expanded part of a row: full message, exception, extras, where, links. */
export function buildDetails(r, href) {
  const where = `${r.pathname ?? "?"}:${r.lineno ?? "?"}${r.funcName ? ` in ${r.funcName}()` : ""}`;
  const who = [r.processName && `process ${r.processName} (${r.process})`, r.threadName && `thread ${r.threadName}`,
    r.source && `from ${r.source}`].filter(Boolean).join(" · ");
  return el("div", { className: "details" },
    el("pre", { className: "full", text: printable(r.message) }),
    r.format_error
      ? el("p", { className: "meta muted format-error", text: printable(`Shown as sent, not formatted with its args: ${r.format_error}.`) })
      : null,
    exception(r),
    extrasTable(r.extra),
    el("p", { className: "meta mono", text: printable(where) }),
    who ? el("p", { className: "meta muted", text: printable(who) }) : null,
    el("p", { className: "links" },
      el("a", { href, text: `Open record #${r.id} →` }),
      r.request_id ? el("a", { href: `/inspector/${r.request_id}`, text: `captured request #${r.request_id}` }) : null));
}
