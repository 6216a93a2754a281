// The inspector page: the request list (live over /ws/requests), filters in the URL, and the
// selected request's tabs. The newest request is selected automatically until the user picks one.
import { banner, el, installShortcuts, printable } from "./common.js";
import { TABS, renderDetail, showTab, wireDetail } from "./inspector/detail.js";
import { markRows, neighbourId, prependRows, rowNode } from "./inspector/list.js";
import { RequestFeed } from "./inspector/live.js";

const data = JSON.parse(document.getElementById("inspector-data").textContent);
const $ = id => document.getElementById(id);
const [list, rows, detailPane, form, newBar, olderButton, empty, liveState] =
  ["list", "req-list", "detail", "insp-filter", "new-bar", "load-older", "list-empty", "live-state"].map($);

const state = {
  filters: data.filters, next: data.next, picked: data.picked, selectedId: data.selected?.id ?? null,
  cursorId: data.selected?.id ?? null, newest: 0, pending: [], tab: tabFromHash() || "raw", loadToken: 0,
};
const feed = new RequestFeed({
  onRequest: entry => arrived(entry),
  onState: (kind, label) => { liveState.dataset.state = kind; liveState.querySelector(".state-label").textContent = label; },
  onSkipped: count => banner(`${count} requests arrived faster than this tab could take them; catching up.`),
});

function tabFromHash() {
  const key = location.hash.replace(/^#(panel-)?/, "");
  return TABS.some(([k]) => k === key) ? key : null;
}

function search(extra = {}) {
  const params = new URLSearchParams(Object.entries({ ...state.filters, ...extra }).filter(([, v]) => v));
  const text = params.toString();
  return text ? `?${text}` : "";
}

function mark() { markRows(rows, state.selectedId, state.cursorId, empty); }

function setRows(entries) {
  rows.replaceChildren(...entries.map(r => rowNode(r, search())));
  state.newest = Math.max(0, ...entries.map(r => r.id));
  mark();
}

function showDetail(d) {
  if (!d) {
    detailPane.replaceChildren(el("div", { className: "detail-empty" }, el("p", { className: "muted", text: "Select a request to see it here." })));
    return;
  }
  const article = renderDetail(d);
  wireDetail(article, d, key => { switchTab(key); history.replaceState(history.state, "", `${location.pathname}${location.search}#${key}`); });
  showTab(article, state.tab);
  detailPane.replaceChildren(article);
  document.title = `${state.picked ? `#${d.id} ${d.method} ${printable(d.path)} · ` : ""}Inspector · logdash`;
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
  try {
    const resp = await fetch(`/api/requests/${id}`, { headers: { Accept: "application/json" } });
    const body = await resp.json();
    if (token !== state.loadToken) return;
    if (!resp.ok) throw new Error(body.error || resp.statusText);
    showDetail(body);
    banner(null);
  } catch (e) {
    if (token === state.loadToken) banner(`Could not load request ${id}: ${e.message}`);
  }
}

function selectNewest(picked = false) {
  if (rows.firstElementChild) select(Number(rows.firstElementChild.dataset.id), { picked });
}

function arrived(entry) {
  if (entry.id <= state.newest) return;
  if (list.scrollTop > 4 || state.pending.length) {  // the user reads further down: nothing jumps
    state.pending.push(entry);
    newBar.textContent = `${state.pending.length} new request${state.pending.length === 1 ? "" : "s"} · show`;
    newBar.hidden = false;
    return;
  }
  prependRows(rows, [entry], search());
  state.newest = entry.id;
  mark();
  if (!state.picked) select(entry.id, { picked: false });
}

function flushPending() {
  const pending = state.pending;
  state.pending = [];
  newBar.hidden = true;
  list.scrollTop = 0;
  pending.forEach(arrived);
}

async function load(before = null) {
  const resp = await fetch(`/api/requests${search({ limit: String(data.page_size), before: before ? String(before) : "" })}`);
  const body = await resp.json();
  if (!resp.ok) throw new Error(body.error || resp.statusText);
  state.next = body.next;
  olderButton.hidden = !body.next;
  return body.requests;
}

async function applyFilters() {
  state.filters = Object.fromEntries([...new FormData(form)].filter(([, v]) => String(v).trim() !== ""));
  try {
    const entries = await load();
    state.pending = [];
    newBar.hidden = true;
    setRows(entries);
    state.picked = false;
    history.replaceState({ picked: false }, "", `/inspector${search()}`);
    if (entries.length) select(entries[0].id, { picked: false, push: false });
    else { state.selectedId = null; showDetail(null); }
    banner(null);
    feed.start(state.filters, state.newest);
  } catch (e) {
    banner(`Filter not applied: ${e.message}`);
  }
}

function switchTab(key) {
  state.tab = key;
  const article = detailPane.querySelector(".req-detail");
  if (article) showTab(article, key);
}

function wire() {
  rows.addEventListener("click", event => {
    const link = event.target.closest("a.req-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    select(Number(link.closest(".req").dataset.id), { picked: true });
  });
  form.addEventListener("submit", event => { event.preventDefault(); applyFilters(); });
  form.querySelectorAll("select").forEach(s => s.addEventListener("change", applyFilters));
  let timer = null;
  form.querySelectorAll("input[type=search]").forEach(input =>
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(applyFilters, 350); }));
  newBar.addEventListener("click", flushPending);
  list.addEventListener("scroll", () => { if (list.scrollTop <= 4 && state.pending.length) flushPending(); });
  olderButton.addEventListener("click", async () => {
    try {
      rows.append(...(await load(state.next)).map(r => rowNode(r, search())));
      mark();
    } catch (e) { banner(`Could not load older requests: ${e.message}`); }
  });
  window.addEventListener("popstate", () => {
    const match = location.pathname.match(/^\/inspector\/(\d+)/);
    if (match) select(Number(match[1]), { picked: true, push: false });
    else if (rows.firstElementChild) select(Number(rows.firstElementChild.dataset.id), { picked: false, push: false });
    if (tabFromHash()) switchTab(tabFromHash());
  });
  installShortcuts([
    { key: "j", label: "cursor to the next (older) request", run: () => { state.cursorId = neighbourId(rows, state.cursorId, 1); mark(); rows.querySelector(".cursor")?.scrollIntoView({ block: "nearest" }); } },
    { key: "k", label: "cursor to the previous (newer) request", run: () => { state.cursorId = neighbourId(rows, state.cursorId, -1); mark(); rows.querySelector(".cursor")?.scrollIntoView({ block: "nearest" }); } },
    { key: "Enter", label: "open the request under the cursor", run: () => state.cursorId && select(state.cursorId, { picked: true }) },
    { key: "/", label: "search text in requests", run: () => $("f-q").focus() },
    { key: "g", label: "newest request, and follow new ones", run: () => { flushPending(); selectNewest(false); } },
    ...TABS.map(([key, label], i) => ({ key: String(i + 1), label: `${label} tab`, run: () => switchTab(key) })),
    { key: "c", label: "copy as curl", run: () => detailPane.querySelector('button[data-copy="curl"]')?.click() },
  ]);
}

setRows(data.requests);
showDetail(data.selected);
wire();
feed.start(state.filters, state.newest);
