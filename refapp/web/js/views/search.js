// views/search.js: search across records (R17). Online the server searches
// everything; offline the search runs over what is cached on this device
// and says so: a smaller result set, never an error page.

import { h, T, fill } from '../dom.js';
import { K } from '../store.js';
import { screen, empty } from './common.js';

/** Search the cache: contacts, conversations, opportunities, notes. */
export async function searchLocal(cache, q) {
  const needle = q.trim().toLowerCase();
  if (!needle) return [];
  const hit = (...texts) => texts.some((t) => t !== null && t !== undefined && String(t).toLowerCase().includes(needle));
  const out = new Map();
  const add = (type, id, title, extra = {}) => { const k = `${type}:${id}`; if (!out.has(k)) out.set(k, { type, id, title, ...extra }); };
  const list = await cache.get(K.contactList);
  for (const c of (list && list.items) || []) if (hit(c.name, c.email, c.phone, c.company)) add('contact', c.id, c.name);
  for (const key of await cache.keys('contact:')) {
    const d = await cache.get(key);
    if (!d || !d.contact) continue;
    const c = d.contact;
    if (hit(c.name, c.email, c.phone, c.company)) add('contact', c.id, c.name);
    for (const n of d.notes || []) if (hit(n.text)) add('note', n.id ?? n.client_key, n.text, { contact_id: c.id });
    for (const o of d.opportunities || []) if (hit(o.name)) add('opportunity', o.id, o.name);
  }
  for (const key of await cache.keys('opportunity:')) {
    const o = await cache.get(key);
    if (o && hit(o.name)) add('opportunity', o.id, o.name);
  }
  const convs = await cache.get(K.conversations);
  for (const c of (convs && convs.items) || []) if (hit(c.subject)) add('conversation', c.id, c.subject);
  return [...out.values()];
}

const href = (r) => ({ contact: `#/contacts/${r.id}`, conversation: `#/conversations/${r.id}`, opportunity: `#/opportunities/${r.id}`,
  note: r.contact_id !== undefined && r.contact_id !== null ? `#/contacts/${r.contact_id}` : null }[r.type]);

export async function mount(root, ctx, params) {
  const el = screen('search', 'Search', 'Search');
  const input = h('input', { ...T('search-input', 'Search'), type: 'search', placeholder: 'Search contacts, conversations, notes…', value: params.q || '',
    onkeydown: (e) => { if (e.key === 'Enter') run(); } });
  const submit = h('button', { ...T('search-submit', 'Search'), class: 'btn', onclick: () => run() }, 'Search');
  const scope = h('p', { ...T('search-scope', 'Search scope'), class: 'scope' });
  const results = h('ul', { ...T('search-results', 'Search results'), class: 'list' });
  el.append(h('div', { class: 'search-bar' }, input, submit), scope, results);
  root.append(el);
  let last = null;

  function showScope(where) {
    scope.dataset.scope = where;
    scope.textContent = where === 'device'
      ? 'Offline: showing results saved on this device only'
      : 'Showing results from all records';
  }

  async function run() {
    const q = input.value.trim();
    if (!q) return;
    fill(results, h('li', { class: 'loading' }, 'Searching…'));
    let items;
    let where = 'server';
    if (ctx.conn.online || ctx.bugs.has('search-offline-error')) {
      try {
        items = (await ctx.api.get(`/api/search?q=${encodeURIComponent(q)}`)).items || [];
      } catch (e) {
        if (ctx.bugs.has('search-offline-error')) { ctx.showError(`Search failed: ${e.message}`); return; }
        items = null;
      }
    }
    if (!items) { items = await searchLocal(ctx.cache, q); where = 'device'; }
    last = q;
    showScope(where);
    fill(results, items.length ? items.map((r) => h('li', { class: 'row' },
      h(href(r) ? 'a' : 'span', { href: href(r), ...T('search-result', `${r.type} ${r.title}`), class: 'row-main', 'data-type': r.type, 'data-id': r.id },
        h('span', { class: 'pill' }, r.type), ' ', r.title)))
      : empty(where === 'device' ? 'Nothing saved on this device matches.' : 'No results.'));
  }

  async function update() {
    if (!last) showScope(ctx.conn.online ? 'server' : 'device');
  }
  await update();
  if (params.q) await run();
  return { update };
}
