import { DateTime } from 'luxon';
import type { ChannelKind } from '../../shared/post';
import type { TimeZone } from '../../shared/time';
import type { PostView } from '../posts/post-view';
import { type Html, html } from './html';
import { type Lang, t } from './i18n';

export interface CalendarQuery {
  view: 'week' | 'month';
  /** yyyy-MM-dd of a day inside the period, in the viewer's unit zone. */
  date: string;
  unitId: string | undefined;
  channel: ChannelKind | undefined;
}

export interface CalendarRange {
  days: string[];
  from: Date;
  to: Date;
  /** First and last day of the period proper (a month view pads whole weeks around it). */
  inPeriod: (day: string) => boolean;
  prev: string;
  next: string;
}

export function calendarRange(q: CalendarQuery, zone: TimeZone): CalendarRange {
  const parsed = DateTime.fromISO(q.date, { zone });
  const anchor = parsed.isValid ? parsed : DateTime.now().setZone(zone);
  const periodStart = anchor.startOf(q.view === 'week' ? 'week' : 'month');
  const periodEnd = anchor.endOf(q.view === 'week' ? 'week' : 'month');
  const start = periodStart.startOf('week');
  const end = periodEnd.endOf('week');
  const days: string[] = [];
  for (let d = start; d <= end; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  const step = q.view === 'week' ? { weeks: 1 } : { months: 1 };
  return {
    days,
    // A day in a unit further east or west is still caught: pad the query by a day on each side.
    from: start.minus({ days: 1 }).toJSDate(),
    to: end.plus({ days: 1 }).toJSDate(),
    inPeriod: (day) => day >= periodStart.toISODate()! && day <= periodEnd.toISODate()!,
    prev: periodStart.minus(step).toISODate()!,
    next: periodStart.plus(step).toISODate()!,
  };
}

export function calendarPage(
  lang: Lang,
  q: CalendarQuery,
  range: CalendarRange,
  posts: PostView[],
  units: Array<{ id: string; name: string }>,
  kinds: readonly ChannelKind[],
  /** More posts fall in the range than are shown. */
  more = false,
): Html {
  const byDay = new Map<string, PostView[]>();
  for (const p of posts) {
    // Each post sits on its own unit's calendar day, at its own unit's clock.
    const day = p.scheduledLocalIso.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), p]);
  }
  const link = (over: Partial<Record<'view' | 'date', string>>) => {
    const params = new URLSearchParams({ view: over.view ?? q.view, date: over.date ?? q.date });
    if (q.unitId) params.set('unit', q.unitId);
    if (q.channel) params.set('channel', q.channel);
    return `/calendar?${params.toString()}`;
  };
  const weekdays = lang === 'id' ? ['Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab', 'Min'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return html`<h1>${t(lang, 'calendar')}</h1>
<div class="row"><a class="button secondary" href="${link({ view: 'week' })}">${t(lang, 'week')}</a><a class="button secondary" href="${link({ view: 'month' })}">${t(lang, 'month')}</a>
<a href="${link({ date: range.prev })}">${t(lang, 'prev')}</a><a href="${link({ date: range.next })}">${t(lang, 'next')}</a>
<form method="get" action="/calendar" class="row"><input type="hidden" name="view" value="${q.view}"><input type="hidden" name="date" value="${q.date}">
<select name="unit" aria-label="${t(lang, 'unit')}"><option value="">${t(lang, 'allUnits')}</option>${units.map((u) => html`<option value="${u.id}"${u.id === q.unitId ? html` selected` : ''}>${u.name}</option>`)}</select>
<select name="channel" aria-label="${t(lang, 'channels')}"><option value="">${t(lang, 'allChannels')}</option>${kinds.map((k) => html`<option value="${k}"${k === q.channel ? html` selected` : ''}>${k}</option>`)}</select>
<button type="submit" class="secondary">${t(lang, 'filter')}</button></form></div>
${more ? html`<p class="flash err" data-more>${t(lang, 'calendarMore')} ${posts.length}. ${t(lang, 'calendarNarrow')}</p>` : ''}
<p class="muted">${t(lang, 'dragHint')}</p>
<div class="cal" id="calendar">${weekdays.map((w) => html`<div class="head">${w}</div>`)}
${range.days.map(
    (day) => html`<div class="day${range.inPeriod(day) ? '' : ' out'}" data-date="${day}"><div class="muted">${day.slice(8)}</div>
${(byDay.get(day) ?? []).map(
  (p) => html`<a class="item ${p.status}" href="/posts/${p.id}" draggable="${p.status === 'scheduled' ? 'true' : 'false'}" data-id="${p.id}" data-time="${p.scheduledLocalIso.slice(11, 16)}" title="${p.unit.name}">${p.scheduledLocalIso.slice(11, 16)} ${p.unit.zone} · ${p.title}</a>`,
)}</div>`,
  )}</div>`;
}
