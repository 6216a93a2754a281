// The rows in the DOM: a contiguous run of matching records, newest at the top, at most
// `maxRows` of them. Knows nothing of sockets or scrolling policy; logs.js decides.
// Never reads layout per row: rows go in as whole fragments, a late record finds its place from the
// records' times, not the DOM's, and a trim at the top is measured by how far one row that stays moved.
// The rows sit in blocks of about BLOCK (div.rows-block, no role of its own): a block away from the
// screen is skipped by the browser (content-visibility: auto, at the size it last had, or its rows times a
// row's height before it was ever drawn), so adding, trimming or moving rows costs the blocks on screen,
// not all 2,000 rows. A block whose rows changed while skipped is drawn whole once (class `fresh`) so
// that the size it is skipped at is its own again.
// One row at a time is in the tab order (roving tabindex): the current one.
import { dateLabel } from "../format.js";
import { buildDetails, buildRow, showTime } from "./format.js";
import { markHits } from "../highlight.js";

const LATE_AFTER = 1;  // s behind the newest row shown: marked late (a few ms out of order is just placed)
const BLOCK = 25;      // rows per block (a page of older records goes in as four): one that comes on screen costs ~5 ms of layout

/** Newer first: by time, then by id (the order of the list). */
const newerFirst = (a, b) => b.created - a.created || b.id - a.id;

function newBlock(nodes) {
  const block = document.createElement("div");
  block.className = "rows-block";
  block.setAttribute("role", "none");  // the rows stay the list's items
  block.style.setProperty("--rows", nodes.length);  // its height until drawn (static/css/logs.css)
  block.append(...nodes);
  return block;
}

/** The first index in [0, n) for which `older(i)` holds (they all hold past it). */
function search(n, older) {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (older(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class Rows {
  constructor(container, { maxRows, utc, href }) {
    this.container = container;
    this.maxRows = maxRows;
    this.utc = utc;
    this.relative = false;     // times shown as "3 min ago"
    this.href = href;          // id -> URL of the record page
    this.records = new Map();  // id -> record
    this.current = null;       // the row in the tab order
    this.generation = 0;       // counts clear(): work begun on an older list can tell
    this.trimmedOld = false;   // rows dropped at the bottom: "Load older" brings them back
    this.trimmedNew = false;   // rows dropped at the top: going live needs a fresh page
    this.fresh = new Set();    // blocks to draw whole in the next frame, skippable after it
    this.skipped = new WeakSet();  // blocks the browser skips now (their size is the one remembered)
    this.trimmed = new WeakSet();  // the bottom block, cut while skipped: taller than its rows until drawn
    this.redraw = [];          // blocks to draw again, one at a time in idle time (refresh())
    this.settling = this.redrawing = 0;
    container.addEventListener("contentvisibilityautostatechange", event => {
      if (event.skipped) this.skipped.add(event.target);
      else this.skipped.delete(event.target);
    }, { capture: true });
    let width = null;  // a new width may change rows' heights (two lines when narrow): every block is drawn again
    new ResizeObserver(([entry]) => {
      if (width !== null && entry.contentRect.width !== width) this.refresh();
      width = entry.contentRect.width;
    }).observe(container);
  }

  /** Take over the server-rendered rows (their records come from the page's JSON). */
  adopt(records) {
    for (const r of records) this.records.set(r.id, r);
    for (const block of this.container.children) block.style.setProperty("--rows", block.childElementCount);
    this.retime();
    this.markDays();
    this.setCurrent(this.first);
  }

  get count() {
    let n = 0;
    for (const block of this.container.children) n += block.childElementCount;
    return n;
  }
  get first() { return this.container.firstElementChild?.firstElementChild ?? null; }
  get last() { return this.container.lastElementChild?.lastElementChild ?? null; }
  /** The row below `node` (older), null at the bottom. */
  next(node) { return node.nextElementSibling ?? node.parentElement?.nextElementSibling?.firstElementChild ?? null; }
  /** The row above `node` (newer), null at the top. */
  previous(node) {
    return node.previousElementSibling ?? node.parentElement?.previousElementSibling?.lastElementChild ?? null;
  }
  get newestId() { return Number(this.first?.dataset.id ?? 0); }
  get oldestId() { return Number(this.last?.dataset.id ?? 0); }
  record(node) { return this.records.get(Number(node.dataset.id)); }

  build(r) {
    this.records.set(r.id, r);
    const node = markHits(buildRow(r, this.utc));  // the search's hits marked in the message
    if (this.relative) showTime(node.querySelector("time"), r.created, this.utc, true);
    return node;
  }

  /** Rows of these records (newest first) not shown yet. */
  buildAll(records) {
    const nodes = [];
    for (const r of records) if (!this.records.has(r.id)) nodes.push(this.build(r));
    return nodes;
  }

  /**
   * Add live records (in arrival order) above the newest row; ignores any already shown. A record
   * older than the newest row shown (a batching handler, another app's clock) goes where its time
   * puts it, marked `late`; one older than every row shown is left out when `olderHidden` (more
   * rows exist below: it shows with them). Returns how many were added.
   */
  addNewer(records, { olderHidden = false } = {}) {
    let unseen = records.filter(r => !this.records.has(r.id));
    if (unseen.length > this.maxRows) {
      unseen = unseen.slice(-this.maxRows);
      this.clear();
      this.trimmedOld = true;
    }
    if (!unseen.length) return 0;
    const top = this.first ? this.record(this.first) : null;
    const onTop = top ? unseen.filter(r => newerFirst(r, top) < 0) : unseen;
    const late = top ? unseen.filter(r => newerFirst(r, top) > 0) : [];
    this.putTop(onTop.sort(newerFirst).map(r => this.build(r)));
    let added = onTop.length;
    for (const r of late) added += this.insertLate(r, olderHidden);
    this.trimOld();
    this.markDays();
    if (!this.current?.isConnected) this.setCurrent(this.first);
    return added;
  }

  /** Put one late record where its time belongs (binary searches over the blocks, then the block's rows). */
  insertLate(r, olderHidden) {
    const blocks = this.container.children;
    const older = node => newerFirst(r, this.record(node)) < 0;
    const b = search(blocks.length, i => older(blocks[i].lastElementChild));
    if (b === blocks.length && olderHidden) return 0;
    const block = blocks[Math.min(b, blocks.length - 1)], rows = block.children;
    const at = b === blocks.length ? rows.length : search(rows.length, i => older(rows[i]));
    const node = this.build(r);
    if ((b > 0 || at > 0) && this.record(this.first).created - r.created > LATE_AFTER) {
      node.classList.add("late");
      node.title = "Arrived late: newer records were already shown; placed by its time";
    }
    block.insertBefore(node, rows[at] ?? null);
    this.changed(block);
    return 1;
  }

  /** Rows (newest first) above the top row: the top block takes what it has room for, new blocks the rest. */
  putTop(nodes) {
    const top = this.container.firstElementChild;
    const cut = Math.max(0, nodes.length - (top ? Math.max(0, BLOCK - top.childElementCount) : 0));
    if (cut < nodes.length) {
      top.prepend(...nodes.slice(cut));
      this.changed(top);
    }
    const blocks = [];
    for (let end = cut; end > 0; end -= BLOCK) blocks.unshift(newBlock(nodes.slice(Math.max(0, end - BLOCK), end)));
    if (blocks.length) this.container.prepend(...blocks);  // one DOM operation
  }

  /** Rows (newest first) below the bottom row: the bottom block takes what it has room for, new blocks the rest. */
  putBottom(nodes) {
    const bottom = this.container.lastElementChild;
    if (bottom && nodes.length && this.trimmed.has(bottom)) this.touch(bottom);  // rows will follow it
    const fill = Math.min(nodes.length, bottom ? Math.max(0, BLOCK - bottom.childElementCount) : 0);
    if (fill) {
      bottom.append(...nodes.slice(0, fill));
      this.changed(bottom);
    }
    const blocks = [];
    for (let at = fill; at < nodes.length; at += BLOCK) blocks.push(newBlock(nodes.slice(at, at + BLOCK)));
    if (blocks.length) this.container.append(...blocks);
  }

  /** Drop `n` rows at the top (whole blocks, then the start of one) and forget their records. */
  dropTop(n) {
    while (n > 0 && this.container.firstElementChild) {
      const block = this.container.firstElementChild, rows = block.children;
      const cut = Math.min(n, rows.length);
      n -= cut;
      this.forget(rows[0], rows[cut] ?? null);
      if (cut === rows.length) { block.remove(); continue; }
      const range = document.createRange();
      range.setStartBefore(rows[0]);
      range.setEndBefore(rows[cut]);
      range.deleteContents();
      this.changed(block);
    }
  }

  /** Drop `n` rows at the bottom (whole blocks, then the end of one) and forget their records. A skipped block
   * keeps its height until drawn: nothing below it can move, and it is drawn before rows go after it. */
  dropBottom(n) {
    while (n > 0 && this.container.lastElementChild) {
      const block = this.container.lastElementChild, rows = block.children;
      const cut = Math.min(n, rows.length);
      n -= cut;
      this.forget(rows[rows.length - cut], null);
      if (cut === rows.length) { block.remove(); continue; }
      const range = document.createRange();
      range.setStartBefore(rows[rows.length - cut]);
      range.setEndAfter(block.lastChild);
      range.deleteContents();
      block.style.setProperty("--rows", block.childElementCount);
      if (this.skipped.has(block)) this.trimmed.add(block);
    }
  }

  /** Drop rows past maxRows at the bottom. */
  trimOld() {
    const excess = this.count - this.maxRows;
    if (excess <= 0) return;
    this.dropBottom(excess);
    this.trimmedOld = true;
  }

  /** Forget the records of the rows from `from` up to (not including) `to`, in one block. */
  forget(from, to) {
    for (let node = from; node && node !== to; node = node.nextElementSibling) this.records.delete(Number(node.dataset.id));
  }

  /** Add a page of older records (newest first) below; past maxRows, the newest rows go. Returns the height
   * they took, measured as how far a row that stays moved (read before the change, while the layout is
   * still clean, and once after), for the caller to keep the reader's place; 0 when none went. */
  addOlder(records) {
    const nodes = this.buildAll(records);
    const excess = this.count + nodes.length - this.maxRows;
    const anchor = excess > 0 ? this.last : null;
    const before = anchor?.getBoundingClientRect().top;
    this.putBottom(nodes);
    if (excess > 0) {
      this.dropTop(excess);
      this.trimmedNew = true;
    }
    const removed = anchor?.isConnected ? before - anchor.getBoundingClientRect().top : 0;
    this.markDays();
    if (!this.current?.isConnected) this.setCurrent(this.first);
    return removed;
  }

  /** Put a page of newer records (newest first, as the API answers) above the top row, in that order;
   * past maxRows, the oldest rows go. */
  prepend(records) {
    this.putTop(this.buildAll(records));
    this.trimOld();
    this.markDays();
    if (!this.current?.isConnected) this.setCurrent(this.first);
  }

  clear() {
    this.generation += 1;
    this.container.replaceChildren();
    this.records.clear();
    this.fresh.clear();
    this.redraw = [];
    this.current = null;
    this.trimmedOld = this.trimmedNew = false;
  }

  /** Rows went into or out of `block`. */
  changed(block) {
    block.style.setProperty("--rows", block.childElementCount);
    this.touch(block);
  }

  /** `block`'s rows changed: if it is skipped now (at a size that is no longer its own), it is drawn whole in
   * the next frame, and may be skipped again after it. */
  touch(block) {
    if (!this.skipped.has(block) && !block.classList.contains("fresh")) return;  // drawn: its size follows
    this.trimmed.delete(block);
    block.classList.add("fresh");
    this.fresh.add(block);
    this.settle();
  }

  /** Once the next frame laid them out (and the browser remembered their size), fresh blocks may be skipped. */
  settle() {
    if (this.settling) return;
    this.settling = requestAnimationFrame(() => {
      const drawn = [...this.fresh];  // laid out in this frame at the latest
      this.fresh.clear();
      setTimeout(() => {  // after that frame
        this.settling = 0;
        for (const block of drawn) {
          if (this.fresh.has(block)) continue;  // changed again since
          block.classList.remove("fresh");
          this.skipped.add(block);  // until the browser says it is on screen
        }
        if (this.fresh.size) this.settle();
      });
    });
  }

  /** Something may have changed every row's height (the width, a view option, the date column): the blocks on
   * screen follow by themselves; the skipped ones are drawn again, one at a time when the page is idle. */
  refresh() {
    this.redraw = [...this.container.children];
    this.redrawNext();
  }

  redrawNext() {
    if (this.redrawing || !this.redraw.length) return;
    const idle = window.requestIdleCallback ?? (callback => setTimeout(callback, 50));
    this.redrawing = idle(() => {
      this.redrawing = 0;
      let block;
      do block = this.redraw.shift(); while (block && !(block.isConnected && this.skipped.has(block)));
      if (block) this.touch(block);
      this.redrawNext();
    }, { timeout: 500 });
  }

  /** Make `node` the row in the tab order (the others stay focusable by script and click only). */
  setCurrent(node) {
    if (this.current === node) return;
    this.current?.setAttribute("tabindex", "-1");
    this.current = node;
    node?.setAttribute("tabindex", "0");
  }

  /** Expand or fold a row in place (its details are built now); returns whether it is now open. */
  toggle(node) {
    const open = node.querySelector(".details");
    if (node.parentElement) this.touch(node.parentElement);  // folded by Escape while far off screen too
    if (open) {
      open.remove();
      node.classList.remove("open");
      return false;
    }
    node.append(markHits(buildDetails(this.record(node), this.href(Number(node.dataset.id)))));
    node.classList.add("open");
    return true;
  }

  collapseAll() {
    for (const node of this.container.querySelectorAll(".row.open")) this.toggle(node);
  }

  get anyOpen() { return this.container.querySelector(".row.open") !== null; }

  setUtc(utc) {
    this.utc = utc;
    this.retime();
    this.markDays();
  }

  setRelative(relative) {
    this.relative = relative;
    this.retime();
  }

  /** Rewrite every row's time (writes only; in relative mode only the labels that changed). */
  retime() {
    const now = Date.now() / 1000;
    for (const block of this.container.children) {
      for (const node of block.children) {
        const r = this.record(node);
        if (r) showTime(node.firstElementChild.firstElementChild, r.created, this.utc, this.relative, now);
      }
    }
  }

  /** Show the date column when the rows span more than one day. */
  markDays() {
    const first = this.records.get(this.newestId), last = this.records.get(this.oldestId);
    const multi = !!(first && last && dateLabel(first.created, this.utc) !== dateLabel(last.created, this.utc));
    const list = this.container.parentElement;
    if (list.classList.contains("multi-day") === multi) return;
    list.classList.toggle("multi-day", multi);
    this.refresh();  // a wider time column: a narrow list's rows may take two lines
  }
}
