// app.js: boot and wiring. Reads the settings, opens storage, builds the
// api / connectivity / outbox / sync objects, connects browser events to
// them, draws the shell (banner, sync status, nav) and starts the router.
// Everything offline-relevant lives in the modules it wires; this file
// only decides who listens to whom.

import { readSettings, loadClientConfig } from './config.js';
import { Api, TokenStore } from './api.js';
import { IdbStorage, MemoryStorage, Cache } from './store.js';
import { Outbox } from './outbox.js';
import { Connectivity } from './connectivity.js';
import { SyncEngine } from './sync.js';
import { Mutations } from './mutations.js';
import { Router } from './router.js';
import { h, T, setText } from './dom.js';
import { prefetchCalendar } from './views/calendar.js';
import * as dashboard from './views/dashboard.js';
import * as contacts from './views/contacts.js';
import * as contact from './views/contact.js';
import * as conversations from './views/conversations.js';
import * as thread from './views/thread.js';
import * as calendar from './views/calendar.js';
import * as opportunity from './views/opportunity.js';
import * as search from './views/search.js';
import * as workflows from './views/workflows.js';
import * as payments from './views/payments.js';
import * as outboxView from './views/outbox.js';

const VIEWS = { dashboard, contacts, contact, conversations, thread, calendar, opportunity, search, workflows, payments, outbox: outboxView };

async function boot() {
  const body = document.body;
  body.dataset.appState = 'booting';
  const settings = readSettings(location.search, localStorage);
  const { timers } = settings;

  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('service worker', e));

  const fetchFn = window.fetch.bind(window);
  let conn = null;
  const api = new Api({
    fetch: fetchFn, timeoutMs: timers.request_timeout_ms, tokens: new TokenStore(localStorage),
    onNetworkFailure: () => conn && conn.requestFailed(),
  });
  const cfg = await loadClientConfig({
    fetchJson: async (path) => { const r = await api.raw('GET', path); if (r.status !== 200) throw new Error(`HTTP ${r.status}`); return r.data; },
    ls: localStorage, queueMessagesParam: settings.queueMessagesParam,
  });
  const bugs = cfg.bugs;
  settings.queueMessages = cfg.queueMessages;

  let storage;
  try { storage = await IdbStorage.open(); } catch (e) { console.error('IndexedDB unavailable, using memory', e); storage = new MemoryStorage(); }
  const cache = new Cache(storage);
  // outbox-in-memory: "persisting the queue can come later"
  const outbox = await Outbox.open(bugs.has('outbox-in-memory') ? new MemoryStorage() : storage, { bugs });

  conn = new Connectivity({
    probe: async () => { const r = await api.raw('GET', '/api/health'); return r.status === 200 && !!(r.data && r.data.ok); },
    timers, bugs, initialOnline: navigator.onLine && cfg.fromNetwork,
  });
  const sync = new SyncEngine({ api, outbox, cache, connectivity: conn, timers, bugs });
  const mutations = new Mutations({ outbox, cache, sync });

  // ---- shell -----------------------------------------------------------------
  const syncStatus = h('span', { ...T('sync-status', 'Sync status'), class: 'sync-status', role: 'status', 'data-pending': '0' }, 'All changes synced');
  const header = h('header', { class: 'topbar' }, h('a', { class: 'brand', href: '#/dashboard' }, 'RefCRM'), syncStatus);
  const banner = h('div', { ...T('offline-banner', 'Offline'), class: 'offline-banner', role: 'alert' },
    h('strong', null, 'You are offline.'), ' Some features are limited until the connection is back.');
  const main = h('main', { id: 'screen' });
  const NAV = [['dashboard', 'Home', '⌂'], ['contacts', 'Contacts', '☺'], ['conversations', 'Inbox', '✉'], ['calendar', 'Calendar', '▦'],
    ['search', 'Search', '⌕'], ['workflows', 'Flows', '⚙'], ['outbox', 'Outbox', '⇅']];
  const navLinks = NAV.map(([name, label, icon]) => h('a', { ...T(`nav-${name}`, label), href: `#/${name}`, class: 'tab', 'data-route': name },
    h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, icon), h('span', { class: 'tab-label' }, label)));
  const nav = h('nav', { class: 'tabbar', 'aria-label': 'Main' }, navLinks);
  body.replaceChildren(header, main, nav);

  function renderConnectivity() {
    body.dataset.connectivity = conn.state;
    if (conn.state === 'offline') { if (!banner.isConnected) header.after(banner); }
    else if (!bugs.has('sticky-banner')) banner.remove(); // sticky-banner: the banner is never taken down
  }
  function renderSyncStatus() {
    const n = outbox.pendingCount();
    syncStatus.dataset.pending = String(n);
    setText(syncStatus, n === 0 ? 'All changes synced' : sync.syncing && conn.online ? 'Syncing…' : `${n} pending`);
    syncStatus.classList.toggle('has-pending', n > 0);
    const failed = outbox.list().filter((e) => e.state === 'failed').length;
    syncStatus.dataset.failed = String(failed);
  }

  let errorShown = false;
  function showError(message) {
    errorShown = true;
    main.replaceChildren(h('div', { ...T('error-page', 'Error'), class: 'error-page', role: 'alert' },
      h('h2', null, 'Something went wrong'), h('p', null, String(message)),
      h('button', { class: 'btn', onclick: () => { errorShown = false; router.show(); } }, 'Try again')));
  }

  const ctx = {
    api, cache, outbox, sync, conn, mutations, bugs, settings, timers,
    navigate: (hash) => { location.hash = hash; },
    showError,
  };
  window.refapp = ctx; // for debugging from the console

  const router = new Router({
    root: main, views: VIEWS, ctx,
    onError: (e) => { console.error(e); showError(e && e.message ? e.message : e); },
    onRoute: (route) => {
      errorShown = false;
      for (const a of navLinks) {
        const active = route.name === a.dataset.route || (a.dataset.route === 'contacts' && ['contact', 'opportunity', 'payments'].includes(route.name))
          || (a.dataset.route === 'conversations' && route.name === 'thread');
        if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
      }
    },
  });

  // Redraw the current screen after data changes, coalesced.
  let pending = null;
  const refresh = () => {
    renderSyncStatus();
    if (pending || errorShown) return;
    pending = setTimeout(async () => { pending = null; await router.update(); }, 40);
  };
  cache.subscribe(refresh);
  outbox.subscribe(refresh);
  sync.subscribe(refresh);

  conn.subscribe(async (state) => {
    // Redraw the screen for the new state first, then flip the banner and
    // body[data-connectivity]: whoever sees "offline" there also sees the
    // screen's offline form (disabled actions, messages).
    await Promise.race([router.update(), new Promise((r) => setTimeout(r, 500))]);
    renderConnectivity();
    renderSyncStatus();
    if (state === 'online') {
      sync.requestSync('online');
      prefetchCalendar(ctx).catch(() => {});
    }
  });
  window.addEventListener('offline', () => conn.osOffline());
  window.addEventListener('online', () => conn.osOnline());
  const foreground = () => {
    if (document.visibilityState !== 'visible') return;
    if (bugs.has('no-sync-on-foreground')) return; // "the timers will catch up"
    conn.checkNow('foreground').then(() => sync.requestSync('foreground'));
  };
  document.addEventListener('visibilitychange', foreground);
  document.addEventListener('resume', foreground);
  window.addEventListener('pageshow', (e) => { if (e.persisted) foreground(); });

  renderConnectivity();
  renderSyncStatus();
  conn.start();

  if (conn.online) {
    try {
      await api.ensureFreshToken(); // first launch: log in as the demo user
      await prefetchCalendar(ctx);
    } catch (e) { console.warn('launch prefetch', e); }
  } else {
    conn.checkNow('launch');
  }
  await router.start();
  body.dataset.appState = 'ready';
  sync.requestSync('launch');
}

boot().catch((e) => {
  console.error(e);
  document.body.dataset.appState = 'ready';
  document.body.replaceChildren(h('div', { ...T('error-page', 'Error'), class: 'error-page', role: 'alert' },
    h('h2', null, 'The app could not start'), h('p', null, String(e && e.message ? e.message : e))));
});
