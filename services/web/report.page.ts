// The monthly report page: each unit's month and its rank among units of its level, a chart of the days, and the
// files to send up. The chart is SVG drawn here (no script, no chart library): bars with their numbers as text.
import { ChannelKind } from '../../shared/post';
import { PLATFORM_FIGURES_NOTE, SCORE_RULE } from '../../shared/reports/unit-score';
import { CHANNEL_KIND_LABELS, figureIn, numberIn } from '../../shared/words';
import { type UnitMonth, type UnitReport, totalOf } from '../reports/unit-report';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';

export function reportPage(lang: Lang, report: UnitReport, perDay: number[], units: Array<{ id: string; name: string }>): Html {
  const kinds = ChannelKind.options.filter((k) => report.units.some((u) => u.byKind[k] > 0));
  const query = `unitId=${report.unit.id}&month=${report.month}`;
  const sum = (f: (u: UnitMonth) => number | null) => figureIn(lang, totalOf(report.units, f));
  const minutes = (n: number | null) => (n === null ? '—' : n < 120 ? `${n} ${t(lang, 'minutesShort')}` : `${Math.round(n / 6) / 10} ${t(lang, 'hoursShort')}`);
  return html`<h1>${t(lang, 'reportTitle')} · ${report.unit.name}</h1>
<form method="get" action="/report" class="row card" data-report-filter>
<label>${t(lang, 'unit')}<select name="unitId">${units.map((u) => html`<option value="${u.id}"${u.id === report.unit.id ? html` selected` : ''}>${u.name}</option>`)}</select></label>
<label>${t(lang, 'month')}<input type="month" name="month" value="${report.month}" required></label>
<button type="submit" class="secondary">${t(lang, 'show')}</button></form>
<p class="row"><a class="button secondary" href="${`/api/v1/reports/units.csv?${query}&lang=${lang}`}" data-export="csv">${t(lang, 'downloadCsv')}</a> <a class="button secondary" href="${`/api/v1/reports/units.xlsx?${query}&lang=${lang}`}" data-export="xlsx">${t(lang, 'downloadXlsx')}</a></p>
${dayChart(lang, report.month, perDay)}
<p class="muted" data-score-rule>${pick(lang, SCORE_RULE)}</p>
<p class="muted scroll-hint">${t(lang, 'repScrollHint')}</p>
<div class="table-wrap"><table class="report-table" data-report><thead><tr><th>${t(lang, 'rank')}</th><th>${t(lang, 'unit')}</th><th>${t(lang, 'repPublished')}</th>${kinds.map((k) => html`<th>${pick(lang, CHANNEL_KIND_LABELS[k])}</th>`)}<th>${t(lang, 'repOnTime')}</th><th>${t(lang, 'repLate')}</th><th>${t(lang, 'repFailed')}</th><th>${t(lang, 'repApproval')}</th><th>${t(lang, 'repRejections')}</th><th>${t(lang, 'repPhotos')}</th><th>${t(lang, 'ampVisits')}</th><th>${t(lang, 'repShares')}</th><th>${t(lang, 'repRead')}</th><th>${t(lang, 'repViews')}</th><th>${t(lang, 'repReactions')}</th><th>${t(lang, 'repComments')}</th><th>${t(lang, 'repReposts')}</th><th>${t(lang, 'repFollowers')}</th><th>${t(lang, 'repScore')}</th></tr></thead><tbody>
${report.units.map(
  (u) => html`<tr data-unit-row="${u.unitId}" data-depth="${u.depth}"><td>${u.depth === 0 ? '' : u.rank}</td><th scope="row" class="depth-${Math.min(u.depth, 3)}">${u.unitName}</th><td>${u.published}</td>${kinds.map((k) => html`<td>${u.byKind[k]}</td>`)}<td>${u.onTime}</td><td>${u.late}</td><td>${u.failed}</td><td>${minutes(u.medianApprovalMinutes)}</td><td>${u.rejections}</td><td>${u.photosPerPost ?? '—'}</td><td>${u.visits}</td><td>${u.shares}</td><td data-platform="read">${u.platform.of === 0 ? '—' : `${u.platform.read}/${u.platform.of}`}</td><td data-platform="views">${figureIn(lang, u.platform.views)}</td><td data-platform="reactions">${figureIn(lang, u.platform.reactions)}</td><td data-platform="comments">${figureIn(lang, u.platform.comments)}</td><td data-platform="reposts">${figureIn(lang, u.platform.reposts)}</td><td data-followers>${figureIn(lang, u.followers)}</td><td><strong>${numberIn(lang, u.score)}</strong></td></tr>`,
)}</tbody>
<tfoot><tr data-total-row><td></td><th scope="row">${t(lang, 'repTotal')}</th><td>${sum((u) => u.published)}</td>${kinds.map((k) => html`<td>${sum((u) => u.byKind[k])}</td>`)}<td>${sum((u) => u.onTime)}</td><td>${sum((u) => u.late)}</td><td>${sum((u) => u.failed)}</td><td></td><td>${sum((u) => u.rejections)}</td><td></td><td>${sum((u) => u.visits)}</td><td>${sum((u) => u.shares)}</td><td>${
  report.units.some((u) => u.platform.of > 0) ? `${sum((u) => u.platform.read)}/${sum((u) => u.platform.of)}` : '—'
}</td><td>${sum((u) => u.platform.views)}</td><td>${sum((u) => u.platform.reactions)}</td><td>${sum((u) => u.platform.comments)}</td><td>${sum((u) => u.platform.reposts)}</td><td>${sum((u) => u.followers)}</td><td></td></tr></tfoot></table></div>
<p class="muted" data-platform-note>${pick(lang, PLATFORM_FIGURES_NOTE)}</p>`;
}

/** Posts out per day of the month, as bars; each bar says its number, so the chart reads without colour or hover. */
function dayChart(lang: Lang, month: string, perDay: number[]): Html {
  const max = Math.max(1, ...perDay);
  const w = 12;
  const height = 120;
  const width = perDay.length * w;
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const named = new Date(Date.UTC(year, mon - 1, 15)).toLocaleDateString(lang === 'id' ? 'id-ID' : 'en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return html`<figure class="card chart" data-day-chart><figcaption>${t(lang, 'repChart')}, ${named}</figcaption>
${perDay.every((n) => n === 0) ? html`<p class="muted" data-chart-empty>${t(lang, 'repChartEmpty')}</p>` : ''}<svg viewBox="0 0 ${width} ${height + 14}" role="img" aria-label="${t(lang, 'repChart')}: ${perDay.join(', ')}" class="bars">${perDay.map((n, i) => {
    const h = Math.round((n / max) * (height - 14));
    return html`<g><rect x="${i * w + 1}" y="${height - h}" width="${w - 2}" height="${h}" class="bar"><title>${i + 1}: ${n}</title></rect>${
      n > 0 ? html`<text x="${i * w + w / 2}" y="${height - h - 2}" class="bar-n">${n}</text>` : ''
    }<text x="${i * w + w / 2}" y="${height + 11}" class="bar-day">${(i + 1) % 5 === 0 || i === 0 ? i + 1 : ''}</text></g>`;
  })}</svg></figure>`;
}
