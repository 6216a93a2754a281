// The request list: one line per request (time, method, path, status, size), the same markup
// templates/inspector.html renders; failures carry the `failed` class (red).
import { el } from "../common.js";
import { byteSize, printable, statusClass } from "../format.js";
import { timeEl } from "../zone.js";
import { pathSpan } from "./format.js";

export const MAX_ROWS = 2000;

/** One list line; `search` is the page's filter query string, kept on the link. */
export function rowNode(r, search, utc) {
  return el("li", { className: `req ${statusClass(r.status)}`, dataset: { id: r.id } },
    el("a", { className: "req-link", href: `/inspector/${r.id}${search}` },
      timeEl(r.created, r.time, "clock", utc, "t"),
      el("span", { className: "m", text: r.method }),
      pathSpan(r, true),
      el("span", { className: "s", text: r.status, title: [r.status_text, printable(r.reason || "")].filter(Boolean).join(": ") }),
      el("span", { className: "z", text: byteSize(r.body_size) })));
}

/** Mark the selected line and the keyboard cursor; show the empty note when there are none. Touches
 * only the lines whose marks change (the list may hold MAX_ROWS lines, and requests arrive fast). */
export function markRows(rows, selectedId, cursorId, empty) {
  for (const [cls, id] of [["selected", selectedId], ["cursor", cursorId]]) {
    for (const li of rows.querySelectorAll(`.req.${cls}`)) {
      if (Number(li.dataset.id) === id) continue;
      li.classList.remove(cls);
      if (cls === "selected") li.firstElementChild.removeAttribute("aria-current");
    }
    const li = id === null || id === undefined ? null : rows.querySelector(`.req[data-id="${Number(id)}"]`);
    li?.classList.add(cls);
    if (li && cls === "selected") li.firstElementChild.setAttribute("aria-current", "true");
  }
  empty.hidden = rows.children.length > 0;
}

/** Add entries (oldest first) at the top, dropping the oldest lines beyond MAX_ROWS. */
export function prependRows(rows, entries, search, utc) {
  const fragment = document.createDocumentFragment();
  for (const r of entries) fragment.prepend(rowNode(r, search, utc));
  rows.prepend(fragment);
  while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
}

/** The id of the line `step` lines away from `fromId` (clamped), or null for an empty list. */
export function neighbourId(rows, fromId, step) {
  const items = [...rows.children];
  if (!items.length) return null;
  const at = items.findIndex(li => Number(li.dataset.id) === fromId);
  const next = items[Math.max(0, Math.min(items.length - 1, at < 0 ? 0 : at + step))];
  return Number(next.dataset.id);
}
