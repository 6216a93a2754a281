// The /ws/tail client: resumes from the last id it saw, so a reconnect has no gaps and no
// duplicates; retries with exponential backoff; a "skipped" message means reconnect now.
import { wsUrl } from "../common.js";

const FIRST_DELAY = 500, MAX_DELAY = 15000, HEALTHY_AFTER = 5000;

export class Tail {
  /** filter: the API's filter args; after: newest id already shown; onRecord(r); onChange(). */
  constructor({ filter, after, onRecord, onChange }) {
    this.filter = filter;
    this.after = after;
    this.onRecord = onRecord;
    this.onChange = onChange;
    this.state = "connecting";  // connecting | open | reconnecting
    this.retryAt = 0;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  connect() {
    clearTimeout(this.timer);
    const params = new URLSearchParams({ ...this.filter, after: String(this.after) });
    const socket = new WebSocket(wsUrl(`/ws/tail?${params}`));
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      clearTimeout(this.healthy);  // a server that accepts and drops at once still backs off
      this.healthy = setTimeout(() => { this.attempt = 0; }, HEALTHY_AFTER);
      this.set("open");
    });
    socket.addEventListener("message", event => {
      if (socket !== this.socket) return;
      const message = JSON.parse(event.data);
      if (message.type === "record") {
        if (message.record.id <= this.after) return;  // never twice
        this.after = message.record.id;
        this.onRecord(message.record);
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
    const old = this.socket;
    this.socket = null;
    old?.close();
    if (this.stopped) return;
    this.retryAt = Date.now() + delay;
    this.set("reconnecting");
    this.timer = setTimeout(() => this.connect(), delay);
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
