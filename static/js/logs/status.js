// The live state indicator, always honest: LIVE, PAUSED · N new, RECONNECTING · retry in Ns.

/** Show the tail's state in the indicator, the pause button and the "N new" bar. */
export function renderStatus(ui, connection, retryAt, paused, newCount) {
  let state = "live", text = "LIVE";
  if (connection === "reconnecting") {
    const seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
    state = "reconnecting";
    text = seconds ? `RECONNECTING · retry in ${seconds}s` : "RECONNECTING · retrying now";
  } else if (connection === "connecting") {
    state = "connecting";
    text = "CONNECTING";
  } else if (paused) {
    state = "paused";
    text = newCount ? `PAUSED · ${newCount} new` : "PAUSED";
  }
  ui.state.dataset.state = state;
  ui.label.textContent = text;
  ui.state.title = state === "reconnecting" ? "Click to retry now" : "";
  ui.pause.textContent = paused ? "Resume" : "Pause";
  ui.pause.setAttribute("aria-pressed", String(!!paused));
  ui.newBar.hidden = !(paused && newCount);
  ui.newBar.textContent = `${newCount} new record${newCount === 1 ? "" : "s"} — show them (space)`;
}
