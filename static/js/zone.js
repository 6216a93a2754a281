// Which zone times are shown in, the same on every page: the server renders UTC, the scripts
// switch to the browser's zone unless the user chose UTC with a toggle (remembered for all pages).
import { clock, longTime, stamp } from "./format.js";

const KEY = "logdash.utc";
const FORMATS = { clock, stamp, long: longTime };

/** Whether the user chose UTC (else the browser's zone). */
export function utcChosen() {
  return localStorage.getItem(KEY) === "1";
}

/** Wire the page's zone toggle, if it has one: it shows the zone, flips and remembers it, then
 * calls onChange(utc). Returns the zone in force. */
export function installZoneToggle(button, onChange) {
  let utc = utcChosen();
  if (!button) return utc;
  const show = () => {
    button.textContent = utc ? "UTC" : "local";
    button.setAttribute("aria-pressed", String(utc));
  };
  show();
  button.addEventListener("click", () => {
    utc = !utc;
    localStorage.setItem(KEY, utc ? "1" : "0");
    show();
    onChange(utc);
  });
  return utc;
}

/** Write every <time data-epoch data-time="clock|stamp|long"> under `root` in the zone. */
export function showTimes(root, utc) {
  for (const node of root.querySelectorAll("time[data-epoch][data-time]")) {
    node.textContent = FORMATS[node.dataset.time](Number(node.dataset.epoch), utc);
  }
}

/** A <time> showing `epoch` (ISO `iso` in its title) in the zone; showTimes rewrites it later. */
export function timeEl(epoch, iso, format, utc, className) {
  const node = document.createElement("time");
  if (className) node.className = className;
  node.dateTime = iso;
  node.title = iso;
  Object.assign(node.dataset, { epoch: String(epoch), time: format });
  node.textContent = FORMATS[format](epoch, utc);
  return node;
}
