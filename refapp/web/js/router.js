// router.js: hash routes -> screens. Each navigation mounts the screen into
// a fresh container, so a slow screen that finishes loading after the user
// has moved on cannot draw over the new one. The query string of the page
// (timers) is never touched: only the hash changes.

export const ROUTES = [
  [/^\/dashboard$/, 'dashboard', []],
  [/^\/contacts$/, 'contacts', []],
  [/^\/contacts\/([^/]+)$/, 'contact', ['id']],
  [/^\/conversations$/, 'conversations', []],
  [/^\/conversations\/([^/]+)$/, 'thread', ['id']],
  [/^\/calendar$/, 'calendar', []],
  [/^\/opportunities\/([^/]+)$/, 'opportunity', ['id']],
  [/^\/search$/, 'search', []],
  [/^\/workflows$/, 'workflows', []],
  [/^\/payments\/([^/]+)$/, 'payments', ['id']],
  [/^\/outbox$/, 'outbox', []],
];

/** '#/contacts/12?x=1' -> {name: 'contact', params: {id: '12', x: '1'}}; unknown -> dashboard. */
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/dashboard';
  const [path, query = ''] = raw.split('?');
  const params = Object.fromEntries(new URLSearchParams(query));
  for (const [re, name, keys] of ROUTES) {
    const m = path.match(re);
    if (m) {
      keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      return { name, params, path };
    }
  }
  return { name: 'dashboard', params: {}, path: '/dashboard' };
}

export class Router {
  constructor({ root, views, ctx, onError, onRoute }) {
    Object.assign(this, { root, views, ctx, onError, onRoute });
    this.current = null; // {token, view, route}
    this.token = 0;
  }

  start() {
    window.addEventListener('hashchange', () => this.show());
    return this.show();
  }

  async show() {
    const route = parseHash(location.hash);
    const token = ++this.token;
    const page = document.createElement('div');
    page.className = 'page';
    this.root.replaceChildren(page);
    this.current = { token, view: null, route };
    this.onRoute && this.onRoute(route);
    this.root.scrollTop = 0;
    try {
      const view = await this.views[route.name].mount(page, this.ctx, route.params);
      if (this.current.token === token) this.current.view = view;
    } catch (e) {
      if (this.current.token === token) this.onError(e);
    }
  }

  /** Redraw the data parts of the current screen. */
  async update() {
    const cur = this.current;
    if (!cur || !cur.view || !cur.view.update) return;
    try { await cur.view.update(); } catch (e) { if (this.current === cur) this.onError(e); }
  }
}
