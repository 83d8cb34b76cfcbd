import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../js/store.js';
import { Outbox } from '../js/outbox.js';

const note = (text) => ({ kind: 'note', method: 'POST', path: '/api/contacts/c1/notes', body: { text }, meta: { contact_id: 'c1' } });

test('entries leave in the order they were made (FIFO)', async () => {
  const box = await Outbox.open(new MemoryStorage());
  for (const t of ['a', 'b', 'c']) await box.enqueue(note(t));
  const seen = [];
  for (let e = box.next(); e; e = box.next()) { seen.push(e.body.text); await box.markSynced(e.key, {}); }
  assert.deepEqual(seen, ['a', 'b', 'c']);
});

test('outbox-lifo bug sends newest first', async () => {
  const box = await Outbox.open(new MemoryStorage(), { bugs: new Set(['outbox-lifo']) });
  for (const t of ['a', 'b', 'c']) await box.enqueue(note(t));
  assert.equal(box.next().body.text, 'c');
});

test('each entry gets a unique key once, stable across attempts and reopen', async () => {
  const storage = new MemoryStorage();
  const box = await Outbox.open(storage);
  const a = await box.enqueue(note('a'));
  const b = await box.enqueue(note('b'));
  assert.notEqual(a.key, b.key);
  assert.match(a.key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await box.recordAttempt(a.key, 'timeout');
  await box.recordAttempt(a.key, 'timeout');
  const again = await Outbox.open(storage); // a relaunch
  assert.deepEqual(again.pending().map((e) => e.key), [a.key, b.key]);
  assert.equal(again.byKey(a.key).attempts, 2);
  const c = await again.enqueue(note('c'));
  assert.ok(c.seq > b.seq, 'sequence continues after a relaunch');
});

test('failed entries stay visible and are not sent again; synced ones are pruned to 50', async () => {
  const box = await Outbox.open(new MemoryStorage());
  const a = await box.enqueue(note('a'));
  await box.enqueue(note('b'));
  await box.markFailed(a.key, 422, 'bad');
  assert.equal(box.next().body.text, 'b');
  assert.equal(box.byKey(a.key).state, 'failed');
  assert.equal(box.pendingCount(), 1);
  for (let i = 0; i < 60; i++) { const e = await box.enqueue(note(`n${i}`)); await box.markSynced(e.key, {}); }
  assert.equal(box.list().filter((e) => e.state === 'synced').length, 50);
  assert.equal(box.byKey(a.key).state, 'failed');
});
