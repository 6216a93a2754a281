// One record's page: its time in the zone the logs page uses, keys to move between records, and
// its values that filter the list when clicked.
import { installShortcuts, installSkipLinks } from "./common.js";
import { installFieldFilter } from "./logs/field-filter.js";
import { showTimes, utcChosen } from "./zone.js";

showTimes(document, utcChosen());
installFieldFilter(document.querySelector(".record-page"));
installSkipLinks();

const go = id => { const link = document.getElementById(id); if (link) location.assign(link.href); };
installShortcuts([
  { key: "j", label: "older record", run: () => go("older") },
  { key: "k", label: "newer record", run: () => go("newer") },
  { key: "Escape", label: "back to the logs", run: () => go("back") },
]);
