// A Python traceback laid out the way Sentry and the browser's console taught us to read one: the
// exception on top where no height cap hides it, each frame's "File ..., line N, in func" apart from its
// source line, the app's own frames in full contrast and runs of library frames folded, chained
// exceptions in blocks with their separator between, and a button that copies the text as sent.
// One renderer for the record page (over the server's <pre>, the no-script fallback) and the list's
// expanded row. Log text is hostile: every piece goes in as a text node (never through HTML), and
// search hits are <mark>s made with createElement from [start, end) offsets into the text.
import { banner, copyText, el } from "./common.js";

const HEADER = /^Traceback \(most recent call last\):$/;
// `  File "path", line 12, in func` (a SyntaxError's own location has no ", in func")
const FRAME = /^(\s+File ")(.*)(", line )(\d+)(?:(, in )(.*))?$/;
const CODE = /^ {4}/;                                      // a frame's source line and its carets
const CARETS = /^\s*[~^]+\s*$/;                            // 3.11's ~~~^^^ under the code
const REPEAT = /^\s+\[Previous line repeated \d+ more times?\]$/;
const SEPARATORS = new Map([
  ["The above exception was the direct cause of the following exception:", "cause"],
  ["During handling of the above exception, another exception occurred:", "context"],
]);
// installed packages, the standard library (/usr/lib/python3.11/, ...\Python311\Lib\) and frozen modules
const LIBRARY = /[\\/](?:site|dist)-packages[\\/]|[\\/]lib[\\/]python\d+(?:\.\d+)?t?[\\/]|^<frozen /i;
const WINDOWS_STDLIB = /^[A-Za-z]:\\(?:[^\\]+\\)*Lib\\/;
// the package a library frame is in, for a folded run's label: django, json, importlib._bootstrap
const PACKAGES = [/[\\/](?:site|dist)-packages[\\/]([^\\/]+)/, /[\\/](?:python\d+(?:\.\d+)?t?|Lib)[\\/]([^\\/]+)/,
  /^<frozen ([^>]+)>/];
const MAX_TEXT = 500_000;  // longer texts stay one plain <pre>
const EXC_TYPE = /^[A-Za-z_][\w.]*(?=:|$)/;

/** Whether a frame's file is a library's (installed package, standard library, frozen module). */
export function isLibrary(path) {
  return LIBRARY.test(path) || WINDOWS_STDLIB.test(path);
}

function trimBlank(lines) {
  let start = 0, end = lines.length;
  while (start < end && !lines[start].text.trim()) start++;
  while (end > start && !lines[end - 1].text.trim()) end--;
  return lines.slice(start, end);
}

function parseBlock(raw) {
  const lines = trimBlank(raw), frames = [];
  let i = 0;
  const header = lines.length && HEADER.test(lines[0].text) ? lines[i++] : null;
  for (let m; header && i < lines.length && (m = FRAME.exec(lines[i].text));) {
    const frame = { line: lines[i++], parts: m, library: isLibrary(m[2]), more: [] };
    while (i < lines.length && (CODE.test(lines[i].text) || REPEAT.test(lines[i].text))) frame.more.push(lines[i++]);
    frames.push(frame);
  }
  return { header, frames, exc: lines.slice(i) };
}

/** A traceback's blocks (one per exception of a chain, oldest first, as Python prints them) and the
 * separators between them; every line keeps its offset in `text`. A block without the "Traceback (most
 * recent call last):" line (an exception never raised) is its exception lines only. Null when `text`
 * is no traceback (not one frame under such a line): it is then shown as sent. */
export function parseTraceback(text) {
  if (!text || text.length > MAX_TEXT) return null;
  const chunks = [[]], separators = [];
  let at = 0;
  for (const line of text.split("\n")) {
    const kind = SEPARATORS.get(line);
    if (kind) {
      separators.push({ start: at, text: line, kind });
      chunks.push([]);
    } else {
      chunks.at(-1).push({ start: at, text: line });
    }
    at += line.length + 1;
  }
  const blocks = chunks.map(parseBlock);
  if (!blocks.some(b => b.frames.length)) return null;
  return { blocks, separators };
}

/** Appends pieces of the text with the search hits (sorted, merged [start, end) spans) marked. */
class Marker {
  constructor(spans) { this.spans = spans ?? []; }

  first(start) {  // index of the first span ending after `start`
    let lo = 0, hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid][1] <= start) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Whether a hit falls within [start, end). */
  any(start, end) {
    const k = this.first(start);
    return k < this.spans.length && this.spans[k][0] < end;
  }

  /** `parent` with `piece` (the text from offset `start`) appended, its hits marked. */
  append(parent, piece, start) {
    const end = start + piece.length;
    let at = start;
    for (let k = this.first(start); k < this.spans.length && this.spans[k][0] < end; k++) {
      const s = Math.max(this.spans[k][0], start), e = Math.min(this.spans[k][1], end);
      if (s > at) parent.append(piece.slice(at - start, s - start));
      parent.append(el("mark", { text: piece.slice(s - start, e - start) }));
      at = e;
    }
    if (at < end) parent.append(piece.slice(at - start));
    return parent;
  }

  span(className, piece, start) {
    return this.append(el("span", { className }), piece, start);
  }
}

function lineView(className, line, marker) {
  return marker.append(el("div", { className }), line.text, line.start);
}

/** `  File "/srv/app/dir/file.py", line 12, in func`: the path's folder, its file, the line and the
 * function each in their own span. */
function locationView(frame, marker) {
  const m = frame.parts, node = el("div", { className: "tb-loc" });
  let at = frame.line.start;
  const add = (className, piece) => {
    if (piece === undefined) return;
    node.append(className ? marker.span(className, piece, at) : marker.append(document.createDocumentFragment(), piece, at));
    at += piece.length;
  };
  add("", m[1]);
  const path = m[2], cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1;
  const pathNode = el("span", { className: "tb-path" });
  if (cut) {  // a narrow box wraps a long path after a slash, not in a name
    const dir = el("span", { className: "tb-dir" });
    let from = at;
    for (const folder of path.slice(0, cut).split(/(?<=[\\/])/)) {
      marker.append(dir, folder, from).append(el("wbr"));
      from += folder.length;
    }
    pathNode.append(dir);
  }
  pathNode.append(marker.span("tb-file", path.slice(cut), at + cut));
  node.append(pathNode);
  at += path.length;
  add("", m[3]);
  add("tb-lineno", m[4]);
  add("", m[5]);
  add("tb-func", m[6]);
  return node;
}

function frameView(frame, marker) {
  return el("div", { className: `tb-frame ${frame.library ? "tb-library" : "tb-app"}` }, locationView(frame, marker),
    frame.more.map(line => lineView(REPEAT.test(line.text) ? "tb-repeat" : CARETS.test(line.text) ? "tb-caret" : "tb-code",
      line, marker)));
}

function frameEnd(frame) {
  const last = frame.more.at(-1) ?? frame.line;
  return last.start + last.text.length;
}

/** The packages a run of library frames is in ("json", "django"), for its label. */
function packages(run) {
  const names = [];
  for (const f of run) {
    const m = PACKAGES.map(re => re.exec(f.parts[2])).find(Boolean), name = m?.[1].replace(/\.py$/, "");
    if (name && !names.includes(name)) names.push(name);
  }
  return names.length > 3 ? `${names.slice(0, 3).join(", ")}, …` : names.join(", ");
}

/** A run of library frames folded behind "3 library frames · json" (opened when a search hit is in it).
 * The label is drawn by the stylesheet from data-label, so it is neither searched, marked nor copied
 * with a selection; aria-label names it for screen readers. */
function libraryRun(run, marker) {
  const names = packages(run);
  const label = `${run.length} library frames${names ? ` · ${names}` : ""}`;
  const group = el("details", { className: "tb-lib" },
    el("summary", { attrs: { "aria-label": label, "data-label": label, title: "Frames in installed packages and the standard library" } }),
    run.map(f => frameView(f, marker)));
  group.open = marker.any(run[0].line.start, frameEnd(run.at(-1)));
  return group;
}

/** The exception's `Type: message` line(s): the type in its own span. */
function exceptionView(className, lines, marker) {
  const node = el("div", { className });
  lines.forEach((line, n) => {
    if (n) node.append("\n");
    const type = n ? null : EXC_TYPE.exec(line.text)?.[0];
    if (type) node.append(marker.span("tb-type", type, line.start));
    marker.append(node, line.text.slice(type?.length ?? 0), line.start + (type?.length ?? 0));
  });
  return node;
}

/** Scroll a capped frames box to its end (the frames nearest the exception) once it is laid out, or to
 * its last search hit when one shows in it. */
function showEnd(box) {
  const observer = new ResizeObserver(() => {
    if (!box.isConnected || !box.clientHeight) return;
    observer.disconnect();
    if (box.scrollHeight <= box.clientHeight) return;
    const hit = [...box.querySelectorAll("mark")].filter(m => m.offsetParent).at(-1);
    box.scrollTop = hit ? hit.offsetTop - box.clientHeight / 2 : box.scrollHeight;
  });
  observer.observe(box);
}

function blockView(block, marker) {
  const hasApp = block.frames.some(f => !f.library), frames = block.frames;
  const node = el("div", { className: `tb-block${hasApp ? " tb-has-app" : ""}` });
  if (block.header || frames.length) {
    const box = el("div", { className: "tb-frames" });
    if (block.header) box.append(lineView("tb-head", block.header, marker));
    for (let i = 0; i < frames.length;) {
      let j = i + 1;
      if (hasApp && frames[i].library) while (j < frames.length && frames[j].library) j++;
      box.append(j - i > 1 ? libraryRun(frames.slice(i, j), marker) : frameView(frames[i], marker));
      i = j;
    }
    node.append(box);
    showEnd(box);
  }
  if (block.exc.length) node.append(exceptionView("tb-exc", block.exc, marker));
  return node;
}

/** {headline, view} for a traceback's text (as shown: printable), or null when it is no traceback.
 * `view` is the div.traceback of blocks and separators; `headline` the final exception's line(s). */
export function renderTraceback(text, spans = []) {
  const parsed = parseTraceback(text);
  if (!parsed) return null;
  const marker = new Marker(spans);
  const view = el("div", { className: "traceback tb" });
  parsed.blocks.forEach((block, n) => {
    const sep = parsed.separators[n - 1];
    if (sep) view.append(el("div", { className: `tb-sep tb-${sep.kind}` }, marker.span("tb-sep-text", sep.text, sep.start)));
    view.append(blockView(block, marker));
  });
  const final = parsed.blocks.at(-1).exc;
  const headline = final.length ? exceptionView("tb-headline", final, marker) : null;
  headline?.setAttribute("title", "The exception raised (the last line of the traceback)");
  return { headline, view };
}

/** A button that copies what `getText()` gives (it may return a promise) and says "Copied" for a moment. */
export function copyButton(label, title, getText) {
  const button = el("button", { type: "button", className: "tb-copy", text: label, title, attrs: { "aria-live": "polite" } });
  button.addEventListener("click", async () => {
    let text;
    try {
      text = await getText();
    } catch (error) {
      banner(`Could not copy: ${error.message}`);
      return;
    }
    await copyText(text, button);
  });
  return button;
}

/** The exception part of a record: "Copy traceback" (the text as sent: `getRaw()`) beside the final
 * exception line, over the structured traceback; when `text` is no traceback, over `plain()` (the
 * plain <pre> as before). `spans` are the search hits in `text`. */
export function tracebackView(text, { spans = [], getRaw, plain }) {
  const rendered = renderTraceback(text, spans);
  const actions = el("div", { className: "tb-actions" },
    copyButton("Copy traceback", "Copy the traceback exactly as it was sent", getRaw));
  return el("div", { className: `tb-wrap${rendered ? "" : " tb-plain"}` },
    el("div", { className: "tb-top" }, rendered?.headline, actions), rendered?.view ?? plain());
}

/** The [start, end) offsets of the <mark>ed text in `node`'s text (the server marks the search hits). */
export function markedSpans(node) {
  const spans = [], walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  let at = 0;
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const end = at + text.data.length;
    if (text.parentElement.closest("mark")) {
      if (spans.length && spans.at(-1)[1] === at) spans.at(-1)[1] = end; else spans.push([at, end]);
    }
    at = end;
  }
  return spans;
}

/** The record page: lay out the server-rendered <pre> (the fallback without script) in place. */
export function enhanceTraceback(pre, getRaw) {
  const text = pre.textContent, parent = pre.parentNode, next = pre.nextSibling;
  const raw = async () => {
    try { return (await getRaw()) ?? text; } catch { return text; }  // as shown, when the record cannot be read
  };
  const view = tracebackView(text, { spans: markedSpans(pre), getRaw: raw, plain: () => pre });
  const structured = view.querySelector(".tb");
  if (structured) {
    pre.remove();
    structured.id = pre.id;
  }
  parent.insertBefore(view, next);
  return view;
}
