// Click a field's value to filter the records by it; alt- or shift-click to exclude it. One
// delegated handler for elements with data-field (the search key) and data-value (the value as
// text); an extra's cell may carry data-extra (its key) instead, named here like the server does
// (extra.KEY when a record field has its name). The filter lives in the URL: this adds
// `key=value` (or `-key=value`) to `q` and goes to the logs list.

const quoted = text => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** `text` as the search reads it back as one value: bare when it can be, else "quoted". */
export function quote(text) {
  return text && !/[\s"\0\x1c-\x1f\x85]/u.test(text) ? text : quoted(text);  // what Python counts as space too
}

const BARE_KEY = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

/** The term `key=value`, or `-key=value` to exclude it. */
export function term(key, value, exclude = false) {
  return `${exclude ? "-" : ""}${BARE_KEY.test(key) ? key : quoted(key)}=${quote(value)}`;
}

const standing = token => new RegExp(`(^|\\s)${token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=\\s|$)`, "gu");

/** `q` with `t` added once, its opposite (t and -t) taken out; the rest of `q` as written. */
export function addTerm(q, t) {
  q = (q || "").trim();
  if (standing(t).test(q)) return q;
  q = q.replace(standing(t.startsWith("-") ? t.slice(1) : `-${t}`), "").trim();  // with the space before it
  return q ? `${q} ${t}` : t;
}

export function installFieldFilter(root, { fields = [] } = {}) {
  const reserved = new Set(fields);
  const keyOf = node => {
    if (node.dataset.field) return node.dataset.field;
    const key = node.dataset.extra;
    const lower = key.toLowerCase();
    return reserved.has(lower) || lower.startsWith("extra.") ? `extra.${key}` : key;
  };
  root.addEventListener("click", event => {
    const node = event.target.closest("[data-value][data-field], [data-value][data-extra]");
    if (!node || !root.contains(node)) return;
    event.preventDefault();
    event.stopPropagation();
    const params = new URLSearchParams(location.search);
    params.set("q", addTerm(params.get("q"), term(keyOf(node), node.dataset.value, event.altKey || event.shiftKey)));
    location.assign(`/?${params}`);
  });
}
