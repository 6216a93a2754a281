// The live list's policy: LIVE adds new rows at the top; PAUSED (by the user, by scrolling
// away from the top, or by reading an expanded row) keeps them aside and counts them, so
// nothing moves under the reader; resuming shows them. Also pages backwards ("Load older").
// Records are shown in batches, however fast they arrive: one DOM update in an animation frame at
// most every FLUSH_GAP ms, none while the tab is hidden (what piles up meanwhile is bounded by maxRows).
// A frame puts in FRAME_ROWS rows (the oldest waiting), or an eighth of a larger backlog, the rest go in the
// next frames: a burst, or what waited while paused, never makes one long task, and a stream faster than
// FRAME_ROWS a frame still drains.
import { banner, getJSON } from "../common.js";
import { beat, renderLive, scrolledAway } from "../live-status.js";

const FLUSH_GAP = 100;  // ms: at most ten list updates a second, each in an animation frame
const FRAME_ROWS = 30;  // live rows put in per frame (500 records/s: a flush's 50 in two frames, ~25 ms each)
const OLDER_CHUNK = 25;  // rows of an older page added per frame (a block: ~5 ms of layout)
const nextFrame = () => new Promise(resolve => requestAnimationFrame(resolve));

export class LiveList {
  constructor({ rows, list, tail, pageSize, filter, hasOlder, ui }) {
    Object.assign(this, { rows, list, tail, pageSize, filter, hasOlder, ui });
    this.paused = null;       // null | "user" | "scroll" | "reading"
    this.waiting = [];        // records received while paused, oldest first
    this.overflow = false;    // more arrived than we keep: resuming reloads the newest page
    this.resetting = false;
    this.incoming = [];       // records for the next frames
    this.draining = [];       // resume()s waiting for what was held to go in
    this.flushed = 0;         // records taken from `incoming` so far
    this.frame = 0;
    this.timer = 0;
    this.flushedAt = -Infinity;
    this.loading = false;
    this.olderWaits = false;  // "load older" asked while live rows were still going in
    this.newCount = 0;
    list.addEventListener("scroll", () => this.scrolled(), { passive: true });
    this.nearEnd = new IntersectionObserver(entries => { if (entries.at(-1).isIntersecting) this.loadOlder(); },
      { root: list, rootMargin: "0px 0px 300px 0px" });
    this.nearEnd.observe(ui.older);
    ui.newBar.addEventListener("click", () => this.resume());
    this.render();
  }

  /** A record from the tail. */
  receive(record) {
    this.arrived = true;
    if (this.paused || this.resetting) this.hold([record]);
    else {
      this.incoming.push(record);
      if (this.incoming.length > this.rows.maxRows) {
        this.incoming.shift();
        this.overflow = true;  // rows between the shown ones and these were dropped
      }
    }
    this.schedule();
  }

  /** Keep records aside while paused (counted, bounded). */
  hold(records) {
    this.waiting.push(...records);
    this.newCount += records.length;
    if (this.waiting.length > this.rows.maxRows) {
      this.waiting.splice(0, this.waiting.length - this.rows.maxRows);
      this.overflow = true;
    }
  }

  /** The next flush: in an animation frame, and at most every FLUSH_GAP ms (rows moving 60 times a
   * second cost frames and cannot be read anyway). */
  schedule(now = false) {
    if (this.frame || (this.timer && !now)) return;
    clearTimeout(this.timer);
    this.timer = 0;
    const wait = now ? 0 : this.flushedAt + FLUSH_GAP - performance.now();
    if (wait <= 0) this.frame = requestAnimationFrame(() => this.flush());
    else this.timer = setTimeout(() => { this.timer = 0; this.schedule(); }, wait);
  }

  /** Once per frame: show what arrived (the oldest FRAME_ROWS or an eighth of the backlog; the rest in the next
   * frames), and the live state. */
  flush() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.flushedAt = performance.now();
    this.incoming.sort((a, b) => a.created - b.created || a.id - b.id);  // the next frame's rows are newer
    const batch = this.incoming.splice(0, Math.max(FRAME_ROWS, Math.ceil(this.incoming.length / 8)));
    this.flushed += batch.length;
    if (batch.length) {
      if (this.overflow && !this.paused) {
        this.rows.clear();
        this.rows.trimmedOld = true;
        this.overflow = false;
      }
      if (this.rows.addNewer(batch, { olderHidden: this.hasOlder || this.rows.trimmedOld })) this.shown();
    }
    if (this.incoming.length) this.schedule(true);
    else if (this.olderWaits) {
      this.olderWaits = false;
      this.observeEnd();
    }
    this.drained();
    if (this.arrived) beat(this.ui);
    this.arrived = false;
    this.render();
  }

  shown() {
    this.ui.empty?.remove();
    this.ui.empty = null;
    this.renderEnd();
  }

  /** Stop adding rows; what was about to be shown waits with the rest (nothing moves now). */
  pause(reason) {
    if (this.paused) return;
    this.paused = reason;
    this.newCount = 0;
    if (this.incoming.length) this.hold(this.incoming.splice(0));
    this.drained(true);
    this.render();
  }

  /** Show what arrived while paused (over a few frames, newest last), and follow the newest again. */
  async resume() {
    this.paused = null;
    this.newCount = 0;
    this.list.scrollTop = 0;
    if (this.overflow || this.rows.trimmedNew) {
      await this.reset();
    } else {
      this.incoming = this.waiting.concat(this.incoming);
      this.waiting = [];
      this.render();
      await this.drain();
    }
    if (!this.paused) this.list.scrollTop = 0;
    this.render();
  }

  /** Resolves once what waits in `incoming` now went in (or the list paused again). */
  drain() {
    if (!this.incoming.length) return Promise.resolve();
    const target = this.flushed + this.incoming.length;
    const done = new Promise(resolve => this.draining.push({ target, resolve }));
    this.schedule(true);
    return done;
  }

  drained(all = false) {
    this.draining = this.draining.filter(({ target, resolve }) => {
      if (!all && this.flushed < target && this.incoming.length) return true;
      resolve();
      return false;
    });
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
      this.rows.addNewer(later, { olderHidden: this.hasOlder });
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
    if (this.incoming.length && !this.paused) {  // live rows still going in move the end: asked again after them
      this.olderWaits = true;
      return;
    }
    this.loading = true;
    try {
      const params = new URLSearchParams({ ...this.filter, before: String(this.rows.oldestId), limit: String(this.pageSize) });
      const data = await getJSON(`/api/records?${params}`), generation = this.rows.generation;
      for (let at = 0; at < data.records.length; at += OLDER_CHUNK) {  // a few rows a frame: no long task
        await nextFrame();
        if (this.rows.generation !== generation) return;  // the list was replaced meanwhile
        const removed = this.rows.addOlder(data.records.slice(at, at + OLDER_CHUNK));
        if (removed) {
          this.list.scrollTop -= removed;  // the rows the reader sees stay where they are
          this.pause("scroll");  // the newest rows are gone: going live again reloads them
        }
      }
      this.hasOlder = data.next !== null;
      this.rows.trimmedOld = false;
    } catch (e) {
      banner(`Could not load older records: ${e.message}`);
    } finally {
      this.loading = false;
      this.renderEnd();
    }
    this.observeEnd();
  }

  /** Observed anew, the end of the list reports whether it is still near (at the next frame, no layout read now). */
  observeEnd() {
    this.nearEnd.unobserve(this.ui.older);
    this.nearEnd.observe(this.ui.older);
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
