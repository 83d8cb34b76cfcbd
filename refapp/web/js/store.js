// store.js: persistence behind one small interface, so the cache and the
// outbox work the same on IndexedDB (the browser, survives a kill) and in
// memory (node tests, and the `outbox-in-memory` bug).
//
// Storage interface (all async):
//   get(store, key) -> value | undefined
//   put(store, key, value)
//   delete(store, key)
//   entries(store) -> [[key, value], ...] in key order (numbers ascending)
// Stores: 'cache' (string keys) and 'outbox' (numeric sequence keys).

import { Emitter } from './util.js';

export const STORES = ['cache', 'outbox'];

function compareKeys(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1; // IndexedDB orders numbers before strings
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Values are deep-copied on the way in and out, like IndexedDB's
 * structured clone, so callers cannot mutate stored state by accident. */
const clone = (v) => (v === undefined ? undefined : structuredClone(v));

export class MemoryStorage {
  constructor() { this.data = new Map(STORES.map((s) => [s, new Map()])); }
  async get(store, key) { return clone(this.data.get(store).get(key)); }
  async put(store, key, value) { this.data.get(store).set(key, clone(value)); }
  async delete(store, key) { this.data.get(store).delete(key); }
  async entries(store) {
    return [...this.data.get(store).entries()].sort((a, b) => compareKeys(a[0], b[0])).map(([k, v]) => [k, clone(v)]);
  }
}

export class IdbStorage {
  static open(name = 'refapp') {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        for (const s of STORES) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
      };
      req.onsuccess = () => resolve(new IdbStorage(req.result));
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('IndexedDB open blocked'));
    });
  }
  constructor(db) { this.db = db; }
  tx(store, mode, fn) {
    return new Promise((resolve, reject) => {
      const t = this.db.transaction(store, mode);
      const out = fn(t.objectStore(store));
      t.oncomplete = () => resolve(out && 'result' in out ? out.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('transaction aborted'));
    });
  }
  get(store, key) { return this.tx(store, 'readonly', (s) => s.get(key)); }
  put(store, key, value) { return this.tx(store, 'readwrite', (s) => { s.put(value, key); }); }
  delete(store, key) { return this.tx(store, 'readwrite', (s) => { s.delete(key); }); }
  entries(store) {
    return new Promise((resolve, reject) => {
      const t = this.db.transaction(store, 'readonly');
      const os = t.objectStore(store);
      const keys = os.getAllKeys();
      const vals = os.getAll();
      t.oncomplete = () => resolve(keys.result.map((k, i) => [k, vals.result[i]]));
      t.onerror = () => reject(t.error);
    });
  }
}

/**
 * The read cache: named JSON documents in the 'cache' store. Updates are
 * serialised through one queue so a view saving a fetched page and the sync
 * engine applying the change feed never lose each other's writes.
 * Emits (key) after every write.
 */
export class Cache extends Emitter {
  constructor(storage) { super(); this.storage = storage; this.queue = Promise.resolve(); }
  get(key) { return this.queue.then(() => this.storage.get('cache', key)); }
  /** fn(old) -> new value (undefined: delete). Returns the new value. */
  update(key, fn) {
    const run = this.queue.then(async () => {
      const old = await this.storage.get('cache', key);
      const next = await fn(old);
      if (next === undefined) await this.storage.delete('cache', key);
      else await this.storage.put('cache', key, next);
      return next;
    });
    this.queue = run.catch(() => {});
    return run.then((v) => { this.emit(key); return v; });
  }
  put(key, value) { return this.update(key, () => value); }
  async keys(prefix) {
    await this.queue;
    return (await this.storage.entries('cache')).map(([k]) => k).filter((k) => String(k).startsWith(prefix));
  }
}

/** Cache key names: one place, so views, sync and search agree. */
export const K = {
  dashboard: 'dashboard',
  contactList: 'contacts:list',
  contact: (id) => `contact:${id}`,
  conversations: 'conversations',
  thread: (id) => `thread:${id}`,
  day: (date) => `appointments:${date}`,
  opportunity: (id) => `opportunity:${id}`,
  workflows: 'workflows',
  cursor: 'changes:cursor',
};
