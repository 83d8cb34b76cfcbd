// util.js: small helpers shared by every module (ids, dates, errors).
// Kept free of DOM and browser globals so the node tests can import the
// modules that use it.

/** A v4 UUID. crypto.randomUUID only exists in secure contexts, and the app
 * may be served over plain http through a proxy, so build it from
 * getRandomValues, which works everywhere (browser and node >= 19). */
export function uuid() {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** YYYY-MM-DD of a Date in local time. */
export function ymd(date) {
  const p = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
}

/** The local dates today .. today+days-1 as YYYY-MM-DD. */
export function dayRange(now, days) {
  const out = [];
  const d = new Date(now);
  d.setHours(12, 0, 0, 0); // noon: safe across DST changes
  for (let i = 0; i < days; i++) {
    out.push(ymd(d));
    d.setDate(d.getDate() + 1);
  }
  return out;
}

/** The calendar date of a server timestamp. Strings are taken at face value
 * (the server writes its own local time), numbers are unix seconds or ms. */
export function dateOf(value) {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (typeof value === 'number') return ymd(new Date(value < 1e12 ? value * 1000 : value));
  return ymd(new Date(value));
}

/** Milliseconds since the epoch of a server timestamp (for sorting). */
export function timeOf(value) {
  if (typeof value === 'number') return value < 1e12 ? value * 1000 : value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

/** A request that never produced an HTTP response: refused, reset, offline,
 * or slower than request_timeout_ms. The app treats it as "offline". */
export class NetworkError extends Error {
  constructor(message, { timeout = false } = {}) {
    super(message);
    this.name = 'NetworkError';
    this.timeout = timeout;
  }
}

/** An HTTP response with a non-2xx status. */
export class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}${body && body.error ? `: ${body.error}` : ''}`);
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
  }
}

/** True for statuses that will never succeed on a retry (a permanent 4xx).
 * 401 is handled by renewing the token, 408 and 429 are transient. */
export function isPermanent(status) {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** Real timers, injectable so tests can drive time by hand. */
export const realClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id),
};

/** A tiny event emitter: subscribe returns the unsubscribe function. */
export class Emitter {
  constructor() { this.listeners = new Set(); }
  subscribe(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  emit(...args) {
    for (const fn of [...this.listeners]) {
      try { fn(...args); } catch (e) { console.error('listener failed', e); }
    }
  }
}
