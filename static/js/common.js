// Small helpers shared by the pages. Log text is hostile: build DOM with textContent only.

/** Create an element; `props` may hold className, text, title, href, dataset, attrs, on{Event}. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "attrs") for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2).toLowerCase(), value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Show (or clear, with null) the page's error banner; never an alert box. */
export function banner(text) {
  const node = document.getElementById("banner");
  if (!node) return;
  node.textContent = text || "";
  node.hidden = !text;
}

/** The JSON answer of a request (GET unless `init` says otherwise); an error answer throws
 * Error(its `error`, else the status text), so every page reports failures the same way. */
export async function getJSON(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { Accept: "application/json", ...init.headers } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error || response.statusText || `HTTP ${response.status}`);
  if (body === null) throw new Error(`${url} did not answer JSON`);
  return body;
}

/** Put `text` on the clipboard (through a selected textarea where the API is refused); a
 * `button` says for a moment whether it worked. Returns whether it did. */
export async function copyText(text, button = null) {
  let ok = true;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea", { className: "copy-buffer", value: text, attrs: { readonly: "", "aria-hidden": "true" } });
    document.body.append(area);
    area.select();
    ok = document.execCommand("copy");
    area.remove();
  }
  if (button) {
    button.dataset.label ??= button.textContent;
    button.textContent = ok ? "Copied" : "Copy failed";
    clearTimeout(Number(button.dataset.timer));
    button.dataset.timer = setTimeout(() => { button.textContent = button.dataset.label; }, 1500);
  }
  return ok;
}

/** True when a key event should not trigger shortcuts (typing in a field). */
function typing(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

/** Skip links (base.html) move focus to what they name: `resolve(id)` may pick a better element to land
 * on (the logs page: the current row of the list). */
export function installSkipLinks(resolve = id => document.getElementById(id)) {
  for (const link of document.querySelectorAll(".skip-link")) {
    link.addEventListener("click", event => {
      const target = resolve(link.hash.slice(1));
      if (!target) return;
      event.preventDefault();
      target.focus();
    });
  }
}

/** True when the key event's target is a control that acts on Enter or space itself (a link, a button). */
export function onControl(event) {
  return event.target instanceof Element && event.target.closest("a[href], button, summary, [role=tab]") !== null;
}

/**
 * Install page shortcuts. `bindings` is a list of {key, label, run, when?}; a binding whose
 * `when(event)` is false leaves the key to the page. "?" (and the header's ? button) opens a
 * dialog listing them; Escape closes it.
 */
export function installShortcuts(bindings) {
  const dialog = el("dialog", { className: "shortcuts", attrs: { "aria-label": "Keyboard shortcuts" } },
    el("h2", { text: "Keyboard shortcuts" }),
    el("table", {}, bindings.map(b => el("tr", {}, el("td", {}, el("kbd", { text: b.key === " " ? "space" : b.key })), el("td", { text: b.label })))),
    el("p", {}, el("button", { type: "button", text: "Close", onclick: () => dialog.close() })));
  const more = document.getElementById("help-more");  // a page's own help (the logs page: its search language)
  if (more) dialog.insertBefore(more.content.cloneNode(true), dialog.lastElementChild);
  document.body.append(dialog);
  const toggle = () => (dialog.open ? dialog.close() : dialog.showModal());
  document.getElementById("help-toggle")?.addEventListener("click", toggle);
  document.addEventListener("keydown", event => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?" && !typing(event)) { event.preventDefault(); toggle(); return; }
    if (dialog.open || typing(event)) {
      if (event.key === "Escape" && typing(event)) event.target.blur();
      return;
    }
    const binding = bindings.find(b => b.key === event.key && (!b.when || b.when(event)));
    if (binding) { event.preventDefault(); binding.run(event); }
  });
}
