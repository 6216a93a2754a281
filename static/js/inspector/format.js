// How the inspector shows values; mirrors dashboard/inspector_format.py (and present.printable)
// so a live row looks like a server-rendered one. Everything lands in the DOM as text.
import { el, printable } from "../common.js";

export const FOLD_LINES = 200;
export const FOLD_CHARS = 20000;

/** 1234 -> "1.2 kB". */
export function byteSize(n) {
  if (n === null || n === undefined) return "";
  if (n < 1000) return `${n} B`;
  for (const [unit, scale] of [["kB", 1e3], ["MB", 1e6], ["GB", 1e9]]) {
    if (n < scale * 1000 || unit === "GB") {
      const v = n / scale;
      return v < 10 ? `${v.toFixed(1)} ${unit}` : `${Math.round(v)} ${unit}`;
    }
  }
  return `${n} B`;
}

/** "s4xx failed" for 404: the status class, plus `failed` from 400 on. */
export function statusClass(status) {
  return `s${Math.floor(status / 100)}xx` + (status >= 400 ? " failed" : "");
}

/** Lines in a text (a trailing newline does not start one). */
export function lineCount(text) {
  if (!text) return 0;
  return (text.match(/\n/g) || []).length + (text.endsWith("\n") ? 0 : 1);
}

/** [shown, rest]: the first FOLD_LINES lines or FOLD_CHARS characters, and the remainder. */
export function fold(text, lines = FOLD_LINES, chars = FOLD_CHARS) {
  let cut = text.length, at = -1;
  for (let i = 0; i < lines; i++) {
    at = text.indexOf("\n", at + 1);
    if (at < 0) break;
  }
  if (at >= 0) cut = at + 1;
  cut = Math.min(cut, chars);
  return [text.slice(0, cut), text.slice(cut)];
}

/** A <pre> of `text`, long ones folded behind a "show all" control. */
export function foldedPre(text, cls) {
  const [head, rest] = fold(text);
  const nodes = [el("pre", { className: cls, text: printable(head) })];
  if (rest) {
    nodes.push(el("details", { className: "fold" },
      el("summary", { text: `show all (${lineCount(rest)} more lines, ${rest.length} characters)` }),
      el("pre", { className: `${cls} rest`, text: printable(rest) })));
  }
  return nodes;
}

/** A two-column table of [name, value] pairs; blank and redacted values are marked. */
export function kvTable(rows, left, right, cls = "") {
  return el("table", { className: `kv ${cls}`.trim() },
    el("thead", {}, el("tr", {}, el("th", { text: left, attrs: { scope: "col" } }), el("th", { text: right, attrs: { scope: "col" } }))),
    el("tbody", {}, rows.map(([name, value]) => {
      const blank = value === "";
      const classes = ["v", blank ? "blank" : "", String(value).endsWith("[redacted]") ? "redacted" : ""].filter(Boolean).join(" ");
      return el("tr", {}, el("td", { className: "k", text: printable(name) }), el("td", { className: classes, text: blank ? "(blank)" : printable(value) }));
    })));
}

/** Put `text` on the clipboard; falls back to a selected textarea where the API is missing. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el("textarea", { className: "copy-buffer", value: text, attrs: { readonly: "", "aria-hidden": "true" } });
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
