// _fakes.mjs: test doubles for the web client's node tests: a manual clock
// and a small in-memory backend behind a fake fetch. The backend keeps the
// contract's idempotency rule (a replayed key applies nothing) and records
// every request and every applied mutation, so tests assert on what
// "reached the server", the same way the harness does.

export class FakeClock {
  constructor(start = 1_700_000_000_000) { this.t = start; this.timers = []; this.nextId = 1; }
  now = () => this.t;
  setTimeout = (fn, ms) => { const id = this.nextId++; this.timers.push({ id, at: this.t + ms, fn }); return id; };
  clearTimeout = (id) => { this.timers = this.timers.filter((x) => x.id !== id); };
  pending() { return this.timers.map((x) => x.at - this.t).sort((a, b) => a - b); }
  /** Advance time, firing due timers in order, letting promises settle between. */
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (!due || due.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await settle();
  }
}

/** Let queued promise callbacks (and the fake server's awaits) run. */
export async function settle(rounds = 50) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

function response(status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return { status, ok: status >= 200 && status < 300, text: async () => text };
}

export class FakeServer {
  constructor(clock, { ttlS = 3600 } = {}) {
    this.clock = clock;
    this.ttlS = ttlS;
    this.mode = 'up';        // 'up' | 'down' (refused) | 'hang' (half-open) | 'portal' (a login page for all)
    this.requests = [];      // every request that reached the server {method, path, key, body}
    this.applied = [];       // mutations applied {key, path, body}
    this.keys = new Map();   // idempotency key -> {status, body}
    this.tokens = new Map(); // access token -> expires_at
    this.refreshTokens = new Set();
    this.changes = [];
    this.seq = 0;
    this.nextId = 100;
    this.script = [];        // one-shot behaviours for the next mutations
    this.loginCount = 0;
    this.refreshCount = 0;
    this.fetch = this.fetch.bind(this);
  }

  /** Queue a one-shot behaviour for the next matching mutation:
   * {status} answer with that status; {dropResponse: true} apply, then fail the connection;
   * {hang: true} never answer (the client's own timeout ends it). */
  nextMutation(behaviour) { this.script.push(behaviour); }

  expireAllTokens() { for (const k of this.tokens.keys()) this.tokens.set(k, 0); }

  addChange(entity, id, data, op = 'create') {
    this.seq += 1;
    this.changes.push({ seq: this.seq, entity, id, op, data });
  }

  issue() {
    const access = `a${this.nextId++}`;
    const refresh = `r${this.nextId++}`;
    this.tokens.set(access, this.clock.now() + this.ttlS * 1000);
    this.refreshTokens.add(refresh);
    return { access_token: access, refresh_token: refresh, expires_in: this.ttlS };
  }

  async fetch(url, init = {}) {
    if (this.mode === 'down') throw new TypeError('Failed to fetch');
    if (this.mode === 'hang') return new Promise(() => {});
    if (this.mode === 'portal') return { status: 200, ok: true, text: async () => '<html>Log in to the Wi-Fi</html>' };
    const u = new URL(url, 'http://app.test');
    const method = init.method || 'GET';
    const headers = init.headers || {};
    const body = init.body ? JSON.parse(init.body) : undefined;
    const key = headers['Idempotency-Key'];
    this.requests.push({ method, path: u.pathname + u.search, key, body });
    const path = u.pathname;
    if (path === '/api/health') return response(200, { ok: true, server_time: 0 });
    if (path === '/api/auth/login') { this.loginCount += 1; return response(200, this.issue()); }
    if (path === '/api/auth/refresh') {
      this.refreshCount += 1;
      if (!this.refreshTokens.has(body.refresh_token)) return response(401, { error: 'unauthorized' });
      return response(200, this.issue());
    }
    const auth = (headers.Authorization || '').replace('Bearer ', '');
    const exp = this.tokens.get(auth);
    if (exp === undefined) return response(401, { error: 'unauthorized' });
    if (exp <= this.clock.now()) return response(401, { error: 'token_expired' });

    if (method === 'GET') {
      if (path === '/api/changes') {
        const since = Number(u.searchParams.get('since') || 0);
        const out = this.changes.filter((c) => c.seq > since);
        return response(200, { changes: out, cursor: out.length ? out[out.length - 1].seq : since });
      }
      if (path === '/api/dashboard') {
        return response(200, { widgets: { contacts: 1, open_opportunities: 0, pipeline_value: 0, appointments_today: 0, unread_conversations: this.applied.length },
          conversation_counts: { total: 0, unread: 0 }, as_of_seq: this.seq });
      }
      return response(404, { error: 'not_found' });
    }
    if (!key) return response(400, { error: 'idempotency_key_required' });
    if (this.keys.has(key)) { const r = this.keys.get(key); return response(r.status, r.body); }
    const b = this.script.shift() || {};
    if (b.status) return response(b.status, { error: 'scripted' });
    if (b.hang) return new Promise(() => {}); // held at a proxy, or a response lost on a slow link
    let status = 201;
    let out;
    const m = path.match(/^\/api\/contacts\/([^/]+)\/notes$/);
    if (m && method === 'POST') {
      const note = { id: this.nextId++, contact_id: m[1], text: body.text, created_at: 't', client_key: key };
      out = { note };
      this.addChange('note', note.id, note);
    } else if (path.startsWith('/api/opportunities/') && method === 'PATCH') {
      status = 200;
      out = { opportunity: { id: path.split('/').pop(), contact_id: 'c1', ...body } };
    } else {
      out = { ok: true };
    }
    this.keys.set(key, { status, body: out });
    this.applied.push({ key, path, body });
    if (b.dropResponse) throw new TypeError('connection reset after commit');
    return response(status, out);
  }
}
