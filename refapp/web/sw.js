// sw.js: the service worker. It keeps the app shell (page, styles,
// modules) and /client-config.json in Cache Storage so that a relaunch
// while offline still opens the app (R27). It never answers /api/* or
// /_admin/*: those requests go straight to the network, so the app's own
// timeout, offline detection and outbox stay in charge of them.
// The page and /client-config.json are network-first with a short timeout
// (the backend may have been restarted with another bug list), then cache.
// That timeout is the app's request timeout when the launch names one
// (`request_timeout_ms` in the page's query, a scenario's timers), so a
// relaunch on a dead link waits as long as any request of the app does.
// Styles and modules under /web/ are served from the cache at once and
// refreshed in the background (stale-while-revalidate): on a half-open link
// a network-first module graph would cost one timeout per import level.

const CACHE = 'refapp-shell-v1';
const SHELL = [
  '/', '/web/app.css', '/client-config.json',
  '/web/js/app.js', '/web/js/api.js', '/web/js/changes.js', '/web/js/config.js', '/web/js/connectivity.js',
  '/web/js/dom.js', '/web/js/mutations.js', '/web/js/outbox.js', '/web/js/router.js', '/web/js/store.js',
  '/web/js/sync.js', '/web/js/util.js',
  '/web/js/views/common.js', '/web/js/views/dashboard.js', '/web/js/views/contacts.js', '/web/js/views/contact.js',
  '/web/js/views/conversations.js', '/web/js/views/thread.js', '/web/js/views/calendar.js', '/web/js/views/opportunity.js',
  '/web/js/views/search.js', '/web/js/views/workflows.js', '/web/js/views/payments.js', '/web/js/views/outbox.js',
];
const DEFAULT_NETWORK_TIMEOUT_MS = 3000;
let networkTimeoutMs = DEFAULT_NETWORK_TIMEOUT_MS;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // one by one: a missing file must not make the whole install fail
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

function isShell(url) {
  if (url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/_admin')) return false;
  return url.pathname === '/' || url.pathname === '/index.html' || url.pathname === '/client-config.json'
    || url.pathname.startsWith('/web/');
}

async function networkFirst(request, cacheKey) {
  const cache = await caches.open(CACHE);
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), networkTimeoutMs);
  try {
    const res = await fetch(request, { signal: ctrl.signal, cache: 'no-store' });
    if (res.ok) await cache.put(cacheKey, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(cacheKey, { ignoreSearch: true });
    if (hit) return hit;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

async function staleWhileRevalidate(event, request, cacheKey) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(cacheKey);
  const refresh = fetch(request, { cache: 'no-store' }).then(async (res) => {
    if (res.ok) await cache.put(cacheKey, res.clone());
    return res;
  });
  if (hit) {
    event.waitUntil(refresh.catch(() => {}));
    return hit;
  }
  return refresh;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!isShell(url)) return; // /api/* and everything else: not intercepted
  if (url.pathname.startsWith('/web/')) { event.respondWith(staleWhileRevalidate(event, request, url.pathname)); return; }
  if (request.mode === 'navigate') {
    const given = Number(url.searchParams.get('request_timeout_ms'));
    if (given > 0) networkTimeoutMs = given;
  }
  const key = request.mode === 'navigate' || url.pathname === '/index.html' ? '/' : url.pathname;
  event.respondWith(networkFirst(request, key));
});
