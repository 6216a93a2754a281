// One record's page: its time in the zone the logs page uses, and keys to move between records.
import { clock, installShortcuts } from "./common.js";
import { stamp } from "./logs/format.js";

const time = document.getElementById("record-time");
const utc = localStorage.getItem("logdash.utc") === "1";
const epoch = Number(time.dataset.epoch);
time.textContent = `${stamp(epoch, utc).replace(/ UTC$/, "")}.${clock(epoch, utc).slice(9)}${utc ? " UTC" : ""}`;
time.title = time.getAttribute("datetime");

const go = id => { const link = document.getElementById(id); if (link) location.assign(link.href); };
installShortcuts([
  { key: "j", label: "older record", run: () => go("older") },
  { key: "k", label: "newer record", run: () => go("newer") },
  { key: "Escape", label: "back to the logs", run: () => go("back") },
]);
