// views/outbox.js: everything waiting for the server, refused by it, or
// recently acknowledged, in the order it was made.

import { h, T, fill, keyed, fmtDate } from '../dom.js';
import { screen, empty } from './common.js';

const KIND = { note: 'Note', opportunity: 'Opportunity change', file: 'File upload', sms: 'SMS', email: 'Email' };
const STATE = { pending: 'Waiting', synced: 'Synced', failed: 'Failed' };

export async function mount(root, ctx) {
  const el = screen('outbox', 'Outbox', 'Outbox');
  const summary = h('p', { class: 'meta' });
  const list = h('ol', { ...T('outbox-list', 'Outbox'), class: 'list' });
  el.append(summary, list);
  root.append(el);

  function update() {
    const items = ctx.outbox.list();
    const pending = items.filter((e) => e.state === 'pending').length;
    summary.textContent = pending ? `${pending} waiting to sync${ctx.conn.online ? '' : ' (offline)'}` : 'Nothing waiting to sync';
    keyed(list, items, () => items.length ? items.map((e) => h('li', { ...T('outbox-item', `${KIND[e.kind] || e.kind} ${STATE[e.state]}`), class: `row outbox-${e.state}`,
      'data-key': e.key, 'data-kind': e.kind, 'data-sync-state': e.state },
      h('span', { class: 'row-main' }, h('span', { class: 'pill' }, KIND[e.kind] || e.kind), ' ', (e.meta && e.meta.summary) || e.path),
      h('span', { class: 'row-sub' }, `${STATE[e.state]}${e.attempts ? ` · ${e.attempts} tries` : ''}${e.state === 'failed' && e.last_error ? ` · ${e.last_error}` : ''} · ${fmtDate(e.created_at)}`)))
      : empty('The outbox is empty.'));
  }
  update();
  return { update };
}
