// views/payments.js: take a payment (invoice or POS) for a contact (R13:
// needs a live connection; offline the form is disabled with a message).

import { h, T, fill, keyed } from '../dom.js';
import { K } from '../store.js';
import { NetworkError } from '../util.js';
import { screen, unavailable } from './common.js';
import { toId } from '../mutations.js';

export async function mount(root, ctx, { id }) {
  const el = screen('payments', 'Payments', 'Payment');
  const d = await ctx.cache.get(K.contact(id));
  const who = h('p', { class: 'meta' }, d && d.contact ? `For ${d.contact.name}` : `For contact ${id}`);
  const amount = h('input', { ...T('payment-amount', 'Amount'), type: 'number', min: '0.01', step: '0.01', inputmode: 'decimal', placeholder: '0.00' });
  const kind = h('select', { ...T('payment-kind', 'Payment kind') }, h('option', { value: 'invoice' }, 'Invoice'), h('option', { value: 'pos' }, 'Card (POS)'));
  const submit = h('button', { ...T('payment-submit', 'Take payment'), class: 'btn wide', onclick: pay }, 'Take payment');
  const result = h('p', { ...T('payment-result', 'Payment result'), class: 'panel-status', role: 'status' });
  const slot = h('div');
  let busy = false;
  el.append(h('a', { class: 'back-link', href: `#/contacts/${id}` }, '‹ Back to contact'), who, slot,
    h('div', { class: 'form' }, h('label', null, 'Amount (USD)', amount), h('label', null, 'Kind', kind), submit, result));
  root.append(el);

  async function pay() {
    const cents = Math.round(Number(amount.value) * 100);
    if (!Number.isFinite(cents) || cents <= 0) { result.textContent = 'Enter an amount'; return; }
    if (!ctx.conn.online) { result.textContent = 'Payments need a connection'; return; }
    busy = true;
    update();
    result.textContent = 'Processing…';
    try {
      const r = await ctx.api.postNow('/api/payments', { contact_id: toId(id), amount_cents: cents, kind: kind.value });
      result.textContent = `Payment ${(r.payment && r.payment.status) || 'done'}: ${(cents / 100).toFixed(2)} USD`;
    } catch (e) {
      result.textContent = e instanceof NetworkError ? 'Payment not taken: needs a connection' : `Payment refused: ${e.message}`;
    }
    busy = false;
    update();
  }

  // payment-form-stale: "the form is drawn for the connection it opened with"
  const openedOnline = ctx.conn.online;
  function update() {
    const online = ctx.bugs.has('payment-form-stale') ? openedOnline : ctx.conn.online;
    submit.disabled = !online || busy;
    amount.disabled = !online;
    kind.disabled = !online;
    keyed(slot, online, () => online ? null : unavailable('Payments need a connection: not available offline.'));
  }
  update();
  return { update };
}
