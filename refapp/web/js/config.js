// config.js: where the app's knobs come from.
// Timers arrive as URL query parameters (so a scenario runs in seconds) and
// must survive hash navigation and a relaunch without them, so they are
// persisted in localStorage whenever given. The injected-bug list and the
// app-profile settings come from the backend's /client-config.json, with
// the last copy kept for launches while offline.

export const TIMER_DEFAULTS = Object.freeze({
  probe_ms: 5000,
  heartbeat_ms: 15000,
  request_timeout_ms: 8000,
  backoff_base_ms: 1000,
  backoff_max_ms: 30000,
});

const TIMERS_KEY = 'refapp.timers';
const CONFIG_KEY = 'refapp.client-config';

/**
 * Timers and queue_messages from the query string, merged over the values
 * persisted by an earlier launch, merged over the defaults.
 * `search` is location.search; `ls` a localStorage-like object (or null).
 */
export function readSettings(search, ls) {
  let saved = {};
  try { saved = JSON.parse((ls && ls.getItem(TIMERS_KEY)) || '{}') || {}; } catch { saved = {}; }
  const params = new URLSearchParams(search || '');
  const given = {};
  for (const name of [...Object.keys(TIMER_DEFAULTS), 'queue_messages']) {
    const raw = params.get(name);
    if (raw === null || raw.trim() === '') continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n >= 0) given[name] = n;
  }
  const merged = { ...saved, ...given };
  if (Object.keys(given).length && ls) {
    try { ls.setItem(TIMERS_KEY, JSON.stringify(merged)); } catch { /* storage full: keep in memory */ }
  }
  const timers = { ...TIMER_DEFAULTS };
  for (const k of Object.keys(TIMER_DEFAULTS)) if (k in merged) timers[k] = merged[k];
  if (timers.backoff_max_ms < timers.backoff_base_ms) timers.backoff_max_ms = timers.backoff_base_ms;
  return { timers, queueMessagesParam: 'queue_messages' in merged ? merged.queue_messages !== 0 : null };
}

/**
 * The backend's client config. Fetched with a timeout; on failure the copy
 * saved by the last successful launch is used; with neither, no bugs.
 * Returns {bugs: Set, queueMessages: bool, tokenTtlS, fromNetwork}.
 */
export async function loadClientConfig({ fetchJson, ls, queueMessagesParam }) {
  let cfg = null;
  let fromNetwork = false;
  try {
    cfg = await fetchJson('/client-config.json');
    fromNetwork = true;
    if (ls) { try { ls.setItem(CONFIG_KEY, JSON.stringify(cfg)); } catch { /* ignore */ } }
  } catch {
    try { cfg = JSON.parse((ls && ls.getItem(CONFIG_KEY)) || 'null'); } catch { cfg = null; }
  }
  cfg = cfg || {};
  const bugs = new Set(Array.isArray(cfg.bugs) ? cfg.bugs : []);
  // The URL parameter (a scenario's choice) wins over the server's profile.
  const queueMessages = queueMessagesParam !== null && queueMessagesParam !== undefined
    ? queueMessagesParam
    : cfg.queue_messages !== false;
  return { bugs, queueMessages, tokenTtlS: cfg.token_ttl_s ?? null, fromNetwork };
}
