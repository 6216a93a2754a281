// The one websocket client of the live views: /ws/tail (records) and /ws/requests (captured
// requests) speak the same protocol. It resumes from the newest id it has (`after`), so a
// reconnect has no gaps and no duplicates; retries with exponential back-off and knows when the
// next try is; a "skipped" message (the server dropped some for a slow tab) means reconnect now
// from `after`. The page renders its state with live-status.js.

const FIRST_DELAY = 500, MAX_DELAY = 15000, HEALTHY_AFTER = 5000;

/** ws:// or wss:// URL for a path on this server, following the page's protocol. */
export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export class LiveSocket {
  /**
   * path: the socket's path; kind: the message type that carries an item ("record", "request");
   * filter: the API's filter args; after: the newest id already shown;
   * onItem(item): once per item, in id order; onChange(): the state or the retry countdown moved.
   */
  constructor({ path, kind, filter, after, onItem, onChange }) {
    Object.assign(this, { path, kind, filter, after, onItem, onChange });
    this.state = "connecting";  // connecting | open | reconnecting
    this.retryAt = 0;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.healthy = null;
    this.stopped = true;
    addEventListener("pagehide", () => this.stop());
    addEventListener("pageshow", event => { if (event.persisted) this.start(); });  // back from the bfcache
    setInterval(() => { if (this.state === "reconnecting") this.onChange(); }, 500);  // the countdown
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.healthy);
    this.drop();
  }

  /** Follow another filter from another id (the page replaced its list). */
  restart({ filter, after }) {
    this.filter = filter;
    this.after = after;
    this.attempt = 0;
    this.start();
  }

  connect() {
    clearTimeout(this.timer);
    this.drop();
    const params = new URLSearchParams({ ...this.filter, after: String(this.after) });
    const socket = new WebSocket(wsUrl(`${this.path}?${params}`));
    this.socket = socket;
    if (this.state !== "reconnecting") this.set("connecting");
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      clearTimeout(this.healthy);  // a server that accepts and drops at once still backs off
      this.healthy = setTimeout(() => { this.attempt = 0; }, HEALTHY_AFTER);
      this.set("open");
    });
    socket.addEventListener("message", event => {
      if (socket !== this.socket) return;
      const message = JSON.parse(event.data);
      if (message.type === this.kind) {
        const item = message[this.kind];
        if (item.id <= this.after) return;  // never twice
        this.after = item.id;
        this.onItem(item);
      } else if (message.type === "skipped") {
        this.reconnect(0);  // the server dropped some: fetch them from `after`
      }
    });
    socket.addEventListener("close", () => {
      if (socket !== this.socket || this.stopped) return;
      clearTimeout(this.healthy);
      this.reconnect(Math.min(MAX_DELAY, FIRST_DELAY * 2 ** this.attempt++));
    });
  }

  /** Drop the current socket and connect again after `delay` ms. */
  reconnect(delay) {
    this.drop();
    if (this.stopped) return;
    this.retryAt = Date.now() + delay;
    this.set("reconnecting");
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Close the current socket; its late events are ignored (they check `socket !== this.socket`). */
  drop() {
    const old = this.socket;
    this.socket = null;
    old?.close();
  }

  /** Skip the wait (the user clicked the indicator). */
  retryNow() {
    if (this.state === "reconnecting") this.connect();
  }

  set(state) {
    this.state = state;
    this.onChange();
  }
}
