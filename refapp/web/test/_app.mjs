// _app.mjs: wires the client's real modules together over the fakes, the
// same way js/app.js does in the browser, minus the DOM.
import { FakeClock, FakeServer, settle } from './_fakes.mjs';
import { MemoryStorage, Cache } from '../js/store.js';
import { Outbox } from '../js/outbox.js';
import { Api, TokenStore } from '../js/api.js';
import { Connectivity } from '../js/connectivity.js';
import { SyncEngine } from '../js/sync.js';
import { Mutations } from '../js/mutations.js';
import { K } from '../js/store.js';

export const TIMERS = { probe_ms: 500, heartbeat_ms: 2000, request_timeout_ms: 1000, backoff_base_ms: 100, backoff_max_ms: 1600 };

export async function makeApp({ bugs = [], storage = new MemoryStorage(), server, clock, random = () => 0.5, online = true } = {}) {
  clock = clock || new FakeClock();
  server = server || new FakeServer(clock);
  const bugSet = new Set(bugs);
  const cache = new Cache(storage);
  const outbox = await Outbox.open(storage, { bugs: bugSet, now: clock.now });
  let connectivity;
  const api = new Api({
    fetch: server.fetch, clock, timeoutMs: TIMERS.request_timeout_ms, tokens: new TokenStore(null),
    onNetworkFailure: () => connectivity.requestFailed(),
  });
  connectivity = new Connectivity({
    probe: async () => { const r = await api.raw('GET', '/api/health'); return r.status === 200; },
    timers: TIMERS, bugs: bugSet, clock, initialOnline: online,
  });
  const sync = new SyncEngine({ api, outbox, cache, connectivity, timers: TIMERS, bugs: bugSet, clock, random });
  connectivity.subscribe((state) => { if (state === 'online') sync.requestSync('online'); });
  connectivity.start();
  const mutations = new Mutations({ outbox, cache, sync });
  // a cached contact so optimistic notes have a home
  await cache.put(K.contact('c1'), { contact: { id: 'c1', name: 'Ann' }, activity: [], notes: [], opportunities: [], files: [] });
  return { clock, server, storage, cache, outbox, api, connectivity, sync, mutations, settle };
}
