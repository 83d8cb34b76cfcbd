// The app's web storage copied out of the page and written back: IndexedDB (schema and records), localStorage,
// sessionStorage and Cache Storage. Run through WebDriver's execute_async_script on a page of the app's origin:
//   save:    arguments = ["save", done]                 -> done({ok, storage})
//   restore: arguments = ["restore", storage, done]     -> done({ok, counts})
//   probe:   arguments = ["probe", done]                -> done({ok, kept: {workers, caches}})
// A saved storage also names what a restore may keep instead of rewriting (``kept``): the service worker
// registrations (scope, active script, settled: active with nothing installing or waiting) and a digest of Cache
// Storage (each entry's request, status, headers but Date, and body: a shell refreshed in the background with the
// same bytes is the same shell). A restore given ``caches: null`` leaves Cache Storage as it is.
// Values are structured-clone data; they cross to Python as JSON with a type tag each, so dates, binary data,
// blobs, maps and sets come back as what they were. Opaque cache entries (status 0) cannot be rebuilt and are
// reported, not copied.
const done = arguments[arguments.length - 1];
const mode = arguments[0];

const b64 = (buf) => {
  const bytes = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });

async function enc(v) {
  if (v === undefined) return { t: "u" };
  if (v === null || typeof v === "boolean" || typeof v === "string") return { t: "v", v };
  if (typeof v === "number") return Number.isFinite(v) ? { t: "v", v } : { t: "n", v: String(v) };
  if (typeof v === "bigint") return { t: "bi", v: String(v) };
  if (v instanceof Date) return { t: "d", v: v.getTime() };
  if (Array.isArray(v)) return { t: "a", v: await Promise.all(v.map(enc)) };
  if (v instanceof ArrayBuffer) return { t: "ab", v: b64(v) };
  if (ArrayBuffer.isView(v)) return { t: "ta", k: v.constructor.name, v: b64(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)) };
  if (v instanceof Blob) return { t: "b", type: v.type, name: v.name || null, v: b64(await v.arrayBuffer()) };
  if (v instanceof Map) return { t: "m", v: await Promise.all([...v].map(async ([k, x]) => [await enc(k), await enc(x)])) };
  if (v instanceof Set) return { t: "s", v: await Promise.all([...v].map(enc)) };
  const o = {};
  for (const k of Object.keys(v)) o[k] = await enc(v[k]);
  return { t: "o", v: o };
}

function dec(x) {
  switch (x.t) {
    case "u": return undefined;
    case "v": return x.v;
    case "n": return Number(x.v);
    case "bi": return BigInt(x.v);
    case "d": return new Date(x.v);
    case "a": return x.v.map(dec);
    case "ab": return unb64(x.v).buffer;
    case "ta": return new globalThis[x.k](unb64(x.v).buffer);
    case "b": return x.name ? new File([unb64(x.v)], x.name, { type: x.type }) : new Blob([unb64(x.v)], { type: x.type });
    case "m": return new Map(x.v.map(([k, v]) => [dec(k), dec(v)]));
    case "s": return new Set(x.v.map(dec));
    default: { const o = {}; for (const k of Object.keys(x.v)) o[k] = dec(x.v[k]); return o; }
  }
}

const open = (name, version, upgrade) => new Promise((res, rej) => {
  const r = version ? indexedDB.open(name, version) : indexedDB.open(name);
  if (upgrade) r.onupgradeneeded = () => upgrade(r.result);
  r.onsuccess = () => res(r.result);
  r.onerror = () => rej(r.error);
  r.onblocked = () => rej(new Error(`indexedDB ${name} blocked`));
});

// cyrb53 over a byte array, seeded: a fast 53-bit digest that needs no secure context (crypto.subtle may be absent)
function digest(bytes, seed) {
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 2654435761);
    h2 = Math.imul(h2 ^ bytes[i], 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

async function kept() {
  const workers = !('serviceWorker' in navigator) ? [] : (await navigator.serviceWorker.getRegistrations()).map((r) => ({
    scope: r.scope, script: r.active ? r.active.scriptURL : null, settled: !!r.active && !r.installing && !r.waiting,
  })).sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
  const lines = [];
  for (const name of (await caches.keys()).sort()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      const body = response ? new Uint8Array(await response.arrayBuffer()) : new Uint8Array(0);
      lines.push(JSON.stringify([name, request.url, request.method, response && response.status, response && response.statusText,
                                 response ? [...response.headers].filter(([k]) => k !== "date") : null, body.length, digest(body, 1), digest(body, 2)]));
    }
  }
  return { workers, caches: digest(new TextEncoder().encode(lines.sort().join("\n")), 0) + `:${lines.length}` };
}

async function save() {
  const storage = { idb: [], local: {}, session: {}, caches: [], skipped: [] };
  for (let i = 0; i < localStorage.length; i++) storage.local[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
  for (let i = 0; i < sessionStorage.length; i++) storage.session[sessionStorage.key(i)] = sessionStorage.getItem(sessionStorage.key(i));
  for (const info of await indexedDB.databases()) {
    const db = await open(info.name);
    const stores = [];
    for (const name of Array.from(db.objectStoreNames)) {
      const st = db.transaction(name, "readonly").objectStore(name);
      const [keys, values] = await Promise.all([req(st.getAllKeys()), req(st.getAll())]);
      stores.push({
        name, keyPath: st.keyPath, autoIncrement: st.autoIncrement,
        indexes: Array.from(st.indexNames).map((n) => { const ix = st.index(n); return { name: n, keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry }; }),
        records: await Promise.all(keys.map(async (k, i) => [await enc(k), await enc(values[i])])),
      });
    }
    storage.idb.push({ name: info.name, version: db.version, stores });
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    const entries = [];
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      if (!response || response.status === 0) { storage.skipped.push(request.url); continue; }
      entries.push({ url: request.url, method: request.method, status: response.status, statusText: response.statusText,
                     headers: [...response.headers], body: b64(await response.arrayBuffer()) });
    }
    storage.caches.push({ name, entries });
  }
  storage.kept = await kept();
  return storage;
}

async function restore(storage) {
  const counts = { idb_records: 0, local: 0, session: 0, cache_entries: 0 };
  // from empty, whatever the device cleared before (Cache Storage is left when the restore says caches: null)
  localStorage.clear();
  sessionStorage.clear();
  if (storage.caches !== null) for (const name of await caches.keys()) await caches.delete(name);
  for (const [k, v] of Object.entries(storage.local)) { localStorage.setItem(k, v); counts.local++; }
  for (const [k, v] of Object.entries(storage.session)) { sessionStorage.setItem(k, v); counts.session++; }
  for (const d of storage.idb) {
    const db = await open(d.name, d.version, (up) => {
      for (const s of d.stores) {
        const st = up.createObjectStore(s.name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement });
        for (const ix of s.indexes) st.createIndex(ix.name, ix.keyPath, { unique: ix.unique, multiEntry: ix.multiEntry });
      }
    });
    for (const s of d.stores) {
      if (!s.records.length) continue;
      const tx = db.transaction(s.name, "readwrite");
      const st = tx.objectStore(s.name);
      for (const [k, v] of s.records) {
        if (s.keyPath === null) st.put(dec(v), dec(k)); else st.put(dec(v));
        counts.idb_records++;
      }
      await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); tx.onabort = () => rej(tx.error); });
    }
    db.close();
  }
  for (const c of storage.caches || []) {
    const cache = await caches.open(c.name);
    for (const e of c.entries) {
      const body = [101, 204, 205, 304].includes(e.status) ? null : unb64(e.body);
      await cache.put(new Request(e.url, { method: e.method }),
                      new Response(body, { status: e.status, statusText: e.statusText, headers: e.headers }));
      counts.cache_entries++;
    }
  }
  return counts;
}

(mode === "save" ? save().then((storage) => ({ ok: true, storage }))
  : mode === "probe" ? kept().then((k) => ({ ok: true, kept: k }))
  : restore(arguments[1]).then((counts) => ({ ok: true, counts })))
  .then(done, (e) => done({ ok: false, error: String((e && e.stack) || e) }));
