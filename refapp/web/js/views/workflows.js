// views/workflows.js: run a workflow for a contact (R16: needs a live
// connection; offline the run buttons are disabled and a message says so).

import { h, T, fill, keyed } from '../dom.js';
import { K } from '../store.js';
import { NetworkError } from '../util.js';
import { screen, unavailable, loading, readThrough, empty } from './common.js';
import { toId } from '../mutations.js';

export async function mount(root, ctx, params) {
  const el = screen('workflow-list', 'Workflows', 'Workflows');
  const body = h('div', null, loading());
  el.append(body);
  root.append(el);
  await readThrough(ctx, K.workflows, '/api/workflows', (d) => ({ items: d.items }));
  const contacts = await ctx.cache.get(K.contactList);
  const select = h('select', { ...T('workflow-contact', 'Contact for the workflow') },
    h('option', { value: '' }, 'Choose a contact…'),
    ((contacts && contacts.items) || []).map((c) => h('option', { value: c.id, selected: String(c.id) === String(params.contact || '') }, c.name)));
  if (params.contact && ![...select.options].some((o) => o.value === String(params.contact))) {
    const d = await ctx.cache.get(K.contact(params.contact));
    select.append(h('option', { value: params.contact, selected: true }, d && d.contact ? d.contact.name : `Contact ${params.contact}`));
  }
  const result = h('p', { ...T('workflow-result', 'Workflow result'), class: 'panel-status', role: 'status' });
  const slot = h('div');
  const list = h('ul', { class: 'list' });
  let running = false;

  async function run(wf) {
    if (!select.value) { result.textContent = 'Choose a contact first'; return; }
    // workflow-run-unchecked: Run "just tries": the request will tell
    if (!ctx.conn.online && !ctx.bugs.has('workflow-run-unchecked')) { result.textContent = 'Workflows need a connection'; return; }
    running = true;
    update();
    result.textContent = `Starting “${wf.name}”…`;
    try {
      const r = await ctx.api.postNow(`/api/workflows/${wf.id}/run`, { contact_id: toId(select.value) });
      result.textContent = `Workflow “${wf.name}” started (${(r.run && r.run.status) || 'ok'})`;
    } catch (e) {
      result.textContent = e instanceof NetworkError ? 'Workflow not started: needs a connection' : `Workflow not started: ${e.message}`;
    }
    running = false;
    update();
  }

  const loadedOnline = ctx.conn.online;
  async function update() {
    const wfs = await ctx.cache.get(K.workflows);
    // workflow-run-unchecked: the Run buttons keep the state they were drawn with when the list loaded
    const online = ctx.bugs.has('workflow-run-unchecked') ? loadedOnline : ctx.conn.online;
    if (!list.isConnected) fill(body, h('label', null, 'Contact', select), slot, list, result);
    keyed(slot, online, () => online ? null : unavailable('Workflows need a connection: not available offline.'));
    keyed(list, [wfs, online, running], () => !wfs ? h('li', null, unavailable('The workflow list has not been loaded on this device yet.'))
      : wfs.items.length ? wfs.items.map((wf) => h('li', { class: 'row' },
        h('span', { class: 'row-main' }, wf.name),
        h('button', { ...T('workflow-run', `Run ${wf.name}`), class: 'btn small', 'data-workflow-id': wf.id, disabled: !online || running, onclick: () => run(wf) }, 'Run')))
        : empty('No workflows.'));
  }
  await update();
  return { update };
}
