// The list's view options: wrap long messages, comfortable density, relative times ("3 min
// ago", the absolute time on hover). Each is a toggle button in the View menu and a key, and is
// remembered in localStorage; static/js/view-prefs.js applies them before first paint.

export const OPTIONS = [
  { name: "wrap", key: "w", label: "wrap long messages" },
  { name: "comfortable", key: "d", label: "density: comfortable / compact" },
  { name: "relative", key: "r", label: "times: relative (3 min ago) / clock" },
];
const TICK = 10_000;  // ms between relative time updates (labels are coarse: 10 s steps at most)

const stored = name => localStorage.getItem(`logdash.view.${name}`) === "1";

/** Wire the View menu's buttons; returns {toggle(name)} for the keyboard. `rows` shows the times. */
export function installView(menu, rows) {
  const buttons = new Map([...menu.querySelectorAll("button[data-view]")].map(b => [b.dataset.view, b]));
  const apply = (name, on) => {
    document.documentElement.toggleAttribute(`data-${name}`, on);
    buttons.get(name)?.setAttribute("aria-pressed", String(on));
    if (name === "relative" && rows.relative !== on) rows.setRelative(on);
    rows.refresh();  // rows' heights may change: blocks skipped off screen are measured again
  };
  const toggle = name => {
    const on = !stored(name);
    localStorage.setItem(`logdash.view.${name}`, on ? "1" : "0");
    apply(name, on);
  };
  for (const { name } of OPTIONS) apply(name, stored(name));
  for (const [name, button] of buttons) button.addEventListener("click", () => toggle(name));
  setInterval(() => {
    if (rows.relative && document.visibilityState === "visible") rows.retime();
  }, TICK);
  return { toggle };
}
