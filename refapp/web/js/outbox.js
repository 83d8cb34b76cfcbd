// outbox.js: the queue of mutations waiting for the server (R5, R9, R14,
// R15, R10, R22, R27).
// Why it looks like this: every mutation is written to persistent storage
// BEFORE the UI says "queued" (a kill must not lose it), gets its
// idempotency key exactly once at enqueue time (a retry after a lost
// response must be recognised by the server), and leaves in the order it
// was made (FIFO by a monotonic sequence number). Acknowledged entries stay
// for a while in state 'synced' so the outbox screen can show them.

import { Emitter, uuid as makeUuid } from './util.js';

const KEEP_SYNCED = 50;

export class Outbox extends Emitter {
  /** Load the persisted entries. */
  static async open(storage, { bugs = new Set(), uuid = makeUuid, now = () => Date.now() } = {}) {
    const box = new Outbox(storage, { bugs, uuid, now });
    for (const [seq, entry] of await storage.entries('outbox')) box.entries.set(seq, entry);
    box.nextSeq = Math.max(0, ...box.entries.keys()) + 1;
    return box;
  }

  constructor(storage, { bugs, uuid, now }) {
    super();
    this.storage = storage;
    this.bugs = bugs;
    this.uuid = uuid;
    this.now = now;
    this.entries = new Map(); // seq -> entry, insertion order == seq order
    this.nextSeq = 1;
  }

  /** Queue a mutation. Resolves once it is persisted. */
  async enqueue({ kind, method, path, body, meta = {} }) {
    const seq = this.nextSeq++;
    const entry = {
      seq, key: this.uuid(), kind, method, path, body, meta,
      state: 'pending', attempts: 0, created_at: this.now(), last_error: null, response: null,
    };
    await this.storage.put('outbox', seq, entry);
    this.entries.set(seq, entry);
    this.emit('enqueue', entry);
    return { ...entry };
  }

  /** Every entry in the order made. */
  list() { return [...this.entries.values()].map((e) => ({ ...e })); }
  pending() { return this.list().filter((e) => e.state === 'pending'); }
  pendingCount() { return this.pending().length; }
  byKey(key) { const e = this.find(key); return e ? { ...e } : null; }
  find(key) { for (const e of this.entries.values()) if (e.key === key) return e; return null; }

  /** The entry to send next: the oldest pending one. */
  next() {
    const p = this.pending();
    if (!p.length) return null;
    if (this.bugs.has('outbox-lifo')) return p[p.length - 1]; // "most recent first feels snappier"
    return p[0];
  }

  async patch(key, fields) {
    const e = this.find(key);
    if (!e) return null;
    Object.assign(e, fields);
    await this.storage.put('outbox', e.seq, e);
    this.emit('update', { ...e });
    return { ...e };
  }

  recordAttempt(key, error) {
    const e = this.find(key);
    return this.patch(key, { attempts: (e ? e.attempts : 0) + 1, last_error: error || null });
  }

  /** Only used by the `retry-new-key` bug: the entry is re-created for the
   * retry, with a fresh key, as a naive "requeue" would do. */
  rekey(key) { return this.patch(key, { key: this.uuid() }); }

  async markSynced(key, response) {
    const e = await this.patch(key, { state: 'synced', response, synced_at: this.now(), last_error: null });
    await this.prune();
    return e;
  }

  markFailed(key, status, detail) {
    return this.patch(key, { state: 'failed', last_error: `${status}${detail ? ` ${detail}` : ''}` });
  }

  /** Forget all but the newest KEEP_SYNCED acknowledged entries. */
  async prune() {
    const synced = [...this.entries.values()].filter((e) => e.state === 'synced');
    for (const e of synced.slice(0, Math.max(0, synced.length - KEEP_SYNCED))) {
      this.entries.delete(e.seq);
      await this.storage.delete('outbox', e.seq);
    }
  }
}
