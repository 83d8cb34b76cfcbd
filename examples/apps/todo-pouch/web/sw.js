// sw.js: keeps the app shell (page, script, styles, the PouchDB bundle) in Cache Storage so that a relaunch
// while offline still opens the app. It never answers /db/ or /health: those go to the network, so the
// app's own timeouts and offline detection stay in charge. The shell is network-first with a short timeout:
// the app's request timeout when the launch names one (`request_timeout_ms` in the page's query), so a
// relaunch on a dead link waits as long as any request of the app does.
const CACHE = 'todo-pouch-shell-v1';
const SHELL = ['/', '/app.js', '/app.css', '/vendor/pouchdb.min.js'];
const DEFAULT_NETWORK_TIMEOUT_MS = 3000;
let networkTimeoutMs = DEFAULT_NETWORK_TIMEOUT_MS;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(SHELL.map((url) => cache.add(new Request(url, { cache: 'no-store' })).catch(() => {})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

function shellKey(url) {
  if (url.origin !== self.location.origin) return null;
  if (url.pathname === '/' || url.pathname === '/index.html') return '/';
  return SHELL.includes(url.pathname) ? url.pathname : null;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const key = event.request.method === 'GET' ? shellKey(url) : null;
  if (!key) return;
  if (event.request.mode === 'navigate') {
    const given = Number(url.searchParams.get('request_timeout_ms'));
    if (given > 0) networkTimeoutMs = given;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), networkTimeoutMs);
    try {
      const res = await fetch(event.request, { signal: ctrl.signal, cache: 'no-store' });
      if (res.ok) await cache.put(key, res.clone());
      return res;
    } catch (e) {
      const hit = await cache.match(key);
      if (hit) return hit;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  })());
});
