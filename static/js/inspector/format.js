// DOM pieces of the inspector's detail pane, the same markup templates/inspector.html renders
// (its `folded` and `kv_table` macros). The rules come from ../format.js; text goes in as text.
import { el } from "../common.js";
import { charCount, fold, lineCount, printable } from "../format.js";

/** The path, its query string dimmed; `title` also puts the whole target in the tooltip. */
export function pathSpan(r, title = false) {
  return el("span", { className: "p", title: title ? printable(r.path) + (r.query ? "?" + printable(r.query) : "") : null },
    printable(r.path), r.query ? el("span", { className: "qs", text: "?" + printable(r.query) }) : null);
}

/** A <pre> of `text`, long ones folded behind a "show all" control. */
export function foldedPre(text, cls) {
  const [head, rest] = fold(text);
  const nodes = [el("pre", { className: cls, text: printable(head) })];
  if (rest) {
    nodes.push(el("details", { className: "fold" },
      el("summary", { text: `show all (${lineCount(rest)} more lines, ${charCount(rest)} characters)` }),
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
