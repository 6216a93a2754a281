// The list around one record (/?around=<id>, "show surrounding records"): the record is marked and
// scrolled into view, older pages load as usual, newer ones with "Load newer" (the `newer` cursor).
// The live tail keeps counting what arrives meanwhile; resuming shows the newest page afresh.
import { banner, getJSON } from "../common.js";

export function installAround({ rows, live, list, filter, pageSize, state }) {
  live.pause("around");
  rows.trimmedNew = true;  // the rows do not reach the newest: going live loads the newest page
  const marked = rows.container.querySelector(`.row[data-id="${state.around}"]`);
  marked?.scrollIntoView({ block: "center" });
  if (marked) rows.setCurrent(marked);  // Tab and "Skip to records" land on it
  const button = document.getElementById("load-newer");
  let newer = state.newer, loading = false;
  button?.addEventListener("click", async () => {
    if (loading || newer === null) return;
    loading = true;
    try {
      const params = new URLSearchParams({ ...filter, after: newer, limit: String(pageSize) });
      const data = await getJSON(`/api/records?${params}`);
      const anchor = rows.first, top = anchor?.getBoundingClientRect().top;
      rows.prepend(data.records);
      newer = data.newer;
      button.hidden = newer === null;
      if (anchor?.isConnected) list.scrollTop += anchor.getBoundingClientRect().top - top;  // what the reader was looking at stays put
    } catch (e) {
      banner(`Could not load newer records: ${e.message}`);
    } finally {
      loading = false;
    }
  });
}
