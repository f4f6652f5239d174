// A month's posting plan from a spreadsheet: one row per post, every row checked by the rules a post written in
// the form meets, every problem named by its row and column, and nothing imported until the whole file is clean;
// then all its drafts in one transaction. The file's format is the template (planTemplate), in either language.
// A plan of a few hundred rows is imported while the request waits; a larger one (a Polda's month for all its
// units) is kept and imported by a job, whose progress its author follows (plan-imports.ts).
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { type Transaction, sql } from 'kysely';
import { AppError, type LocalizedText } from '../../shared/errors';
import { type Actor, BODY_MAX, ChannelKind, CreatePostInput, type Post } from '../../shared/post';
import { mayAuthor } from '../../shared/rules/permissions';
import { scanEachTextOnce } from '../../shared/rules/protected-data';
import type { TimeZone } from '../../shared/time';
import { CHANNEL_KIND_LABELS, numberIn } from '../../shared/words';
import { unitPath } from '../units/unit.repository';
import type { PostDeps } from './deps';
import { insertNewPostsIn, maskedSnapshot } from './post.repository';
import type { DB } from '../storage/schema';
import type { UnitChannel } from '../../shared/rules/content-rules';
import { enabledChannels, findingsFor, newDraft, readTime } from './write-post';

/** A file larger than this is refused before it is read (a month of a Polda's plan for all its units is below it). */
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 10_000;
/** Plans up to this many rows are imported while the request waits; larger ones by a job, their progress shown. */
export const IMPORT_IN_REQUEST_ROWS = 300;

/** A plan over IMPORT_MAX_BYTES, wherever it is found so: declared, while read, or once read. */
export function planTooLarge(): AppError {
  return new AppError('too-large', 'import.too_large', {
    id: `Berkas lebih dari ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Bagi rencana menjadi beberapa berkas.`,
    en: `The file is over ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split the plan into several files.`,
  });
}

type Column = 'unit' | 'title' | 'body' | 'scheduledAt' | 'channels';

/** Each column's header in the template (Indonesian) and the other names it is known by. */
const HEADERS: Record<Column, readonly string[]> = {
  unit: ['satuan', 'unit'],
  title: ['judul', 'title'],
  body: ['teks', 'body', 'text'],
  scheduledAt: ['waktu', 'scheduled_at', 'time'],
  channels: ['kanal', 'channels'],
};
const REQUIRED: readonly Column[] = ['title', 'body', 'scheduledAt', 'channels'];

/** What is wrong with the file, by its row as a spreadsheet numbers it (the header is row 1) and its column's header. */
export interface ImportProblem {
  row: number;
  /** The row's title, as a person finds the row again in their spreadsheet; null where the row has none. */
  title: string | null;
  column: string | null;
  code: string;
  message: LocalizedText;
}

export type ImportResult =
  | { kind: 'imported'; importId: string; imported: number; postIds: string[] }
  /** A large plan, kept and imported by a job: its progress is at `progressUrl` (and on the page /plan/imports/<id>). */
  | { kind: 'queued'; importId: string; rows: number; progressUrl: string };

/** What queues a kept plan's import; without one (the CLI), the workers' sweep queues it. */
export interface PlanImportScheduler {
  queueImport(importId: string): Promise<void>;
}

/**
 * The template to download: the header and two example rows for the unit, a week from now in its zone, naming
 * its own enabled channels (so that the template itself imports as it is).
 */
export function planTemplate(unitSlug: string, zone: TimeZone, now: Date, kinds: readonly ChannelKind[]): string {
  const day = new Date(now.getTime() + 7 * 86_400_000).toLocaleDateString('sv-SE', { timeZone: zone });
  const named = [...new Set(kinds)].map((k) => CHANNEL_KIND_LABELS[k].id);
  const all = named.join('; ');
  const first = named[0] ?? CHANNEL_KIND_LABELS.news_page.id;
  return stringify(
    [
      ['satuan', 'judul', 'teks', 'waktu', 'kanal'],
      [unitSlug, 'Jumat Curhat bersama warga', 'Kapolres mendengarkan keluhan warga tentang keamanan lingkungan.', `${day} 09:00`, all || first],
      [unitSlug, 'Patroli dialogis malam hari', 'Personel berdialog dengan warga di pos ronda.', `${day} 20:00`, first],
    ],
    { bom: true },
  );
}

export interface Draft {
  /** The row it came from, as the spreadsheet numbers it. */
  row: number;
  post: Post;
  targets: Array<{ id: string; channelId: string }>;
  snapshot: Record<string, unknown>;
}

/**
 * Checks every row; imports all of them as drafts in one transaction when none has a problem, else none. A plan
 * of more than IMPORT_IN_REQUEST_ROWS rows is kept for the import job instead (its file-wide problems, such as
 * a missing column, are still told at once).
 */
export async function importPosts(deps: PostDeps, actor: Actor, csv: string, fileName = 'rencana.csv'): Promise<ImportResult> {
  const rows = readRows(csv);
  if (rows.records.length > IMPORT_IN_REQUEST_ROWS) return keepForJob(deps, actor, csv, rows.records.length, fileName);
  const drafts = await checkedDrafts(deps, actor, rows);
  const importId = randomUUID();
  const now = deps.now();
  const postIds = drafts.map((d) => d.post.id);
  await deps.db.transaction().execute(async (trx) => {
    await writeDrafts(trx, drafts, rows.records.length);
    // Kept like a large plan's import, so that its drafts can be found again from the plan page.
    const n = rows.records.length;
    await trx
      .insertInto('plan_imports')
      .values({ id: importId, user_id: actor.id, file_name: fileName.slice(0, 200), file: null, rows: n, status: 'done', checked: n, imported: drafts.length, post_ids: JSON.stringify(postIds), created_at: now, updated_at: now, finished_at: now })
      .execute();
  });
  deps.log.info({ actorId: actor.id, importId, imported: drafts.length }, 'posting plan imported');
  return { kind: 'imported', importId, imported: drafts.length, postIds };
}

/** The drafts of a plan whose every row is sound; else an `import.invalid` error naming each problem. */
export async function checkedDrafts(deps: PostDeps, actor: Actor, rows: PlanRows, progress?: (checked: number) => Promise<void>): Promise<Draft[]> {
  const now = deps.now();
  const problems: ImportProblem[] = [];
  const drafts: Draft[] = [];
  const units = new UnitReader(deps, actor);
  const seen = new Map<string, number>();
  for (const [i, row] of rows.records.entries()) {
    const at = i + 2;
    const problem = (column: Column | null, code: string, message: LocalizedText) =>
      problems.push({ row: at, title: row.title ? echo(row.title) : null, column: column ? rows.headerOf[column] ?? HEADERS[column][0]! : null, code, message });
    const draft = await checkRow(deps, actor, units, row, now, problem);
    if (draft) {
      // The same post twice in one file (sheets of several Polres put together) would be made twice.
      const key = samePost(draft.post.unitId, draft.post.title, draft.post.scheduledAt);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, at);
        drafts.push({ ...draft, row: at });
      } else {
        problem('title', 'import.duplicate_row', {
          id: `Baris ini sama dengan baris ${first} (satuan, judul, dan waktu yang sama). Hapus salah satunya.`,
          en: `This row repeats row ${first} (the same unit, title and time). Remove one of them.`,
        });
      }
    }
    if (progress && (i + 1) % PROGRESS_EVERY === 0) await progress(i + 1);
    if ((i + 1) % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  // The same plan uploaded twice (or a row already written in the form) would make its posts twice.
  for (const d of await alreadyThere(deps.db, drafts)) problems.push(existsProblem(d, rows.headerOf.title ?? HEADERS.title[0]!));
  if (problems.length > 0) throw invalidPlan(problems, rows.records.length);
  return drafts;
}

/**
 * The plan's drafts, inside the caller's transaction. Two uploads of one plan checked at the same moment would both
 * find its posts absent: each unit's plans are written one at a time (a lock held to the transaction's end), and
 * the check is made again under it.
 */
export async function writeDrafts(trx: Transaction<DB>, drafts: readonly Draft[], rowCount: number): Promise<void> {
  for (const unitId of [...new Set(drafts.map((d) => d.post.unitId))].sort()) {
    await sql`select pg_advisory_xact_lock(hashtext(${`siaran-plan:${unitId}`}))`.execute(trx);
  }
  const taken = await alreadyThere(trx, drafts);
  if (taken.length > 0) throw invalidPlan(taken.map((d) => existsProblem(d, HEADERS.title[0]!)), rowCount);
  await insertNewPostsIn(trx, drafts.map((d) => ({ post: d.post, targets: d.targets, event: { type: 'created', data: { after: d.snapshot, via: 'import' } } })));
}

/** Large imports one person may have waiting or running at once. */
const UNFINISHED_PER_USER = 2;
/** Rows checked between two progress reports of the import job. */
const PROGRESS_EVERY = 100;
/** Rows checked between two pauses that let other work (requests, publishing) run in the same process. */
const YIELD_EVERY = 25;
/** Problems kept, answered and shown; the rest are counted (a file wrong everywhere is wrong in the same few ways). */
const PROBLEMS_KEPT = 500;
/** A cell longer than this is no post's text (twice the longest text a post may have). */
const MAX_CELL = 2 * BODY_MAX;


/** Text of a person's file echoed back, cut to a readable length. */
function echo(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The refusal naming each problem (the first PROBLEMS_KEPT of them) and how many rows have one. */
function invalidPlan(problems: ImportProblem[], rowCount: number): AppError {
  problems.sort((a, b) => a.row - b.row);
  const rowsWrong = new Set(problems.map((p) => p.row)).size;
  const more = Math.max(0, problems.length - PROBLEMS_KEPT);
  return new AppError(
    'validation',
    'import.invalid',
    {
      id: `${numberIn('id', rowsWrong)} dari ${numberIn('id', rowCount)} baris bermasalah; belum ada yang diimpor. Perbaiki baris yang disebut, lalu unggah lagi berkas seluruhnya.${more > 0 ? ` Hanya ${PROBLEMS_KEPT} masalah pertama yang ditampilkan (${numberIn('id', more)} lagi).` : ''}`,
      en: `${numberIn('en', rowsWrong)} of ${numberIn('en', rowCount)} rows have problems; nothing was imported. Fix the rows named, then upload the whole file again.${more > 0 ? ` Only the first ${PROBLEMS_KEPT} problems are shown (${numberIn('en', more)} more).` : ''}`,
    },
    { problems: problems.slice(0, PROBLEMS_KEPT), more },
  );
}

/** A row whose unit already has a post of the same title and time. */
function existsProblem(d: Draft, titleHeader: string): ImportProblem {
  return {
    row: d.row,
    title: echo(d.post.title),
    column: titleHeader,
    code: 'import.exists',
    message: {
      id: 'Satuan ini sudah punya pos dengan judul dan waktu yang sama (berkas ini mungkin sudah diimpor). Hapus baris ini, atau ubah judul atau waktunya.',
      en: 'This unit already has a post with the same title and time (this file may have been imported already). Remove the row, or change its title or time.',
    },
  };
}

/** A large plan kept with its author for the import job, and queued; the job checks it again from the start. */
async function keepForJob(deps: PostDeps, actor: Actor, csv: string, rows: number, fileName: string): Promise<ImportResult> {
  // Who may write no post keeps no file: the job would refuse every row anyway.
  if (!mayAuthor(actor, await unitPath(deps.db, actor.unitId))) {
    throw new AppError('forbidden', 'import.not_author', { id: 'Peran Anda tidak menulis pos, jadi tidak dapat mengimpor rencana.', en: 'Your role does not write posts, so it cannot import a plan.' });
  }
  const waiting = await deps.db.selectFrom('plan_imports').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', actor.id).where('finished_at', 'is', null).executeTakeFirstOrThrow();
  if (Number(waiting.n) >= UNFINISHED_PER_USER) {
    throw new AppError('conflict', 'import.busy', {
      id: `${UNFINISHED_PER_USER} impor rencana Anda masih berjalan. Tunggu sampai salah satunya selesai, lalu unggah lagi.`,
      en: `${UNFINISHED_PER_USER} of your plan imports are still running. Wait until one has ended, then upload again.`,
    });
  }
  const id = randomUUID();
  const now = deps.now();
  await deps.db
    .insertInto('plan_imports')
    .values({ id, user_id: actor.id, file_name: fileName.slice(0, 200), file: csv, rows, status: 'queued', created_at: now, updated_at: now })
    .execute();
  try {
    await deps.imports?.queueImport(id);
  } catch (err) {
    // Kept all the same: the workers' sweep queues an import left waiting.
    deps.log.warn({ err, importId: id }, 'could not queue the plan import now; the sweep will');
  }
  deps.log.info({ actorId: actor.id, importId: id, rows }, 'posting plan kept for the import job');
  return { kind: 'queued', importId: id, rows, progressUrl: `/api/v1/imports/${id}` };
}

/** The drafts whose unit already has a post (not cancelled) of the same title and time: one read for the file. */
async function alreadyThere(db: PostDeps['db'], drafts: readonly Draft[]): Promise<Draft[]> {
  if (drafts.length === 0) return [];
  const existing = await db
    .selectFrom('posts')
    .select(['unit_id', 'title', 'scheduled_at'])
    .where('unit_id', 'in', [...new Set(drafts.map((d) => d.post.unitId))])
    .where('scheduled_at', 'in', [...new Set(drafts.map((d) => d.post.scheduledAt.toISOString()))].map((at) => new Date(at)))
    .where('status', '<>', 'cancelled')
    .execute();
  const taken = new Set(existing.map((p) => samePost(p.unit_id, p.title, new Date(p.scheduled_at))));
  return drafts.filter((d) => taken.has(samePost(d.post.unitId, d.post.title, d.post.scheduledAt)));
}

/** What makes two posts of a plan the same post: the unit, the title and the time (a row repeated, a plan re-sent). */
function samePost(unitId: string, title: string, at: Date): string {
  return `${unitId}\n${at.toISOString()}\n${title}`;
}

/** The problems an `import.invalid` refusal names, and how many more it counted. */
export function planProblemsOf(err: AppError): { problems: ImportProblem[]; more: number } {
  const details = err.details as { problems?: ImportProblem[]; more?: number } | undefined;
  return { problems: details?.problems ?? [], more: details?.more ?? 0 };
}

export interface PlanRows {
  records: Array<Record<Column, string>>;
  headerOf: Partial<Record<Column, string>>;
}

export function readRows(csv: string): PlanRows {
  if (Buffer.byteLength(csv) > IMPORT_MAX_BYTES) throw planTooLarge();
  const text = csv.replace(/^\uFEFF/, '');
  if (text.includes('\uFFFD')) {
    // Read as UTF-8, a file saved in the Windows code page turns its accents and curly quotes into this.
    throw new AppError('validation', 'import.encoding', {
      id: 'Berkas tidak tersimpan sebagai UTF-8: sebagian hurufnya rusak. Di lembar kerja pilih Simpan sebagai → "CSV UTF-8", lalu unggah lagi.',
      en: 'The file is not saved as UTF-8: some of its letters are broken. In the spreadsheet choose Save as → "CSV UTF-8", then upload again.',
    });
  }
  const unstorable = text.search(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  if (unstorable >= 0) {
    const line = text.slice(0, unstorable).split('\n').length;
    throw new AppError('validation', 'import.unstorable', {
      id: `Baris ${line} berkas memuat karakter tersembunyi yang rusak. Hapus karakter itu (atau ketik ulang selnya), lalu unggah lagi.`,
      en: `Line ${line} of the file holds a broken hidden character. Remove it (or type the cell again), then upload again.`,
    });
  }
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  // Spreadsheets set to Indonesian write ";" between columns (the comma is the decimal mark); others write ",".
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let raw: string[][];
  try {
    // Rows a spreadsheet saves empty (";;;;") are no posts.
    raw = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true, trim: true });
  } catch (e) {
    const line = (e as { lines?: unknown }).lines;
    throw new AppError('validation', 'import.unreadable', {
      id: `Berkas tidak dapat dibaca sebagai CSV${typeof line === 'number' ? ` (baris ${line})` : ''}. Simpan dari lembar kerja sebagai "CSV", atau mulai dari templat.`,
      en: `The file cannot be read as CSV${typeof line === 'number' ? ` (line ${line})` : ''}. Save it from the spreadsheet as "CSV", or start from the template.`,
    });
  }
  const [header = [], ...body] = raw;
  const headerOf: Partial<Record<Column, string>> = {};
  const indexOf: Partial<Record<Column, number>> = {};
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    const column = (Object.keys(HEADERS) as Column[]).find((c) => HEADERS[c].includes(key));
    if (column && indexOf[column] === undefined) {
      indexOf[column] = i;
      headerOf[column] = name.trim();
    }
  });
  const missing = REQUIRED.filter((c) => indexOf[c] === undefined);
  if (missing.length > 0) {
    throw new AppError('validation', 'import.columns', {
      id: `Kolom ${missing.map((c) => `"${HEADERS[c][0]}"`).join(', ')} tidak ada di baris pertama. Baris pertama memuat nama kolom: satuan, judul, teks, waktu, kanal (lihat templat).`,
      en: `Column ${missing.map((c) => `"${HEADERS[c][0]}"`).join(', ')} is missing from the first row. The first row names the columns: satuan, judul, teks, waktu, kanal (see the template).`,
    });
  }
  if (body.length === 0) {
    throw new AppError('validation', 'import.empty', { id: 'Berkas tidak memuat satu pos pun di bawah baris nama kolom.', en: 'The file holds no post below the row of column names.' });
  }
  if (body.length > IMPORT_MAX_ROWS) {
    throw new AppError('too-large', 'import.too_many_rows', {
      id: `Berkas memuat ${numberIn('id', body.length)} pos; paling banyak ${numberIn('id', IMPORT_MAX_ROWS)} sekali unggah. Bagi menjadi beberapa berkas.`,
      en: `The file holds ${numberIn('en', body.length)} posts; at most ${numberIn('en', IMPORT_MAX_ROWS)} at a time. Split it into several files.`,
    });
  }
  for (const [i, cells] of body.entries()) {
    const long = cells.findIndex((c) => c.length > MAX_CELL);
    if (long >= 0) {
      const column = header[long]?.trim() || String(long + 1);
      throw new AppError('validation', 'import.cell_too_long', {
        id: `Baris ${i + 2}, kolom "${echo(column, 40)}": isinya lebih dari ${numberIn('id', MAX_CELL)} karakter, bukan teks sebuah pos. Periksa baris itu (mungkin beberapa sel menyatu karena tanda kutip).`,
        en: `Row ${i + 2}, column "${echo(column, 40)}": over ${numberIn('en', MAX_CELL)} characters, not a post's text. Check that row (cells may have run together over a quote mark).`,
      });
    }
  }
  const records = body.map((cells) => {
    const value = (c: Column) => (indexOf[c] === undefined ? '' : (cells[indexOf[c]] ?? ''));
    return { unit: value('unit'), title: value('title'), body: value('body'), scheduledAt: value('scheduledAt'), channels: value('channels') };
  });
  return { records, headerOf };
}

interface UnitForImport {
  id: string;
  slug: string;
  zone: TimeZone;
  mayAuthor: boolean;
  enabled: Map<string, UnitChannel>;
}

/** The units rows name, each read once per file. */
class UnitReader {
  private readonly bySlug = new Map<string, Promise<UnitForImport | undefined>>();
  constructor(
    private readonly deps: PostDeps,
    private readonly actor: Actor,
  ) {}

  get(slug: string): Promise<UnitForImport | undefined> {
    const key = slug.trim().toLowerCase();
    let unit = this.bySlug.get(key);
    if (!unit) this.bySlug.set(key, (unit = this.read(key)));
    return unit;
  }

  private async read(slug: string): Promise<UnitForImport | undefined> {
    const db = this.deps.db;
    // By its code as in the template, or by its name as people write it ("Polres Tulangbawang Barat").
    const row = slug
      ? ((await db.selectFrom('units').select(['id', 'slug', 'time_zone']).where('slug', '=', slug).executeTakeFirst()) ??
        (await db.selectFrom('units').select(['id', 'slug', 'time_zone']).where(sql<string>`lower(name)`, '=', slug).executeTakeFirst()))
      : await db.selectFrom('units').select(['id', 'slug', 'time_zone']).where('id', '=', this.actor.unitId).executeTakeFirst();
    if (!row) return undefined;
    return { id: row.id, slug: row.slug, zone: row.time_zone, mayAuthor: mayAuthor(this.actor, await unitPath(db, row.id)), enabled: await enabledChannels(db, row.id) };
  }
}

/**
 * A time as spreadsheets and people in Indonesia write it, as the form reads it: day/month/year (or with "-"),
 * and the hour with "." ("09.00", the app's own style) as well as ":".
 */
export function typedTime(cell: string): string {
  const text = cell.trim().replace(/(\d{1,2})\.(\d{2})(?=$|[.:]\d{2}$)/, '$1:$2');
  const dmy = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T]+(.*))?$/.exec(text);
  if (!dmy) return text;
  const [, day, month, year, clock] = dmy;
  return `${year!}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}${clock ? ` ${clock.length === 4 ? `0${clock}` : clock}` : ''}`;
}

/** The channel kinds a cell names: codes or their names in either language, separated by ";", "," or "/". */
function kindsIn(cell: string): { kinds: ChannelKind[]; unknown: string[] } {
  const kinds: ChannelKind[] = [];
  const unknown: string[] = [];
  for (const word of cell.split(/[;,/|\n]+/).map((w) => w.trim()).filter(Boolean)) {
    const key = word.toLowerCase();
    const kind = ChannelKind.options.find((k) => k === key || CHANNEL_KIND_LABELS[k].id.toLowerCase() === key || CHANNEL_KIND_LABELS[k].en.toLowerCase() === key);
    if (kind) {
      if (!kinds.includes(kind)) kinds.push(kind);
    } else unknown.push(word);
  }
  return { kinds, unknown };
}

/** A value the post's schema refuses, in words (the schema's own messages are English and technical). */
function valueProblem(issue: { code: string; maximum?: unknown; minimum?: unknown }): LocalizedText {
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') {
    return { id: `Terlalu panjang: paling banyak ${numberIn('id', issue.maximum)} karakter.`, en: `Too long: at most ${numberIn('en', issue.maximum)} characters.` };
  }
  if (issue.code === 'too_small') return { id: 'Terlalu pendek atau kosong.', en: 'Too short or empty.' };
  return { id: 'Isinya tidak dapat dipakai; lihat templat untuk contohnya.', en: 'Its content cannot be used; see the template for an example.' };
}

async function checkRow(
  deps: PostDeps,
  actor: Actor,
  units: UnitReader,
  row: Record<Column, string>,
  now: Date,
  problem: (column: Column | null, code: string, message: LocalizedText) => void,
): Promise<Omit<Draft, 'row'> | undefined> {
  const unit = await units.get(row.unit);
  if (!unit?.mayAuthor) {
    // One answer for a unit that does not exist and one the reader may not write for: codes are not probed here.
    problem('unit', 'import.unit', {
      id: `Anda tidak dapat menulis pos untuk satuan "${row.unit}". Tulis kode satuan Anda seperti di templat, atau kosongkan kolomnya.`,
      en: `You cannot write posts for unit "${row.unit}". Write your unit's code as in the template, or leave the column empty.`,
    });
    return undefined;
  }
  // An object, not a boolean variable: `fail` sets it from inside a closure, which TypeScript's narrowing misses.
  const checked = { ok: true };
  const fail = (column: Column | null, code: string, message: LocalizedText) => {
    checked.ok = false;
    problem(column, code, message);
  };
  if (!row.title) fail('title', 'import.required', { id: 'Judul wajib diisi.', en: 'A title is required.' });
  if (!row.body) fail('body', 'import.required', { id: 'Teks wajib diisi.', en: 'A text is required.' });

  const { kinds, unknown } = kindsIn(row.channels);
  const offered = [...new Set([...unit.enabled.values()].map((c) => c.kind))].map((k) => CHANNEL_KIND_LABELS[k].id).join(', ');
  // A cell of the same unknown word many times over is one mistake; a few are named, each cut to a readable length.
  for (const word of [...new Set(unknown)].slice(0, 3)) {
    fail('channels', 'import.unknown_channel', { id: `"${echo(word, 50)}" bukan nama kanal. Kanal satuan ini: ${offered}.`, en: `"${echo(word, 50)}" is not a channel's name. This unit's channels: ${offered}.` });
  }
  const channelIds: string[] = [];
  for (const kind of kinds) {
    const ids = [...unit.enabled].filter(([, c]) => c.kind === kind).map(([id]) => id);
    if (ids.length === 0) {
      fail('channels', 'import.channel_missing', {
        id: `Satuan ini tidak punya ${CHANNEL_KIND_LABELS[kind].id} yang aktif. Kanal satuan ini: ${offered}.`,
        en: `This unit has no enabled ${CHANNEL_KIND_LABELS[kind].en}. This unit's channels: ${offered}.`,
      });
    }
    channelIds.push(...ids);
  }
  if (kinds.length === 0 && unknown.length === 0) fail('channels', 'import.required', { id: 'Isi minimal satu kanal, mis. "Halaman berita".', en: 'Name at least one channel, e.g. "Halaman berita".' });

  const input = CreatePostInput.safeParse({ title: row.title, body: row.body, channelIds, scheduledAt: row.scheduledAt || ' ', unitId: unit.id });
  if (!input.success) {
    for (const issue of input.error.issues) {
      const field = String(issue.path[0] ?? '');
      const column: Column | null = field === 'title' ? 'title' : field === 'body' ? 'body' : field === 'scheduledAt' ? 'scheduledAt' : field === 'channelIds' ? 'channels' : null;
      fail(column, 'import.invalid_value', valueProblem(issue));
    }
  }
  let scheduledAt: Date | undefined;
  if (!row.scheduledAt) {
    fail('scheduledAt', 'import.required', { id: 'Waktu terbit wajib diisi, mis. "2026-12-07 09:00" (waktu satuan).', en: 'A publish time is required, e.g. "2026-12-07 09:00" (the unit\'s time).' });
  } else {
    try {
      scheduledAt = readTime(typedTime(row.scheduledAt), unit.zone, now);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      fail('scheduledAt', e.code, e.code === 'schedule.invalid' ? {
        id: `Waktu "${row.scheduledAt}" tidak terbaca. Tulis tanggal dan jam menurut waktu satuan, mis. 2026-12-07 09:00 atau 07/12/2026 09.00.`,
        en: `The time "${row.scheduledAt}" cannot be read. Write the date and hour in the unit's time, e.g. 2026-12-07 09:00 or 07/12/2026 09.00.`,
      } : e.text);
    }
  }
  if (!checked.ok || !input.success || !scheduledAt) return undefined;

  const post = newDraft({ unitId: unit.id, authorId: actor.id, title: row.title, body: row.body, variants: {}, channelOptions: {}, scheduledAt }, now);
  // The rules a draft is held to at submission: a row that could not be submitted is no plan. Photos, which a
  // spreadsheet cannot carry, are added to the drafts afterwards: a channel's need for one is not held against a row.
  const scan = scanEachTextOnce();
  const blocking = findingsFor(post, channelIds, unit.enabled, unit.zone, now, deps, [], scan).filter((f) => f.severity === 'block' && f.code !== 'channel.photo_required');
  for (const f of blocking) {
    const column: Column | null = f.field === 'title' ? 'title' : f.field === 'scheduledAt' ? 'scheduledAt' : f.field === 'channels' ? 'channels' : f.field ? 'body' : null;
    problem(column, f.code, f.message);
  }
  if (blocking.length > 0) return undefined;
  return { post, targets: channelIds.map((channelId) => ({ id: randomUUID(), channelId })), snapshot: maskedSnapshot(post, channelIds, scan) };
}
