// sync.js: the flush engine (R4, R5, R18, R19, R22-R25).
// One flush loop at a time: a reconnection during a flush asks the running
// loop for one more pass instead of starting a second loop (two loops
// would reorder and double-send). A pass: renew the token if it is about to
// expire, send the outbox oldest-first one request at a time (each with the
// key it got at enqueue time), then download the change feed since the
// saved cursor into the cache, then refresh the dashboard. A transient
// failure (no response, 408, 429, 5xx) keeps the entry and retries after a
// full-jitter backoff; a 401 renews the token and retries (never drops);
// a permanent 4xx marks the entry failed, keeps it visible, and moves on.

import { Emitter, HttpError, isPermanent, realClock } from './util.js';
import { K } from './store.js';
import { applyChanges, upsertNote, upsertFile, upsertOpportunity } from './changes.js';

/** Delay before retry number `attempt` (1, 2, ...): uniformly random between
 * backoff_base_ms and min(backoff_max_ms, base * 2^attempt) ("full jitter"
 * above the base, so retries of many clients spread out). */
export function backoffDelay(attempt, baseMs, maxMs, random = Math.random) {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(1, attempt));
  return Math.round(baseMs + random() * Math.max(0, cap - baseMs));
}

const GIVE_UP_AFTER = 5;

export class SyncEngine extends Emitter {
  constructor({ api, outbox, cache, connectivity, timers, bugs = new Set(), clock = realClock, random = Math.random }) {
    super();
    Object.assign(this, { api, outbox, cache, connectivity, timers, bugs, clock, random });
    this.running = null;
    this.again = false;
    this.active = 0;        // loops in flight (more than 1 only with `concurrent-flush`)
    this.failures = 0;      // consecutive failed passes, drives the backoff
    this.retryTimer = null;
    this.gaveUp = false;
    this.lastError = null;
  }

  get syncing() { return this.active > 0; }

  /** Ask for a sync. Resolves when the pass this request joined is over
   * with 'done' | 'offline' | 'backoff' | 'gave-up'. */
  requestSync(reason = 'manual') {
    if (this.gaveUp) return Promise.resolve('gave-up');
    if (!this.connectivity.online) return Promise.resolve('offline');
    if (this.bugs.has('concurrent-flush')) return this.loop(reason); // no lock: every trigger starts a loop
    if (this.running) { this.again = true; return this.running; }
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.running = this.loop(reason).finally(() => { this.running = null; });
    return this.running;
  }

  async loop(reason) {
    this.active += 1;
    this.emit('state');
    try {
      let outcome;
      do {
        this.again = false;
        outcome = await this.pass(reason);
      } while (outcome === 'done' && this.again && this.connectivity.online);
      return outcome;
    } finally {
      this.active -= 1;
      this.emit('state');
    }
  }

  async pass() {
    try {
      // The drop-on-401 build never learned about token expiry at all.
      if (!this.bugs.has('drop-on-401')) await this.api.ensureFreshToken();
      if (this.bugs.has('concurrent-flush')) {
        // Iterates over a snapshot, so a second loop sends the same entries.
        for (const entry of this.outbox.pending()) {
          if (!this.connectivity.online) return 'offline';
          await this.send(entry);
        }
      } else {
        for (let entry = this.outbox.next(); entry; entry = this.outbox.next()) {
          if (!this.connectivity.online) return 'offline';
          await this.send(entry);
        }
      }
      if (!this.bugs.has('no-delta-download')) await this.download();
      if (!this.bugs.has('stale-dashboard')) await this.refreshDashboard();
      this.failures = 0;
      this.lastError = null;
      this.emit('synced');
      return 'done';
    } catch (e) {
      return this.transientFailure(e);
    }
  }

  transientFailure(e) {
    this.failures += 1;
    this.lastError = e && e.message ? e.message : String(e);
    if (this.bugs.has('give-up-after-retries') && this.failures >= GIVE_UP_AFTER) {
      this.gaveUp = true; // "stop hammering the server"; nothing restarts it but a relaunch
      this.emit('state');
      return 'gave-up';
    }
    if (!this.connectivity.online) return 'offline'; // the reconnection restarts the flush
    const delay = backoffDelay(this.failures, this.timers.backoff_base_ms, this.timers.backoff_max_ms, this.random);
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.clock.setTimeout(() => { this.retryTimer = null; this.requestSync('backoff'); }, delay);
    this.emit('backoff', delay);
    return 'backoff';
  }

  /** Send one entry until it is acknowledged or permanently refused;
   * throws on anything that should be retried later. */
  async send(entry) {
    let renewals = 0;
    // synced-on-send: "optimistic" indicator, cleared as the request leaves (and set back if it fails)
    const early = this.bugs.has('synced-on-send');
    for (;;) {
      const key = entry.key;
      let r;
      if (early) await this.markOptimistic(entry, 'synced');
      try {
        r = await this.api.authed(entry.method, entry.path, { body: entry.body, key });
      } catch (e) {
        if (early) await this.markOptimistic(entry, 'pending');
        await this.retryLater(entry, e.message);
        throw e;
      }
      if (early && !(r.status >= 200 && r.status < 300)) await this.markOptimistic(entry, 'pending');
      if (r.status >= 200 && r.status < 300) {
        await this.outbox.markSynced(key, r.data);
        await this.acknowledge(entry, r.data);
        return;
      }
      if (r.status === 401) {
        if (this.bugs.has('drop-on-401')) { // treated like any other client error
          await this.outbox.markFailed(key, 401, r.data && r.data.error);
          await this.markOptimistic(entry, 'failed');
          return;
        }
        if (renewals < 2) { renewals += 1; await this.api.renew(); continue; }
        await this.retryLater(entry, 'HTTP 401');
        throw new HttpError(401, r.data);
      }
      if (isPermanent(r.status)) {
        await this.outbox.markFailed(key, r.status, r.data && r.data.error);
        await this.markOptimistic(entry, 'failed');
        return;
      }
      await this.retryLater(entry, `HTTP ${r.status}`);
      throw new HttpError(r.status, r.data);
    }
  }

  async retryLater(entry, error) {
    await this.outbox.recordAttempt(entry.key, error);
    if (this.bugs.has('retry-new-key')) {
      // "requeue" the failed request: it comes back as a new entry key
      const oldKey = entry.key;
      const fresh = await this.outbox.rekey(oldKey);
      await this.relink(entry, oldKey, fresh.key);
    }
  }

  /** The server's copy of an acknowledged mutation replaces the optimistic one. */
  async acknowledge(entry, data) {
    const cid = entry.meta && entry.meta.contact_id;
    if (entry.kind === 'note' && data && data.note) await upsertNote(this.cache, cid, data.note, { bugs: this.bugs });
    else if (entry.kind === 'file' && data && data.file) await upsertFile(this.cache, cid, data.file);
    else if (entry.kind === 'opportunity' && data && data.opportunity) await upsertOpportunity(this.cache, data.opportunity);
    this.emit('ack', entry);
  }

  /** Set `_sync` on the optimistic note/file that belongs to `entry`. */
  markOptimistic(entry, state) {
    const list = entry.kind === 'note' ? 'notes' : entry.kind === 'file' ? 'files' : null;
    if (!list) return Promise.resolve();
    return this.cache.update(K.contact(entry.meta.contact_id), (d) => {
      if (!d) return d;
      for (const x of d[list] || []) if (x.client_key === entry.key && x._sync) x._sync = state;
      return d;
    });
  }

  relink(entry, oldKey, newKey) {
    const list = entry.kind === 'note' ? 'notes' : entry.kind === 'file' ? 'files' : null;
    if (!list) return Promise.resolve();
    return this.cache.update(K.contact(entry.meta.contact_id), (d) => {
      if (!d) return d;
      for (const x of d[list] || []) if (x.client_key === oldKey) x.client_key = newKey;
      return d;
    });
  }

  /** Download what changed on the server since the saved cursor. */
  async download() {
    let cursor = await this.cache.get(K.cursor);
    if (cursor === undefined || cursor === null) {
      // First sync on this device: everything cached so far was just
      // fetched, so start the feed at the server's current position.
      await rememberDashboard(this.cache, await this.api.get('/api/dashboard'));
      return;
    }
    for (let page = 0; page < 200; page++) {
      const r = await this.api.get(`/api/changes?since=${encodeURIComponent(cursor)}`);
      const changes = (r && r.changes) || [];
      await applyChanges(this.cache, changes, { bugs: this.bugs });
      const next = r && r.cursor !== undefined && r.cursor !== null ? r.cursor : cursor;
      await this.cache.put(K.cursor, next);
      if (!changes.length || next === cursor || r.has_more === false) return;
      cursor = next;
    }
  }

  async refreshDashboard() {
    const data = await this.api.get('/api/dashboard');
    await rememberDashboard(this.cache, data);
  }
}

/** Cache the dashboard; on the very first one also start the change-feed
 * cursor at the server's sequence, so the first sync does not download the
 * whole history. */
export async function rememberDashboard(cache, data) {
  await cache.put(K.dashboard, { ...data, fetched_at: Date.now() });
  if (data && data.as_of_seq !== undefined) {
    await cache.update(K.cursor, (c) => (c === undefined || c === null ? data.as_of_seq : c));
  }
}
