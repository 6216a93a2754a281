// The /ws/requests client: resumes from the newest id shown (`after`), so a reconnect loses
// nothing; retries with exponential backoff and says when the next try is.
import { clock, wsUrl } from "../common.js";

const MAX_WAIT_S = 30;

export class RequestFeed {
  /** onRequest(entry) for each new list entry; onState(kind, label) for the indicator; onSkipped(n). */
  constructor({ onRequest, onState, onSkipped }) {
    Object.assign(this, { onRequest, onState, onSkipped });
    this.socket = null;
    this.timer = null;
    this.attempt = 0;
  }

  /** (Re)connect with these filter args, catching up on everything after `after`. */
  start(filters, after) {
    this.filters = filters;
    this.after = after;
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    const old = this.socket;
    this.socket = null;
    old?.close();
    const params = new URLSearchParams({ ...this.filters, after: String(this.after) });
    const socket = new WebSocket(wsUrl(`/ws/requests?${params}`));
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.onState("live", "LIVE");
    });
    socket.addEventListener("message", event => {
      if (socket !== this.socket) return;
      const message = JSON.parse(event.data);
      if (message.type === "request" && message.request.id > this.after) {
        this.after = message.request.id;
        this.onRequest(message.request);
      } else if (message.type === "skipped") {
        this.onSkipped(message.count);
        this.connect();  // the server dropped some: fetch them from `after`
      }
    });
    socket.addEventListener("close", () => {
      if (socket !== this.socket) return;
      const wait = Math.min(MAX_WAIT_S, 2 ** this.attempt++);
      this.onState("reconnecting", `RECONNECTING at ${clock(Date.now() / 1000 + wait).slice(0, 8)}`);
      this.timer = setTimeout(() => this.connect(), wait * 1000);
    });
  }
}
