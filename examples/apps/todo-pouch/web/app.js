// todo-pouch client: a todo list kept in PouchDB (IndexedDB in the browser) and synced to the server's
// express-pouchdb with PouchDB's own live replication. The app adds what a user needs around it: an offline
// banner, a count of changes waiting to sync, and a per-item sync state.
//
// Offline: the browser's offline event, a failed probe of GET /db/ (the sync API's root), or the replication
// erroring (not the app's own recycling of an idle long poll); online again when a probe answers (then the
// replication is restarted at once rather than at its next back-off).
// Per-item state: an item is "pending" until the revision it has locally was seen pushed to the server by
// the replication (its 'change' events, direction push) or, once the push is caught up, the server answers
// that it has that revision (_revs_diff); the confirmed revisions live in a _local doc, so they survive a
// reload or a kill.
'use strict';

(function () {
  const params = new URLSearchParams(location.search);
  const num = (name, dflt) => (params.has(name) && !isNaN(Number(params.get(name))) ? Number(params.get(name)) : dflt);
  const PROBE_MS = num('probe_ms', 1000);
  const REQUEST_TIMEOUT_MS = num('request_timeout_ms', 3000);
  const HEARTBEAT_MS = 2000;
  const BACKOFF_MAX_MS = num('backoff_max_ms', 2000);
  const LONGPOLL_MAX_MS = num('longpoll_max_ms', 20000);
  const CONFIRMED = '_local/confirmed';

  const $ = (sel) => document.querySelector(sel);
  const local = new PouchDB('todos');
  let confirmed = {};            // _id -> the last revision seen pushed
  let sync = null;
  let offline = !navigator.onLine;

  // The replication's requests, each with a deadline for its whole response: a dead link must fail, not hang.
  // The pull's long poll is different: express-pouchdb (like CouchDB with a heartbeat) keeps an idle one open
  // until the server has a change, and a buffering proxy or gzip holds its heartbeats, so it gets a longer
  // deadline after which it is recycled: the replication's retry starts it again, and the app does not count
  // that as an outage (the probe watches the link). PouchDB's own signal still aborts it (sync.cancel()).
  function timedFetch(url, opts) {
    opts = opts || {};
    const longPoll = String(url).includes('feed=longpoll');
    const ctrl = new AbortController();
    if (opts.signal) {
      if (opts.signal.aborted) ctrl.abort(opts.signal.reason);
      else opts.signal.addEventListener('abort', () => ctrl.abort(opts.signal.reason), { once: true });
    }
    const timer = setTimeout(() => {
      if (!longPoll) return ctrl.abort();
      const recycled = new Error('long poll recycled after ' + LONGPOLL_MAX_MS + ' ms');
      recycled.name = 'LongPollRecycled';
      recycled.recycled = true;
      ctrl.abort(recycled);
    }, longPoll ? LONGPOLL_MAX_MS : REQUEST_TIMEOUT_MS);
    return (async () => {
      try {
        const res = await PouchDB.fetch(url, Object.assign({}, opts, { signal: ctrl.signal }));
        const body = await res.arrayBuffer();      // the deadline covers the body, not only the headers
        // the sync server answered as itself (JSON, 2xx): proof of a path, as a probe's answer is. Without it a
        // failure reported late (a request timer that fired after the app was thawed, say) left the banner up
        // while the replication ran, until the next probe (20 s under a battery policy's timers)
        if (res.ok && (res.headers.get('content-type') || '').includes('application/json')) {
          setOffline(false, { resume: false });
        }
        const nullBody = [101, 204, 205, 304].includes(res.status);
        return new Response(nullBody ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
      } finally {
        clearTimeout(timer);
      }
    })();
  }
  const remote = new PouchDB(location.origin + '/db/todos', { fetch: timedFetch, skip_setup: true });

  function setOffline(value, { resume = true } = {}) {
    if (offline === value) return;
    offline = value;
    document.body.dataset.connectivity = value ? 'offline' : 'online';
    $('[data-testid=offline-banner]').hidden = !value;
    if (!value && resume) startSync();    // back online: resume now, not at the replication's next retry
  }

  async function probe() {
    if (!navigator.onLine) { setOffline(true); return; }
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), REQUEST_TIMEOUT_MS);
    try {
      // the probe asks the sync server itself (the CouchDB API's root), not a page beside it: a captive portal
      // or a proxy that answers the API with its own page leaves /health answering, and an app probing that
      // flipped to "online" every probe, restarted its replication into the portal and starved its own writes
      const res = await fetch('/db/', { cache: 'no-store', signal: ctrl.signal });
      const body = await res.json();
      setOffline(!(res.ok && body && typeof body === 'object' && typeof body.version === 'string'));
    } catch (e) {
      setOffline(true);
    } finally {
      clearTimeout(timer);
    }
  }

  async function loadConfirmed() {
    try { confirmed = (await local.get(CONFIRMED)).revs || {}; } catch (e) { confirmed = {}; }
  }

  async function saveConfirmed() {
    for (let attempt = 0; attempt < 3; attempt++) {
      let doc;
      try { doc = await local.get(CONFIRMED); } catch (e) { doc = { _id: CONFIRMED }; }
      doc.revs = confirmed;
      try { await local.put(doc); return; } catch (e) { if (e.status !== 409) return; }
    }
  }

  // The push's 'change' event is not the only way a revision reaches the server: a batch whose response was
  // lost, or one still in flight when startSync() cancelled its replication, is on the server but never
  // announced (PouchDB emits 'change' only for a batch it saw answered and was not cancelled), and the next
  // replication finds nothing to push. So whenever the push is caught up, ask the server about the revisions
  // not yet confirmed; without this such an item shows 'pending' for ever.
  async function reconcile() {
    const unconfirmed = (await docs()).filter((d) => confirmed[d._id] !== d._rev);
    if (!unconfirmed.length) return;
    const query = {};
    for (const d of unconfirmed) query[d._id] = [d._rev];
    let missing;
    try { missing = await remote.revsDiff(query); } catch (e) { return; }   // offline again: the next pause asks
    let changed = false;
    for (const d of unconfirmed) {
      if (!missing[d._id] && confirmed[d._id] !== d._rev) { confirmed[d._id] = d._rev; changed = true; }
    }
    if (changed) await saveConfirmed().then(render);
  }

  function startSync() {
    if (sync) sync.cancel();
    sync = local.sync(remote, {
      live: true, retry: true, heartbeat: HEARTBEAT_MS, timeout: REQUEST_TIMEOUT_MS,
      back_off_function: (delay) => (delay === 0 ? 200 : Math.min(delay * 2, BACKOFF_MAX_MS)),
    });
    sync.on('change', (info) => {
      setOffline(false, { resume: false });  // data crossed: online, and the replication is already running
      if (info.direction === 'push') {
        for (const d of info.change.docs || []) confirmed[d._id] = d._rev;
        saveConfirmed().then(render);
      } else {
        for (const d of info.change.docs || []) confirmed[d._id] = d._rev;  // came from the server: in sync
        saveConfirmed().then(render);
      }
    });
    // the Sync object emits 'paused' without the error that paused it: the push and pull replications have it
    // 'paused' comes once, when a running replication stops; a replication already waiting to retry (after the
    // app recycled its idle long poll, say) reports each further failure as 'requestError' only
    for (const rep of [sync.push, sync.pull]) {
      rep.on('paused', (err) => { if (err && !err.recycled) setOffline(true); render(); });
      rep.on('requestError', (err) => { if (!(err && err.recycled) && !rep.cancelled) setOffline(true); });
    }
    sync.push.on('paused', (err) => { if (!err) reconcile(); });
    sync.on('paused', () => render());
    sync.on('error', (err) => { if (!(err && err.recycled)) setOffline(true); });
    // 'active' is no proof of a path to the server (a local write starts a push batch while offline); a change
    // that crossed is, and so is a probe that answers
  }

  // every document's latest revision, deleted ones included (a delete is pending until its tombstone is pushed)
  async function docs() {
    const res = await local.changes({ since: 0, include_docs: true });
    return res.results.filter((r) => !r.id.startsWith('_'))
      .map((r) => Object.assign({}, r.doc, { _id: r.id, _rev: r.changes[0].rev, _deleted: !!r.deleted }));
  }

  async function render() {
    const all = await docs();
    const live = all.filter((d) => !d._deleted).sort((a, b) => (a.created_at || 0) - (b.created_at || 0));
    const pending = all.filter((d) => confirmed[d._id] !== d._rev).length;
    const status = $('[data-testid=sync-status]');
    status.dataset.pending = String(pending);
    status.textContent = pending ? `${pending} change${pending > 1 ? 's' : ''} waiting to sync` : 'All changes synced';
    const list = $('[data-testid=todo-list]');
    const editing = list.querySelector('[data-testid=edit-todo]');
    if (editing) return;  // do not redraw under the user's editor
    list.replaceChildren(...live.map(item));
    document.body.dataset.appState = 'ready';
  }

  function item(doc) {
    const li = document.createElement('li');
    li.setAttribute('data-testid', 'todo-item');
    li.dataset.id = doc._id;
    li.dataset.syncState = confirmed[doc._id] === doc._rev ? 'synced' : 'pending';
    const text = document.createElement('span');
    text.setAttribute('data-testid', 'todo-text');
    text.textContent = doc.title;
    const edit = document.createElement('button');
    edit.setAttribute('data-testid', 'todo-edit');
    edit.textContent = 'Edit';
    edit.onclick = () => startEdit(li, doc);
    const del = document.createElement('button');
    del.setAttribute('data-testid', 'todo-delete');
    del.textContent = 'Delete';
    del.onclick = async () => {
      const latest = await local.get(doc._id);
      await local.put(Object.assign({}, latest, { _deleted: true }));
      render();
    };
    li.append(text, edit, del);
    return li;
  }

  function startEdit(li, doc) {
    const input = document.createElement('input');
    input.setAttribute('data-testid', 'edit-todo');
    input.value = doc.title;
    const save = document.createElement('button');
    save.setAttribute('data-testid', 'save-todo');
    save.textContent = 'Save';
    const commit = async () => {
      const title = input.value.trim();
      const latest = await local.get(doc._id);
      if (title) await local.put(Object.assign({}, latest, { title }));
      li.replaceChildren();
      input.remove();
      render();
    };
    save.onclick = commit;
    input.onkeydown = (e) => { if (e.key === 'Enter') commit(); };
    li.replaceChildren(input, save);
    input.focus();
  }

  $('#new-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('[data-testid=new-todo]');
    const title = input.value.trim();
    if (!title) return;
    const id = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
    await local.put({ _id: id, title, created_at: Date.now() });
    input.value = '';
    render();
  });

  window.addEventListener('online', probe);
  window.addEventListener('offline', () => setOffline(true));

  async function boot() {
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
    await loadConfirmed();
    local.changes({ live: true, since: 'now' }).on('change', () => render());
    document.body.dataset.connectivity = offline ? 'offline' : 'online';
    $('[data-testid=offline-banner]').hidden = !offline;
    await render();
    startSync();
    probe();
    setInterval(probe, PROBE_MS);
  }
  boot();
})();
