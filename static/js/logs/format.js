// How one record is shown: the one-line row and its expanded details. Same markup as the
// server-rendered rows in templates/logs.html. Text only ever goes in through textContent.
// A row is cloned from one prototype (cheaper than building it node by node) and kept small:
// 17 nodes at most, 19 with the exception badge; its details are built only when it is expanded.
import { el } from "../common.js";
import { clock, dateLabel, firstChars, longTime, printable } from "../format.js";
import { hitSpans } from "../highlight.js";
import { levelClass } from "../levels.js";
import { tracebackView } from "../traceback.js";

const ROW_TEXT = 500;

/** Fill a row's <time> cell. */
export function setTime(timeNode, epoch, utc) {
  timeNode.querySelector(".d").textContent = dateLabel(epoch, utc);
  timeNode.querySelector(".c").textContent = clock(epoch, utc);
}

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago": coarse, so a ticker rewrites few rows. */
export function ago(epoch, now = Date.now() / 1000) {
  const s = Math.max(0, now - epoch);
  if (s < 10) return "just now";
  if (s < 60) return `${Math.floor(s / 10) * 10} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** Show a row's time as "3 min ago" (relative) or as the clock; the title always has the absolute time. */
export function showTime(timeNode, epoch, utc, relative, now) {
  if (!relative) {
    setTime(timeNode, epoch, utc);
    timeNode.title = timeNode.dateTime;
    return;
  }
  const text = ago(epoch, now), clockNode = timeNode.querySelector(".c");
  if (clockNode.textContent !== text) clockNode.textContent = text;
  timeNode.title = longTime(epoch, utc);
}

/** A logger name split so its last part always shows: ["worker.queue.", "consumer"]; the CSS
 * elides the first part (the middle of the name) when the column is narrow. */
export function loggerParts(name) {
  const at = name.lastIndexOf(".");
  return at > 0 && at < name.length - 1 ? [name.slice(0, at + 1), name.slice(at + 1)] : ["", name];
}

function excTitle(r) {
  return r.exc_type ? `${r.exc_type}: ${r.exc_value ?? ""}` : "exception";
}

let prototype = null;
function skeleton() {
  prototype ??= el("div", { className: "row", attrs: { role: "listitem", tabindex: "-1" } },
    el("div", { className: "line" },
      el("time", { className: "t" }, el("span", { className: "d" }), el("span", { className: "c" })), el("span"), el("span", { className: "app" }),
      el("span", { className: "logger" }), el("span", { className: "msg" })));
  return prototype.cloneNode(true);
}

/** The one-line row of a record. */
export function buildRow(r, utc) {
  const row = skeleton();
  row.dataset.id = r.id;
  row.dataset.created = r.created;
  const line = row.firstChild;
  const [time, level, app, logger, msg] = line.children;
  time.dateTime = r.time;
  time.title = r.time;
  setTime(time, r.created, utc);
  level.className = levelClass(r.levelname);
  level.textContent = printable(r.levelname);
  app.title = app.textContent = printable(r.app);
  const name = printable(r.name);
  const [head, last] = loggerParts(name);
  logger.title = name;
  if (head) logger.append(el("span", { className: "lp", text: head }));
  logger.append(last);
  msg.textContent = printable(firstChars(String(r.message ?? ""), ROW_TEXT));
  if (r.exc_info || r.exc_text) {
    line.append(el("span", { className: "exc", text: "!", title: printable(excTitle(r)),
      attrs: { role: "img", "aria-label": "exception" } }));
  }
  return row;
}

/** A value that filters the list by it when clicked (static/js/logs/field-filter.js). */
function filterable(dataset, shown) {
  return el("button", { type: "button", className: "fv", dataset, text: printable(shown),
    title: "Filter by this value (alt- or shift-click: exclude)" });
}

function extrasTable(extra) {
  const keys = Object.keys(extra || {});
  if (!keys.length) return null;
  return el("table", { className: "fields extras" }, keys.map(k => {
    const v = extra[k], shown = typeof v === "string" ? v : JSON.stringify(v);
    const text = typeof v === "number" && Number.isInteger(v) ? String(v) : shown;  // as the server compares it
    const simple = v === null || ["string", "number", "boolean"].includes(typeof v);
    return el("tr", {}, el("th", { text: printable(k), attrs: { scope: "row" } }),
      el("td", {}, simple && k.length <= 512 && text.length <= 512 ? filterable({ extra: k, value: text }, shown) : printable(shown)));
  }));
}

/** The exception: the traceback laid out with "Copy traceback" (static/js/traceback.js; its search hits
 * marked there), or the summary recovered from the stock handler's repr. */
function exception(r) {
  if (r.exc_text) {
    const text = printable(r.exc_text);
    return tracebackView(text, { spans: hitSpans(text), getRaw: () => r.exc_text,
      plain: () => el("pre", { className: "traceback", text }) });
  }
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
    el("p", { className: "meta filter-by" }, "logger ", filterable({ field: "logger", value: r.name }, r.name),
      r.app ? [" · app ", filterable({ field: "app", value: r.app }, r.app)] : null,
      " · level ", filterable({ field: "level", value: r.levelname }, r.levelname)),
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
      el("a", { href: `/?around=${r.id}`, className: "around-link", text: "Show surrounding records" }),
      r.request_id ? el("a", { href: `/inspector/${r.request_id}`, text: `captured request #${r.request_id}` }) : null));
}
