// The inspector page: adopts the server-rendered list and detail pane, keeps the list live over
// /ws/requests, keeps filters in the URL, and shows the selected request's tabs. The newest
// request is selected automatically until the user picks one. Only what arrives later (live
// rows, older pages, another request's detail) is built here. Arrivals are shown once per frame,
// and following the newest fetches its detail at most once a second, however fast requests come.
import { banner, el, getJSON, installShortcuts, installSkipLinks, onControl } from "./common.js";
import { TABS, renderDetail, showTab, wireDetail } from "./inspector/detail.js";
import { markRows, neighbourId, prependRows, rowNode } from "./inspector/list.js";
import { LiveSocket } from "./live-socket.js";
import { beat, liveUi, renderLive, scrolledAway } from "./live-status.js";
import { installZoneToggle, showTimes, utcChosen } from "./zone.js";

const $ = id => document.getElementById(id);
const page = JSON.parse($("inspector-state").textContent);
const [list, rows, detailPane, form, olderButton, empty] =
  ["list", "req-list", "detail", "insp-filter", "load-older", "list-empty"].map($);

let utc = utcChosen();
const state = {
  filters: page.filters, next: page.next, picked: page.picked, selectedId: page.selected, cursorId: page.selected,
  held: [], tab: tabFromHash() || "raw", loadToken: 0,
  newerAbove: page.newerAbove,  // the list shows a picked request's page, not the newest: arrivals wait
  arriving: [], frame: 0, followTimer: 0, followedAt: 0,
};
const FOLLOW_EVERY = 1000;  // ms: the newest request's detail is fetched at most this often
const newestId = () => Number(rows.firstElementChild?.dataset.id ?? 0);
const feed = new LiveSocket({
  path: "/ws/requests", kind: "request", filter: state.filters, after: page.newerAbove ? page.newestId : newestId(),
  onItem: entry => arrived(entry), onChange: () => render(),
});
const ui = liveUi(feed);

function tabFromHash() {
  const key = location.hash.replace(/^#(panel-)?/, "");
  return TABS.some(([k]) => k === key) ? key : null;
}

function search(extra = {}) {
  const params = new URLSearchParams(Object.entries({ ...state.filters, ...extra }).filter(([, v]) => v));
  const text = params.toString();
  return text ? `?${text}` : "";
}

const away = () => scrolledAway(list);

function render() {
  renderLive(ui, feed, { paused: away() || state.held.length > 0, newCount: state.held.length, noun: "request" });
}

function mark() { markRows(rows, state.selectedId, state.cursorId, empty); }

/** The page title names the picked request. */
function retitle() {
  const article = detailPane.querySelector(".req-detail");
  const what = state.picked && article
    ? `#${article.dataset.id} ${article.querySelector(".req-line .m").textContent} ${article.querySelector(".req-line .p").firstChild?.textContent ?? ""} · `
    : "";
  document.title = `${what}Inspector · logdash`;
}

/** Wire a detail pane (the server's or one built here) and show the current tab. */
function adoptDetail(article, load) {
  wireDetail(article, load, key => { switchTab(key); history.replaceState(history.state, "", `${location.pathname}${location.search}#${key}`); });
  showTab(article, state.tab);
}

function showDetail(d) {
  if (!d) {
    detailPane.replaceChildren(el("div", { className: "detail-empty" }, el("p", { className: "muted", text: "Select a request to see it here." })));
  } else {
    const article = renderDetail(d, utc);
    adoptDetail(article, async () => d);
    detailPane.replaceChildren(article);
  }
  retitle();
}

async function select(id, { picked, push = true } = {}) {
  if (picked !== undefined) state.picked = picked;
  state.selectedId = state.cursorId = id;
  mark();
  if (push) {
    const url = (state.picked ? `/inspector/${id}` : "/inspector") + search() + location.hash;
    history[state.picked ? "pushState" : "replaceState"]({ id, picked: state.picked }, "", url);
  }
  const token = ++state.loadToken;
  if (Number(detailPane.querySelector(".req-detail")?.dataset.id) === id) {
    retitle();
    return;
  }
  try {
    const d = await getJSON(`/api/requests/${id}`);
    if (token !== state.loadToken) return;
    showDetail(d);
    banner(null);
  } catch (e) {
    if (token === state.loadToken) banner(`Could not load request ${id}: ${e.message}`);
  }
}

function selectNewest(picked = false) {
  if (rows.firstElementChild) select(newestId(), { picked });
}

/** Follow the newest request: its row is marked at once, its detail fetched at most every FOLLOW_EVERY ms
 * (the last one that arrived meanwhile), never once per arrival. */
function follow() {
  state.selectedId = state.cursorId = newestId();
  mark();
  if (state.followTimer) return;
  const wait = Math.max(0, state.followedAt + FOLLOW_EVERY - Date.now());
  state.followTimer = setTimeout(() => {
    state.followTimer = 0;
    state.followedAt = Date.now();
    if (!state.picked && rows.firstElementChild) select(newestId(), { picked: false });
  }, wait);
}

/** Show entries (oldest first) at the top; follow the newest unless the user picked one. */
function showRows(entries) {
  if (!entries.length) return;
  prependRows(rows, entries, search(), utc);
  mark();
  if (!state.picked) follow();
}

function arrived(entry) {
  state.arriving.push(entry);
  if (!state.frame) state.frame = requestAnimationFrame(showArrivals);
}

/** Once per frame: what arrived goes on top, or waits while the reader is elsewhere. */
function showArrivals() {
  state.frame = 0;
  const entries = state.arriving.splice(0);
  if (!entries.length) return;
  beat(ui);
  if (away() || state.held.length || state.newerAbove) state.held.push(...entries);
  else showRows(entries);
  render();
}

async function showHeld() {
  const held = state.held;
  state.held = [];
  list.scrollTop = 0;
  if (state.newerAbove) {  // the list is an older page: start again from the newest
    try {
      const entries = await loadPage();
      rows.replaceChildren(...entries.map(r => rowNode(r, search(), utc)));
      state.newerAbove = false;
      mark();
      if (!state.picked) follow();
    } catch (e) {
      banner(`Could not load the newest requests: ${e.message}`);
    }
  } else {
    showRows(held);
  }
  render();
}

/** One page of the list from the API (the newest, or the one before `before`). */
async function loadPage(before = null) {
  const body = await getJSON(`/api/requests${search({ limit: String(page.pageSize), before: before ? String(before) : "" })}`);
  state.next = body.next;
  olderButton.hidden = !body.next;
  return body.requests;
}

async function applyFilters() {
  state.filters = Object.fromEntries([...new FormData(form)].filter(([, v]) => String(v).trim() !== ""));
  try {
    const entries = await loadPage();
    state.held = [];
    rows.replaceChildren(...entries.map(r => rowNode(r, search(), utc)));
    state.picked = false;
    history.replaceState({ picked: false }, "", `/inspector${search()}`);
    if (entries.length) select(entries[0].id, { picked: false, push: false });
    else { state.selectedId = state.cursorId = null; mark(); showDetail(null); }
    banner(null);
    feed.restart({ filter: state.filters, after: newestId() });
  } catch (e) {
    banner(`Filter not applied: ${e.message}`);
  }
}

function switchTab(key) {
  state.tab = key;
  const article = detailPane.querySelector(".req-detail");
  if (article) showTab(article, key);
}

function moveCursor(step) {
  state.cursorId = neighbourId(rows, state.cursorId, step);
  mark();
  rows.querySelector(".cursor")?.scrollIntoView({ block: "nearest" });
}

function wire() {
  rows.addEventListener("click", event => {
    const link = event.target.closest("a.req-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    select(Number(link.closest(".req").dataset.id), { picked: true });
  });
  rows.addEventListener("focusin", event => {  // a line reached by Tab is the cursor's line
    const li = event.target.closest(".req");
    if (li && Number(li.dataset.id) !== state.cursorId) { state.cursorId = Number(li.dataset.id); mark(); }
  });
  form.addEventListener("submit", event => { event.preventDefault(); applyFilters(); });
  form.querySelectorAll("select").forEach(s => s.addEventListener("change", applyFilters));
  let timer = null;
  form.querySelectorAll("input[type=search]").forEach(input =>
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(applyFilters, 350); }));
  // narrow windows: the text boxes are short, so are their hints (the whole ones stay in their titles)
  const narrow = matchMedia("(max-width: 760px)"), hinted = [...form.querySelectorAll("input[data-short]")];
  const long = hinted.map(input => input.placeholder);
  const hint = () => hinted.forEach((input, i) => { input.placeholder = narrow.matches ? input.dataset.short : long[i]; });
  narrow.addEventListener("change", hint);
  hint();
  ui.newBar.addEventListener("click", showHeld);
  list.addEventListener("scroll", () => { if (!away() && state.held.length) showHeld(); else render(); }, { passive: true });
  olderButton.addEventListener("click", async () => {
    try {
      rows.append(...(await loadPage(state.next)).map(r => rowNode(r, search(), utc)));
      mark();
    } catch (e) { banner(`Could not load older requests: ${e.message}`); }
  });
  window.addEventListener("popstate", () => {
    const match = location.pathname.match(/^\/inspector\/(\d+)/);
    if (match) select(Number(match[1]), { picked: true, push: false });
    else if (rows.firstElementChild) select(newestId(), { picked: false, push: false });
    if (tabFromHash()) switchTab(tabFromHash());
  });
  installZoneToggle($("tz-toggle"), zone => { utc = zone; showTimes(document, zone); });
  installSkipLinks();
  installShortcuts([
    { key: "j", label: "cursor to the next (older) request", run: () => moveCursor(1) },
    { key: "k", label: "cursor to the previous (newer) request", run: () => moveCursor(-1) },
    { key: "Enter", label: "open the request under the cursor", when: e => !onControl(e) || e.target.closest(".req-link") !== null,
      run: () => state.cursorId && select(state.cursorId, { picked: true }) },
    { key: "/", label: "search text in requests", run: () => $("f-q").focus() },
    { key: "d", label: "go to the selected request's pane", run: () => detailPane.focus() },
    { key: "g", label: "newest request, and follow new ones", run: async () => { await showHeld(); selectNewest(false); } },
    ...TABS.map(([key, label], i) => ({ key: String(i + 1), label: `${label} tab`, run: () => switchTab(key) })),
    { key: "c", label: "copy as curl", run: () => detailPane.querySelector('button[data-copy="curl"]')?.click() },
  ]);
}

showTimes(document, utc);
mark();
if (state.picked) rows.querySelector(".req.selected")?.scrollIntoView({ block: "center" });
const served = detailPane.querySelector(".req-detail");
if (served) adoptDetail(served, () => getJSON(`/api/requests/${served.dataset.id}`));
wire();
render();
feed.start();
