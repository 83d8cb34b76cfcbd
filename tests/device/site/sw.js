// Forwards /api/ requests with fetch(): proves offline emulation reaches workers.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => { if (e.request.url.includes('/api/')) e.respondWith(fetch(e.request)); });
