// The posting plan page: a spreadsheet of the month's posts in, drafts out, or each problem by row and column.
import type { ImportProblem } from '../posts/import-posts';
import { type Html, html } from './html';
import { type Lang, pick, t } from './i18n';

export type PlanOutcome =
  | { kind: 'refused'; message: string; problems: ImportProblem[] }
  | { kind: 'imported'; count: number; drafts: Array<{ id: string; title: string; when: string }> };

export function planPage(lang: Lang, csrf: string, outcome?: PlanOutcome): Html {
  return html`<h1>${t(lang, 'planTitle')}</h1>
<p>${t(lang, 'planHelp')}</p>
<p><a class="button secondary" href="/plan/template.csv" download data-template>${t(lang, 'planTemplate')}</a></p>
${outcome?.kind === 'imported'
  ? html`<div class="flash" role="status" data-imported="${outcome.count}"><p>${t(lang, 'planImported').replace('{n}', String(outcome.count))}</p>
<ol class="imported">${outcome.drafts.map((d) => html`<li data-imported-post="${d.id}"><a href="/compose/${d.id}">${d.title}</a> <span class="muted">${d.when}</span></li>`)}</ol></div>`
  : ''}
${outcome?.kind === 'refused'
  ? html`<div class="flash err" role="alert" data-refused><p>${outcome.message}</p>${
      outcome.problems.length > 0
        ? html`<table class="problems" data-problems><thead><tr><th>${t(lang, 'planRow')}</th><th>${t(lang, 'planColumn')}</th><th>${t(lang, 'planProblem')}</th></tr></thead><tbody>${outcome.problems.map(
            (p) => html`<tr data-row="${p.row}" data-column="${p.column ?? ''}"><td>${p.row}</td><td>${p.column ?? '—'}</td><td>${pick(lang, p.message)}</td></tr>`,
          )}</tbody></table>`
        : ''
    }</div>`
  : ''}
<form method="post" action="/plan" enctype="multipart/form-data" class="card"><input type="hidden" name="_csrf" value="${csrf}">
<label>${t(lang, 'planFile')}<input type="file" name="file" accept=".csv,text/csv" required></label>
<p class="muted">${t(lang, 'planFileHelp')}</p>
<button type="submit" data-action="import">${t(lang, 'planImport')}</button></form>`;
}
