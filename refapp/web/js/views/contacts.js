// views/contacts.js: the contact list, paged by 50 (R6: offline it shows
// the cached pages and says where the cached set ends; R12: nothing cached
// means "needs a connection").

import { h, T, fill, keyed } from '../dom.js';
import { K } from '../store.js';
import { screen, unavailable, loading, readThrough, empty } from './common.js';

const PAGE = 50;

export async function mount(root, ctx) {
  const el = screen('contact-list', 'Contacts', 'Contacts');
  const body = h('div', null, loading());
  el.append(body);
  root.append(el);
  let loadingMore = false;
  let lastRendered = '';

  await readThrough(ctx, K.contactList, `/api/contacts?offset=0&limit=${PAGE}`, (d) => ({ items: d.items, total: d.total, next_offset: d.next_offset }));

  async function more() {
    if (loadingMore || !ctx.conn.online) return;
    const lst = await ctx.cache.get(K.contactList);
    if (!lst || lst.next_offset === null || lst.next_offset === undefined) return;
    loadingMore = true;
    update();
    try {
      const d = await ctx.api.get(`/api/contacts?offset=${lst.next_offset}&limit=${PAGE}`);
      await ctx.cache.update(K.contactList, (old) => {
        const items = (old && old.items) || [];
        const seen = new Set(items.map((c) => String(c.id)));
        return { items: [...items, ...d.items.filter((c) => !seen.has(String(c.id)))], total: d.total, next_offset: d.next_offset };
      });
    } catch { /* offline now: the banner says so; the list stays */ }
    loadingMore = false;
    update();
  }

  async function update() {
    const lst = await ctx.cache.get(K.contactList);
    const online = ctx.conn.online;
    const sig = JSON.stringify([lst, online, loadingMore]);
    if (sig === lastRendered) return;
    lastRendered = sig;
    if (!lst) { keyed(body, ['unavailable', location.hash], () => unavailable('Contacts need a connection: the list has not been loaded on this device yet.')); return; }
    const hasMore = lst.next_offset !== null && lst.next_offset !== undefined;
    fill(body,
      h('p', { class: 'meta' }, `${lst.items.length} of ${lst.total ?? lst.items.length} contacts`),
      lst.items.length ? null : empty('No contacts.'),
      h('ul', { class: 'list' }, lst.items.map((c) => h('li', { class: 'row', 'data-initial': (c.name || '?').slice(0, 1) },
        h('a', { href: `#/contacts/${c.id}`, ...T('contact-row', c.name), class: 'row-main', 'data-contact-id': c.id }, c.name),
        h('span', { class: 'row-sub' }, c.company || '')))),
      online ? null : h('p', { ...T('list-cached-end', 'End of contacts saved on this device'), class: 'cached-end' },
        hasMore ? 'End of the contacts saved on this device. Connect to load more.' : 'End of the contacts saved on this device.'),
      hasMore || !online ? h('button', { ...T('load-more', 'Load more contacts'), class: 'btn secondary wide',
        disabled: !online || !hasMore || loadingMore, onclick: more }, loadingMore ? 'Loading…' : 'Load more') : null);
  }
  await update();
  return { update };
}
