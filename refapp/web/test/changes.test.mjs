import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, Cache, K } from '../js/store.js';
import { applyChanges } from '../js/changes.js';

async function seeded() {
  const cache = new Cache(new MemoryStorage());
  await cache.put(K.contactList, { items: [{ id: 1, name: 'Ann' }, { id: 2, name: 'Cid' }], total: 2, next_offset: null });
  await cache.put(K.contact(1), { contact: { id: 1, name: 'Ann' }, activity: [], notes: [{ id: null, text: 'mine', client_key: 'k1', _sync: 'pending' }], opportunities: [{ id: 7, contact_id: 1, stage: 'lead' }], files: [] });
  await cache.put(K.conversations, { items: [{ id: 5, subject: 'Hi', last_message_at: '2026-01-01T10:00:00' }] });
  await cache.put(K.thread(5), { items: [{ id: 50, body: 'old', at: '2026-01-01T10:00:00' }], has_more: false });
  await cache.put(K.day('2026-01-01'), [{ id: 9, title: 'Meet', starts_at: '2026-01-01T09:00:00' }]);
  await cache.put(K.day('2026-01-02'), []);
  return cache;
}

test('the change feed updates cached records, adds new ones, and leaves uncached ones alone', async () => {
  const cache = await seeded();
  await applyChanges(cache, [
    { seq: 1, entity: 'contact', id: 3, op: 'create', data: { id: 3, name: 'Bea' } },
    { seq: 2, entity: 'contact', id: 2, op: 'update', data: { id: 2, name: 'Cid', phone: '555' } },
    { seq: 3, entity: 'note', id: 11, op: 'create', data: { id: 11, contact_id: 1, text: 'mine', client_key: 'k1' } },
    { seq: 4, entity: 'note', id: 12, op: 'create', data: { id: 12, contact_id: 99, text: 'x' } },
    { seq: 5, entity: 'message', id: 51, op: 'create', data: { id: 51, conversation_id: 5, body: 'new', at: '2026-01-01T11:00:00' } },
    { seq: 6, entity: 'appointment', id: 9, op: 'update', data: { id: 9, title: 'Meet', starts_at: '2026-01-02T09:00:00' } },
    { seq: 7, entity: 'opportunity', id: 7, op: 'update', data: { id: 7, contact_id: 1, stage: 'won' } },
  ]);
  const list = await cache.get(K.contactList);
  assert.deepEqual(list.items.map((c) => c.name), ['Ann', 'Bea', 'Cid']);
  assert.equal(list.items[2].phone, '555');
  const c1 = await cache.get(K.contact(1));
  assert.deepEqual(c1.notes, [{ id: 11, contact_id: 1, text: 'mine', client_key: 'k1' }], 'optimistic note replaced');
  assert.equal(c1.opportunities[0].stage, 'won');
  assert.equal((await cache.get(K.opportunity(7))).stage, 'won');
  assert.equal(await cache.get(K.contact(99)), undefined, 'never-loaded contact stays unloaded');
  assert.deepEqual((await cache.get(K.thread(5))).items.map((m) => m.body), ['old', 'new']);
  assert.equal((await cache.get(K.conversations)).items[0].last_message_at, '2026-01-01T11:00:00');
  assert.deepEqual(await cache.get(K.day('2026-01-01')), []);
  assert.deepEqual((await cache.get(K.day('2026-01-02'))).map((a) => a.id), [9]);
});

test('applying the same changes twice converges to the same cache', async () => {
  const a = await seeded();
  const b = await seeded();
  const feed = [
    { seq: 1, entity: 'contact', id: 3, op: 'create', data: { id: 3, name: 'Bea' } },
    { seq: 2, entity: 'message', id: 51, op: 'create', data: { id: 51, conversation_id: 5, body: 'new', at: '2026-01-01T11:00:00' } },
    { seq: 3, entity: 'contact', id: 2, op: 'delete', data: {} },
  ];
  await applyChanges(a, feed);
  await applyChanges(b, feed);
  await applyChanges(b, feed);
  for (const key of [K.contactList, K.thread(5), K.conversations]) assert.deepEqual(await b.get(key), await a.get(key));
});

test('a contact past the cached part of a paged list is not inserted', async () => {
  const cache = new Cache(new MemoryStorage());
  await cache.put(K.contactList, { items: [{ id: 1, name: 'Ann' }], total: 80, next_offset: 50 });
  await applyChanges(cache, [{ seq: 1, entity: 'contact', id: 3, op: 'create', data: { name: 'Zed' } }]);
  assert.deepEqual((await cache.get(K.contactList)).items.map((c) => c.name), ['Ann']);
});
