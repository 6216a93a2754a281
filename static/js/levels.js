// Log levels as the server defines them (dashboard/ingest/levels.py): base.html embeds the
// table as JSON, so the scripts never keep a copy of their own.
const node = document.getElementById("logdash-levels");
const table = node ? JSON.parse(node.textContent) : { css: {}, custom: "custom" };

/** The colour class suffix of a level name (debug, info, ..., custom for any other level). */
export function levelCss(levelname) {
  const name = String(levelname ?? "").toUpperCase();
  return Object.hasOwn(table.css, name) ? table.css[name] : table.custom;
}

/** CSS classes of a level badge; custom levels are neutral. */
export function levelClass(levelname) {
  return "level level-" + levelCss(levelname);
}
