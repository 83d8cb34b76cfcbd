// views/contact.js: one contact: details, opportunities, notes, files,
// activity history, and the actions (R6, R9-R16, R26).
// Opening it online caches it, so it stays readable offline. Notes, files,
// SMS and email go through the outbox (queued offline, with a sync state on
// screen); calls, payments and workflows need a live connection and are
// disabled offline with a message saying so. The skeleton (inputs, panels)
// is built once; update() only redraws the data parts, so a sync that lands
// while the user types never wipes the input.

import { h, T, fill, keyed, setText, fmtDate, money } from '../dom.js';
import { K } from '../store.js';
import { NetworkError } from '../util.js';
import { screen, unavailable, loading, readThrough, empty } from './common.js';

const MAX_UPLOAD = 5 * 1024 * 1024;

/** What of a fetched contact goes into the cache; local items that the
 * server has not acknowledged yet (pending or failed) are kept. */
export function cacheableContact(data, old, bugs) {
  const keepLocal = (serverList, oldList) => {
    const keys = new Set(serverList.map((x) => x.client_key).filter(Boolean));
    const oldByKey = new Map((oldList || []).filter((x) => x.client_key).map((x) => [x.client_key, x]));
    const merged = serverList.map((x) => {
      const mine = oldByKey.get(x.client_key);
      // indicator-never-clears: the server copy is merged onto the local one
      return mine && mine._sync && bugs.has('indicator-never-clears') ? Object.assign({ ...mine }, x) : { ...x };
    });
    return [...merged, ...(oldList || []).filter((x) => x._sync && !keys.has(x.client_key))];
  };
  const notes = keepLocal(data.notes || [], old && old.notes);
  const files = keepLocal(data.files || [], old && old.files);
  if (bugs.has('activity-not-cached')) {
    const { contact, opportunities } = data; // activity "is too big to keep"
    return { contact, notes, opportunities, files, fetched_at: Date.now() };
  }
  return { contact: data.contact, activity: data.activity || [], notes, opportunities: data.opportunities || [], files, fetched_at: Date.now() };
}

export async function mount(root, ctx, { id }) {
  const el = screen('contact-detail', 'Contact', null, { 'data-contact-id': id });
  const body = h('div', null, loading());
  el.append(body);
  root.append(el);

  let live = null; // this session's server copy (shows activity even when it is not cached)
  let fetching = false;
  let notFound = false;
  let skeleton = null;
  const status = { sms: null, email: null, upload: '', call: '' };

  async function fetchLive() {
    if (fetching) return;
    fetching = true;
    const r = await readThrough(ctx, K.contact(id), `/api/contacts/${encodeURIComponent(id)}`, (d, old) => cacheableContact(d, old, ctx.bugs));
    fetching = false;
    if (r.source === 'server') {
      live = r.live;
      for (const o of r.live.opportunities || []) await ctx.cache.put(K.opportunity(o.id), o);
    }
    notFound = r.source === 'not-found';
  }
  await fetchLive();

  // ---- the skeleton: built once -------------------------------------------
  function build() {
    const s = {};
    s.name = h('h2', { ...T('contact-name', 'Name'), class: 'screen-title' });
    s.company = h('div', { ...T('contact-company', 'Company'), class: 'company' });
    s.email = h('a', { ...T('contact-email', 'Email') });
    s.phone = h('a', { ...T('contact-phone', 'Phone') });
    const action = (tid, label, icon, onclick) => h('button', { ...T(tid, label), class: 'action', onclick },
      h('span', { class: 'action-icon', 'aria-hidden': 'true' }, icon), h('span', { class: 'action-label' }, label));
    s.actions = {
      sms: action('action-sms', 'SMS', '✉', () => open('sms')),
      email: action('action-email', 'Email', '@', () => open('email')),
      call: action('action-call', 'Call', '☏', () => open('call')),
      pay: action('action-pay', 'Pay', '$', () => ctx.navigate(`#/payments/${id}`)),
      upload: action('action-upload', 'Upload', '⇪', () => open('upload')),
      workflow: action('action-workflow', 'Workflow', '⚙', () => ctx.navigate(`#/workflows?contact=${id}`)),
    };
    s.unavailableSlot = h('div');

    // panels
    s.smsBody = h('textarea', { ...T('sms-body', 'SMS text'), rows: 2, placeholder: 'Text message' });
    s.smsSend = h('button', { ...T('sms-send', 'Send SMS'), class: 'btn', onclick: sendSms }, 'Send SMS');
    s.smsStatus = h('p', { class: 'panel-status', role: 'status' });
    s.emailSubject = h('input', { ...T('email-subject', 'Email subject'), placeholder: 'Subject' });
    s.emailBody = h('textarea', { ...T('email-body', 'Email text'), rows: 3, placeholder: 'Message' });
    s.emailSend = h('button', { ...T('email-send', 'Send email'), class: 'btn', onclick: sendEmail }, 'Send email');
    s.emailStatus = h('p', { class: 'panel-status', role: 'status' });
    s.callStart = h('button', { ...T('call-start', 'Start call'), class: 'btn', onclick: startCall }, 'Start call');
    s.callStatus = h('p', { ...T('call-status', 'Call status'), class: 'panel-status', role: 'status' }, 'Ready to call');
    s.uploadInput = h('input', { ...T('upload-input', 'Photo or file'), type: 'file' });
    s.uploadSubmit = h('button', { ...T('upload-submit', 'Upload'), class: 'btn', onclick: upload }, 'Upload');
    s.uploadStatus = h('p', { class: 'panel-status', role: 'status' });
    const panel = (name, title, ...kids) => h('div', { class: 'panel', 'data-panel': name, hidden: true },
      h('div', { class: 'panel-head' }, h('h3', null, title),
        h('button', { class: 'icon-btn', 'aria-label': `Close ${title}`, onclick: () => { s.panels[name].hidden = true; } }, '✕')), ...kids);
    s.panels = {
      sms: panel('sms', 'Send SMS', s.smsBody, s.smsSend, s.smsStatus),
      email: panel('email', 'Send email', s.emailSubject, s.emailBody, s.emailSend, s.emailStatus),
      call: panel('call', 'Call', s.callStart, s.callStatus),
      upload: panel('upload', 'Upload photo or file', s.uploadInput, s.uploadSubmit, s.uploadStatus),
    };

    s.opps = h('ul', { class: 'list compact' });
    s.notes = h('ul', { ...T('note-list', 'Notes'), class: 'notes' });
    s.noteInput = h('textarea', { ...T('note-input', 'New note'), rows: 2, placeholder: 'Add a note…',
      onkeydown: (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) addNote(); } });
    s.noteAdd = h('button', { ...T('note-add', 'Add note'), class: 'btn', onclick: addNote }, 'Add note');
    s.files = h('ul', { class: 'list compact files' });
    s.activity = h('ul', { ...T('activity-list', 'Activity history'), class: 'activity' });

    s.root = h('div', null,
      h('div', { class: 'contact-head' }, s.name, s.company, h('div', { class: 'contact-lines' }, s.email, s.phone)),
      h('div', { class: 'actions' }, Object.values(s.actions)),
      s.unavailableSlot,
      Object.values(s.panels),
      h('h3', { class: 'section-title' }, 'Opportunities'), s.opps,
      h('h3', { class: 'section-title' }, 'Notes'), s.notes,
      h('div', { class: 'note-form' }, s.noteInput, s.noteAdd),
      h('h3', { class: 'section-title' }, 'Files'), s.files,
      h('h3', { class: 'section-title' }, 'Activity'), s.activity);
    return s;
  }

  function open(name) {
    for (const [k, p] of Object.entries(skeleton.panels)) p.hidden = k !== name;
    skeleton.panels[name].scrollIntoView({ block: 'nearest' });
    update();
  }

  // ---- actions --------------------------------------------------------------
  async function addNote() {
    const text = skeleton.noteInput.value.trim();
    if (!text) return;
    skeleton.noteAdd.disabled = true;
    try {
      await ctx.mutations.addNote(id, text);
      skeleton.noteInput.value = '';
    } finally { skeleton.noteAdd.disabled = false; }
    update();
  }

  async function sendSms() {
    const text = skeleton.smsBody.value.trim();
    if (!text || !messagingAllowed()) return;
    status.sms = (await ctx.mutations.sendSms(id, text)).key;
    skeleton.smsBody.value = '';
    update();
  }

  async function sendEmail() {
    const subject = skeleton.emailSubject.value.trim();
    const text = skeleton.emailBody.value.trim();
    if ((!subject && !text) || !messagingAllowed()) return;
    status.email = (await ctx.mutations.sendEmail(id, subject, text)).key;
    skeleton.emailSubject.value = '';
    skeleton.emailBody.value = '';
    update();
  }

  async function startCall() {
    const s = skeleton;
    if (!ctx.conn.online && !ctx.bugs.has('call-hangs-offline')) { s.callStatus.textContent = 'Calls need a connection'; return; }
    s.callStart.disabled = true;
    s.callStatus.textContent = 'Calling…';
    s.callStatus.classList.add('spinning');
    try {
      // call-hangs-offline: "wait for the network, then dial" with no timeout
      if (ctx.bugs.has('call-hangs-offline')) await ctx.conn.whenOnline();
      const r = await ctx.api.postNow('/api/calls', { contact_id: Number(id) });
      s.callStatus.textContent = `Call connected (${(r.call && r.call.status) || 'started'})`;
    } catch (e) {
      s.callStatus.textContent = e instanceof NetworkError ? 'Call failed: needs a connection' : `Call failed: ${e.message}`;
    } finally {
      s.callStatus.classList.remove('spinning');
      s.callStart.disabled = false;
      update();
    }
  }

  async function upload() {
    const file = skeleton.uploadInput.files && skeleton.uploadInput.files[0];
    if (!file) { skeleton.uploadStatus.textContent = 'Choose a photo or file first'; return; }
    if (file.size > MAX_UPLOAD) { skeleton.uploadStatus.textContent = 'Files are limited to 5 MB'; return; }
    skeleton.uploadSubmit.disabled = true;
    try {
      const data64 = await readBase64(file);
      await ctx.mutations.uploadFile(id, { filename: file.name, content_type: file.type || 'application/octet-stream', data_base64: data64, size: file.size });
      skeleton.uploadInput.value = '';
      skeleton.uploadStatus.textContent = ctx.conn.online ? `Uploading ${file.name}…` : `${file.name} queued: it uploads when you are back online`;
    } finally { skeleton.uploadSubmit.disabled = false; }
    update();
  }

  const messagingAllowed = () => ctx.conn.online || ctx.settings.queueMessages;

  function entryState(key) {
    const e = key ? ctx.outbox.byKey(key) : null;
    if (!e) return '';
    if (e.state === 'synced') return 'Sent';
    if (e.state === 'failed') return `Not sent: ${e.last_error}`;
    return ctx.conn.online ? 'Sending…' : 'Queued: it will be sent when you are back online';
  }

  // ---- data -----------------------------------------------------------------
  async function update() {
    if (!ctx.conn.online && notFound) notFound = false;
    const d = await ctx.cache.get(K.contact(id));
    if (!d) {
      skeleton = null;
      if (notFound) { keyed(body, ['unavailable', location.hash], () => unavailable('This contact does not exist.')); return; }
      if (ctx.conn.online && !fetching) { fill(body, loading()); await fetchLive(); if (await ctx.cache.get(K.contact(id))) return update(); }
      keyed(body, ['unavailable', location.hash], () => unavailable('This contact needs a connection: it has not been opened on this device yet.'));
      return;
    }
    if (!skeleton) { skeleton = build(); fill(body, skeleton.root); }
    const s = skeleton;
    const c = d.contact || {};
    setText(s.name, c.name || '');
    setText(s.company, c.company || '');
    setText(s.email, c.email || '');
    s.email.href = c.email ? `mailto:${c.email}` : '#';
    setText(s.phone, c.phone || '');
    s.phone.href = c.phone ? `tel:${c.phone}` : '#';

    const online = ctx.conn.online;
    const callEnabled = online || ctx.bugs.has('call-hangs-offline');
    s.actions.call.disabled = !callEnabled;
    s.actions.pay.disabled = !online;
    s.actions.workflow.disabled = !online;
    s.actions.sms.disabled = !messagingAllowed();
    s.actions.email.disabled = !messagingAllowed();
    s.callStart.disabled = !callEnabled || s.callStatus.classList.contains('spinning');
    s.smsSend.disabled = !messagingAllowed();
    s.emailSend.disabled = !messagingAllowed();
    if (!messagingAllowed()) { s.panels.sms.hidden = true; s.panels.email.hidden = true; }
    if (!callEnabled) s.panels.call.hidden = true;
    const missing = [];
    if (!callEnabled) missing.push('Calls');
    if (!online) missing.push('payments', 'workflows');
    if (!messagingAllowed()) missing.push('SMS', 'email');
    keyed(s.unavailableSlot, [missing, online, ctx.settings.queueMessages], () => [
      missing.length ? unavailable(`${missing.join(', ').replace(/^./, (x) => x.toUpperCase())} need a connection: not available offline.`) : null,
      !online && ctx.settings.queueMessages ? h('p', { class: 'hint' }, 'SMS and email are queued and sent when you are back online.') : null]);
    setText(s.smsStatus, entryState(status.sms));
    setText(s.emailStatus, entryState(status.email));

    const opps = d.opportunities || [];
    const oppPending = opps.map((o) => ctx.mutations.opportunityPending(o.id));
    keyed(s.opps, [opps, oppPending], () => (opps.length ? opps.map((o) => h('li', null,
      h('a', { href: `#/opportunities/${o.id}`, ...T('opportunity-row', `Opportunity ${o.name}`), class: 'row-link', 'data-opportunity-id': o.id },
        h('span', { class: 'row-main' }, o.name), h('span', { class: 'pill' }, o.stage), h('span', { class: 'row-sub' }, money(o.value)),
        ctx.mutations.opportunityPending(o.id) ? h('span', { class: 'sync-dot', title: 'Waiting to sync' }, '⟳') : null)))
      : empty('No opportunities.')));

    const notes = d.notes || [];
    keyed(s.notes, notes, () => (notes.length ? notes.map((n) => {
      const state = n._sync || 'synced';
      return h('li', { ...T('note-item', 'Note'), class: `note ${state}`, 'data-key': n.client_key || '', 'data-sync-state': state },
        h('p', { ...T('note-text', 'Note text'), class: 'note-text' }, n.text),
        h('div', { class: 'note-meta' }, fmtDate(n.created_at),
          state === 'pending' ? h('span', { ...T('note-sync-indicator', 'Waiting to sync'), class: 'sync-ind', role: 'status' }, '⟳ Waiting to sync') : null,
          state === 'failed' ? h('span', { class: 'failed-ind' }, '✕ Not saved: the server refused it') : null));
    }) : empty('No notes yet.')));

    const files = d.files || [];
    keyed(s.files, files, () => (files.length ? files.map((f) => {
      const state = f._sync || 'synced';
      return h('li', { ...T('file-item', `File ${f.filename}`), class: `file ${state}`, 'data-key': f.client_key || '', 'data-sync-state': state },
        h('span', { class: 'row-main' }, f.filename), h('span', { class: 'row-sub' }, `${Math.ceil((f.size || 0) / 1024)} KB`),
        state === 'pending' ? h('span', { class: 'sync-ind' }, '⟳ Waiting to upload') : null,
        state === 'failed' ? h('span', { class: 'failed-ind' }, '✕ Refused') : null);
    }) : empty('No files.')));

    // activity-dropped-offline: the open screen's activity is "a live feed": offline it is cleared, and the
    // cached history is only read when the screen opens
    const dropped = ctx.bugs.has('activity-dropped-offline') && live && !online;
    const activity = dropped ? [] : (d.activity || (live && live.activity) || []);
    keyed(s.activity, [activity, !!d.activity, dropped], () => (activity.length ? activity.map((a) => h('li', { ...T('activity-item', `Activity ${a.type}`), class: 'activity-item', 'data-activity-id': a.id },
      h('span', { class: 'pill' }, a.type), ' ', h('span', null, a.text), h('div', { class: 'row-sub' }, fmtDate(a.at))))
      : empty(dropped ? 'Activity is not available offline.' : d.activity ? 'No activity yet.' : 'Activity history is not saved on this device.')));
  }

  await update();
  return { update };
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
