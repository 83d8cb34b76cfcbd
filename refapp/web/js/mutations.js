// mutations.js: what the user can change (notes, opportunities, files,
// SMS, email). Every change takes the same road, online or not: written to
// the outbox first (persisted, keyed), shown optimistically in the cache
// with its sync state, then a sync is requested. One road means the
// offline path is the path that is exercised all the time.

import { K } from './store.js';

/** Route ids are strings; the API wants integer ids in bodies. */
export const toId = (x) => (/^\d+$/.test(String(x)) ? Number(x) : x);

export class Mutations {
  constructor({ outbox, cache, sync }) { Object.assign(this, { outbox, cache, sync }); }

  kick() { this.sync.requestSync('enqueue').catch(() => {}); }

  async addNote(contactId, text) {
    const entry = await this.outbox.enqueue({
      kind: 'note', method: 'POST', path: `/api/contacts/${encodeURIComponent(contactId)}/notes`,
      body: { text }, meta: { contact_id: contactId, summary: text },
    });
    await this.cache.update(K.contact(contactId), (d) => {
      if (!d) return d;
      d.notes = d.notes || [];
      d.notes.push({ id: null, text, created_at: new Date(entry.created_at).toISOString(), client_key: entry.key, _sync: 'pending' });
      return d;
    });
    this.kick();
    return entry;
  }

  async saveOpportunity(opp, fields) {
    const entry = await this.outbox.enqueue({
      kind: 'opportunity', method: 'PATCH', path: `/api/opportunities/${encodeURIComponent(opp.id)}`,
      body: fields, meta: { opportunity_id: opp.id, contact_id: opp.contact_id, summary: `${fields.name ?? opp.name}: ${fields.stage ?? ''} ${fields.value ?? ''}`.trim() },
    });
    const merged = { ...opp, ...fields };
    await this.cache.put(K.opportunity(opp.id), merged);
    await this.cache.update(K.contact(opp.contact_id), (d) => {
      if (!d) return d;
      d.opportunities = (d.opportunities || []).map((o) => (String(o.id) === String(opp.id) ? { ...o, ...fields } : o));
      return d;
    });
    this.kick();
    return entry;
  }

  async uploadFile(contactId, { filename, content_type, data_base64, size }) {
    const entry = await this.outbox.enqueue({
      kind: 'file', method: 'POST', path: '/api/files',
      body: { contact_id: toId(contactId), filename, content_type, data_base64 }, meta: { contact_id: contactId, summary: filename },
    });
    await this.cache.update(K.contact(contactId), (d) => {
      if (!d) return d;
      d.files = d.files || [];
      d.files.push({ id: null, filename, content_type, size, client_key: entry.key, _sync: 'pending' });
      return d;
    });
    this.kick();
    return entry;
  }

  async sendSms(contactId, body) {
    const entry = await this.outbox.enqueue({
      kind: 'sms', method: 'POST', path: '/api/messages/sms',
      body: { contact_id: toId(contactId), body }, meta: { contact_id: contactId, summary: body },
    });
    this.kick();
    return entry;
  }

  async sendEmail(contactId, subject, body) {
    const entry = await this.outbox.enqueue({
      kind: 'email', method: 'POST', path: '/api/messages/email',
      body: { contact_id: toId(contactId), subject, body }, meta: { contact_id: contactId, summary: subject },
    });
    this.kick();
    return entry;
  }

  /** Pending opportunity changes for one opportunity. */
  opportunityPending(id) {
    return this.outbox.pending().some((e) => e.kind === 'opportunity' && String(e.meta.opportunity_id) === String(id));
  }
}
