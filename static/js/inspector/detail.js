// The selected request's pane. The page's first one is server-rendered (templates/inspector.html)
// and only wired here; one selected later is built from /api/requests/<id> as the same markup,
// with textContent only (header and body text is hostile).
import { banner, copyText, el } from "../common.js";
import { byteSize, printable, statusClass } from "../format.js";
import { timeEl } from "../zone.js";
import { foldedPre, kvTable, pathSpan } from "./format.js";

export const TABS = [["raw", "Raw"], ["headers", "Headers"], ["query", "Query"], ["form", "Form/Files"], ["body", "Body"], ["response", "Response"]];

function answer(d) {
  return el("p", { className: `answer ${statusClass(d.status)}` }, "→ ", el("strong", { className: "s", text: d.status }),
    " ", el("span", { className: "phrase", text: d.status_text }),
    d.reason ? [" · ", el("span", { className: "reason", text: printable(d.reason) })] : null);
}

function head(d, utc) {
  const records = d.record_ids.length ? el("span", { className: "records" }, "records ",
    d.record_ids.slice(0, 20).flatMap(id => [el("a", { href: `/records/${id}`, text: `#${id}` }), " "]),
    d.record_ids.length > 20 ? `and ${d.record_ids.length - 20} more` : null) : null;
  return el("header", { className: "detail-head" },
    el("h2", { className: "req-line" }, el("span", { className: "m", text: d.method }), " ",
      pathSpan(d),
      " ", el("span", { className: "proto", text: d.http_version })),
    answer(d),
    el("p", { className: "meta" },
      el("span", { text: `#${d.id}` }), " ", timeEl(d.created, d.time, "long", utc), " ",
      el("span", { text: `from ${d.remote_addr || "unknown"}` }), " ",
      el("span", { text: `body ${byteSize(d.body_size)}` + (d.truncated ? `, first ${byteSize(d.stored_size)} stored` : "") }),
      records ? [" ", records] : null),
    el("p", { className: "actions" },
      el("button", { type: "button", className: "copy", text: "Copy raw", dataset: { copy: "raw" } }), " ",
      el("button", { type: "button", className: "copy", text: "Copy as curl", dataset: { copy: "curl" } }), " ",
      el("a", { className: "button", href: `/inspector/${d.id}/raw`, text: "Download raw", attrs: { download: "" } })));
}

function part(p) {
  const kind = p.filename === null ? "text field" : "no Content-Type";
  const preview = p.hex !== null ? el("pre", { className: "hex", text: p.hex.join("\n") })
    : p.preview ? el("pre", { className: "text", text: printable(p.preview) }) : el("p", { className: "note", text: "(empty)" });
  return el("li", { className: "part" },
    el("p", { className: "part-head" }, el("span", { className: "field", text: printable(p.field) }), " ",
      p.filename !== null ? [el("span", { className: "filename", text: printable(p.filename) || "(no file name)" }), " "] : null,
      el("span", { className: "ctype", text: printable(p.content_type || kind) }), " ",
      el("span", { className: "size", text: byteSize(p.size) + (p.complete ? "" : ", incomplete") })),
    preview,
    p.preview_clipped ? el("p", { className: "note", text: `Preview only: ${byteSize(p.size)} in all.` }) : null);
}

function formPanel(d) {
  const v = d.view;
  const nodes = [];
  if (v.form_problem) nodes.push(el("p", { className: "note warn", text: printable(v.form_problem) }));
  if (v.parts.length) nodes.push(el("ol", { className: "parts" }, v.parts.map(part)));
  else if (d.form.length) nodes.push(kvTable(d.form, "Field", "Value"));
  else nodes.push(el("p", { className: "note", text: "No form body" + (d.content_type ? ` (Content-Type: ${printable(d.content_type)})` : "") + "." }));
  return nodes;
}

function bodyPanel(d) {
  const b = d.view.body;
  const kind = b.label ? ` · ${b.label}` : b.kind === "json" ? " · JSON, pretty-printed" : b.kind === "binary" ? " · binary, shown as hex" : "";
  const cut = d.truncated ? ` · only the first ${byteSize(d.stored_size)} stored` : "";
  const note = el("p", { className: "note", text: `${printable(d.content_type || "no Content-Type")} · ${byteSize(d.body_size)}${kind}${cut}` });
  if (b.kind === "empty") return [note, el("p", { className: "note", text: "No body." })];
  if (b.kind === "binary") return [note, ...foldedPre(b.hex.join("\n"), "hex")];
  return [note, ...foldedPre(b.text, "text")];
}

function panel(key, label, children) {
  return el("section", { className: "panel", id: `panel-${key}`, dataset: { panel: key }, attrs: { "aria-labelledby": `tab-${key}` } },
    el("h3", { className: "panel-title", text: label }), children);
}

/** The whole detail pane for one request (the JSON of /api/requests/<id>). */
export function renderDetail(d, utc) {
  const v = d.view;
  const counts = { headers: d.headers.length, query: v.query.length, form: d.form.length + d.files.length };
  return el("article", { className: "req-detail", dataset: { id: d.id } },
    head(d, utc),
    el("nav", { className: "tab-list", attrs: { "aria-label": "Views of this request" } },
      TABS.map(([key, label]) => el("a", { className: "tab", href: `#panel-${key}`, id: `tab-${key}`, dataset: { tab: key } },
        label, counts[key] ? [" ", el("span", { className: "count", text: counts[key] })] : null))),
    panel("raw", "Raw", [el("p", { className: "note", text: "Reconstructed from what was stored: request line, headers in the order kept, body" + (d.truncated ? " (cut at the body cap)." : ".") }), ...foldedPre(v.raw, "raw")]),
    panel("headers", "Headers", [el("p", { className: "note", text: `${v.headers_note} Credentials are redacted at capture.` }), kvTable(d.headers, "Name", "Value", "headers")]),
    panel("query", "Query", v.query.length ? kvTable(v.query, "Key", "Value") : el("p", { className: "note", text: "No query string." })),
    panel("form", "Form/Files", formPanel(d)),
    panel("body", "Body", bodyPanel(d)),
    panel("response", "Response", [answer(d), ...(v.response_text ? foldedPre(v.response_text, "text") : [el("p", { className: "note", text: "No answer body stored." })])]));
}

/** Show one tab of a rendered detail and hide the other panels (ARIA tabs semantics). */
export function showTab(article, key) {
  const tabList = article.querySelector(".tab-list");
  tabList.setAttribute("role", "tablist");
  for (const tab of article.querySelectorAll(".tab")) {
    const on = tab.dataset.tab === key;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", String(on));
    tab.setAttribute("aria-controls", `panel-${tab.dataset.tab}`);
    tab.tabIndex = on ? 0 : -1;
  }
  for (const p of article.querySelectorAll(".panel")) {
    p.setAttribute("role", "tabpanel");
    p.hidden = p.dataset.panel !== key;
  }
}

/** Tab clicks and arrow keys, and the copy buttons, on a detail pane (built or server-rendered);
 * `load()` gives the request's JSON, whose raw text and curl command the buttons copy. */
export function wireDetail(article, load, onTab) {
  article.classList.add("tabbed");
  article.querySelector(".tab-list").addEventListener("click", event => {
    const tab = event.target.closest(".tab");
    if (!tab) return;
    event.preventDefault();
    onTab(tab.dataset.tab);
  });
  article.querySelector(".tab-list").addEventListener("keydown", event => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const keys = TABS.map(([key]) => key);
    const now = keys.indexOf(document.activeElement?.dataset?.tab);
    const next = keys[(now + (event.key === "ArrowRight" ? 1 : keys.length - 1)) % keys.length];
    onTab(next);
    article.querySelector(`.tab[data-tab="${next}"]`).focus();
  });
  let detail = null;
  for (const button of article.querySelectorAll("button.copy")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        detail ??= await load();
      } catch (e) {
        banner(`Could not load request ${article.dataset.id}: ${e.message}`);
        return;
      }
      copyText(button.dataset.copy === "curl" ? detail.view.curl : detail.view.raw, button);
    });
  }
}
