// views/dashboard.js: widgets and conversation counts (R18: refreshed by
// every sync; offline: the last copy, with its age).

import { h, T, fill, keyed, money, fmtDate } from '../dom.js';
import { K } from '../store.js';
import { screen, unavailable, loading } from './common.js';
import { rememberDashboard } from '../sync.js';

const WIDGETS = [
  ['contacts', 'widget-contacts', 'Contacts'],
  ['open_opportunities', 'widget-open-opportunities', 'Open opportunities'],
  ['pipeline_value', 'widget-pipeline-value', 'Pipeline value'],
  ['appointments_today', 'widget-appointments-today', 'Appointments today'],
  ['unread_conversations', 'widget-unread-conversations', 'Unread conversations'],
];

export async function mount(root, ctx) {
  const el = screen('dashboard', 'Dashboard', 'Dashboard');
  const body = h('div', { class: 'dash-body' }, loading());
  el.append(body);
  root.append(el);

  const cached = await ctx.cache.get(K.dashboard);
  // stale-dashboard: "the dashboard is cache-first; the sync keeps it fresh"
  const skipFetch = ctx.bugs.has('stale-dashboard') && cached;
  if (ctx.conn.online && !skipFetch) {
    try { await rememberDashboard(ctx.cache, await ctx.api.get('/api/dashboard')); } catch { /* fall back to the cache */ }
  }

  async function update() {
    const d = await ctx.cache.get(K.dashboard);
    if (!d) { keyed(body, ['unavailable', location.hash], () => unavailable('The dashboard needs a connection: it has not been loaded on this device yet.')); return; }
    const w = d.widgets || {};
    const cc = d.conversation_counts || {};
    keyed(body, d, () => [
      h('div', { class: 'widgets' }, WIDGETS.map(([k, tid, label]) => h('div', { ...T(tid, label), class: 'widget', 'data-value': w[k] ?? 0 },
        h('div', { class: 'widget-value' }, k === 'pipeline_value' ? money(w[k]) : String(w[k] ?? 0)),
        h('div', { class: 'widget-label' }, label)))),
      h('h3', { class: 'section-title' }, 'Conversations'),
      h('div', { class: 'counts' },
        h('a', { href: '#/conversations', ...T('conversation-count-unread', 'Unread conversations'), class: 'count', 'data-value': cc.unread ?? 0 },
          h('strong', null, String(cc.unread ?? 0)), ' unread'),
        h('a', { href: '#/conversations', ...T('conversation-count-total', 'Total conversations'), class: 'count', 'data-value': cc.total ?? 0 },
          h('strong', null, String(cc.total ?? 0)), ' total')),
      d.fetched_at ? h('p', { class: 'as-of' }, `Updated ${fmtDate(d.fetched_at)}`) : null]);
  }
  await update();
  return { update };
}
