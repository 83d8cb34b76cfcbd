// views/calendar.js: today and the next 3 days (R8). The app prefetches
// this range at launch while online (prefetchCalendar), so the calendar is
// readable offline even if the user never opened it.

import { h, T, fill, keyed, fmtTime } from '../dom.js';
import { K } from '../store.js';
import { dayRange, dateOf, timeOf } from '../util.js';
import { screen, unavailable, loading, empty } from './common.js';

export const CALENDAR_DAYS = 4;

/** Fetch today..today+3 and store one document per day. */
export async function prefetchCalendar(ctx, now = Date.now()) {
  const days = dayRange(now, CALENDAR_DAYS);
  const r = await ctx.api.get(`/api/appointments?from=${days[0]}&days=${CALENDAR_DAYS}`);
  const byDay = new Map(days.map((d) => [d, []]));
  for (const a of r.items || []) { const d = dateOf(a.starts_at); if (byDay.has(d)) byDay.get(d).push(a); }
  // calendar-today-only: "the agenda widget only needs today"
  const keep = ctx.bugs.has('calendar-today-only') ? days.slice(0, 1) : days;
  for (const d of keep) await ctx.cache.put(K.day(d), byDay.get(d).sort((a, b) => timeOf(a.starts_at) - timeOf(b.starts_at)));
  return byDay;
}

const label = (d, i) => {
  if (i === 0) return 'Today';
  if (i === 1) return 'Tomorrow';
  return new Date(`${d}T12:00:00`).toLocaleDateString(undefined, { weekday: 'long', month: 'short', day: 'numeric' });
};

export async function mount(root, ctx) {
  const el = screen('calendar', 'Calendar', 'Calendar');
  const body = h('div', null, loading());
  el.append(body);
  root.append(el);
  let live = null; // this session's copy (under calendar-today-only the cache has less)
  if (ctx.conn.online) { try { live = await prefetchCalendar(ctx); } catch { live = null; } }

  async function update() {
    const days = dayRange(Date.now(), CALENDAR_DAYS);
    const lists = [];
    for (const d of days) {
      const cached = await ctx.cache.get(K.day(d));
      lists.push(cached !== undefined ? cached : live && live.get(d));
    }
    if (lists.every((x) => x === undefined || x === null)) {
      keyed(body, ['unavailable', location.hash], () => unavailable('The calendar needs a connection: it has not been loaded on this device yet.'));
      return;
    }
    keyed(body, [days, lists], () => days.map((d, i) => h('section', { ...T('calendar-day', label(d, i)), class: 'day', 'data-date': d },
      h('h3', { class: 'section-title' }, label(d, i), h('span', { class: 'row-sub' }, ` ${d}`)),
      lists[i] === undefined || lists[i] === null
        ? h('p', { class: 'empty' }, 'Not saved on this device: needs a connection.')
        : lists[i].length
          ? h('ul', { class: 'list compact' }, lists[i].map((a) => h('li', { ...T('appointment-item', `Appointment ${a.title}`), class: 'appt', 'data-appointment-id': a.id },
            h('span', { class: 'appt-time' }, `${fmtTime(a.starts_at)}–${fmtTime(a.ends_at)}`), h('span', { class: 'row-main' }, a.title))))
          : empty('No appointments.'))));
  }
  await update();
  return { update };
}
