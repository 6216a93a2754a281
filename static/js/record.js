// One record's page: its time in the zone the logs page uses, and keys to move between records.
import { installShortcuts } from "./common.js";
import { showTimes, utcChosen } from "./zone.js";

showTimes(document, utcChosen());

const go = id => { const link = document.getElementById(id); if (link) location.assign(link.href); };
installShortcuts([
  { key: "j", label: "older record", run: () => go("older") },
  { key: "k", label: "newer record", run: () => go("newer") },
  { key: "Escape", label: "back to the logs", run: () => go("back") },
]);
