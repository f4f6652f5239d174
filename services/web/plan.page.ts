// The posting plan page: a spreadsheet of the month's posts in, drafts out, or each problem by row and column; and
// a large plan's import page, which follows the job's progress and then lists its drafts a page at a time.
import { formatInZone } from '../../shared/time';
import { numberIn } from '../../shared/words';
import type { ImportProblem } from '../posts/import-posts';
import type { PlanImportSummary, PlanImportView } from '../posts/plan-imports';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';

export interface ListedDraft {
  id: string;
  title: string;
  unit: string;
  when: string;
}

export type PlanOutcome =
  | { kind: 'refused'; message: string; problems: ImportProblem[]; more?: number }
  | { kind: 'imported'; count: number; drafts: ListedDraft[]; importId?: string };

/** Drafts an import's page lists at a time. */
export const PLAN_DRAFTS_LISTED = 500;
/** How long an import's page refreshes itself while the import waits or runs. */
export const PLAN_IMPORT_PATIENCE_MS = 30 * 60_000;

/** Fills `{name}` slots; a function replacer, so that "$&" in a file's name stays as typed. */
const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (slot: string, name: string) => values[name] ?? slot);

export function planPage(lang: Lang, csrf: string, outcome?: PlanOutcome, recent: PlanImportSummary[] = []): Html {
  return html`<h1>${t(lang, 'planTitle')}</h1>
<p>${t(lang, 'planHelp')}</p>
<p><a class="button secondary" href="/plan/template.csv" download data-template>${t(lang, 'planTemplate')}</a></p>
${outcome ? outcomeBox(lang, outcome) : ''}
<form method="post" action="/plan" enctype="multipart/form-data" class="card"><input type="hidden" name="_csrf" value="${csrf}">
<label>${t(lang, 'planFile')}<input type="file" name="file" accept=".csv,text/csv" required></label>
<p class="muted">${t(lang, 'planFileHelp')}</p>
<button type="submit" data-action="import">${t(lang, 'planImport')}</button></form>
${recent.length > 0 ? recentBox(lang, recent) : ''}`;
}

/** The person's latest imports, each a link to its page: where an earlier plan's drafts are found again. */
function recentBox(lang: Lang, recent: PlanImportSummary[]): Html {
  return html`<section class="card" data-recent-imports><h2>${t(lang, 'planRecent')}</h2><ul>${recent.map(
    (r) => html`<li data-recent-import="${r.id}"><a href="/plan/imports/${r.id}">${r.fileName}</a> <span class="muted">${formatInZone(r.createdAt, r.zone, lang)} · ${statusWords(lang, r)}</span></li>`,
  )}</ul></section>`;
}

function statusWords(lang: Lang, r: { status: PlanImportSummary['status']; rows: number; imported: number }): string {
  switch (r.status) {
    case 'queued':
    case 'checking':
    case 'importing':
      return fill(t(lang, 'planStateRunning'), { rows: numberIn(lang, r.rows) });
    case 'done':
      return fill(t(lang, 'planStateDone'), { n: numberIn(lang, r.imported) });
    case 'refused':
      return t(lang, 'planStateRefused');
    case 'failed':
      return t(lang, 'planStateFailed');
  }
}

/** What an import came to: its drafts, each a link to its compose page, or each problem by row and column. */
function outcomeBox(lang: Lang, outcome: PlanOutcome, pager?: Html): Html {
  if (outcome.kind === 'imported') {
    return html`<div class="flash" role="status" data-imported="${outcome.count}"><p>${fill(t(lang, 'planImported'), { n: numberIn(lang, outcome.count) })}</p>
${outcome.importId ? html`<p class="muted">${t(lang, 'planImportedKept')} <a href="/plan/imports/${outcome.importId}" data-import-link>${t(lang, 'planImportedLink')}</a></p>` : ''}
<ol class="imported">${outcome.drafts.map((d) => html`<li data-imported-post="${d.id}"><a href="/compose/${d.id}">${d.title}</a> <span class="muted">${d.unit} · ${d.when}</span></li>`)}</ol>${pager ?? ''}</div>`;
  }
  return html`<div class="flash err" role="alert" data-refused><p>${outcome.message}</p>${
    outcome.problems.length > 0 ? html`${problemSummary(lang, outcome.problems, outcome.more ?? 0)}${problemTable(lang, outcome.problems)}` : ''
  }</div>`;
}

/** A file wrong in the same few ways many times over reads as those ways first, each with its count of rows. */
function problemSummary(lang: Lang, problems: ImportProblem[], more: number): Html | '' {
  const kinds = new Map<string, { column: string | null; message: string; rows: Set<number> }>();
  for (const p of problems) {
    const message = pick(lang, p.message);
    const key = `${p.code}\n${p.column ?? ''}\n${message}`;
    const kind = kinds.get(key) ?? { column: p.column, message, rows: new Set<number>() };
    kind.rows.add(p.row);
    kinds.set(key, kind);
  }
  if (kinds.size === problems.length && more === 0) return '';
  const sorted = [...kinds.values()].sort((a, b) => b.rows.size - a.rows.size).slice(0, 10);
  return html`<p><strong>${t(lang, 'planSummary')}</strong></p><ul data-problem-summary>${sorted.map(
    (k) => html`<li>${k.column ? html`<strong>${k.column}</strong>: ` : ''}${k.message} — ${fill(t(lang, 'planSummaryRows'), { n: numberIn(lang, k.rows.size), first: String(Math.min(...k.rows)) })}</li>`,
  )}</ul>`;
}

function problemTable(lang: Lang, problems: ImportProblem[]): Html {
  return html`<table class="problems" data-problems><thead><tr><th>${t(lang, 'planRow')}</th><th>${t(lang, 'planRowTitle')}</th><th>${t(lang, 'planColumn')}</th><th>${t(lang, 'planProblem')}</th></tr></thead><tbody>${problems.map(
    (p) => html`<tr data-row="${p.row}" data-column="${p.column ?? ''}"><td>${p.row}</td><td>${p.title ?? '—'}</td><td>${p.column ?? '—'}</td><td>${pick(lang, p.message)}</td></tr>`,
  )}</tbody></table>`;
}

/** The browser tab says where the import stands, so a person can work in another tab meanwhile. */
export function planImportTitle(lang: Lang, job: PlanImportView): string {
  const state =
    job.status === 'checking' ? `${numberIn(lang, job.checked)}/${numberIn(lang, job.rows)}` : job.status === 'queued' || job.status === 'importing' ? '…' : statusWords(lang, job);
  return `${fill(t(lang, 'planJobTitle'), { file: job.fileName })} · ${state}`;
}

/** A large plan's import as the job runs it: a progress bar while it checks, then what it came to. */
export function planImportPage(lang: Lang, job: PlanImportView, drafts: ListedDraft[], o: { page: number; pages: number; stuck: boolean }): Html {
  const say = (key: 'planJobQueued' | 'planJobChecking' | 'planJobImporting') => fill(t(lang, key), { rows: numberIn(lang, job.rows), checked: numberIn(lang, job.checked) });
  let body: Html;
  switch (job.status) {
    case 'queued':
    case 'checking':
    case 'importing':
      body = html`<div class="card" role="status" data-import-status="${job.status}"><p>${say(job.status === 'queued' ? 'planJobQueued' : job.status === 'checking' ? 'planJobChecking' : 'planJobImporting')}</p>
<progress max="${job.rows}" value="${job.checked}" data-progress>${numberIn(lang, job.checked)} / ${numberIn(lang, job.rows)}</progress>${
        o.stuck ? html`<p class="flash err" data-import-stuck>${t(lang, 'planJobStuck')}</p>` : html`<p class="muted">${t(lang, 'planJobRefreshing')}</p>`
      }</div>`;
      break;
    case 'done': {
      const pager =
        o.pages > 1
          ? html`<p class="row" data-pager>${o.page > 1 ? html`<a class="button secondary" href="?page=${o.page - 1}">${t(lang, 'planPrev')}</a>` : ''} <span class="muted">${fill(t(lang, 'planPageOf'), { page: String(o.page), pages: String(o.pages) })}</span> ${
              o.page < o.pages ? html`<a class="button secondary" href="?page=${o.page + 1}" data-next-page>${t(lang, 'planNext')}</a>` : ''
            }</p>`
          : undefined;
      body = html`<div data-import-status="done">${outcomeBox(lang, { kind: 'imported', count: job.imported, drafts }, pager)}</div>`;
      break;
    }
    case 'refused':
    case 'failed':
      body = html`<div data-import-status="${job.status}">${outcomeBox(lang, { kind: 'refused', message: job.message ? pick(lang, job.message) : '', problems: job.problems })}</div>`;
      break;
  }
  return html`<h1>${fill(t(lang, 'planJobTitle'), { file: job.fileName })}</h1>
<p><a class="button secondary" href="/plan">${t(lang, 'planJobAgain')}</a></p>
${body}`;
}
