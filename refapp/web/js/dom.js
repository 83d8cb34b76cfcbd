// dom.js: a tiny hyperscript helper. The harness finds everything through
// data-testid + aria-label pairs, so T() makes sure the two always travel
// together.

/** Props for a harness hook: data-testid and an aria-label with the same meaning. */
export const T = (testid, label) => ({ 'data-testid': testid, 'aria-label': label });

const PROPS = new Set(['disabled', 'hidden', 'value', 'checked', 'selected', 'type', 'multiple']);

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace the children of `el`. */
export function fill(el, ...children) {
  el.__sig = undefined;
  el.replaceChildren();
  append(el, children);
  return el;
}

export function fmtDate(value) {
  if (!value) return '';
  const d = new Date(typeof value === 'number' && value < 1e12 ? value * 1000 : value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function fmtTime(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export const money = (v) => {
  const n = Number(v) || 0;
  return n.toLocaleString(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
};

/** Rebuild the children of `el` only when `data` changed since the last
 * call: screens redraw after every sync event, and an element that is
 * replaced under a user's (or the harness's) finger is a stale click. */
export function keyed(el, data, build) {
  const sig = JSON.stringify(data);
  if (el.__sig === sig) return el;
  fill(el, build());
  el.__sig = sig;
  return el;
}

/** Set text only when it differs (no needless DOM churn). */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
