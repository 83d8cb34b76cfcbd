// views/opportunity.js: edit an opportunity (R14). Saving goes to the
// outbox, so it works offline; `opportunity-sync-indicator` shows while a
// change is waiting for the server.

import { h, T, fill, keyed } from '../dom.js';
import { K } from '../store.js';
import { screen, unavailable, loading, readThrough } from './common.js';

const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'];

export async function mount(root, ctx, { id }) {
  const el = screen('opportunity-form', 'Opportunity', 'Opportunity', { 'data-opportunity-id': id });
  const body = h('div', null, loading());
  el.append(body);
  root.append(el);
  const r = await readThrough(ctx, K.opportunity(id), `/api/opportunities/${encodeURIComponent(id)}`, (d, old) => {
    // a local edit still waiting for the server wins over the server copy
    return ctx.mutations.opportunityPending(id) && old ? old : (d.opportunity || d);
  });
  let form = null;
  const msg = h('p', { ...T('opportunity-status', 'Save status'), class: 'panel-status', role: 'status' });

  function build(opp) {
    const f = {};
    f.name = h('input', { ...T('opportunity-name', 'Opportunity name'), value: opp.name || '' });
    f.stage = h('select', { ...T('opportunity-stage', 'Stage') }, STAGES.map((s) => h('option', { value: s, selected: s === opp.stage }, s)));
    f.value = h('input', { ...T('opportunity-value', 'Value'), type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: String(opp.value ?? 0) });
    f.save = h('button', { ...T('opportunity-save', 'Save opportunity'), class: 'btn wide', onclick: save }, 'Save');
    f.indicatorSlot = h('div');
    f.contact = h('a', { class: 'back-link', href: `#/contacts/${opp.contact_id}` }, '‹ Back to contact');
    f.root = h('div', { class: 'form' }, f.contact,
      h('label', null, 'Name', f.name), h('label', null, 'Stage', f.stage), h('label', null, 'Value (USD)', f.value),
      f.save, f.indicatorSlot, msg);
    return f;
  }

  async function save() {
    const opp = await ctx.cache.get(K.opportunity(id));
    const value = Number(form.value.value);
    if (!Number.isFinite(value) || value < 0) { msg.textContent = 'Value must be a number of at least 0'; return; }
    const fields = { name: form.name.value.trim() || opp.name, stage: form.stage.value, value };
    form.save.disabled = true;
    try { await ctx.mutations.saveOpportunity(opp, fields); } finally { form.save.disabled = false; }
    msg.textContent = ctx.conn.online ? 'Saved' : 'Saved on this device: it syncs when you are back online';
    update();
  }

  async function update() {
    const opp = await ctx.cache.get(K.opportunity(id));
    if (!opp) {
      keyed(body, ['unavailable', location.hash], () => unavailable(r.source === 'not-found' ? 'This opportunity does not exist.' : 'This opportunity needs a connection: it has not been loaded on this device yet.'));
      return;
    }
    if (!form) { form = build(opp); fill(body, form.root); }
    const pending = ctx.mutations.opportunityPending(id);
    const failed = ctx.outbox.list().filter((e) => e.kind === 'opportunity' && String(e.meta.opportunity_id) === String(id)).pop();
    keyed(form.indicatorSlot, [pending, failed && failed.state, failed && failed.last_error], () => [
      pending ? h('p', { ...T('opportunity-sync-indicator', 'Change waiting to sync'), class: 'sync-ind', role: 'status' }, '⟳ Change waiting to sync') : null,
      !pending && failed && failed.state === 'failed' ? h('p', { class: 'failed-ind' }, `✕ Last change refused by the server (${failed.last_error})`) : null]);
  }
  await update();
  return { update };
}
