// views/conversations.js: the conversation list (R7; offline from cache).

import { h, T, fill, keyed, fmtDate } from '../dom.js';
import { K } from '../store.js';
import { screen, unavailable, loading, readThrough, empty } from './common.js';

export async function mount(root, ctx) {
  const el = screen('conversation-list', 'Conversations', 'Conversations');
  const body = h('div', null, loading());
  el.append(body);
  root.append(el);
  await readThrough(ctx, K.conversations, '/api/conversations', (d) => ({ items: d.items }));

  async function update() {
    const lst = await ctx.cache.get(K.conversations);
    if (!lst) { keyed(body, null, () => unavailable('Conversations need a connection: they have not been loaded on this device yet.')); return; }
    keyed(body, lst, () => (lst.items.length ? h('ul', { class: 'list' }, lst.items.map((c) => h('li', { class: 'row' },
      h('a', { href: `#/conversations/${c.id}`, ...T('conversation-row', `Conversation ${c.subject}`), class: `row-main ${c.unread ? 'unread' : ''}`,
        'data-conversation-id': c.id, 'data-unread': c.unread ? 'true' : 'false' }, c.subject),
      h('span', { class: 'row-sub' }, c.unread ? h('span', { class: 'badge' }, 'new') : null, ' ', fmtDate(c.last_message_at)))))
      : empty('No conversations.')));
  }
  await update();
  return { update };
}
