// Search hits marked in text the browser builds (the server marks what it renders): each hit is
// wrapped in a <mark> made with createElement around a text node, never through HTML, since log
// text is hostile. The terms come from the server (`hits`: folded words and phrases, regex
// sources); case folding is approximated per character (upper then lower case: ß is ss, É is é).

const SEARCHABLE = ".msg, .full, .traceback, .exc-summary, [data-searchable]";
const REGEX_TEXT = 5000;  // longer texts get no regex marks here: a browser regex has no time limit
let pageHits = null;

/** The page's terms to mark: {texts: [...], regexes: [...]} from the server. */
export function setHits(spec) {
  const regexes = [];
  for (const source of spec?.regexes ?? []) {
    try { regexes.push(new RegExp(source, "gimu")); } catch { /* Python-only syntax: the server marks it */ }
  }
  const texts = (spec?.texts ?? []).filter(Boolean);
  pageHits = texts.length || regexes.length ? { texts, regexes } : null;
}

function folded(text) {
  let out = "";
  const owner = [];
  for (let i = 0; i < text.length;) {
    const ch = String.fromCodePoint(text.codePointAt(i));
    const f = ch.toUpperCase().toLowerCase();
    out += f;
    for (let k = 0; k < f.length; k++) owner.push(i);
    i += ch.length;
  }
  owner.push(text.length);
  return { out, owner };
}

/** The [start, end) spans of `text` to mark, sorted and merged. */
export function hitSpans(text, hits = pageHits) {
  if (!hits) return [];
  const spans = [];
  if (hits.texts.length) {
    const { out, owner } = folded(text);
    for (const needle of hits.texts) {
      for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) {
        const last = owner[at + needle.length - 1];
        spans.push([owner[at], last + String.fromCodePoint(text.codePointAt(last)).length]);
      }
    }
  }
  for (const re of text.length <= REGEX_TEXT ? hits.regexes : []) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) if (m[0].length) spans.push([m.index, m.index + m[0].length]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged = [];
  for (const [s, e] of spans) {
    const top = merged[merged.length - 1];
    if (top && s <= top[1]) top[1] = Math.max(top[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

function markText(node, hits) {
  const text = node.data, spans = hitSpans(text, hits);
  if (!spans.length) return;
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const [s, e] of spans) {
    if (s > last) fragment.append(document.createTextNode(text.slice(last, s)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(s, e);
    fragment.append(mark);
    last = e;
  }
  if (last < text.length) fragment.append(document.createTextNode(text.slice(last)));
  node.replaceWith(fragment);
}

/** Mark the hits in the searchable parts of `root` (an element or a fragment); returns `root`. */
export function markHits(root, hits = pageHits) {
  if (!hits || !root) return root;
  const scopes = [...root.querySelectorAll(SEARCHABLE)];
  if (root.matches?.(SEARCHABLE)) scopes.push(root);
  for (const scope of scopes) {
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
      acceptNode: n => (n.parentElement.closest("mark") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) markText(node, hits);
  }
  return root;
}
