// One record's page: its time in the zone the logs page uses, keys to move between records, its
// values that filter the list when clicked, its traceback laid out (static/js/traceback.js) and buttons
// that copy the traceback and the record as sent (read from the API: the page shows them printable).
import { getJSON, installShortcuts, installSkipLinks } from "./common.js";
import { installFieldFilter } from "./logs/field-filter.js";
import { copyButton, enhanceTraceback } from "./traceback.js";
import { showTimes, utcChosen } from "./zone.js";

const page = document.querySelector(".record-page");
showTimes(document, utcChosen());
installFieldFilter(page);
installSkipLinks();

let answer = null;  // the record as /api/records/<id> gives it, read on the first copy
const record = () => (answer ??= getJSON(`/api/records/${page.dataset.id}`).catch(error => {
  answer = null;
  throw error;
}));
const traceback = document.getElementById("traceback");
if (traceback) enhanceTraceback(traceback, async () => (await record()).exc_text);
document.querySelector(".record-nav .json-link")?.after(copyButton("Copy record as JSON",
  "Copy this record as the API gives it (JSON)", async () => JSON.stringify(await record(), null, 2)));

const go = id => { const link = document.getElementById(id); if (link) location.assign(link.href); };
installShortcuts([
  { key: "j", label: "older record", run: () => go("older") },
  { key: "k", label: "newer record", run: () => go("newer") },
  { key: "Escape", label: "back to the logs", run: () => go("back") },
]);
