// api.js: every HTTP request of the app goes through here.
// Why one place: a request slower than request_timeout_ms must count as a
// failure (a half-open link otherwise hangs forever), every failure and
// success must reach the connectivity detector, and the bearer token must be
// attached, renewed before it expires, and refreshed on a 401. fetch and the
// clock are injected so node tests can fake the network and time.

import { NetworkError, HttpError, realClock, uuid } from './util.js';

const DEMO = { username: 'demo', password: 'demo' };

/** Tokens persisted in a localStorage-like object (so a relaunch stays logged in). */
export class TokenStore {
  constructor(ls, key = 'refapp.tokens') { this.ls = ls; this.key = key; this.mem = null; }
  load() {
    if (this.mem) return this.mem;
    try { this.mem = JSON.parse((this.ls && this.ls.getItem(this.key)) || 'null'); } catch { this.mem = null; }
    return this.mem;
  }
  save(tokens) {
    this.mem = tokens;
    if (this.ls) { try { this.ls.setItem(this.key, JSON.stringify(tokens)); } catch { /* ignore */ } }
  }
}

export class Api {
  /**
   * @param {object} o
   * @param {Function} o.fetch            fetch(url, init) -> Response-like
   * @param {object}   [o.clock]          {now, setTimeout, clearTimeout}
   * @param {number}   o.timeoutMs        request_timeout_ms
   * @param {TokenStore} o.tokens
   * @param {Function} [o.onNetworkFailure] (err) -> void
   * @param {Function} [o.onResponse]     () -> void, any HTTP response arrived
   */
  constructor({ fetch, clock = realClock, timeoutMs, tokens, onNetworkFailure, onResponse, baseUrl = '' }) {
    this.fetch = fetch;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
    this.tokens = tokens;
    this.onNetworkFailure = onNetworkFailure || (() => {});
    this.onResponse = onResponse || (() => {});
    this.baseUrl = baseUrl;
    this.renewing = null;
  }

  /** One HTTP exchange. Resolves {status, data} for any HTTP response;
   * rejects NetworkError when there is none within the timeout. */
  async raw(method, path, { body, headers = {}, timeoutMs } = {}) {
    const limit = timeoutMs ?? this.timeoutMs;
    const ctrl = typeof AbortController !== 'undefined' ? new AbortController() : null;
    const init = { method, headers: { ...headers }, cache: 'no-store' };
    if (ctrl) init.signal = ctrl.signal;
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = this.clock.setTimeout(() => {
        if (ctrl) { try { ctrl.abort(); } catch { /* ignore */ } }
        reject(new NetworkError(`${method} ${path}: no response within ${limit} ms`, { timeout: true }));
      }, limit);
    });
    // The body is read inside the race too: a half-open link can deliver
    // headers and then stall.
    const exchange = (async () => {
      let res;
      try {
        res = await this.fetch(this.baseUrl + path, init);
      } catch (e) {
        throw new NetworkError(`${method} ${path}: ${e && e.message ? e.message : e}`);
      }
      let text = '';
      try { text = await res.text(); } catch (e) {
        throw new NetworkError(`${method} ${path}: body: ${e && e.message ? e.message : e}`);
      }
      let data = null;
      let json = true;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        json = false;
        data = { error: 'bad_json', detail: text.slice(0, 200) };
      }
      // A success that is not JSON is not the API answering: a captive portal's login page (hotel Wi-Fi,
      // a redirect followed). Taken as data it would overwrite the cache with nothing (R3); it is no path.
      if (res.ok && !json) {
        throw new NetworkError(`${method} ${path}: not the API's answer (a captive portal?)`);
      }
      return { status: res.status, data };
    })();
    try {
      const out = await Promise.race([exchange, timeout]);
      this.onResponse();
      return out;
    } catch (e) {
      if (e instanceof NetworkError) this.onNetworkFailure(e);
      throw e;
    } finally {
      this.clock.clearTimeout(timer);
      exchange.catch(() => {}); // the loser of the race must not be an unhandled rejection
    }
  }

  /** Log in as the demo user and persist the tokens. */
  async login() {
    const r = await this.raw('POST', '/api/auth/login', { body: DEMO });
    if (r.status !== 200) throw new HttpError(r.status, r.data);
    this.storeTokens(r.data);
    return r.data;
  }

  storeTokens(data) {
    const prev = this.tokens.load() || {};
    this.tokens.save({
      access_token: data.access_token,
      refresh_token: data.refresh_token || prev.refresh_token,
      expires_in: data.expires_in,
      expires_at: this.clock.now() + (Number(data.expires_in) || 0) * 1000,
    });
  }

  /** Get a new access token: refresh token first, a fresh login if the
   * refresh token is refused. Single-flight: concurrent callers share it. */
  renew() {
    if (!this.renewing) {
      this.renewing = (async () => {
        const t = this.tokens.load();
        if (t && t.refresh_token) {
          const r = await this.raw('POST', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } });
          if (r.status === 200) { this.storeTokens(r.data); return; }
          if (r.status >= 500 || r.status === 408 || r.status === 429) throw new HttpError(r.status, r.data);
        }
        await this.login();
      })().finally(() => { this.renewing = null; });
    }
    return this.renewing;
  }

  /** Renew the access token if it is missing or expires soon. Called before
   * flushing the outbox so a long outage does not meet a wall of 401s. */
  async ensureFreshToken() {
    const t = this.tokens.load();
    if (!t || !t.access_token) { await this.renew(); return; }
    const ttlMs = (Number(t.expires_in) || 0) * 1000;
    const margin = Math.max(2000, ttlMs * 0.2);
    if (t.expires_at - this.clock.now() < margin) await this.renew();
  }

  /** An authenticated exchange; the caller decides what a 401 means. */
  async authed(method, path, { body, key, timeoutMs } = {}) {
    const t = this.tokens.load();
    if (!t || !t.access_token) await this.renew();
    const headers = { Authorization: `Bearer ${this.tokens.load().access_token}` };
    if (key) headers['Idempotency-Key'] = key;
    return this.raw(method, path, { body, headers, timeoutMs });
  }

  /** An authenticated call with one refresh-and-retry on 401. Resolves the
   * JSON body of a 2xx; rejects HttpError or NetworkError. */
  async call(method, path, { body, key, timeoutMs } = {}) {
    let r = await this.authed(method, path, { body, key, timeoutMs });
    if (r.status === 401) {
      await this.renew();
      r = await this.authed(method, path, { body, key, timeoutMs });
    }
    if (r.status < 200 || r.status >= 300) throw new HttpError(r.status, r.data);
    return r.data;
  }

  get(path, opts) { return this.call('GET', path, opts); }

  /** An online-only mutation (call, payment, workflow run): never queued,
   * but it still carries an idempotency key. */
  postNow(path, body, opts = {}) { return this.call('POST', path, { body, key: uuid(), ...opts }); }
}
