// The admins' queue page: how much work waits in each queue and state, the jobs of one state, and a
// retry for a failed one. Server-rendered under the site's CSP, in the reader's language.
import { DateTime } from 'luxon';
import type { JobState, JobSummary, QueueName } from '../../workers/queue/queue-inspector';
import { type Html, html } from './html';
import type { Lang } from './i18n';
import { t } from './i18n';

const QUEUE_WORDS: Record<QueueName, { id: string; en: string }> = {
  publish: { id: 'Penerbitan', en: 'Publishing' },
  media: { id: 'Pengolahan foto', en: 'Photo rendering' },
  maintenance: { id: 'Pemeliharaan', en: 'Maintenance' },
  notify: { id: 'E-mail pemberitahuan', en: 'Notification e-mails' },
  engagement: { id: 'Angka dari platform', en: 'Platform figures' },
  imports: { id: 'Impor rencana unggahan', en: 'Posting plan imports' },
};
const STATE_WORDS: Record<JobState, { id: string; en: string }> = {
  waiting: { id: 'menunggu', en: 'waiting' },
  active: { id: 'berjalan', en: 'running' },
  delayed: { id: 'terjadwal', en: 'scheduled' },
  prioritized: { id: 'didahulukan', en: 'prioritised' },
  'waiting-children': { id: 'menunggu sub-pekerjaan', en: 'waiting for sub-jobs' },
  failed: { id: 'gagal', en: 'failed' },
  completed: { id: 'selesai', en: 'completed' },
};
const JOB_WORDS: Record<string, { id: string; en: string }> = {
  publish: { id: 'Terbitkan ke satu saluran', en: 'Publish to one channel' },
  retract: { id: 'Tarik kembali dari satu saluran', en: 'Take back from one channel' },
  render: { id: 'Olah satu foto', en: 'Render one photo' },
  reconcile: { id: 'Periksa jadwal terhadap basis data', en: 'Check the schedule against the database' },
};

export interface QueuesView {
  counts: Record<QueueName, Record<JobState, number>> | undefined;
  queue: QueueName;
  state: JobState;
  jobs: Array<JobSummary & { postId?: string | undefined }>;
  workers: number | undefined;
  zone: string;
  flash?: { text: string; error?: boolean } | undefined;
}

export function queuesPage(lang: Lang, csrf: string, v: QueuesView): Html {
  const when = (ms: number | undefined) => (ms ? DateTime.fromMillis(ms, { zone: v.zone }).setLocale(lang === 'id' ? 'id' : 'en-GB').toFormat('d LLL yyyy HH:mm:ss') : '—');
  const queues = Object.keys(QUEUE_WORDS) as QueueName[];
  const states = Object.keys(STATE_WORDS) as JobState[];
  const jobName = (name: string) => JOB_WORDS[name]?.[lang] ?? name.replace(/[-_]/g, ' ');
  return html`<h1>${t(lang, 'queues')}</h1>
<p class="muted">${t(lang, 'queuesHelp')}</p>
${v.flash ? html`<p class="flash${v.flash.error ? ' err' : ''}" role="status">${v.flash.text}</p>` : ''}
<p data-workers>${t(lang, 'queueWorkers')}: <strong>${v.workers === undefined ? '—' : String(v.workers)}</strong></p>
${
  v.counts
    ? html`<div class="table-wrap"><table data-queue-counts><thead><tr><th></th>${states.map((s) => html`<th>${STATE_WORDS[s][lang]}</th>`)}</tr></thead><tbody>
${queues.map(
  (q) => html`<tr data-queue="${q}"><th>${QUEUE_WORDS[q][lang]}</th>${states.map(
    (s) => html`<td data-state="${s}"><a href="/admin/queues?queue=${q}&amp;state=${s}"${q === v.queue && s === v.state ? html` aria-current="true"` : ''}>${String(v.counts![q][s])}</a></td>`,
  )}</tr>`,
)}</tbody></table></div>`
    : html`<p class="flash err" role="alert">${t(lang, 'queueUnreachable')}</p>`
}
<h2>${QUEUE_WORDS[v.queue][lang]}: ${STATE_WORDS[v.state][lang]}</h2>
${
  v.jobs.length === 0
    ? html`<p class="muted">${t(lang, 'queueNone')}</p>`
    : html`<div class="table-wrap"><table data-jobs><thead><tr><th>${t(lang, 'queueJob')}</th><th>${t(lang, 'queueSubject')}</th><th>${t(lang, 'queueAttempts')}</th><th>${t(lang, 'queueCreated')}</th><th>${t(lang, 'queueDue')}</th><th>${t(lang, 'queueReason')}</th><th></th></tr></thead><tbody>
${v.jobs.map(
  (j) => html`<tr data-job="${j.id}"><td>${jobName(j.name)}</td><td>${j.postId ? html`<a href="/posts/${j.postId}">${t(lang, 'queuePost')}</a>` : '—'}</td><td>${String(j.attemptsMade)}</td><td>${when(j.timestamp)}</td><td>${when(j.dueAt)}</td><td>${j.failedReason ?? ''}</td>
<td>${
    v.state === 'failed'
      ? html`<form method="post" action="/admin/queues/${v.queue}/retry" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="jobId" value="${j.id}"><button class="secondary">${t(lang, 'queueRetry')}</button></form>`
      : ''
  }</td></tr>`,
)}</tbody></table></div>`
}`;
}
