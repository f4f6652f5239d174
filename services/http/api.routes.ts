// The JSON API under /api/v1: thin handlers over the post use cases.
import type { Request } from 'express';
import type { Kysely } from 'kysely';
import { AppError } from '../../shared/errors';
import { z } from 'zod';
import {
  ApproveInput,
  CancelInput,
  CreatePostInput,
  ListPostsQuery,
  RejectInput,
  SensitivityInput,
  RescheduleInput,
  RetractInput,
  UpdatePostInput,
} from '../../shared/post';
import { inReach } from '../../shared/rules/permissions';
import { zoneLabel } from '../../shared/time';
import { channelViews } from '../channels/manage-channels';
import type { PostDeps } from '../posts/deps';
import { postHistory, readPost, searchPosts } from '../posts/read-post';
import { resolveTarget } from '../posts/resolve-target';
import { retractPost } from '../posts/retract-post';
import { approvePost, rejectPost, submitPost } from '../posts/review-post';
import { cancelPost, reschedulePost } from '../posts/schedule-post';
import { setSensitive } from '../posts/sensitivity';
import { readSimilarPosts } from '../posts/similar-posts';
import { IMPORT_MAX_BYTES, type ImportResult, importPosts, planTemplate, planTooLarge } from '../posts/import-posts';
import { planImportFor } from '../posts/plan-imports';
import { postsCsv } from '../posts/export-posts';
import { reportCsv, reportFileName, reportXlsx } from '../reports/report-files';
import { unitReport } from '../reports/unit-report';
import { createPost, enabledChannels, updatePost } from '../posts/write-post';
import type { DB } from '../storage/schema';
import { getUnit, unitAndDescendants, unitNotFound, unitPath } from '../units/unit.repository';
import type { AuthedActor } from './auth';
import { NamedFile, RouteRegistry } from './route-registry';

const Empty = z.strictObject({});
/** A post list to export: the list's filters, a longer page, and the file's language. */
const ExportPostsQuery = ListPostsQuery.extend({ limit: z.coerce.number().int().min(1).max(10_000).default(10_000), lang: z.enum(['id', 'en']).optional() });
const ReportQuery = z.strictObject({ unitId: z.uuid().optional(), month: z.string().max(7).optional(), lang: z.enum(['id', 'en']).optional() });
const TemplateQuery = z.strictObject({ unitId: z.uuid().optional(), lang: z.enum(['id', 'en']).optional() });

/** The CSV file sent as the request's body, read up to the import's limit. */
async function csvBody(req: Request): Promise<string> {
  if (!req.is(['text/csv', 'text/plain', 'application/csv'])) {
    throw new AppError('unsupported-media-type', 'request.unsupported_media_type', {
      id: 'Kirim berkas CSV sebagai isi permintaan (Content-Type: text/csv).',
      en: 'Send the CSV file as the request body (Content-Type: text/csv).',
    });
  }
  const tooLarge = planTooLarge();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > IMPORT_MAX_BYTES) {
    // Not read at all: the client learns at once, and the connection closes after the answer.
    req.resume();
    throw tooLarge;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Not iterated with for-await: leaving that loop would destroy the socket before the 413 goes out.
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= IMPORT_MAX_BYTES) chunks.push(chunk);
    });
    req.on('end', resolve);
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new AppError('validation', 'import.incomplete', { id: 'Unggahan terputus. Coba lagi.', en: 'The upload was cut short. Try again.' }));
    });
  });
  if (size > IMPORT_MAX_BYTES) throw tooLarge;
  return Buffer.concat(chunks).toString('utf8');
}

export function apiRoutes(deps: PostDeps): RouteRegistry {
  const api = new RouteRegistry();
  const db: Kysely<DB> = deps.db;

  api.define({
    method: 'get',
    path: '/me',
    summary: 'The signed-in user',
    tag: 'users',
    handler: async ({ actor }) => {
      const unit = await getUnit(db, actor.unitId);
      return { id: actor.id, email: actor.email, name: actor.name, role: actor.role, unit: { id: unit.id, slug: unit.slug, name: unit.name, timeZone: unit.time_zone, zone: zoneLabel(unit.time_zone) } };
    },
  });

  api.define({
    method: 'get',
    path: '/units',
    summary: "Units in the user's reach: their own and, for supervisors and admins, every unit below",
    tag: 'units',
    handler: async ({ actor }) => {
      const ids = actor.role === 'operator' ? [actor.unitId] : await unitAndDescendants(db, actor.unitId);
      const units = await db.selectFrom('units').selectAll().where('id', 'in', ids).orderBy('name').execute();
      return units.map((u) => ({ id: u.id, slug: u.slug, name: u.name, parentId: u.parent_id, timeZone: u.time_zone, zone: zoneLabel(u.time_zone), publishingPaused: u.publishing_paused }));
    },
  });

  api.define({
    method: 'get',
    path: '/units/:unitId/channels',
    summary: "A unit's channels with their state: connected, needs_reconnect, rate_limited (until), disabled. Secrets are never returned",
    tag: 'units',
    handler: async ({ actor, params }) => {
      const unitId = params.unitId!;
      if (!inReach(actor, await unitPath(db, unitId))) throw unitNotFound(unitId);
      return channelViews(db, [unitId], deps.now(), actor);
    },
  });

  api.define({
    method: 'get',
    path: '/posts',
    summary: 'List posts of a unit (and the units below), newest scheduled first',
    tag: 'posts',
    query: ListPostsQuery,
    handler: async ({ actor, query }) => ({ posts: await searchPosts(deps, actor, query) }),
  });
  api.define({
    method: 'post',
    path: '/posts',
    summary: 'Create a draft; returns it with the approval findings so far',
    tag: 'posts',
    body: CreatePostInput,
    status: 201,
    handler: ({ actor, body }) => createPost(deps, actor, body),
  });
  api.define({
    method: 'get',
    path: '/exports/posts',
    summary: 'The posts of a list (same filters as GET /posts, up to 10,000) as a CSV file, in the language asked for (?lang=en)',
    tag: 'posts',
    query: ExportPostsQuery,
    file: { type: 'text/csv; charset=utf-8', name: 'pos-siaran.csv' },
    handler: async ({ actor, query, req }) => postsCsv(await searchPosts(deps, actor, query), req.query.lang === 'en' ? 'en' : 'id'),
  });
  const report = (actor: AuthedActor, query: z.output<typeof ReportQuery>) => unitReport({ db, now: deps.now }, actor, query);
  api.define({
    method: 'get',
    path: '/reports/units',
    summary: "A unit's month and the months of the units below it: posts out per platform, on time, late, failed, median approval, rejections, photos, visits and shares, score and rank among units of one level",
    tag: 'reports',
    query: ReportQuery,
    handler: ({ actor, query }) => report(actor, query),
  });
  // The same report as files: each named by its unit and month.
  const reportFiles = [
    { ext: 'csv', type: 'text/csv; charset=utf-8', summary: 'The same report as a CSV file (?lang=en for English headers)', render: reportCsv },
    { ext: 'xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', summary: 'The same report as an XLSX workbook laid out as the monthly report', render: reportXlsx },
  ] as const;
  for (const f of reportFiles) {
    api.define({
      method: 'get',
      path: `/reports/units.${f.ext}`,
      summary: f.summary,
      tag: 'reports',
      query: ReportQuery,
      file: { type: f.type, name: `laporan-humas.${f.ext}` },
      handler: async ({ actor, query }) => {
        const r = await report(actor, query);
        return new NamedFile(reportFileName(r, f.ext), await f.render(r, query.lang ?? 'id'));
      },
    });
  }
  api.define({
    method: 'get',
    path: '/imports/template',
    summary: "The posting plan's template (CSV): the columns satuan, judul, teks, waktu, kanal and two example rows for the unit",
    tag: 'posts',
    query: TemplateQuery,
    file: { type: 'text/csv; charset=utf-8', name: 'templat-rencana-siaran.csv' },
    handler: async ({ actor, query }) => {
      const unitId = query.unitId ?? actor.unitId;
      if (!inReach(actor, await unitPath(db, unitId))) throw unitNotFound(unitId);
      const unit = await db.selectFrom('units').select(['slug', 'time_zone']).where('id', '=', unitId).executeTakeFirstOrThrow();
      return planTemplate(unit.slug, unit.time_zone, deps.now(), [...(await enabledChannels(db, unitId)).values()].map((c) => c.kind));
    },
  });
  api.define({
    method: 'post',
    path: '/imports',
    summary:
      'Import a posting plan (the CSV file as the body, text/csv): every row checked; all rows become drafts in one transaction, or none and 422 with each problem by row and column. A plan of more than 300 rows is kept and imported by a job: 202 with its progressUrl',
    tag: 'posts',
    status: 201,
    statusOf: (result) => ((result as ImportResult).kind === 'queued' ? 202 : 201),
    handler: async ({ actor, req }) => importPosts(deps, actor, await csvBody(req)),
  });
  api.define({
    method: 'get',
    path: '/imports/:id',
    summary: "A large plan's import as the job runs it: status (queued, checking, importing, done, refused, failed), rows checked of rows, then the drafts made or each problem",
    tag: 'posts',
    handler: ({ actor, params }) => planImportFor(deps, actor, params.id!),
  });
  api.define({
    method: 'get',
    path: '/posts/:id',
    summary: 'Read a post with its targets',
    tag: 'posts',
    handler: ({ actor, params }) => readPost(deps, actor, params.id!),
  });
  api.define({
    method: 'patch',
    path: '/posts/:id',
    summary: 'Edit a post; an approved post goes back to awaiting approval',
    tag: 'posts',
    body: UpdatePostInput,
    handler: ({ actor, params, body }) => updatePost(deps, actor, params.id!, body),
  });
  api.define({
    method: 'get',
    path: '/posts/:id/history',
    summary: 'Every recorded event of the post, oldest first',
    tag: 'posts',
    handler: async ({ actor, params }) => ({ events: await postHistory(deps, actor, params.id!) }),
  });
  api.define({
    method: 'get',
    path: '/posts/:id/similar',
    summary: "Posts of the same Polda from the last 30 days whose text or first photo is nearly the same (from the post's last submission)",
    tag: 'review',
    handler: async ({ actor, params }) => ({ similar: await readSimilarPosts(deps, actor, params.id!) }),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/submit',
    summary: 'Submit a draft for approval (blocked by any blocking finding)',
    tag: 'review',
    body: Empty,
    handler: ({ actor, params }) => submitPost(deps, actor, params.id!),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/approve',
    summary: 'Approve and schedule (a supervisor of the unit or above, not the author)',
    tag: 'review',
    body: ApproveInput,
    handler: ({ actor, params, body }) => approvePost(deps, actor, params.id!, body),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/reject',
    summary: 'Reject with a note the author sees',
    tag: 'review',
    body: RejectInput,
    handler: ({ actor, params, body }) => rejectPost(deps, actor, params.id!, body),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/sensitivity',
    summary: 'Mark a post sensitive (two approvals where its unit tree asks for them), or lift the mark (a supervisor above the unit)',
    tag: 'review',
    body: SensitivityInput,
    handler: ({ actor, params, body }) => setSensitive(deps, actor, params.id!, body),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/cancel',
    summary: 'Cancel a post that has not gone out',
    tag: 'schedule',
    body: CancelInput,
    handler: ({ actor, params, body }) => cancelPost(deps, actor, params.id!, body),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/reschedule',
    summary: "Move a post in time; it keeps its approval only when the mover could approve it",
    tag: 'schedule',
    body: RescheduleInput,
    handler: ({ actor, params, body }) => reschedulePost(deps, actor, params.id!, body),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/targets/:targetId/retry',
    summary: 'Send one failed target again (a supervisor of the unit or above); the others are untouched',
    tag: 'schedule',
    body: Empty,
    handler: ({ actor, params }) => resolveTarget(deps, actor, params.id!, params.targetId!, { action: 'retry' }),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/retract',
    summary: 'Take a published post back (a supervisor of the unit or above): its page answers 410, it leaves the feed, webhooks are told, platforms delete it',
    tag: 'schedule',
    body: RetractInput,
    handler: ({ actor, params, body }) => retractPost(deps, actor, params.id!, body),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/targets/:targetId/release',
    summary: 'Let a target held as late go out now (a supervisor of the unit or above)',
    tag: 'schedule',
    body: Empty,
    handler: ({ actor, params }) => resolveTarget(deps, actor, params.id!, params.targetId!, { action: 'release' }),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/targets/:targetId/confirm-published',
    summary: 'Settle an unconfirmed target as published, optionally with its link',
    tag: 'schedule',
    body: ConfirmInput,
    handler: ({ actor, params, body }) => resolveTarget(deps, actor, params.id!, params.targetId!, { action: 'confirm-published', externalUrl: body.url }),
  });
  api.define({
    method: 'post',
    path: '/posts/:id/targets/:targetId/confirm-not-published',
    summary: 'Settle an unconfirmed target as not published',
    tag: 'schedule',
    body: Empty,
    handler: ({ actor, params }) => resolveTarget(deps, actor, params.id!, params.targetId!, { action: 'confirm-not-published' }),
  });
  return api;
}

const ConfirmInput = z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2000).optional() });
