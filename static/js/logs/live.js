// The live list's policy: LIVE adds new rows at the top; PAUSED (by the user, by scrolling
// away from the top, or by reading an expanded row) keeps them aside and counts them, so
// nothing moves under the reader; resuming shows them. Also pages backwards ("Load older").
import { banner, getJSON } from "../common.js";
import { renderLive, scrolledAway } from "../live-status.js";

export class LiveList {
  constructor({ rows, list, tail, pageSize, filter, hasOlder, ui }) {
    Object.assign(this, { rows, list, tail, pageSize, filter, hasOlder, ui });
    this.paused = null;       // null | "user" | "scroll" | "reading"
    this.waiting = [];        // records received while paused, oldest first
    this.overflow = false;    // more arrived than we keep: resuming reloads the newest page
    this.resetting = false;
    this.incoming = [];
    this.flushTimer = 0;
    this.loading = false;
    this.newCount = 0;
    list.addEventListener("scroll", () => this.scrolled(), { passive: true });
    new IntersectionObserver(entries => { if (entries.some(e => e.isIntersecting)) this.loadOlder(); },
      { root: list, rootMargin: "0px 0px 300px 0px" }).observe(ui.older);
    ui.newBar.addEventListener("click", () => this.resume());
    this.render();
  }

  /** A record from the tail. */
  receive(record) {
    if (this.paused || this.resetting) {
      this.waiting.push(record);
      if (this.waiting.length > this.rows.maxRows) {
        this.waiting.shift();
        this.overflow = true;
      }
      this.newCount += 1;
      this.render();
      return;
    }
    this.incoming.push(record);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 30);
  }

  flush() {
    this.flushTimer = 0;
    const batch = this.incoming;
    this.incoming = [];
    if (this.rows.addNewer(batch)) this.shown();
  }

  shown() {
    this.ui.empty?.remove();
    this.ui.empty = null;
    this.renderEnd();
  }

  pause(reason) {
    if (this.paused) return;
    this.flush();
    this.paused = reason;
    this.newCount = 0;
    this.render();
  }

  /** Show what arrived while paused, and follow the newest again. */
  async resume() {
    this.paused = null;
    if (this.overflow || this.rows.trimmedNew) {
      await this.reset();
    } else {
      const waiting = this.waiting;
      this.waiting = [];
      if (this.rows.addNewer(waiting)) this.shown();
    }
    this.newCount = 0;
    this.list.scrollTop = 0;
    this.render();
  }

  /** Replace the rows by the newest page plus whatever the tail delivered meanwhile. */
  async reset() {
    this.resetting = true;
    try {
      const params = new URLSearchParams({ ...this.filter, limit: String(this.pageSize) });
      const data = await getJSON(`/api/records?${params}`);
      const top = data.records[0]?.id ?? 0;
      this.rows.clear();
      this.rows.addOlder(data.records);
      this.hasOlder = data.next !== null;
      const later = this.waiting.filter(r => r.id > top);
      this.waiting = [];
      this.overflow = false;
      this.rows.addNewer(later);
      if (this.rows.count) this.shown();
    } catch (e) {
      banner(`Could not reload the newest records: ${e.message}`);
    } finally {
      this.resetting = false;
    }
  }

  scrolled() {
    const atTop = !scrolledAway(this.list);
    if (!atTop && !this.paused) this.pause("scroll");
    else if (atTop && this.paused === "scroll") this.resume();
  }

  /** A row was expanded or folded: reading pauses, folding the last one resumes. */
  reading(anyOpen) {
    if (anyOpen && !this.paused) this.pause("reading");
    else if (!anyOpen && this.paused === "reading") this.resume();
  }

  async loadOlder() {
    if (this.loading || !(this.hasOlder || this.rows.trimmedOld) || !this.rows.count) return;
    this.loading = true;
    try {
      const params = new URLSearchParams({ ...this.filter, before: String(this.rows.oldestId), limit: String(this.pageSize) });
      const data = await getJSON(`/api/records?${params}`);
      const removed = this.rows.addOlder(data.records);
      if (removed) {
        this.list.scrollTop -= removed;
        this.pause("scroll");  // the newest rows are gone: going live again reloads them
      }
      this.hasOlder = data.next !== null;
      this.rows.trimmedOld = false;
    } catch (e) {
      banner(`Could not load older records: ${e.message}`);
    } finally {
      this.loading = false;
      this.renderEnd();
    }
    const button = this.ui.older.getBoundingClientRect(), view = this.list.getBoundingClientRect();
    if (!this.ui.older.hidden && button.top < view.bottom + 300) this.loadOlder();
  }

  renderEnd() {
    const more = this.hasOlder || this.rows.trimmedOld;
    this.ui.older.hidden = !more;
    this.ui.endNote.hidden = more || !this.rows.count;
  }

  render() {
    renderLive(this.ui, this.tail, { paused: this.paused || this.resetting, newCount: this.newCount, noun: "record", hint: "space" });
  }
}
