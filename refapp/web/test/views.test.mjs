// Pure parts of the screens: what is cached when a contact or a thread is
// opened, offline search over the cache, and routing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheableContact } from '../js/views/contact.js';
import { mergeNewest } from '../js/views/thread.js';
import { searchLocal } from '../js/views/search.js';
import { parseHash } from '../js/router.js';
import { MemoryStorage, Cache, K } from '../js/store.js';

const server = {
  contact: { id: 1, name: 'Ann' }, activity: [{ id: 5, type: 'call', text: 'hi', at: 't' }],
  notes: [{ id: 10, text: 'old', client_key: null }, { id: 11, text: 'acked', client_key: 'k1' }], opportunities: [], files: [],
};
const old = { notes: [{ id: null, text: 'acked', client_key: 'k1', _sync: 'pending' }, { id: null, text: 'queued', client_key: 'k2', _sync: 'pending' }] };

test('opening a contact caches details, activity, and keeps notes still queued', () => {
  const doc = cacheableContact(server, old, new Set());
  assert.deepEqual(doc.activity, server.activity);
  assert.deepEqual(doc.notes.map((n) => [n.text, n._sync]), [['old', undefined], ['acked', undefined], ['queued', 'pending']]);
});

test('activity-not-cached and indicator-never-clears bugs', () => {
  const doc = cacheableContact(server, old, new Set(['activity-not-cached', 'indicator-never-clears']));
  assert.equal(doc.activity, undefined);
  assert.equal(doc.notes.find((n) => n.text === 'acked')._sync, 'pending');
});

test('the newest page of a thread merges with earlier cached pages', () => {
  const cached = { items: [1, 2, 3, 4].map((i) => ({ id: i, at: `2026-01-01T10:0${i}:00` })), has_more: false };
  const page = { items: [3, 4, 5].map((i) => ({ id: i, at: `2026-01-01T10:0${i}:00` })), has_more: true };
  const m = mergeNewest(cached, page);
  assert.deepEqual(m.items.map((x) => x.id), [1, 2, 3, 4, 5]);
  assert.equal(m.has_more, false);
  const gap = mergeNewest(cached, { items: [{ id: 9, at: '2026-01-02T00:00:00' }], has_more: true });
  assert.deepEqual(gap.items.map((x) => x.id), [9], 'no overlap: the stale pages are dropped, no hole in the thread');
});

test('offline search covers cached contacts, notes, opportunities and conversations only', async () => {
  const cache = new Cache(new MemoryStorage());
  await cache.put(K.contactList, { items: [{ id: 1, name: 'Ann Smith' }, { id: 2, name: 'Bob' }], next_offset: 50 });
  await cache.put(K.contact(2), { contact: { id: 2, name: 'Bob' }, notes: [{ id: 7, text: 'call Smith back' }], opportunities: [{ id: 3, name: 'Smith deal' }] });
  await cache.put(K.conversations, { items: [{ id: 4, subject: 'Re: Smith' }] });
  const r = await searchLocal(cache, 'smith');
  assert.deepEqual(r.map((x) => `${x.type}:${x.id}`).sort(), ['contact:1', 'conversation:4', 'note:7', 'opportunity:3']);
  assert.deepEqual(await searchLocal(cache, 'nobody'), []);
});

test('hash routes', () => {
  assert.deepEqual(parseHash('#/contacts/12'), { name: 'contact', params: { id: '12' }, path: '/contacts/12' });
  assert.equal(parseHash('#/workflows?contact=3').params.contact, '3');
  assert.equal(parseHash('').name, 'dashboard');
  assert.equal(parseHash('#/nope').name, 'dashboard');
});
