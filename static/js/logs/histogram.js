// The volume histogram: /api/histogram drawn as inline SVG bars stacked by level.
// Dragging across it (or clicking a bar) selects a time range. Live records bump the counts.
import { getJSON } from "../common.js";
import { clock, dateLabel } from "../format.js";
import { levelCss } from "../levels.js";

const SVG = "http://www.w3.org/2000/svg";
const AXIS = 14;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export class Histogram {
  constructor(root, { filter, utc, onRange }) {
    this.root = root;
    this.filter = filter;
    this.utc = utc;
    this.onRange = onRange;
    this.data = null;
    this.byStart = new Map();
    this.pending = 0;
    new ResizeObserver(() => this.schedule()).observe(root);
  }

  async load() {
    this.data = await getJSON(`/api/histogram?${new URLSearchParams(this.filter)}`);
    this.byStart = new Map(this.data.buckets.map(b => [b.start, b]));
    this.draw();
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
    if (!this.data.levels.includes(record.levelname)) this.data.levels.push(record.levelname);
    this.schedule();
  }

  setUtc(utc) { this.utc = utc; this.schedule(); }

  schedule() {
    if (!this.pending) this.pending = setTimeout(() => { this.pending = 0; this.draw(); }, 100);
  }

  label(epoch) {
    const span = this.data.until - this.data.since;
    const time = clock(epoch, this.utc);
    const short = this.data.bucket < 60 ? time.slice(0, 8) : time.slice(0, 5);
    return span > 86400 ? `${dateLabel(epoch, this.utc)} ${time.slice(0, 5)}` : short;
  }

  draw() {
    if (this.dragging) { this.schedule(); return; }  // never swap the chart under the user's pointer
    const data = this.data;
    const width = this.root.clientWidth, height = this.root.clientHeight;
    if (!data || !width || !height) return;
    const plot = height - AXIS, n = data.buckets.length, barW = width / n;
    const totals = data.buckets.map(b => Object.values(b.counts).reduce((a, c) => a + c, 0));
    const max = Math.max(1, ...totals);
    const chart = svg("svg", { width, height, role: "img", "aria-label": `records per ${data.bucket} s` });
    data.buckets.forEach((b, i) => {
      const g = svg("g", { class: "bucket" });
      const from = this.label(b.start), to = this.label(b.start + data.bucket);
      const lines = data.levels.filter(l => b.counts[l]).map(l => `${l} ${b.counts[l]}`);
      g.append(svg("title", {}, `${from} – ${to}\n${lines.join("\n") || "no records"}`));
      g.append(svg("rect", { class: "hit", x: i * barW, y: 0, width: barW, height: plot }));
      let y = plot;
      for (const level of data.levels) {
        const h = (b.counts[level] || 0) / max * (plot - 2);
        if (!h) continue;
        y -= h;
        g.append(svg("rect", { class: `bar lvl-${levelCss(level)}`, x: i * barW + (barW > 3 ? 0.5 : 0), y, width: Math.max(1, barW - (barW > 3 ? 1 : 0)), height: h }));
      }
      chart.append(g);
    });
    chart.append(svg("line", { class: "axis", x1: 0, x2: width, y1: plot + 0.5, y2: plot + 0.5 }));
    const ticks = Math.max(2, Math.min(6, Math.floor(width / 110)));
    for (let t = 0; t < ticks; t++) {
      const i = Math.round(t * (n - 1) / (ticks - 1));
      const anchor = t === 0 ? "start" : t === ticks - 1 ? "end" : "middle";
      const x = t === ticks - 1 ? width : i * barW;
      chart.append(svg("text", { class: "tick", x, y: height - 2, "text-anchor": anchor }, this.label(data.buckets[i].start)));
    }
    const total = totals.reduce((a, c) => a + c, 0);
    chart.append(svg("text", { class: "tick peak", x: 4, y: 10 },
      total ? `max ${max} per ${data.bucket >= 60 ? data.bucket / 60 + " min" : data.bucket + " s"}` : "no records in this range"));
    this.selection = svg("rect", { class: "selection", x: 0, y: 0, width: 0, height: plot, visibility: "hidden" });
    chart.append(this.selection);
    this.drag(chart, barW);
    this.root.replaceChildren(chart);
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
