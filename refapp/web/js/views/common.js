// views/common.js: what every screen shares: the screen frame, the
// "needs a connection" message (R12, R26), and the read path "from the
// server when online, from the cache otherwise" (R3).

import { h, T } from '../dom.js';
import { NetworkError, HttpError } from '../util.js';

export function screen(testid, label, title, extra = {}) {
  const el = h('section', { ...T(testid, label), class: 'screen', ...extra });
  if (title) el.append(h('h2', { class: 'screen-title' }, title));
  return el;
}

export function unavailable(text) {
  return h('div', { ...T('unavailable-message', 'Not available offline'), class: 'unavailable', role: 'alert' },
    h('span', { class: 'unavailable-icon', 'aria-hidden': 'true' }, '⚠'), ' ', text);
}

export const loading = () => h('p', { class: 'loading', role: 'status' }, 'Loading…');

export function empty(text) { return h('p', { class: 'empty' }, text); }

/**
 * Read through the cache: when online fetch `path`, store it under `key`
 * (via toCache(data, old)), and report 'server'; offline, or if the request
 * gets no answer, fall back to what is cached. A 404 is reported as such.
 * Resolves {source: 'server'|'cache'|'none'|'not-found'|'error', data, live}.
 */
export async function readThrough(ctx, key, path, toCache = (d) => d) {
  if (ctx.conn.online) {
    try {
      const live = await ctx.api.get(path);
      const data = await ctx.cache.update(key, (old) => toCache(live, old));
      return { source: 'server', data, live };
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return { source: 'not-found', data: null };
      if (!(e instanceof NetworkError) && !(e instanceof HttpError)) throw e;
    }
  }
  const data = await ctx.cache.get(key);
  return { source: data === undefined ? 'none' : 'cache', data };
}
