import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSettings, loadClientConfig, TIMER_DEFAULTS } from '../js/config.js';
import { Api, TokenStore } from '../js/api.js';
import { NetworkError } from '../js/util.js';
import { FakeClock, FakeServer } from './_fakes.mjs';

class LS { constructor() { this.m = new Map(); } getItem(k) { return this.m.has(k) ? this.m.get(k) : null; } setItem(k, v) { this.m.set(k, String(v)); } }

test('timers from the URL persist and survive a relaunch without them', () => {
  const ls = new LS();
  const a = readSettings('?probe_ms=200&backoff_base_ms=50&queue_messages=0&junk=1', ls);
  assert.equal(a.timers.probe_ms, 200);
  assert.equal(a.timers.heartbeat_ms, TIMER_DEFAULTS.heartbeat_ms);
  assert.equal(a.queueMessagesParam, false);
  const b = readSettings('', ls);
  assert.deepEqual(b.timers, a.timers);
  assert.equal(b.queueMessagesParam, false);
  const c = readSettings('?probe_ms=abc', new LS());
  assert.equal(c.timers.probe_ms, TIMER_DEFAULTS.probe_ms);
});

test('client config: bugs from the server, last copy used offline', async () => {
  const ls = new LS();
  const a = await loadClientConfig({ fetchJson: async () => ({ bugs: ['outbox-lifo'], queue_messages: true }), ls, queueMessagesParam: null });
  assert.ok(a.bugs.has('outbox-lifo'));
  const b = await loadClientConfig({ fetchJson: async () => { throw new Error('offline'); }, ls, queueMessagesParam: false });
  assert.ok(b.bugs.has('outbox-lifo'));
  assert.equal(b.queueMessages, false);
});

test('a request with no answer within the timeout is a NetworkError and reported', async () => {
  const clock = new FakeClock();
  const server = new FakeServer(clock);
  server.mode = 'hang';
  let failures = 0;
  const api = new Api({ fetch: server.fetch, clock, timeoutMs: 1000, tokens: new TokenStore(null), onNetworkFailure: () => { failures += 1; } });
  const p = api.raw('GET', '/api/health');
  let err;
  p.catch((e) => { err = e; });
  await clock.advance(999);
  assert.equal(err, undefined);
  await clock.advance(1);
  assert.ok(err instanceof NetworkError && err.timeout);
  assert.equal(failures, 1);
});

test('a captive portal page answering an API call is no path, not data', async () => {
  const clock = new FakeClock();
  const server = new FakeServer(clock);
  let failures = 0;
  const api = new Api({ fetch: server.fetch, clock, timeoutMs: 1000, tokens: new TokenStore(null), onNetworkFailure: () => { failures += 1; } });
  await api.login();
  server.mode = 'portal';
  await assert.rejects(api.get('/api/contacts/1'), (e) => e instanceof NetworkError && /captive portal/.test(e.message));
  assert.equal(failures, 1);
  server.mode = 'up';
  assert.ok((await api.get('/api/dashboard')).widgets);
});

test('reads retry once after a 401 with a refreshed token', async () => {
  const clock = new FakeClock();
  const server = new FakeServer(clock);
  const api = new Api({ fetch: server.fetch, clock, timeoutMs: 1000, tokens: new TokenStore(null) });
  await api.login();
  server.tokens.clear();
  const d = await api.get('/api/dashboard');
  assert.ok(d.widgets);
  assert.equal(server.refreshCount, 1);
});
