import { DateTime } from 'luxon';
import type { ChannelKind } from '../../shared/post';
import { CHANNEL_KIND_LABELS, POST_STATUS_LABELS } from '../../shared/words';
import { type TimeZone, clockInZone } from '../../shared/time';
import type { PostView } from '../posts/post-view';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';

/** Posts whose time may still be moved from the calendar (as by dragging). */
const MOVABLE: readonly PostView['status'][] = ['scheduled', 'pending_approval', 'draft'];

export interface CalendarQuery {
  /** The agenda lists the week's days one under another; on a phone the week and month grids show as that list too. */
  view: 'week' | 'month' | 'agenda';
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
  /** The period in words for the heading: "November 2026", "23–29 November 2026". */
  label: (lang: Lang) => string;
  prev: string;
  next: string;
}

export function calendarRange(q: CalendarQuery, zone: TimeZone): CalendarRange {
  const parsed = DateTime.fromISO(q.date, { zone });
  // The padded range of a day in year 1 or 9999 would reach a year the database cannot be asked about; no post is there.
  const anchor = parsed.isValid && parsed.year > 1970 && parsed.year < 9999 ? parsed : DateTime.now().setZone(zone);
  const unit = q.view === 'month' ? 'month' : 'week';
  const periodStart = anchor.startOf(unit);
  const periodEnd = anchor.endOf(unit);
  const start = periodStart.startOf('week');
  const end = periodEnd.endOf('week');
  const days: string[] = [];
  for (let d = start; d <= end; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  const step = q.view === 'month' ? { months: 1 } : { weeks: 1 };
  return {
    days,
    // A day in a unit further east or west is still caught: pad the query by a day on each side.
    from: start.minus({ days: 1 }).toJSDate(),
    to: end.plus({ days: 1 }).toJSDate(),
    inPeriod: (day) => day >= periodStart.toISODate()! && day <= periodEnd.toISODate()!,
    label: (lang) => {
      const locale = lang === 'id' ? 'id-ID' : 'en-GB';
      const [a, b] = [periodStart.setLocale(locale), periodEnd.setLocale(locale)];
      if (q.view === 'month') return a.toFormat('LLLL yyyy');
      if (a.year !== b.year) return `${a.toFormat('d LLLL yyyy')} – ${b.toFormat('d LLLL yyyy')}`;
      if (a.month !== b.month) return `${a.toFormat('d LLLL')} – ${b.toFormat('d LLLL yyyy')}`;
      return `${a.toFormat('d')}–${b.toFormat('d LLLL yyyy')}`;
    },
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
  /** The form token, when the reader may move posts (the agenda's reschedule form, the touch and keyboard way). */
  csrf?: string,
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
  const locale = lang === 'id' ? 'id-ID' : 'en-GB';
  const viewLink = (view: CalendarQuery['view'], key: 'week' | 'month' | 'agenda') =>
    html`<a class="button${q.view === view ? '' : ' secondary'}" href="${link({ view })}"${q.view === view ? html` aria-current="page"` : ''} data-view="${view}">${t(lang, key)}</a>`;
  const clock = (p: PostView) => clockInZone(new Date(p.scheduledAt), p.unit.timeZone as TimeZone, lang);
  const channelsOf = (p: PostView) => [...new Set(p.targets.filter((x) => x.status !== 'cancelled').map((x) => x.channelKind))];
  // A tap or click opens the post's card over the calendar (the browser's own popover, so Escape or a tap
  // elsewhere closes it; calendar.client.ts opens it); without a script the item is a link to the post. A
  // scheduled item can still be dragged to another day on a desktop.
  const item = (p: PostView) =>
    html`<a class="item ${p.status}" href="/posts/${p.id}" draggable="${p.status === 'scheduled' ? 'true' : 'false'}" data-id="${p.id}" data-time="${p.scheduledLocalIso.slice(11, 16)}" title="${clock(p)} ${p.unit.zone} · ${p.unit.name} · ${p.title} · ${pick(lang, POST_STATUS_LABELS[p.status])}"><span class="time">${clock(p)}</span> ${p.title}</a>
<div id="pop-${p.id}" popover class="cal-pop" data-pop="${p.id}"><p class="muted">${DateTime.fromISO(p.scheduledLocalIso.slice(0, 10)).setLocale(locale).toFormat('cccc, d LLLL')} · ${clock(p)} ${p.unit.zone}</p>
<p><strong>${p.title}</strong></p><p class="muted">${p.unit.name}</p>
<p class="kinds">${channelsOf(p).map((k) => html`<span class="kind" data-kind="${k}">${pick(lang, CHANNEL_KIND_LABELS[k])}</span>`)} <span class="badge ${p.status}">${pick(lang, POST_STATUS_LABELS[p.status])}</span></p>
<p class="row"><a class="button" href="/posts/${p.id}">${t(lang, 'openPost')}</a><button type="button" class="secondary" popovertarget="pop-${p.id}" popovertargetaction="hide">${t(lang, 'close')}</button></p></div>`;
  // The agenda: each day of the period that has posts, its posts one per line with everything a glance needs.
  const agendaDays = range.days.filter((d) => range.inPeriod(d) && byDay.has(d));
  const agenda = html`<section class="agenda${q.view === 'agenda' ? ' only' : ''}" id="agenda" aria-label="${t(lang, 'agenda')}">${
    agendaDays.length === 0
      ? html`<p class="muted">${t(lang, 'agendaEmpty')}</p>`
      : agendaDays.map(
          (day) => html`<h2 data-date="${day}">${DateTime.fromISO(day).setLocale(locale).toFormat('cccc, d LLLL')}</h2><ul>${(byDay.get(day) ?? [])
            .sort((a, b) => a.scheduledLocalIso.localeCompare(b.scheduledLocalIso))
            .map(
              (p) => html`<li class="agenda-item ${p.status}" data-id="${p.id}"><a href="/posts/${p.id}"><span class="time">${clock(p)} ${p.unit.zone}</span>
<strong>${p.title}</strong></a><span class="muted">${p.unit.name}</span>
<span class="kinds">${channelsOf(p).map((k) => html`<span class="kind" data-kind="${k}">${pick(lang, CHANNEL_KIND_LABELS[k])}</span>`)}</span>
<span class="badge ${p.status}">${pick(lang, POST_STATUS_LABELS[p.status])}</span>${
                csrf !== undefined && MOVABLE.includes(p.status)
                  ? html`<details class="move"><summary>${t(lang, 'reschedule')}</summary><form method="post" action="/posts/${p.id}/reschedule" class="row"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="back" value="${link({})}">
<label class="muted" for="when-${p.id}">${t(lang, 'publishAt')} (${p.unit.zone})</label><input id="when-${p.id}" type="datetime-local" step="60" name="scheduledAt" value="${p.scheduledLocalIso.slice(0, 16)}" required><button type="submit" class="secondary">${t(lang, 'reschedule')}</button></form></details>`
                  : ''
              }</li>`,
            )}</ul>`,
        )
  }</section>`;
  return html`<h1>${t(lang, 'calendar')} · <span data-period>${range.label(lang)}</span></h1>
<nav class="row cal-nav" aria-label="${t(lang, 'calendar')}">${viewLink('week', 'week')}${viewLink('month', 'month')}${viewLink('agenda', 'agenda')}
<a class="button secondary" href="${link({ date: range.prev })}" rel="prev">${t(lang, 'prev')}</a><a class="button secondary" href="${link({ date: range.next })}" rel="next">${t(lang, 'next')}</a></nav>
<form method="get" action="/calendar" class="row cal-filter"><input type="hidden" name="view" value="${q.view}"><input type="hidden" name="date" value="${q.date}">
<select name="unit" aria-label="${t(lang, 'unit')}"><option value="">${t(lang, 'allUnits')}</option>${units.map((u) => html`<option value="${u.id}"${u.id === q.unitId ? html` selected` : ''}>${u.name}</option>`)}</select>
<select name="channel" aria-label="${t(lang, 'channels')}"><option value="">${t(lang, 'allChannels')}</option>${kinds.map((k) => html`<option value="${k}"${k === q.channel ? html` selected` : ''}>${pick(lang, CHANNEL_KIND_LABELS[k])}</option>`)}</select>
<button type="submit" class="secondary">${t(lang, 'filter')}</button></form>
${more ? html`<p class="flash err" data-more>${t(lang, 'calendarMore')} ${posts.length}. ${t(lang, 'calendarNarrow')}</p>` : ''}
${q.view === 'agenda' ? '' : html`<p class="muted drag-hint">${t(lang, 'dragHint')}</p>
<div class="cal" id="calendar">${weekdays.map((w) => html`<div class="head">${w}</div>`)}
${range.days.map(
    (day) => html`<div class="day${range.inPeriod(day) ? '' : ' out'}" data-date="${day}"><div class="muted">${day.slice(8)}</div>
${(byDay.get(day) ?? []).map(item)}</div>`,
  )}</div>`}
${agenda}`;
}
