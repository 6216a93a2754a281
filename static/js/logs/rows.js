// The rows in the DOM: a contiguous run of matching records, newest at the top, at most
// `maxRows` of them. Knows nothing of sockets or scrolling policy; logs.js decides.
// Never reads layout per row: a batch of rows goes in as one fragment, trimming is one DOM operation
// measured once, and a late record finds its place from the records' times, not the DOM's.
// One row at a time is in the tab order (roving tabindex): the current one.
import { dateLabel } from "../format.js";
import { buildDetails, buildRow, showTime } from "./format.js";
import { markHits } from "../highlight.js";

const LATE_AFTER = 1;  // s behind the newest row shown: marked late (a few ms out of order is just placed)

/** Newer first: by time, then by id (the order of the list). */
const newerFirst = (a, b) => b.created - a.created || b.id - a.id;

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
  }

  /** Take over the server-rendered rows (their records come from the page's JSON). */
  adopt(records) {
    for (const r of records) this.records.set(r.id, r);
    this.retime();
    this.markDays();
    this.setCurrent(this.container.firstElementChild);
  }

  get count() { return this.container.childElementCount; }
  get newestId() { return Number(this.container.firstElementChild?.dataset.id ?? 0); }
  get oldestId() { return Number(this.container.lastElementChild?.dataset.id ?? 0); }
  record(node) { return this.records.get(Number(node.dataset.id)); }

  build(r) {
    this.records.set(r.id, r);
    const node = markHits(buildRow(r, this.utc));  // the search's hits marked in the message
    if (this.relative) showTime(node.querySelector("time"), r.created, this.utc, true);
    return node;
  }

  /**
   * Add live records (in arrival order) above the newest row; ignores any already shown. A record
   * older than the newest row shown (a batching handler, another app's clock) goes where its time
   * puts it, marked `late`; one older than every row shown is left out when `olderHidden` (more
   * rows exist below: it shows with them). Returns how many were added.
   */
  addNewer(records, { olderHidden = false } = {}) {
    let fresh = records.filter(r => !this.records.has(r.id));
    if (fresh.length > this.maxRows) {
      fresh = fresh.slice(-this.maxRows);
      this.clear();
      this.trimmedOld = true;
    }
    if (!fresh.length) return 0;
    const top = this.container.firstElementChild ? this.record(this.container.firstElementChild) : null;
    const onTop = top ? fresh.filter(r => newerFirst(r, top) < 0) : fresh;
    const late = top ? fresh.filter(r => newerFirst(r, top) > 0) : [];
    const fragment = document.createDocumentFragment();
    for (const r of onTop.sort(newerFirst)) fragment.append(this.build(r));
    this.container.prepend(fragment);
    let added = onTop.length;
    for (const r of late) added += this.insertLate(r, olderHidden);
    this.trimOld();
    this.markDays();
    if (!this.current?.isConnected) this.setCurrent(this.container.firstElementChild);
    return added;
  }

  /** Put one late record where its time belongs (binary search over the rows' records). */
  insertLate(r, olderHidden) {
    const rows = this.container.children;
    let lo = 0, hi = rows.length;  // the first row older than r is at lo
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newerFirst(r, this.record(rows[mid])) > 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === rows.length && olderHidden) return 0;
    const node = this.build(r);
    const newest = this.record(rows[0]);
    if (lo > 0 && newest.created - r.created > LATE_AFTER) {
      node.classList.add("late");
      node.title = "Arrived late: newer records were already shown; placed by its time";
    }
    this.container.insertBefore(node, rows[lo] ?? null);
    return 1;
  }

  /** Drop rows past maxRows at the bottom, in one DOM operation. */
  trimOld() {
    const excess = this.count - this.maxRows;
    if (excess <= 0) return;
    const first = this.container.children[this.maxRows];
    this.forget(first, null);
    const range = document.createRange();
    range.setStartBefore(first);
    range.setEndAfter(this.container.lastElementChild);
    range.deleteContents();
    this.trimmedOld = true;
  }

  /** Forget the records of the rows from `from` up to (not including) `to`. */
  forget(from, to) {
    for (let node = from; node && node !== to; node = node.nextElementSibling) this.records.delete(Number(node.dataset.id));
  }

  /** Add a page of older records (newest first) below; past maxRows, the newest rows go in one DOM
   * operation. Returns the height they took, measured once for the whole cut (the caller keeps the
   * reader's place with it), 0 when none went. */
  addOlder(records) {
    const fragment = document.createDocumentFragment();
    for (const r of records) {
      if (!this.records.has(r.id)) fragment.append(this.build(r));
    }
    this.container.append(fragment);
    let removed = 0;
    const excess = this.count - this.maxRows;
    if (excess > 0) {
      const first = this.container.firstElementChild, keep = this.container.children[excess];
      removed = keep.offsetTop - first.offsetTop;  // the one layout read of the trim
      this.forget(first, keep);
      const range = document.createRange();
      range.setStartBefore(first);
      range.setEndBefore(keep);
      range.deleteContents();
      this.trimmedNew = true;
    }
    this.markDays();
    if (!this.current?.isConnected) this.setCurrent(this.container.firstElementChild);
    return removed;
  }

  /** Put a page of newer records (newest first, as the API answers) above the top row, in that order;
   * past maxRows, the oldest rows go in one DOM operation. */
  prepend(records) {
    const fragment = document.createDocumentFragment();
    for (const r of records) {
      if (!this.records.has(r.id)) fragment.append(this.build(r));
    }
    this.container.prepend(fragment);
    this.trimOld();
    this.markDays();
    if (!this.current?.isConnected) this.setCurrent(this.container.firstElementChild);
  }

  clear() {
    this.generation += 1;
    this.container.replaceChildren();
    this.records.clear();
    this.current = null;
    this.trimmedOld = this.trimmedNew = false;
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
    for (const node of this.container.children) {
      const r = this.record(node);
      if (r) showTime(node.firstElementChild.firstElementChild, r.created, this.utc, this.relative, now);
    }
  }

  /** Show the date column when the rows span more than one day. */
  markDays() {
    const first = this.records.get(this.newestId), last = this.records.get(this.oldestId);
    const multi = !!(first && last && dateLabel(first.created, this.utc) !== dateLabel(last.created, this.utc));
    this.container.parentElement.classList.toggle("multi-day", multi);
  }
}
