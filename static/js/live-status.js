// The live state, always honest and the same on every page: LIVE, PAUSED · N new,
// RECONNECTING · retry in Ns (click to retry now), CONNECTING. Markup: templates/_live.html.

/**
 * Show a LiveSocket's state. ui: {state, label, newBar, pause?}; paused: new items are held back
 * (the user paused, scrolled away or reads); newCount: how many; noun: what they are ("record").
 */
export function renderLive(ui, socket, { paused = false, newCount = 0, noun, hint = "" }) {
  let state = "live", text = "LIVE";
  if (socket.state === "reconnecting") {
    const seconds = Math.max(0, Math.ceil((socket.retryAt - Date.now()) / 1000));
    state = "reconnecting";
    text = seconds ? `RECONNECTING · retry in ${seconds}s` : "RECONNECTING · retrying now";
  } else if (socket.state === "connecting") {
    state = "connecting";
    text = "CONNECTING";
  } else if (paused) {
    state = "paused";
    text = newCount ? `PAUSED · ${newCount} new` : "PAUSED";
  }
  ui.state.dataset.state = state;
  ui.label.textContent = text;
  ui.state.title = state === "reconnecting" ? "Click to retry now" : "";
  if (ui.pause) {
    ui.pause.textContent = paused ? "Resume" : "Pause";
    ui.pause.setAttribute("aria-pressed", String(!!paused));
  }
  ui.newBar.hidden = !(paused && newCount);
  ui.newBar.textContent = `${newCount} new ${noun}${newCount === 1 ? "" : "s"} · show${hint ? ` (${hint})` : ""}`;
}

/** The reader scrolled away from the newest rows (at the top): new ones must wait, nothing may jump. */
export function scrolledAway(list) {
  return list.scrollTop > 4;
}

/** The indicator's elements on this page; a click while reconnecting retries at once. */
export function liveUi(socket, extra = {}) {
  const state = document.getElementById("live-state");
  state.addEventListener("click", () => socket.retryNow());
  return { state, label: state.querySelector(".state-label"), newBar: document.getElementById("new-bar"), ...extra };
}
