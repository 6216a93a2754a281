// The live state, always honest and the same on every page: LIVE, PAUSED · N new,
// RECONNECTING · retry in Ns (click to retry now), CONNECTING. Markup: templates/_live.html.
// Where the pill is short (narrow windows, a tight logs toolbar) the words marked long are hidden but
// still read out: "PAUSED 7", "retry 5s" (static/css/base.css, logs.css); the title has the whole text.

const LONG = true;

/** The label's text in parts, [text, long?]; built with text nodes, never markup. */
function label(node, parts) {
  const text = parts.map(([part]) => part).join("");
  if (node.textContent === text) return text;
  node.replaceChildren(...parts.map(([part, long]) => {
    if (!long) return part;
    const span = document.createElement("span");
    span.className = "long";
    span.textContent = part;
    return span;
  }));
  return text;
}

/**
 * Show a LiveSocket's state. ui: {state, label, newBar, pause?}; paused: new items are held back
 * (the user paused, scrolled away or reads); newCount: how many; noun: what they are ("record").
 */
export function renderLive(ui, socket, { paused = false, newCount = 0, noun, hint = "" }) {
  let state = "live", parts = [["LIVE"]];
  if (socket.state === "reconnecting") {
    const seconds = Math.max(0, Math.ceil((socket.retryAt - Date.now()) / 1000));
    state = "reconnecting";
    parts = seconds ? [["RECONNECTING · ", LONG], ["retry"], [" in", LONG], [` ${seconds}s`]]
      : [["RECONNECTING · ", LONG], ["retry"], ["ing", LONG], [" now"]];
  } else if (socket.state === "connecting") {
    state = "connecting";
    parts = [["CONNECTING"]];
  } else if (paused) {
    state = "paused";
    parts = newCount ? [["PAUSED"], [" ·", LONG], [` ${newCount}`], [" new", LONG]] : [["PAUSED"]];
  }
  ui.state.dataset.state = state;
  const text = label(ui.label, parts);
  ui.state.title = state === "reconnecting" ? `${text} · click to retry now` : text;
  if (ui.pause) {
    ui.pause.textContent = paused ? "Resume" : "Pause";
    ui.pause.setAttribute("aria-pressed", String(!!paused));
  }
  ui.newBar.hidden = !(paused && newCount);
  ui.newBar.textContent = `${newCount} new ${noun}${newCount === 1 ? "" : "s"} · show${hint ? ` (${hint})` : ""}`;
}

const still = matchMedia("(prefers-reduced-motion: reduce)");
const BEAT_EVERY = 1000, BEAT = 250;  // ms: at most one blink a second, each two repaints, not an animation
let beatAt = 0;

/** One blink of the LIVE dot when items arrived: at most one a second, none while idle (nothing repaints
 * then) and none for readers who prefer reduced motion. */
export function beat(ui) {
  const now = performance.now();
  if (still.matches || now - beatAt < BEAT_EVERY) return;
  beatAt = now;
  const dot = ui.state.querySelector(".dot");
  dot?.classList.add("blink");
  setTimeout(() => dot?.classList.remove("blink"), BEAT);
}

/** The reader scrolled away from the newest rows (at the top): new ones must wait, nothing may jump. */
export function scrolledAway(list) {
  return list.scrollTop > 4;
}

const HEALTH_EVERY = 5000;  // ms between /healthz checks while the page is visible

/** Show when the server cannot store (a full disk, a locked database): records sent now are refused. */
function watchStoreHealth(badge) {
  if (!badge) return;
  const check = async () => {
    if (document.visibilityState === "visible") {
      let problem = "";
      try {
        const answer = await fetch("/healthz", { cache: "no-store" });
        if (answer.status === 503) problem = (await answer.json()).error || "unavailable";
      } catch {
        problem = "";  // the server is away: the live state already says RECONNECTING
      }
      const text = problem ? `STORE: ${problem} · new records are refused (503)` : "";
      if (badge.textContent !== text) {  // written only when it changes: an idle page changes nothing
        badge.hidden = !problem;
        badge.textContent = badge.title = text;
      }
    }
    setTimeout(check, HEALTH_EVERY);
  };
  check();
}

/** The indicator's elements on this page; a click while reconnecting retries at once. */
export function liveUi(socket, extra = {}) {
  const state = document.getElementById("live-state");
  state.addEventListener("click", () => socket.retryNow());
  watchStoreHealth(document.getElementById("store-health"));
  return { state, label: state.querySelector(".state-label"), newBar: document.getElementById("new-bar"), ...extra };
}
