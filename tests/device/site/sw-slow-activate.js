// A worker whose activation takes a while (a real app's activate handler migrates its caches): the page's
// serviceWorker.ready comes while it is still "activating".
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(new Promise((resolve) => setTimeout(resolve, 1500))));
