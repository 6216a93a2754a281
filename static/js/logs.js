// The logs page: adopts the server-rendered rows, tails new records live over /ws/tail,
// draws the histogram, and wires the keyboard. Filters are plain page URLs (controls.js).
import { banner, installShortcuts } from "./common.js";
import { LiveSocket } from "./live-socket.js";
import { liveUi } from "./live-status.js";
import { installDrawer, installEmptyState, installFilters, iso, navigate, treeCounter } from "./logs/controls.js";
import { Histogram } from "./logs/histogram.js";
import { LiveList } from "./logs/live.js";
import { Rows } from "./logs/rows.js";
import { installZoneToggle, showTimes, utcChosen } from "./zone.js";

const $ = id => document.getElementById(id);
const state = JSON.parse($("logs-state").textContent);
const utc = utcChosen();

const rows = new Rows($("rows"), { maxRows: state.maxRows, utc, href: id => `/records/${id}${location.search}` });
rows.adopt(state.records);
const countTree = treeCounter();
const histogram = new Histogram($("histogram"), {
  filter: state.filter, utc,
  onRange: (since, until) => navigate({ since: iso(since), until: iso(until), last: null }),
});
const tail = new LiveSocket({
  path: "/ws/tail", kind: "record", filter: state.filter,
  after: state.records[0]?.id ?? 0,
  onItem: record => { histogram.add(record); countTree(record); live.receive(record); },
  onChange: () => live?.render(),
});
const live = new LiveList({
  rows, tail, list: $("list"), pageSize: state.pageSize, filter: state.filter, hasOlder: state.next !== null,
  ui: liveUi(tail, { pause: $("pause"), older: $("load-older"), endNote: $("list-end-note"), empty: $("empty") }),
});

installFilters();
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

// Selection and expansion ------------------------------------------------------------------
let selected = null;
function select(node) {
  selected?.classList.remove("selected");
  selected?.removeAttribute("aria-selected");
  selected = node;
  if (!node) return;
  node.classList.add("selected");
  node.setAttribute("aria-selected", "true");
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

function togglePause() {
  if (live.paused) live.resume();
  else live.pause("user");
}
function move(step) {
  const rowsNode = $("rows");
  if (!selected || !selected.isConnected) return select(step > 0 ? rowsNode.firstElementChild : rowsNode.lastElementChild);
  select((step > 0 ? selected.nextElementSibling : selected.previousElementSibling) || selected);
}

installShortcuts([
  { key: "/", label: "search", run: () => { $("search").focus(); $("search").select(); } },
  { key: " ", label: "pause / resume the live tail", run: togglePause },
  { key: "j", label: "select the next (older) record", run: () => move(1) },
  { key: "k", label: "select the previous (newer) record", run: () => move(-1) },
  { key: "Enter", label: "open the selected record (again: its own page)", run: () => {
    if (!selected?.isConnected) return;
    if (selected.classList.contains("open")) location.assign(`/records/${selected.dataset.id}${location.search}`);
    else toggle(selected);
  } },
  { key: "Escape", label: "close: expanded rows, menus, drawer, selection", run: () => {
    $("export-menu").open = false;
    if (closeDrawer()) return;
    if (!$("custom-range").hidden) { $("custom-range").hidden = true; return; }
    if (rows.anyOpen) { rows.collapseAll(); live.reading(false); return; }
    select(null);
  } },
  { key: "?", label: "show this list", run: () => {} },
  { key: "g", label: "go to the newest record", run: async () => {
    if (live.paused) await live.resume();
    $("list").scrollTop = 0;
    select($("rows").firstElementChild);
  } },
]);
