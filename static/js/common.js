// Small helpers shared by the pages. Log text is hostile: build DOM with textContent only.

/** Create an element; `props` may hold className, text, title, href, dataset, attrs, on{Event}. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "attrs") for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2).toLowerCase(), value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const INVISIBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Terminal escapes, control characters and bidi marks made visible as Python spells them
 * (\x1b[31m, \u202e), never interpreted; mirrors dashboard/present.py's printable so live rows
 * match server-rendered ones. */
export function printable(text) {
  if (text === null || text === undefined) return "";
  return String(text).replace(INVISIBLE, ch => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? "\\x" + code.toString(16).padStart(2, "0") : "\\u" + code.toString(16).padStart(4, "0");
  });
}

/** ws:// or wss:// URL for a path on this server, following the page's protocol. */
export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/** Show (or clear, with null) the page's error banner; never an alert box. */
export function banner(text) {
  const node = document.getElementById("banner");
  if (!node) return;
  node.textContent = text || "";
  node.hidden = !text;
}

/** 1234 -> "1.2k", 2500000 -> "2.5M". */
export function abbreviate(n) {
  if (n < 1000) return String(n);
  if (n < 1e6) return (n / 1e3).toFixed(n < 1e4 ? 1 : 0).replace(/\.0$/, "") + "k";
  return (n / 1e6).toFixed(n < 1e7 ? 1 : 0).replace(/\.0$/, "") + "M";
}

/** CSS class for a level badge; custom levels are neutral. */
export function levelClass(levelname, levelno) {
  const known = { DEBUG: "debug", INFO: "info", WARNING: "warning", WARN: "warning", ERROR: "error", CRITICAL: "critical", FATAL: "critical" };
  return "level level-" + (known[String(levelname).toUpperCase()] || "custom");
}

/** Time of an epoch-seconds value, HH:MM:SS.mmm, local or UTC. */
export function clock(epochSeconds, utc = false) {
  const d = new Date(epochSeconds * 1000);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  const [h, m, s, ms] = utc
    ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
}

/** True when a key event should not trigger shortcuts (typing in a field). */
function typing(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

/**
 * Install page shortcuts. `bindings` is a list of {key, label, run}; "?" (and the header's ?
 * button) opens a dialog listing them; Escape closes it.
 */
export function installShortcuts(bindings) {
  const dialog = el("dialog", { className: "shortcuts", attrs: { "aria-label": "Keyboard shortcuts" } },
    el("h2", { text: "Keyboard shortcuts" }),
    el("table", {}, bindings.map(b => el("tr", {}, el("td", {}, el("kbd", { text: b.key === " " ? "space" : b.key })), el("td", { text: b.label })))),
    el("p", {}, el("button", { type: "button", text: "Close", onclick: () => dialog.close() })));
  document.body.append(dialog);
  const toggle = () => (dialog.open ? dialog.close() : dialog.showModal());
  document.getElementById("help-toggle")?.addEventListener("click", toggle);
  document.addEventListener("keydown", event => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?" && !typing(event)) { event.preventDefault(); toggle(); return; }
    if (dialog.open || typing(event)) {
      if (event.key === "Escape" && typing(event)) event.target.blur();
      return;
    }
    const binding = bindings.find(b => b.key === event.key);
    if (binding) { event.preventDefault(); binding.run(event); }
  });
}
