// The logs page: adopts the server-rendered rows, tails new records live over /ws/tail,
// draws the histogram, and wires the keyboard. Filters are plain page URLs (controls.js).
// Rows are focusable: one is in the tab order (the current one) and j/k move real focus.
import { banner, installShortcuts, installSkipLinks, onControl } from "./common.js";
import { LiveSocket } from "./live-socket.js";
import { liveUi } from "./live-status.js";
import { installAround } from "./logs/around.js";
import { installToolbar } from "./logs/toolbar.js";
import { installDrawer, installEmptyState, installFilters, iso, navigate, treeCounter } from "./logs/controls.js";
import { Histogram } from "./logs/histogram.js";
import { LiveList } from "./logs/live.js";
import { Rows } from "./logs/rows.js";
import { installFieldFilter } from "./logs/field-filter.js";
import { setHits } from "./highlight.js";
import { OPTIONS, installView } from "./logs/view.js";
import { installZoneToggle, showTimes, utcChosen } from "./zone.js";

const $ = id => document.getElementById(id);
const state = JSON.parse($("logs-state").textContent);
const utc = utcChosen();

setHits(state.hits);  // the search's hits, marked in rows built from here on
installFieldFilter($("rows"), { fields: state.searchFields });
const rows = new Rows($("rows"), { maxRows: state.maxRows, utc, href: id => `/records/${id}${location.search}` });
rows.adopt(state.records);
const view = installView($("view-menu"), rows);
const countTree = treeCounter();
const histogram = new Histogram($("histogram"), {
  filter: state.filter, utc,
  onRange: (since, until) => navigate({ since: iso(since), until: iso(until), last: null }),
});
const tail = new LiveSocket({
  path: "/ws/tail", kind: "record", filter: state.filter,
  after: state.after ?? 0,  // the newest id when the page was read: the tail goes on from there, gap-free
  onItem: record => { histogram.add(record); countTree(record); live.receive(record); },
  onChange: () => live?.render(),
});
const live = new LiveList({
  rows, tail, list: $("list"), pageSize: state.pageSize, filter: state.filter, hasOlder: state.next !== null,
  ui: liveUi(tail, { pause: $("pause"), older: $("load-older"), endNote: $("list-end-note"), empty: $("empty") }),
});

if (state.around) installAround({ rows, live, list: $("list"), filter: state.filter, pageSize: state.pageSize, state });
installFilters();
installToolbar();
const closeDrawer = installDrawer();
installEmptyState();
histogram.load().catch(e => banner(`Could not draw the histogram: ${e.message}`));
tail.start();
$("pause").addEventListener("click", () => togglePause());
$("load-older").addEventListener("click", () => live.loadOlder());

showTimes(document, utc);
installZoneToggle($("tz-toggle"), zone => {
  rows.setUtc(zone);
  histogram.setUtc(zone);
  showTimes(document, zone);
});

// Selection follows focus ------------------------------------------------------------------
let selected = null;
function select(node, { focus = true } = {}) {
  selected?.classList.remove("selected");
  selected?.removeAttribute("aria-selected");
  selected = node;
  if (!node) return;
  node.classList.add("selected");
  node.setAttribute("aria-selected", "true");
  rows.setCurrent(node);
  if (focus && document.activeElement !== node) node.focus({ preventScroll: true });
  node.scrollIntoView({ block: "nearest" });
}
function toggle(node) {
  rows.toggle(node);
  live.reading(rows.anyOpen);
}
$("rows").addEventListener("click", event => {
  const line = event.target.closest(".line");
  if (!line || event.target.closest("a") || getSelection().toString()) return;
  select(line.parentElement);
  toggle(line.parentElement);
});
$("rows").addEventListener("focusin", event => {
  if (event.target.classList.contains("row") && event.target !== selected) select(event.target, { focus: false });
});
// "Skip to records" lands on the current row (the list itself when there is none)
installSkipLinks(id => {
  const row = id === "list" && (rows.current?.isConnected ? rows.current : rows.first);
  if (!row) return $(id);
  select(row, { focus: false });
  return row;
});

function togglePause() {
  if (live.paused) live.resume();
  else live.pause("user");
}
function move(step) {
  if (!selected || !selected.isConnected) return select(step > 0 ? rows.first : rows.last);
  select((step > 0 ? rows.next(selected) : rows.previous(selected)) || selected);
}

installShortcuts([
  { key: "/", label: "search", run: () => { $("search").focus(); $("search").select(); } },
  { key: " ", label: "pause / resume the live tail", run: togglePause, when: e => !onControl(e) },
  { key: "j", label: "next (older) record", run: () => move(1) },
  { key: "k", label: "previous (newer) record", run: () => move(-1) },
  { key: "Enter", label: "open the focused record (again: its own page)", when: e => !onControl(e), run: () => {
    if (!selected?.isConnected) return;
    if (selected.classList.contains("open")) location.assign(`/records/${selected.dataset.id}${location.search}`);
    else toggle(selected);
  } },
  { key: "Escape", label: "close: expanded rows, menus, drawer, selection", run: () => {
    for (const menu of document.querySelectorAll("details.menu[open]")) menu.open = false;
    if (closeDrawer()) return;
    if (!$("custom-range").hidden) { $("custom-range").hidden = true; return; }
    if (rows.anyOpen) { rows.collapseAll(); live.reading(false); return; }
    select(null);
  } },
  { key: "?", label: "show this list", run: () => {} },
  { key: "g", label: "go to the newest record", run: async () => {
    if (live.paused) await live.resume();
    $("list").scrollTop = 0;
    select(rows.first);
  } },
  ...OPTIONS.map(({ name, key, label }) => ({ key, label, run: () => view.toggle(name) })),
]);
