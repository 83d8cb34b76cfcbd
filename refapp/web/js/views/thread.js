// views/thread.js: one conversation's messages, newest page first, with
// "load earlier" paging back (R7: every page loaded is cached, so earlier
// messages stay readable offline).

import { h, T, fill, keyed, fmtDate } from '../dom.js';
import { K } from '../store.js';
import { sortMessages } from '../changes.js';
import { screen, unavailable, loading, empty } from './common.js';

const PAGE = 20;

/** The newest page merged into the cached thread. If the page does not
 * touch the cached messages (too much arrived meanwhile) it replaces them. */
export function mergeNewest(old, page) {
  if (!old || !old.items.length) return { items: sortMessages([...page.items]), has_more: page.has_more };
  const ids = new Set(old.items.map((m) => String(m.id)));
  const overlaps = page.items.some((m) => ids.has(String(m.id))) || !page.has_more;
  if (!overlaps) return { items: sortMessages([...page.items]), has_more: page.has_more };
  const merged = [...old.items, ...page.items.filter((m) => !ids.has(String(m.id)))];
  return { items: sortMessages(merged), has_more: old.has_more };
}

export async function mount(root, ctx, { id }) {
  const el = screen('thread', 'Conversation', null, { 'data-conversation-id': id });
  const title = h('h2', { class: 'screen-title' }, 'Conversation');
  const body = h('div', null, loading());
  el.append(title, body);
  root.append(el);
  let shown = null;   // what is on screen this session (may hold more than the cache under thread-latest-only)
  let loadingEarlier = false;
  let scrolled = false;

  if (ctx.conn.online) {
    try {
      const page = await ctx.api.get(`/api/conversations/${encodeURIComponent(id)}/messages?limit=${PAGE}`);
      shown = await ctx.cache.update(K.thread(id), (old) => mergeNewest(old, page));
    } catch { /* fall back to the cache */ }
  }

  async function earlier() {
    if (!shown || !shown.items.length || loadingEarlier || !ctx.conn.online) return;
    loadingEarlier = true;
    update();
    try {
      const before = shown.items[0].id;
      const page = await ctx.api.get(`/api/conversations/${encodeURIComponent(id)}/messages?before=${encodeURIComponent(before)}&limit=${PAGE}`);
      const add = (t) => {
        const ids = new Set(t.items.map((m) => String(m.id)));
        return { items: sortMessages([...page.items.filter((m) => !ids.has(String(m.id))), ...t.items]), has_more: page.has_more };
      };
      shown = add(shown);
      // thread-latest-only: the earlier pages are only appended on screen
      if (!ctx.bugs.has('thread-latest-only')) await ctx.cache.update(K.thread(id), (t) => (t ? add(t) : shown));
    } catch { /* offline now */ }
    loadingEarlier = false;
    update();
  }

  async function update() {
    const cached = await ctx.cache.get(K.thread(id));
    if (cached) {
      // the cache also receives new messages from the change feed
      const ids = shown ? new Set(shown.items.map((m) => String(m.id))) : null;
      shown = shown ? { ...shown, items: sortMessages([...shown.items, ...cached.items.filter((m) => !ids.has(String(m.id)))]) } : cached;
    }
    const convs = await ctx.cache.get(K.conversations);
    const conv = convs && convs.items.find((c) => String(c.id) === String(id));
    title.textContent = conv ? conv.subject : 'Conversation';
    if (!shown) { keyed(body, null, () => unavailable('This conversation needs a connection: it has not been opened on this device yet.')); return; }
    const online = ctx.conn.online;
    keyed(body, [shown, online, loadingEarlier], () => [
      shown.has_more ? h('button', { ...T('load-earlier', 'Load earlier messages'), class: 'btn secondary wide', disabled: !online || loadingEarlier, onclick: earlier },
        loadingEarlier ? 'Loading…' : online ? 'Load earlier messages' : 'Earlier messages need a connection') : null,
      shown.items.length ? h('ol', { class: 'messages' }, shown.items.map((m) => h('li', { ...T('message-item', `Message ${m.direction}`),
        class: `msg ${m.direction === 'outbound' ? 'out' : 'in'}`, 'data-message-id': m.id, 'data-direction': m.direction },
        m.subject ? h('strong', null, m.subject) : null, h('div', { class: 'msg-body' }, m.body), h('div', { class: 'msg-at' }, fmtDate(m.at)))))
        : empty('No messages.')]);
    if (!scrolled && shown.items.length) { scrolled = true; body.lastElementChild.lastElementChild?.scrollIntoView({ block: 'end' }); }
  }
  await update();
  return { update };
}
