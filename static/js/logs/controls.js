// The page's controls outside the list: filter forms (every change is a new page URL, so
// reload and back/forward just work), custom time range, logger drawer, live tree counts,
// the empty state's buttons.
import { banner, copyText, getJSON } from "../common.js";
import { abbreviate } from "../format.js";

/** Go to the logs page with some arguments changed (null removes one). */
export function navigate(changes) {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") params.delete(k);
    else params.set(k, v);
  }
  const query = params.toString();
  location.assign(query ? `/?${query}` : "/");
}

/** ISO 8601 UTC without needless milliseconds. */
export function iso(epoch) {
  return new Date(epoch * 1000).toISOString().replace(".000Z", "Z");
}

function formChanges(form) {
  const changes = {};
  for (const [k, v] of new FormData(form)) changes[k] = v;
  return changes;
}

export function installFilters() {
  const filters = document.getElementById("filter-form");
  filters.addEventListener("change", () => navigate(formChanges(filters)));
  filters.addEventListener("submit", e => { e.preventDefault(); navigate(formChanges(filters)); });
  const search = document.getElementById("search-form");
  search.addEventListener("submit", e => { e.preventDefault(); navigate({ q: document.getElementById("search").value.trim() }); });

  const custom = document.getElementById("custom-range"), toggle = document.getElementById("custom-time");
  toggle.addEventListener("click", () => {
    const menu = toggle.closest("details.menu");  // the time ranges folded into a menu: it closes
    if (menu) menu.open = false;
    custom.hidden = !custom.hidden;
    toggle.setAttribute("aria-expanded", String(!custom.hidden));
    if (!custom.hidden) custom.querySelector("input").focus();
  });
  const local = epoch => { const d = new Date(epoch * 1000 - new Date(epoch * 1000).getTimezoneOffset() * 60000); return d.toISOString().slice(0, 19); };
  const state = new URLSearchParams(location.search);
  for (const name of ["since", "until"]) {
    const raw = state.get(name) ?? "";
    const value = /^[0-9.]+$/.test(raw) ? Number(raw) : Date.parse(raw) / 1000;
    if (value) custom.elements[name].value = local(value);
  }
  custom.addEventListener("submit", e => {
    e.preventDefault();
    const epoch = name => (custom.elements[name].value ? iso(new Date(custom.elements[name].value).getTime() / 1000) : null);
    navigate({ since: epoch("since"), until: epoch("until"), last: null });
  });
}

/** The narrow layout's logger drawer: opening it moves focus in and keeps Tab inside (a modal
 * dialog); closing it (button, backdrop, Escape) gives focus back to the button that opened it. */
export function installDrawer() {
  const toggle = document.getElementById("drawer-toggle"), backdrop = document.getElementById("drawer-backdrop");
  const tree = document.getElementById("tree");
  const isOpen = () => document.body.classList.contains("drawer-open");
  const set = open => {
    const wasOpen = isOpen();
    document.body.classList.toggle("drawer-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    backdrop.hidden = !open;
    if (open) {
      tree.setAttribute("role", "dialog");
      tree.setAttribute("aria-modal", "true");
      (tree.querySelector(".tree-node.current a") || document.getElementById("drawer-close")).focus();
    } else if (wasOpen) {
      tree.removeAttribute("role");
      tree.removeAttribute("aria-modal");
      toggle.focus();
    }
  };
  toggle.addEventListener("click", () => set(!isOpen()));
  backdrop.addEventListener("click", () => set(false));
  document.getElementById("drawer-close").addEventListener("click", () => set(false));
  tree.addEventListener("keydown", event => {
    if (event.key !== "Tab" || !isOpen()) return;
    const stops = [...tree.querySelectorAll("a[href], button, summary")].filter(n => n.checkVisibility());
    const first = stops[0], last = stops.at(-1);
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });
  return () => { const open = isOpen(); set(false); return open; };
}

const TREE_EVERY = 1000;  // ms: live counts are written to the tree at most once a second

/** Keeps the logger tree's counts moving with live records: counted per record, written at most once a
 * second (in an animation frame). */
export function treeCounter() {
  const spans = new Map([...document.querySelectorAll(".tree .count[data-logger]")].map(s => [s.dataset.logger, s]));
  const pending = new Map();
  let frame = 0;
  const write = () => requestAnimationFrame(() => {
    frame = 0;
    for (const [span, n] of pending) {
      span.dataset.count = Number(span.dataset.count) + n;
      span.textContent = abbreviate(Number(span.dataset.count));
    }
    pending.clear();
  });
  return record => {
    const parts = String(record.name).split(".");
    for (let i = 1; i <= parts.length; i++) {
      const span = spans.get(parts.slice(0, i).join("."));
      if (span) pending.set(span, (pending.get(span) ?? 0) + 1);
    }
    if (pending.size && !frame) frame = setTimeout(write, TREE_EVERY);
  };
}

export function installEmptyState() {
  document.getElementById("send-test")?.addEventListener("click", async () => {
    const body = { name: "logdash.test", levelname: "INFO", levelno: 20, created: Date.now() / 1000,
      msg: "Test record from the logdash page: it works!", pathname: location.href };
    try {
      // signed in with a UI token, the page's CSRF token stands in for the ingest token
      const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
      await getJSON("/ingest?app=logdash", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) });
    } catch (e) {
      banner(`The test record was not stored: ${e.message}`);
    }
  });
  const copy = document.getElementById("copy-snippet");
  copy?.addEventListener("click", () => copyText(document.getElementById("snippet").textContent, copy));
}
