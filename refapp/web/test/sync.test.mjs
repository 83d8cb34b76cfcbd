import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeApp, TIMERS } from './_app.mjs';
import { settle } from './_fakes.mjs';
import { backoffDelay } from '../js/sync.js';
import { K } from '../js/store.js';

const notesSent = (server) => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/notes'));

async function queueOffline(app, texts) {
  app.server.mode = 'down';
  app.connectivity.osOffline();
  for (const t of texts) await app.mutations.addNote('c1', t);
  await settle();
}

test('queued notes reach the server once each, in order, after reconnection', async () => {
  const app = await makeApp();
  await queueOffline(app, ['one', 'two', 'three']);
  assert.equal(app.outbox.pendingCount(), 3);
  assert.equal(notesSent(app.server).length, 0);
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms); // the probe notices, then the flush runs
  assert.equal(app.connectivity.state, 'online');
  assert.deepEqual(app.server.applied.map((a) => a.body.text), ['one', 'two', 'three']);
  assert.equal(new Set(app.server.applied.map((a) => a.key)).size, 3);
  assert.equal(app.outbox.pendingCount(), 0);
  const d = await app.cache.get(K.contact('c1'));
  assert.deepEqual(d.notes.map((n) => [n.text, n._sync]), [['one', undefined], ['two', undefined], ['three', undefined]]);
});

test('a retry after a lost response reuses the key, so the server applies it once', async () => {
  const app = await makeApp();
  await queueOffline(app, ['lost']);
  const key = app.outbox.pending()[0].key;
  app.server.mode = 'up';
  app.server.nextMutation({ dropResponse: true });
  await app.clock.advance(TIMERS.probe_ms); // flush: applied, response lost -> offline
  assert.equal(app.connectivity.state, 'offline');
  assert.equal(app.outbox.pendingCount(), 1);
  await app.clock.advance(TIMERS.probe_ms); // back, retry
  const sent = notesSent(app.server);
  assert.equal(sent.length, 2);
  assert.deepEqual(sent.map((r) => r.key), [key, key]);
  assert.equal(app.server.applied.length, 1);
  assert.equal(app.outbox.pendingCount(), 0);
});

test('retry-new-key bug: the retry carries a different key', async () => {
  const app = await makeApp({ bugs: ['retry-new-key'] });
  await queueOffline(app, ['lost']);
  app.server.mode = 'up';
  app.server.nextMutation({ dropResponse: true });
  await app.clock.advance(TIMERS.probe_ms);
  await app.clock.advance(TIMERS.probe_ms);
  const sent = notesSent(app.server);
  assert.equal(sent.length, 2);
  assert.notEqual(sent[0].key, sent[1].key);
  assert.equal(app.server.applied.length, 2); // duplicated
});

test('expired token: renewed before the flush; a 401 refreshes and retries, never drops', async () => {
  const app = await makeApp();
  await app.api.login();
  await queueOffline(app, ['a', 'b']);
  app.server.expireAllTokens();
  app.clock.t += 3600 * 1000; // the outage outlived the token
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  assert.deepEqual(app.server.applied.map((a) => a.body.text), ['a', 'b']);
  assert.equal(app.server.refreshCount, 1, 'renewed before flushing');
  assert.equal(app.server.requests.filter((r) => r.path.endsWith('/notes')).length, 2, 'no request wasted on a 401');

  // a token revoked server-side while the client thinks it is fresh -> 401 -> refresh -> retry
  await app.mutations.addNote('c1', 'c');
  app.server.expireAllTokens();
  app.server.tokens.clear();
  app.server.refreshTokens.clear();
  await app.mutations.addNote('c1', 'd');
  await app.sync.requestSync('test');
  await settle();
  assert.deepEqual(app.server.applied.map((a) => a.body.text), ['a', 'b', 'c', 'd']);
  assert.equal(app.outbox.list().filter((e) => e.state !== 'synced').length, 0);
});

test('drop-on-401 bug: a 401 marks the entry failed and it never reaches the server', async () => {
  const app = await makeApp({ bugs: ['drop-on-401'] });
  await app.api.login();
  await queueOffline(app, ['a']);
  app.server.expireAllTokens();
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  assert.equal(app.server.applied.length, 0);
  assert.equal(app.outbox.list()[0].state, 'failed');
});

test('a permanent 4xx marks the entry failed (kept, visible) and the queue moves on', async () => {
  const app = await makeApp();
  await queueOffline(app, ['bad', 'good']);
  app.server.nextMutation({ status: 422 });
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  assert.deepEqual(app.outbox.list().map((e) => [e.body.text, e.state]), [['bad', 'failed'], ['good', 'synced']]);
  const d = await app.cache.get(K.contact('c1'));
  assert.equal(d.notes.find((n) => n.text === 'bad')._sync, 'failed');
});

test('5xx and 429 keep the entry and retry after a backoff within bounds', async () => {
  const app = await makeApp({ random: () => 1 });
  await app.api.login();
  await queueOffline(app, ['x']);
  app.server.nextMutation({ status: 503 });
  app.server.nextMutation({ status: 429 });
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  assert.equal(app.outbox.pendingCount(), 1);
  const delays = app.clock.pending();
  assert.ok(delays.includes(backoffDelay(1, TIMERS.backoff_base_ms, TIMERS.backoff_max_ms, () => 1)), `timers ${delays}`);
  await app.clock.advance(200); // first backoff (random=1: 2*base)
  assert.equal(app.outbox.pendingCount(), 1);
  await app.clock.advance(400); // second backoff (4*base)
  assert.equal(app.outbox.pendingCount(), 0);
  assert.equal(app.server.applied.length, 1);
});

test('give-up-after-retries bug: after 5 failures the engine stops for good', async () => {
  const app = await makeApp({ bugs: ['give-up-after-retries'] });
  await app.api.login();
  await queueOffline(app, ['x']);
  for (let i = 0; i < 6; i++) app.server.nextMutation({ status: 503 });
  app.server.mode = 'up';
  await app.clock.advance(60_000);
  assert.equal(app.sync.gaveUp, true);
  assert.equal(app.outbox.pendingCount(), 1);
  app.server.script = [];
  assert.equal(await app.sync.requestSync('manual'), 'gave-up');
});

test('one flush loop at a time: simultaneous triggers send each entry once and in order', async () => {
  const app = await makeApp();
  await app.api.login();
  await queueOffline(app, ['a', 'b', 'c']);
  app.server.mode = 'up';
  app.connectivity.state = 'online';
  await Promise.all([app.sync.requestSync('1'), app.sync.requestSync('2'), app.sync.requestSync('3')]);
  assert.deepEqual(notesSent(app.server).map((r) => r.body.text), ['a', 'b', 'c']);
});

test('concurrent-flush bug: simultaneous triggers double-send', async () => {
  const app = await makeApp({ bugs: ['concurrent-flush'] });
  await app.api.login();
  await queueOffline(app, ['a', 'b', 'c']);
  app.server.mode = 'up';
  app.connectivity.state = 'online';
  await Promise.all([app.sync.requestSync('1'), app.sync.requestSync('2')]);
  assert.ok(notesSent(app.server).length > 3);
});

test('outbox-lifo bug reaches the server newest first', async () => {
  const app = await makeApp({ bugs: ['outbox-lifo'] });
  await queueOffline(app, ['a', 'b', 'c']);
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  assert.deepEqual(app.server.applied.map((a) => a.body.text), ['c', 'b', 'a']);
});

test('after the flush the change feed is downloaded into the cache and the dashboard refreshed', async () => {
  const app = await makeApp();
  await app.cache.put(K.cursor, 0);
  app.server.addChange('note', 900, { id: 900, contact_id: 'c1', text: 'from the web', client_key: null });
  await queueOffline(app, ['mine']);
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  const d = await app.cache.get(K.contact('c1'));
  assert.deepEqual(d.notes.map((n) => n.text).sort(), ['from the web', 'mine']);
  assert.equal(d.notes.length, 2, 'own note from the feed matched by client_key, not duplicated');
  assert.equal(await app.cache.get(K.cursor), app.server.seq);
  assert.equal((await app.cache.get(K.dashboard)).widgets.unread_conversations, 1);
});

test('no-delta-download and stale-dashboard bugs skip those steps', async () => {
  const app = await makeApp({ bugs: ['no-delta-download', 'stale-dashboard'] });
  await queueOffline(app, ['mine']);
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  assert.equal(app.server.requests.filter((r) => r.path.startsWith('/api/changes') || r.path === '/api/dashboard').length, 0);
  assert.equal(app.server.applied.length, 1);
});

test('indicator-never-clears bug: the acknowledged note keeps its pending flag', async () => {
  const app = await makeApp({ bugs: ['indicator-never-clears'] });
  await queueOffline(app, ['mine']);
  app.server.mode = 'up';
  await app.clock.advance(TIMERS.probe_ms);
  const d = await app.cache.get(K.contact('c1'));
  assert.equal(d.notes[0]._sync, 'pending');
  assert.ok(d.notes[0].id, 'server id merged in');
});

test('a note stays pending while its request is in flight; synced once the server answered', async () => {
  const app = await makeApp();
  await queueOffline(app, ['slow']);
  app.server.mode = 'up';
  app.server.nextMutation({ hang: true }); // the request leaves and gets no answer (held, or a slow link)
  await app.clock.advance(TIMERS.probe_ms);
  assert.equal(notesSent(app.server).length, 1, 'sent');
  let d = await app.cache.get(K.contact('c1'));
  assert.equal(d.notes[0]._sync, 'pending', 'sent, not answered: still pending');
  await app.clock.advance(TIMERS.request_timeout_ms + TIMERS.backoff_max_ms); // timed out, retried, answered
  d = await app.cache.get(K.contact('c1'));
  assert.equal(d.notes[0]._sync, undefined, 'the server copy replaced the pending one');
});

test('synced-on-send bug: the note shows synced as soon as its request leaves, pending again when it fails', async () => {
  const app = await makeApp({ bugs: ['synced-on-send'] });
  await queueOffline(app, ['early']);
  app.server.mode = 'up';
  app.server.nextMutation({ hang: true });
  await app.clock.advance(TIMERS.probe_ms);
  assert.equal(notesSent(app.server).length, 1);
  let d = await app.cache.get(K.contact('c1'));
  assert.equal(d.notes[0]._sync, 'synced', 'in flight, yet shown synced');
  await app.clock.advance(TIMERS.request_timeout_ms); // the request times out: set back to pending
  d = await app.cache.get(K.contact('c1'));
  assert.equal(d.notes[0]._sync, 'pending');
});

test('backoff delay: within [base, max], grows, and is jittered', () => {
  for (let attempt = 1; attempt < 20; attempt++) {
    for (const r of [0, 0.3, 0.999, 1]) {
      const d = backoffDelay(attempt, 1000, 30000, () => r);
      assert.ok(d >= 1000 && d <= 30000, `${attempt} ${r} -> ${d}`);
    }
  }
  assert.equal(backoffDelay(1, 1000, 30000, () => 1), 2000);
  assert.equal(backoffDelay(3, 1000, 30000, () => 1), 8000);
  assert.equal(backoffDelay(10, 1000, 30000, () => 1), 30000);
  const samples = new Set(Array.from({ length: 50 }, () => backoffDelay(6, 1000, 30000)));
  assert.ok(samples.size > 10, 'real randomness spreads the delays');
});
