// changes.js: how server-side facts land in the local cache (R18, R25).
// Two sources feed it: the acknowledgement of a queued mutation (the
// server's copy replaces the optimistic one) and the change feed
// (/api/changes) downloaded after a flush. Both go through the same upsert
// functions so the cache converges on the server's state whatever order
// they arrive in. Only documents that are already cached are touched: a
// missing document means "never loaded", which must stay "needs a
// connection" (R12) rather than become a half-filled record.

import { K } from './store.js';
import { dateOf, timeOf } from './util.js';

const sameId = (a, b) => a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);

/** Upsert `item` into `list` matching by id or by client_key. */
function upsertIn(list, item, { merge = false } = {}) {
  const i = list.findIndex((x) => sameId(x.id, item.id) || (item.client_key && sameId(x.client_key, item.client_key)));
  if (i < 0) { list.push({ ...item }); return list; }
  if (merge) Object.assign(list[i], item);
  else list[i] = { ...item };
  return list;
}

const removeIn = (list, id) => list.filter((x) => !sameId(x.id, id));

export async function upsertContact(cache, contact, op = 'upsert') {
  await cache.update(K.contactList, (lst) => {
    if (!lst) return lst;
    const items = lst.items || [];
    const i = items.findIndex((x) => sameId(x.id, contact.id));
    if (op === 'delete') {
      if (i >= 0) { items.splice(i, 1); lst.total = Math.max(0, (lst.total || 1) - 1); }
      return lst;
    }
    if (i >= 0) { items[i] = { ...items[i], ...contact }; return lst; }
    // A new contact: insert at its place by name if that place is within
    // the cached part of the list.
    const last = items[items.length - 1];
    if (lst.next_offset === null || lst.next_offset === undefined || !last || contact.name <= last.name) {
      let at = items.findIndex((x) => x.name > contact.name);
      if (at < 0) at = items.length;
      items.splice(at, 0, { ...contact });
      if (lst.next_offset !== null && lst.next_offset !== undefined) lst.next_offset += 1;
    }
    lst.total = (lst.total || 0) + 1;
    return lst;
  });
  await cache.update(K.contact(contact.id), (d) => {
    if (!d) return d;
    if (op === 'delete') return undefined;
    d.contact = { ...d.contact, ...contact };
    return d;
  });
}

/** A note the server stored. With `indicator-never-clears` the server's copy
 * is merged onto the optimistic note, which keeps its `_sync: 'pending'`. */
export function upsertNote(cache, contactId, note, { bugs = new Set(), op = 'upsert' } = {}) {
  return cache.update(K.contact(contactId), (d) => {
    if (!d) return d;
    d.notes = d.notes || [];
    if (op === 'delete') d.notes = removeIn(d.notes, note.id);
    else upsertIn(d.notes, note, { merge: bugs.has('indicator-never-clears') });
    return d;
  });
}

export function upsertFile(cache, contactId, file, { op = 'upsert' } = {}) {
  return cache.update(K.contact(contactId), (d) => {
    if (!d) return d;
    d.files = d.files || [];
    if (op === 'delete') d.files = removeIn(d.files, file.id);
    else upsertIn(d.files, file);
    return d;
  });
}

export function addActivity(cache, contactId, act) {
  return cache.update(K.contact(contactId), (d) => {
    if (!d || !Array.isArray(d.activity)) return d;
    upsertIn(d.activity, act);
    d.activity.sort((a, b) => timeOf(b.at) - timeOf(a.at));
    return d;
  });
}

/** The server's opportunity: its own document and the row on its contact. */
export async function upsertOpportunity(cache, opp, { op = 'upsert' } = {}) {
  await cache.update(K.opportunity(opp.id), (old) => (op === 'delete' ? undefined : { ...(old || {}), ...opp }));
  const contactId = opp.contact_id;
  if (contactId === undefined || contactId === null) return;
  await cache.update(K.contact(contactId), (d) => {
    if (!d) return d;
    d.opportunities = d.opportunities || [];
    if (op === 'delete') d.opportunities = removeIn(d.opportunities, opp.id);
    else {
      const i = d.opportunities.findIndex((x) => sameId(x.id, opp.id));
      if (i < 0) d.opportunities.push({ ...opp });
      else d.opportunities[i] = { ...d.opportunities[i], ...opp };
    }
    return d;
  });
}

export function upsertConversation(cache, conv, { op = 'upsert' } = {}) {
  return cache.update(K.conversations, (lst) => {
    if (!lst) return lst;
    const items = lst.items || [];
    const i = items.findIndex((x) => sameId(x.id, conv.id));
    if (op === 'delete') { if (i >= 0) items.splice(i, 1); return lst; }
    if (i >= 0) items[i] = { ...items[i], ...conv };
    else items.unshift({ ...conv });
    items.sort((a, b) => timeOf(b.last_message_at) - timeOf(a.last_message_at));
    return lst;
  });
}

export async function upsertMessage(cache, msg) {
  const convId = msg.conversation_id;
  if (convId === undefined || convId === null) return;
  await cache.update(K.thread(convId), (t) => {
    if (!t) return t;
    upsertIn(t.items, msg);
    sortMessages(t.items);
    return t;
  });
  await cache.update(K.conversations, (lst) => {
    if (!lst) return lst;
    const c = (lst.items || []).find((x) => sameId(x.id, convId));
    if (c && timeOf(msg.at) > timeOf(c.last_message_at)) c.last_message_at = msg.at;
    return lst;
  });
}

export function sortMessages(items) {
  return items.sort((a, b) => timeOf(a.at) - timeOf(b.at) || (Number(a.id) - Number(b.id)) || String(a.id).localeCompare(String(b.id)));
}

/** Appointments live in one document per day; only cached days change. */
export async function upsertAppointment(cache, appt, { op = 'upsert' } = {}) {
  const days = await cache.keys('appointments:');
  const target = op === 'delete' ? null : K.day(dateOf(appt.starts_at));
  for (const key of days) {
    await cache.update(key, (lst) => {
      let items = removeIn(lst || [], appt.id);
      if (key === target) {
        items.push({ ...appt });
        items.sort((a, b) => timeOf(a.starts_at) - timeOf(b.starts_at));
      }
      return items;
    });
  }
}

const SINGULAR = { contacts: 'contact', notes: 'note', files: 'file', opportunities: 'opportunity',
  messages: 'message', conversations: 'conversation', appointments: 'appointment', activities: 'activity' };

/** Apply one change-feed record {seq, entity, id, op, data}. Unknown
 * entities (calls, payments, workflow runs) have no cached view. */
export async function applyChange(cache, ch, { bugs = new Set() } = {}) {
  const entity = SINGULAR[ch.entity] || ch.entity;
  const op = ch.op === 'delete' || ch.op === 'deleted' ? 'delete' : 'upsert';
  const data = { id: ch.id, ...(ch.data || {}) };
  switch (entity) {
    case 'contact': return upsertContact(cache, data, op);
    case 'note': if (data.contact_id != null) await upsertNote(cache, data.contact_id, data, { bugs, op }); return undefined;
    case 'file': if (data.contact_id != null) await upsertFile(cache, data.contact_id, data, { op }); return undefined;
    case 'activity': if (data.contact_id != null) await addActivity(cache, data.contact_id, data); return undefined;
    case 'opportunity': return upsertOpportunity(cache, data, { op });
    case 'conversation': return upsertConversation(cache, data, { op });
    case 'message': return upsertMessage(cache, data);
    case 'appointment': return upsertAppointment(cache, data, { op });
    default: return undefined;
  }
}

export async function applyChanges(cache, changes, opts) {
  for (const ch of changes) await applyChange(cache, ch, opts);
}
