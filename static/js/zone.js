// Which zone times are shown in, the same on every page: the server renders them in the zone the
// browser named in its cookie (zone-cookie.js, dashboard/web/zone.py) and says which on <html
// data-zone>; scripts show new times the same way. The toggle switches between this browser's zone
// and UTC: it rewrites the page at once and sets the cookie, so the next page comes in that zone.
import { clock, longTime, stamp } from "./format.js";

const KEY = "logdash.utc";
const UTC_NAMES = ["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal", "Etc/Universal"];
const FORMATS = { clock, stamp, long: longTime };

/** Whether times are in UTC on this page (else in the browser's zone, which the server used too). */
export function utcChosen() {
  const zone = document.documentElement.dataset.zone;
  return zone ? zone === "UTC" : localStorage.getItem(KEY) === "1";
}

function remember(utc) {
  localStorage.setItem(KEY, utc ? "1" : "0");
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = utc || UTC_NAMES.includes(own) || !/^[A-Za-z0-9_+\/-]{1,64}$/.test(own) ? "UTC" : own;
  document.cookie = `logdash_zone=${zone}; path=/; max-age=31536000; samesite=lax`;
  document.documentElement.dataset.zone = zone;
  return zone;
}

/** Wire the page's zone toggle, if it has one: it shows the zone, flips and remembers it, then
 * calls onChange(utc). Returns the zone in force. */
export function installZoneToggle(button, onChange) {
  let utc = utcChosen();
  if (!button) return utc;
  const show = zone => {
    button.textContent = utc ? "UTC" : "local";
    button.setAttribute("aria-pressed", String(utc));
    button.title = utc ? "Times in UTC; click for this browser's zone" : `Times in ${zone} (this browser's zone); click for UTC`;
  };
  button.addEventListener("click", () => {
    utc = !utc;
    show(remember(utc));
    onChange(utc);
  });
  return utc;
}

/** Write every <time data-epoch data-time="clock|stamp|long"> under `root` in the zone (only those
 * that differ: the server's own text is already right). */
export function showTimes(root, utc) {
  for (const node of root.querySelectorAll("time[data-epoch][data-time]")) {
    const text = FORMATS[node.dataset.time](Number(node.dataset.epoch), utc);
    if (node.textContent !== text) node.textContent = text;
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
