// How values are shown, for every page: the JS twin of dashboard/web/format.py. A row the
// script adds must read exactly like a server-rendered one, so each rule here has a Python
// twin of the same name (snake_case there); tests/test_browser_format.py runs both on the
// same inputs and compares. With utc=false the times are the same rules in the browser's zone.

export const FOLD_LINES = 200;   // a long text shows this many lines, then "show all"
export const FOLD_CHARS = 20000; // ... or this many characters, whichever comes first

// C0 controls except tab and newline, DEL, C1 controls, the soft hyphen, bidi overrides/isolates/marks,
// zero-width and invisible characters (U+180E, U+200B-U+200D, U+2060-U+2064, U+FEFF, U+FFF9-U+FFFB),
// the line and paragraph separators, and the tag characters U+E0000-U+E007F: `pay\u200bments` is not `payments`.
const INVISIBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;

/** Text with terminal escapes, invisible characters and direction marks made visible as Python
 * spells them (\x1b, \u202e, \U000e0041), never interpreted. */
export function printable(text) {
  if (text === null || text === undefined) return "";
  return String(text).replace(INVISIBLE, ch => {
    const code = ch.codePointAt(0);
    if (code > 0xffff) return "\\U" + code.toString(16).padStart(8, "0");
    return code <= 0xff ? "\\x" + code.toString(16).padStart(2, "0") : "\\u" + code.toString(16).padStart(4, "0");
  });
}

/** `x` with `digits` decimals as Python's f"{x:.{digits}f}" writes it: the exact binary value,
 * an exact tie to the even digit (toFixed sends ties up: 1.25 -> "1.3" where Python says "1.2"). */
function fixed(x, digits) {
  const exact = x.toFixed(digits + 20);  // a double >= 1 differs from a tie well within 20 digits
  const cut = exact.length - 20;
  if (/^50*$/.test(exact.slice(cut))) {
    const kept = exact.slice(0, digits ? cut : cut - 1);  // without the point when no decimals
    if (Number(kept.at(-1)) % 2 === 0) return kept;
  }
  return x.toFixed(digits);
}

/** 1234 -> "1.2k", 2500000 -> "2.5M". */
export function abbreviate(n) {
  if (n < 1000) return String(n);
  if (n < 1e6) return fixed(n / 1e3, n < 1e4 ? 1 : 0).replace(/\.0$/, "") + "k";
  return fixed(n / 1e6, n < 1e7 ? 1 : 0).replace(/\.0$/, "") + "M";
}

/** 1234 -> "1.2 kB"; sizes in the request list and the detail pane. */
export function byteSize(n) {
  if (n === null || n === undefined) return "";
  if (n < 1000) return `${n} B`;
  for (const [unit, scale] of [["kB", 1e3], ["MB", 1e6], ["GB", 1e9]]) {
    if (n < scale * 1000 || unit === "GB") {
      const value = n / scale;
      return `${fixed(value, value < 10 ? 1 : 0)} ${unit}`;
    }
  }
  return `${n} B`;
}

/** The UTF-16 index just after the first `count` characters (code points, as Python counts). */
function indexAfter(text, count) {
  let at = 0;
  for (let i = 0; i < count && at < text.length; i++) at += text.codePointAt(at) > 0xffff ? 2 : 1;
  return at;
}

/** The first `count` characters of a text, as Python's text[:count] cuts it (never half an emoji). */
export function firstChars(text, count) {
  return text.slice(0, indexAfter(text, count));
}

/** Characters in a text as Python counts them (an emoji is one, not two UTF-16 units). */
export function charCount(text) {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** [shown, rest]: a long text split into what is shown and what "show all" reveals ("" when it fits). */
export function fold(text, lines = FOLD_LINES, chars = FOLD_CHARS) {
  let cut = text.length, at = -1;
  for (let i = 0; i < lines; i++) {
    at = text.indexOf("\n", at + 1);
    if (at < 0) break;
  }
  if (at >= 0) cut = at + 1;
  cut = Math.min(cut, indexAfter(text, chars));  // Python counts code points, JS UTF-16 units
  return [text.slice(0, cut), text.slice(cut)];
}

/** Lines in a text (a trailing newline does not start one). */
export function lineCount(text) {
  if (!text) return 0;
  return (text.match(/\n/g) || []).length + (text.endsWith("\n") ? 0 : 1);
}

/** CSS class of an HTTP status: s2xx ... s5xx; failures (>= 400) also get `failed`. */
export function statusClass(status) {
  return `s${Math.floor(status / 100)}xx` + (status >= 400 ? " failed" : "");
}

/** C's round(): half away from zero. */
const roundHalfAway = x => Math.sign(x) * Math.round(Math.abs(x));

/** The moment of an epoch-seconds value as Python's datetime.fromtimestamp takes it: the
 * fraction rounded to whole microseconds (half to even, carrying into the next second), then
 * cut to milliseconds. new Date(epoch * 1000) would cut at once: .9999996 s reads .999, not the next second. */
function moment(epoch) {
  let whole = Math.trunc(epoch);
  let micros = (epoch - whole) * 1e6;
  const rounded = roundHalfAway(micros);
  micros = Math.abs(micros - rounded) === 0.5 ? 2 * Math.round(micros / 2) : rounded;
  if (micros >= 1e6) { micros -= 1e6; whole += 1; }
  else if (micros < 0) { micros += 1e6; whole -= 1; }
  return new Date(whole * 1000 + Math.floor(micros / 1000));
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

function parts(epoch, utc) {
  const d = moment(epoch);
  return utc
    ? { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds() }
    : { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), ms: d.getMilliseconds() };
}

/** HH:MM:SS.mmm, in UTC or the browser's zone. */
export function clock(epoch, utc = false) {
  const p = parts(epoch, utc);
  return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}`;
}

/** MM-DD, shown before the clock when a list spans several days. */
export function dateLabel(epoch, utc = false) {
  const p = parts(epoch, utc);
  return `${pad(p.mo)}-${pad(p.d)}`;
}

/** YYYY-MM-DD HH:MM:SS, with " UTC" in UTC: chips and headings. */
export function stamp(epoch, utc = false) {
  const p = parts(epoch, utc);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${utc ? " UTC" : ""}`;
}

/** YYYY-MM-DD HH:MM:SS.mmm, with " UTC" in UTC: one record's or one request's own time (no Python
 * twin: the server writes the ISO `time` there, which the script replaces). */
export function longTime(epoch, utc = false) {
  return `${stamp(epoch, utc).slice(0, 19)}.${clock(epoch, utc).slice(9)}${utc ? " UTC" : ""}`;
}
