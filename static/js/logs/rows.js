// The rows in the DOM: a contiguous run of matching records, newest at the top, at most
// `maxRows` of them. Knows nothing of sockets or scrolling policy; logs.js decides.
import { dateLabel } from "../format.js";
import { buildDetails, buildRow, setTime } from "./format.js";

export class Rows {
  constructor(container, { maxRows, utc, href }) {
    this.container = container;
    this.maxRows = maxRows;
    this.utc = utc;
    this.href = href;          // id -> URL of the record page
    this.records = new Map();  // id -> record
    this.trimmedOld = false;   // rows dropped at the bottom: "Load older" brings them back
    this.trimmedNew = false;   // rows dropped at the top: going live needs a fresh page
  }

  /** Take over the server-rendered rows (their records come from the page's JSON). */
  adopt(records) {
    for (const r of records) this.records.set(r.id, r);
    for (const node of this.container.children) {
      const r = this.records.get(Number(node.dataset.id));
      if (r) setTime(node.querySelector("time"), r.created, this.utc);
    }
    this.markDays();
  }

  get count() { return this.container.childElementCount; }
  get newestId() { return Number(this.container.firstElementChild?.dataset.id ?? 0); }
  get oldestId() { return Number(this.container.lastElementChild?.dataset.id ?? 0); }
  record(node) { return this.records.get(Number(node.dataset.id)); }

  /** Add live records (oldest first) above the newest row; ignores any already shown. */
  addNewer(records) {
    const newest = this.newestId;
    let fresh = records.filter(r => r.id > newest && !this.records.has(r.id));
    if (fresh.length > this.maxRows) {
      fresh = fresh.slice(-this.maxRows);
      this.clear();
      this.trimmedOld = true;
    }
    if (!fresh.length) return 0;
    const fragment = document.createDocumentFragment();
    for (let i = fresh.length - 1; i >= 0; i--) {
      this.records.set(fresh[i].id, fresh[i]);
      fragment.append(buildRow(fresh[i], this.utc));
    }
    this.container.prepend(fragment);
    while (this.count > this.maxRows) this.remove(this.container.lastElementChild, "old");
    this.markDays();
    return fresh.length;
  }

  /** Add a page of older records (newest first) below; returns the height removed at the top. */
  addOlder(records) {
    const oldest = this.count ? this.oldestId : Infinity;
    const fragment = document.createDocumentFragment();
    for (const r of records) {
      if (r.id >= oldest || this.records.has(r.id)) continue;
      this.records.set(r.id, r);
      fragment.append(buildRow(r, this.utc));
    }
    this.container.append(fragment);
    let removed = 0;
    while (this.count > this.maxRows) {
      removed += this.container.firstElementChild.offsetHeight;
      this.remove(this.container.firstElementChild, "new");
    }
    this.markDays();
    return removed;
  }

  remove(node, end) {
    this.records.delete(Number(node.dataset.id));
    node.remove();
    if (end === "old") this.trimmedOld = true;
    else this.trimmedNew = true;
  }

  clear() {
    this.container.replaceChildren();
    this.records.clear();
    this.trimmedOld = this.trimmedNew = false;
  }

  /** Expand or fold a row in place; returns whether it is now open. */
  toggle(node) {
    const open = node.querySelector(".details");
    if (open) {
      open.remove();
      node.classList.remove("open");
      return false;
    }
    node.append(buildDetails(this.record(node), this.href(Number(node.dataset.id))));
    node.classList.add("open");
    return true;
  }

  collapseAll() {
    for (const node of this.container.querySelectorAll(".row.open")) this.toggle(node);
  }

  get anyOpen() { return this.container.querySelector(".row.open") !== null; }

  setUtc(utc) {
    this.utc = utc;
    for (const node of this.container.children) setTime(node.querySelector("time"), this.record(node).created, utc);
    this.markDays();
  }

  /** Show the date column when the rows span more than one day. */
  markDays() {
    const first = this.records.get(this.newestId), last = this.records.get(this.oldestId);
    const multi = !!(first && last && dateLabel(first.created, this.utc) !== dateLabel(last.created, this.utc));
    this.container.parentElement.classList.toggle("multi-day", multi);
  }
}
