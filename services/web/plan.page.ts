// The posting plan page: a spreadsheet of the month's posts in, drafts out, or each problem by row and column.
import type { ImportProblem } from '../posts/import-posts';
import type { PlanImportView } from '../posts/plan-imports';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';

export type PlanOutcome =
  | { kind: 'refused'; message: string; problems: ImportProblem[] }
  | { kind: 'imported'; count: number; drafts: Array<{ id: string; title: string; when: string }> };

/** Drafts a finished large import lists by name (the rest are counted). */
export const PLAN_DRAFTS_LISTED = 500;

export function planPage(lang: Lang, csrf: string, outcome?: PlanOutcome): Html {
  return html`<h1>${t(lang, 'planTitle')}</h1>
<p>${t(lang, 'planHelp')}</p>
<p><a class="button secondary" href="/plan/template.csv" download data-template>${t(lang, 'planTemplate')}</a></p>
${outcome ? outcomeBox(lang, outcome) : ''}
<form method="post" action="/plan" enctype="multipart/form-data" class="card"><input type="hidden" name="_csrf" value="${csrf}">
<label>${t(lang, 'planFile')}<input type="file" name="file" accept=".csv,text/csv" required></label>
<p class="muted">${t(lang, 'planFileHelp')}</p>
<button type="submit" data-action="import">${t(lang, 'planImport')}</button></form>`;
}

/** What an import came to: its drafts, each a link to its compose page, or each problem by row and column. */
function outcomeBox(lang: Lang, outcome: PlanOutcome, more = 0): Html {
  if (outcome.kind === 'imported') {
    return html`<div class="flash" role="status" data-imported="${outcome.count}"><p>${t(lang, 'planImported').replace('{n}', outcome.count.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB'))}</p>
<ol class="imported">${outcome.drafts.map((d) => html`<li data-imported-post="${d.id}"><a href="/compose/${d.id}">${d.title}</a> <span class="muted">${d.when}</span></li>`)}</ol>${
      more > 0 ? html`<p class="muted" data-more="${more}">${t(lang, 'planJobMore').replace('{n}', more.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB'))}</p>` : ''
    }</div>`;
  }
  return html`<div class="flash err" role="alert" data-refused><p>${outcome.message}</p>${
    outcome.problems.length > 0
      ? html`<table class="problems" data-problems><thead><tr><th>${t(lang, 'planRow')}</th><th>${t(lang, 'planRowTitle')}</th><th>${t(lang, 'planColumn')}</th><th>${t(lang, 'planProblem')}</th></tr></thead><tbody>${outcome.problems.map(
          (p) => html`<tr data-row="${p.row}" data-column="${p.column ?? ''}"><td>${p.row}</td><td>${p.title ?? '—'}</td><td>${p.column ?? '—'}</td><td>${pick(lang, p.message)}</td></tr>`,
        )}</tbody></table>`
      : ''
  }</div>`;
}

/** A large plan's import as the job runs it: a progress bar while it checks, then what it came to. */
export function planImportPage(lang: Lang, job: PlanImportView, drafts: Array<{ id: string; title: string; when: string }>): Html {
  const n = (v: number) => v.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB');
  const say = (key: 'planJobQueued' | 'planJobChecking' | 'planJobImporting') => t(lang, key).replace('{rows}', n(job.rows)).replace('{checked}', n(job.checked));
  let body: Html;
  switch (job.status) {
    case 'queued':
    case 'checking':
    case 'importing':
      body = html`<div class="card" role="status" data-import-status="${job.status}"><p>${say(job.status === 'queued' ? 'planJobQueued' : job.status === 'checking' ? 'planJobChecking' : 'planJobImporting')}</p>
<progress max="${job.rows}" value="${job.checked}" data-progress>${n(job.checked)} / ${n(job.rows)}</progress></div>`;
      break;
    case 'done':
      body = html`<div data-import-status="done">${outcomeBox(lang, { kind: 'imported', count: job.imported, drafts }, Math.max(0, job.imported - PLAN_DRAFTS_LISTED))}</div>`;
      break;
    case 'refused':
    case 'failed':
      body = html`<div data-import-status="${job.status}">${outcomeBox(lang, { kind: 'refused', message: job.message ? pick(lang, job.message) : '', problems: job.problems })}</div>`;
      break;
  }
  return html`<h1>${t(lang, 'planJobTitle').replace('{file}', job.fileName)}</h1>
${body}
<p><a class="button secondary" href="/plan">${t(lang, 'planJobAgain')}</a></p>`;
}
