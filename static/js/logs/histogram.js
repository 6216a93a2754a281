// The volume histogram: /api/histogram as inline SVG bars stacked by level, under a header with
// the legend, the peak ("max N per 5 min", never drawn over the bars) and the scale (linear, sqrt
// or log: one burst need not flatten the rest of the day; remembered). Dragging across the bars
// (or clicking one) selects a time range; from the keyboard the chart takes focus, the arrows move
// between buckets (shift extends the range), Enter shows it, and each move is announced. Live
// records bump their bucket's bars in place, a few times a second at most.
import { el, getJSON } from "../common.js";
import { abbreviate, clock, dateLabel } from "../format.js";
import { levelCss } from "../levels.js";

const SVG = "http://www.w3.org/2000/svg";
const AXIS = 14;
const SCALE_KEY = "logdash.histogram.scale";
const SCALES = { linear: v => v, sqrt: Math.sqrt, log: Math.log1p };
const KEY_STEPS = { ArrowLeft: -1, ArrowRight: 1, PageUp: -10, PageDown: 10 };
const LIVE_REDRAW = 1000;  // ms: live counts redraw the chart at most once a second

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

const total = bucket => Object.values(bucket.counts).reduce((a, c) => a + c, 0);
const perBucket = seconds => (seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600} h`
  : seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`);

export class Histogram {
  constructor(root, { filter, utc, onRange }) {
    Object.assign(this, { root, filter, utc, onRange });
    this.data = null;
    this.byStart = new Map();
    this.scale = Object.hasOwn(SCALES, localStorage.getItem(SCALE_KEY)) ? localStorage.getItem(SCALE_KEY) : "linear";
    this.active = null;   // the bucket the keyboard is on
    this.anchor = null;   // where a shift-extended range started
    this.dirty = new Set();
    this.timer = this.rebuild = 0;
    this.legend = el("ul", { className: "hist-legend", attrs: { "aria-label": "Levels" } });
    this.peak = el("span", { className: "hist-peak" });
    this.readout = el("span", { className: "hist-readout", attrs: { role: "status" } });
    this.scaleButtons = Object.keys(SCALES).map(name => el("button", {
      type: "button", text: name, dataset: { scale: name }, title: `Bar heights on a ${name} scale`,
      attrs: { "aria-pressed": String(name === this.scale) }, onclick: () => this.setScale(name),
    }));
    const scaleGroup = el("span", { className: "hist-scale", attrs: { role: "group", "aria-label": "Scale" } }, this.scaleButtons);
    this.plot = el("div", { className: "hist-plot" });
    root.replaceChildren(el("div", { className: "hist-head" }, this.legend, this.peak, this.readout, scaleGroup), this.plot);
    new ResizeObserver(() => this.build()).observe(this.plot);
  }

  async load() {
    this.data = await getJSON(`/api/histogram?${new URLSearchParams(this.filter)}`);
    this.byStart = new Map(this.data.buckets.map(b => [b.start, b]));
    this.active = this.anchor = null;
    this.build();
  }

  /** Count one live record; a record past the last bar reloads (at most every few seconds). */
  add(record) {
    if (!this.data) return;
    const start = Math.floor(record.created / this.data.bucket) * this.data.bucket;
    const bucket = this.byStart.get(start);
    if (!bucket) {
      if (record.created >= this.data.until && !this.reloading) {
        this.reloading = setTimeout(() => { this.reloading = null; this.load().catch(() => {}); }, 3000);
      }
      return;
    }
    bucket.counts[record.levelname] = (bucket.counts[record.levelname] || 0) + 1;
    if (!this.data.levels.includes(record.levelname)) {
      this.data.levels.push(record.levelname);
      this.drawLegend();
    }
    this.dirty.add((start - this.data.since) / this.data.bucket);
    if (!this.timer) this.timer = setTimeout(() => requestAnimationFrame(() => this.flush()), LIVE_REDRAW);
  }

  setUtc(utc) { this.utc = utc; this.build(); }

  setScale(name) {
    this.scale = name;
    localStorage.setItem(SCALE_KEY, name);
    for (const button of this.scaleButtons) button.setAttribute("aria-pressed", String(button.dataset.scale === name));
    this.build();
  }

  label(epoch) {
    const span = this.data.until - this.data.since;
    const time = clock(epoch, this.utc);
    const short = this.data.bucket < 60 ? time.slice(0, 8) : time.slice(0, 5);
    return span > 86400 ? `${dateLabel(epoch, this.utc)} ${time.slice(0, 5)}` : short;
  }

  /** What one bucket holds, in words: its time span and its counts by level. */
  describe(i) {
    const b = this.data.buckets[i], counts = this.data.levels.filter(l => b.counts[l]).map(l => `${l} ${b.counts[l]}`);
    const n = total(b);
    return `${this.label(b.start)} – ${this.label(b.start + this.data.bucket)}: ` +
      (n ? `${n} record${n === 1 ? "" : "s"} (${counts.join(", ")})` : "no records");
  }

  drawLegend() {
    this.legend.replaceChildren(...this.data.levels.map(level => el("li", {},
      el("span", { className: `swatch lvl-${levelCss(level)}`, attrs: { "aria-hidden": "true" } }), level)));
  }

  /** The whole chart, for new data, a new size, zone or scale (the keyboard keeps its place and focus). */
  build() {
    if (this.dragging) { this.rebuild ||= setTimeout(() => { this.rebuild = 0; this.build(); }, 100); return; }
    const data = this.data;
    const width = this.plot.clientWidth, height = this.plot.clientHeight;
    if (!data || !width || !height) return;
    this.drawLegend();
    const n = data.buckets.length, barW = width / n;
    this.geometry = { plot: height - AXIS, barW };
    const hadFocus = this.chart && document.activeElement === this.chart;
    const chart = svg("svg", {
      width, height, tabindex: 0, role: "group", "aria-roledescription": "histogram",
      "aria-label": `Records per ${perBucket(data.bucket)}, ${n} bars. Arrow keys move between bars, shift extends, `
        + "Enter shows the records of the chosen bars.",
    });
    this.groups = data.buckets.map((b, i) => {
      const g = svg("g", { class: "bucket" });
      g.append(svg("title", {}, ""), svg("rect", { class: "hit", x: i * barW, y: 0, width: barW, height: this.geometry.plot }));
      chart.append(g);
      return g;
    });
    chart.append(svg("line", { class: "axis", x1: 0, x2: width, y1: this.geometry.plot + 0.5, y2: this.geometry.plot + 0.5 }));
    const ticks = Math.max(2, Math.min(6, Math.floor(width / 110)));
    for (let t = 0; t < ticks; t++) {
      const i = Math.round(t * (n - 1) / (ticks - 1));
      const anchor = t === 0 ? "start" : t === ticks - 1 ? "end" : "middle";
      const x = t === ticks - 1 ? width : i * barW;
      chart.append(svg("text", { class: "tick", x, y: height - 2, "text-anchor": anchor }, this.label(data.buckets[i].start)));
    }
    this.selection = svg("rect", { class: "selection", x: 0, y: 0, width: 0, height: this.geometry.plot, visibility: "hidden" });
    chart.append(this.selection);
    this.drag(chart, barW);
    this.keys(chart);
    this.chart = chart;
    this.plot.replaceChildren(chart);
    this.dirty.clear();
    this.redraw(data.buckets.map((_, i) => i));
    this.select();
    if (hadFocus) chart.focus();
  }

  /** Bars of the dirty buckets; when the peak moved every height depends on it: the other bars only change
   * their height in place (their counts and titles are the same). */
  flush() {
    this.timer = 0;
    if (this.dragging) { this.timer = setTimeout(() => requestAnimationFrame(() => this.flush()), 250); return; }
    if (!this.data || !this.groups) return;
    const peak = this.max;
    const wanted = Math.max(1, ...this.data.buckets.map(total));
    this.redraw(wanted === peak ? [...this.dirty] : this.data.buckets.map((_, i) => i), this.dirty);
    this.dirty.clear();
    if (this.active !== null) this.readout.textContent = this.describe(this.active);
  }

  /** Draw the bars of buckets `indexes`: those in `changed` (all when null) anew with their titles, the others
   * by moving the bars they have. */
  redraw(indexes, changed = null) {
    const data = this.data, { plot, barW } = this.geometry, f = SCALES[this.scale];
    this.max = Math.max(1, ...data.buckets.map(total));
    const top = f(this.max);
    for (const i of indexes) {
      const b = data.buckets[i], g = this.groups[i], sum = total(b);
      const height = sum ? f(sum) / top * (plot - 2) : 0;
      const segments = [];
      let y = plot;
      for (const level of data.levels) {
        const h = (b.counts[level] || 0) / (sum || 1) * height;
        if (!h) continue;
        y -= h;
        segments.push([level, y, h]);
      }
      const bars = g.getElementsByClassName("bar");
      if (changed && !changed.has(i) && bars.length === segments.length) {
        segments.forEach(([, y, h], k) => { bars[k].setAttribute("y", y); bars[k].setAttribute("height", h); });
        continue;
      }
      [...bars].forEach(bar => bar.remove());
      g.firstChild.textContent = this.describe(i);
      for (const [level, y, h] of segments) {
        g.append(svg("rect", { class: `bar lvl-${levelCss(level)}`, x: i * barW + (barW > 3 ? 0.5 : 0), y, width: Math.max(1, barW - (barW > 3 ? 1 : 0)), height: h }));
      }
    }
    const any = data.buckets.some(b => total(b));
    const peak = any ? `max ${abbreviate(this.max)} per ${perBucket(data.bucket)}` : "no records in this range";
    if (this.peak.textContent !== peak) this.peak.textContent = peak;
  }

  /** Show the keyboard's range (anchor..active) as the selection, and say what it holds. */
  select() {
    if (this.active === null || !this.data) {
      this.selection?.setAttribute("visibility", "hidden");
      this.readout.textContent = "";
      return;
    }
    const [a, b] = [Math.min(this.anchor, this.active), Math.max(this.anchor, this.active)];
    const { barW } = this.geometry;
    Object.entries({ x: a * barW, width: (b - a + 1) * barW, visibility: "visible" })
      .forEach(([k, v]) => this.selection.setAttribute(k, v));
    this.groups.forEach((g, i) => g.classList.toggle("active", i === this.active));
    this.readout.textContent = a === b ? this.describe(this.active)
      : `${this.label(this.data.buckets[a].start)} – ${this.label(this.data.buckets[b].start + this.data.bucket)}: `
        + `${this.data.buckets.slice(a, b + 1).reduce((s, x) => s + total(x), 0)} records in ${b - a + 1} bars`;
  }

  /** Arrows (shift: extend), PageUp/PageDown, Home/End move; Enter shows the range; Escape lets go. */
  keys(chart) {
    chart.addEventListener("focus", () => {
      if (this.dragging) return;  // a click focuses too: the keyboard's place shows only for the keyboard
      if (this.active === null) this.active = this.anchor = this.data.buckets.length - 1;
      this.select();
    });
    chart.addEventListener("blur", () => { if (!this.dragging) this.readout.textContent = ""; });
    chart.addEventListener("keydown", event => {
      const last = this.data.buckets.length - 1;
      let next = null;
      if (event.key in KEY_STEPS) next = (this.active ?? last) + KEY_STEPS[event.key];
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = last;
      else if (event.key === "Enter" && this.active !== null) {
        const [a, b] = [Math.min(this.anchor, this.active), Math.max(this.anchor, this.active)];
        this.onRange(this.data.since + a * this.data.bucket, this.data.since + (b + 1) * this.data.bucket);
      } else if (event.key === "Escape" && this.active !== null) {
        this.anchor = this.active;
      } else return;
      event.preventDefault();
      event.stopPropagation();  // the page's own shortcuts (Enter opens a record) stay out of it
      if (next === null) { this.select(); return; }
      this.active = Math.max(0, Math.min(last, next));
      if (!event.shiftKey) this.anchor = this.active;
      this.select();
    });
  }

  /** Pointer drag across the bars selects [since, until), snapped to whole buckets. */
  drag(chart, barW) {
    const { bucket, since } = this.data;
    const index = x => Math.max(0, Math.min(this.data.buckets.length - 1, Math.floor(x / barW)));
    let start = null;
    const at = e => e.clientX - chart.getBoundingClientRect().left;
    chart.addEventListener("pointerdown", e => {
      if (e.button !== 0) return;
      start = at(e);
      this.dragging = true;
      chart.setPointerCapture(e.pointerId);
    });
    chart.addEventListener("pointercancel", () => { start = null; this.dragging = false; });
    chart.addEventListener("pointermove", e => {
      if (start === null) return;
      const [a, b] = [index(Math.min(start, at(e))), index(Math.max(start, at(e)))];
      Object.entries({ x: a * barW, width: (b - a + 1) * barW, visibility: "visible" })
        .forEach(([k, v]) => this.selection.setAttribute(k, v));
    });
    chart.addEventListener("pointerup", e => {
      if (start === null) return;
      const [a, b] = [index(Math.min(start, at(e))), index(Math.max(start, at(e)))];
      start = null;
      this.dragging = false;
      this.onRange(since + a * bucket, since + (b + 1) * bucket);
    });
  }
}
