// The monthly report a Kabid Humas sends up: for a unit and the units below it, each unit's month — posts out per
// platform, on time or late or failed, how long approval took, rejections, photos, and how far personnel spread
// them — with a ranking among units of one level. Counted in the database, in one statement, from the posts
// scheduled in the month (posts_unit_sched_idx), so the month reads the same whenever it is asked for.
import { sql } from 'kysely';
import { AppError } from '../../shared/errors';
import { type Actor, ChannelKind } from '../../shared/post';
import { inReach } from '../../shared/rules/permissions';
import { ON_TIME_MINUTES, unitScore } from '../../shared/reports/unit-score';
import { type TimeZone, parseInstant } from '../../shared/time';
import type { Db } from '../posts/post.repository';
import { getUnit, unitPath } from '../units/unit.repository';

export interface UnitMonth {
  unitId: string;
  unitName: string;
  parentId: string | null;
  /** 0 for the report's unit, 1 for the units right below it, … */
  depth: number;
  /** Posts of the month with at least one channel published. */
  published: number;
  /** Targets published, per channel kind. */
  byKind: Record<ChannelKind, number>;
  onTime: number;
  late: number;
  /** Targets failed or unconfirmed. */
  failed: number;
  /** Median minutes from a post's last submission to its approval; null when none was approved. */
  medianApprovalMinutes: number | null;
  rejections: number;
  /** Photos per published post; null when none was published. */
  photosPerPost: number | null;
  visits: number;
  shares: number;
  /**
   * What the platforms report of the month's published posts (the engagement job's latest reading): views,
   * reactions, comments, and shares on the platforms themselves. Null where no platform reported that figure.
   */
  platform: {
    views: number | null;
    reactions: number | null;
    comments: number | null;
    reposts: number | null;
    /** Of the month's targets out on platforms that report figures (Facebook, Instagram, X), how many have been read. */
    read: number;
    of: number;
  };
  /** The unit's channels' followers and subscribers now, as their platforms last told; null when none did. */
  followers: number | null;
  score: number;
  /** 1 for the best score among the units with the same parent (ties share a rank); the report's unit is 1. */
  rank: number;
}

export interface UnitReport {
  unit: { id: string; slug: string; name: string; zone: TimeZone };
  /** YYYY-MM in the unit's zone. */
  month: string;
  from: Date;
  to: Date;
  /** The report's unit first, then the tree below it depth-first, each level by rank. */
  units: UnitMonth[];
  /** Posts of the whole report published, by the day of the month they were scheduled for (index 0 is the 1st). */
  perDay: number[];
}

interface Row {
  unit_id: string;
  published: number | string;
  // jsonb: numbers as JSON numbers on both databases.
  by_kind: Record<string, number> | null;
  on_time: number | string;
  late: number | string;
  failed: number | string;
  median_approval: number | string | null;
  rejections: number | string;
  photos: number | string;
  visits: number | string;
  shares: number | string;
  views: number | string | null;
  reactions: number | string | null;
  comments: number | string | null;
  reposts: number | string | null;
  read_targets: number | string;
  reporting_targets: number | string;
}

const EMPTY: Row = { unit_id: '', published: 0, by_kind: null, on_time: 0, late: 0, failed: 0, median_approval: null, rejections: 0, photos: 0, visits: 0, shares: 0, views: null, reactions: null, comments: null, reposts: null, read_targets: 0, reporting_targets: 0 };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Channel kinds whose platforms report a post's figures (the engagement job reads them). */
const REPORTING_KINDS: readonly ChannelKind[] = ['facebook', 'instagram', 'x'];

/** A figure added up over the report's units (its total row); null when no unit has it (nothing was reported). */
export function totalOf(units: readonly UnitMonth[], figure: (u: UnitMonth) => number | null): number | null {
  const values = units.map(figure).filter((v): v is number => v !== null);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
}

/** The month's report of `unitId` (the actor's unit by default) and every unit below it the actor may see. */
export async function unitReport(deps: { db: Db; now: () => Date }, actor: Actor, q: { unitId?: string | undefined; month?: string | undefined }): Promise<UnitReport> {
  const unitId = q.unitId ?? actor.unitId;
  const unit = await getUnit(deps.db, unitId).catch(() => undefined);
  if (!unit || !inReach(actor, await unitPath(deps.db, unitId))) {
    throw new AppError('not-found', 'unit.not_found', { id: 'Satuan tidak ditemukan atau di luar wewenang Anda.', en: 'Unit not found or outside your reach.' });
  }
  const month = q.month ?? new Date(deps.now().getTime()).toLocaleDateString('sv-SE', { timeZone: unit.time_zone }).slice(0, 7);
  const m = MONTH.exec(month);
  if (!m) throw new AppError('validation', 'report.bad_month', { id: 'Bulan ditulis TTTT-BB, mis. 2026-12.', en: 'Write the month as YYYY-MM, e.g. 2026-12.' });
  const [year, mon] = [Number(m[1]), Number(m[2])];
  const from = parseInstant(`${month}-01 00:00`, unit.time_zone)!;
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
  const to = parseInstant(`${next}-01 00:00`, unit.time_zone)!;
  // An operator's reach is their own unit: the tree below it is not theirs to compare.
  const wholeTree = actor.role !== 'operator';

  const tree = await treeOf(deps.db, unitId, wholeTree);
  const { rows } = await monthQuery(tree.map((u) => u.id), from, to).execute(deps.db);
  const figuresOf = new Map(rows.map((r) => [r.unit_id, r]));
  const followersOf = await followersByUnit(deps.db, tree.map((u) => u.id));
  const orNull = (v: number | string | null) => (v === null ? null : Number(v));

  const units = tree.map((u): UnitMonth => {
    const r = figuresOf.get(u.id) ?? EMPTY;
    const published = Number(r.published);
    const figures = { published, onTime: Number(r.on_time), late: Number(r.late), shares: Number(r.shares), visits: Number(r.visits) };
    const byKind = Object.fromEntries(ChannelKind.options.map((k) => [k, r.by_kind?.[k] ?? 0])) as Record<ChannelKind, number>;
    return {
      unitId: u.id,
      unitName: u.name,
      parentId: u.parent_id,
      depth: u.depth,
      published,
      byKind,
      onTime: figures.onTime,
      late: figures.late,
      failed: Number(r.failed),
      medianApprovalMinutes: r.median_approval === null ? null : Math.round(Number(r.median_approval)),
      rejections: Number(r.rejections),
      photosPerPost: published === 0 ? null : Math.round((Number(r.photos) / published) * 10) / 10,
      visits: figures.visits,
      shares: figures.shares,
      platform: { views: orNull(r.views), reactions: orNull(r.reactions), comments: orNull(r.comments), reposts: orNull(r.reposts), read: Number(r.read_targets), of: Number(r.reporting_targets) },
      followers: followersOf.get(u.id) ?? null,
      score: unitScore(figures),
      rank: 1,
    };
  });
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000);
  const perDay = new Array<number>(days).fill(0);
  const ids = tree.map((u) => u.id);
  const daily = await sql<{ day: number; n: number | string }>`
    select floor(extract(epoch from p.scheduled_at - ${from}::timestamptz) / 86400)::int as day, count(*) as n
      from posts p
     where p.unit_id = any(${`{${ids.join(',')}}`}::uuid[]) and p.scheduled_at >= ${from} and p.scheduled_at < ${to}
       and exists (select 1 from post_targets t where t.post_id = p.id and t.status = 'published')
     group by 1`.execute(deps.db);
  for (const d of daily.rows) if (d.day >= 0 && d.day < days) perDay[d.day] = Number(d.n);
  return { unit: { id: unit.id, slug: unit.slug, name: unit.name, zone: unit.time_zone }, month, from, to, units: ranked(units, unitId), perDay };
}

/** The unit and (with `wholeTree`) every unit below it, with each one's depth under it. */
async function treeOf(db: Db, unitId: string, wholeTree: boolean): Promise<Array<{ id: string; name: string; parent_id: string | null; depth: number }>> {
  const { rows } = await sql<{ id: string; name: string; parent_id: string | null; depth: number }>`
    with recursive tree(id, name, parent_id, depth) as (
      select id, name, parent_id, 0 from units where id = ${unitId}
      union all
      select u.id, u.name, u.parent_id, tree.depth + 1 from units u join tree on u.parent_id = tree.id where ${wholeTree}
    )
    select * from tree`.execute(db);
  return rows;
}

/**
 * The month's figures of these units, in one statement: their posts scheduled in the month by the index on (unit,
 * time), then each post's targets, submission, rejections, photos and amplification read by the post's own
 * indexes (lateral reads: the planner cannot guess how few posts a month holds). Exported for the benchmark,
 * which shows its plan.
 */
export function monthQuery(unitIds: readonly string[], from: Date, to: Date) {
  return sql<Row>`
    with p as materialized (
      select p.id, p.unit_id, p.scheduled_at, p.approved_at
        from posts p
       where p.unit_id = any(${`{${unitIds.join(',')}}`}::uuid[]) and p.scheduled_at >= ${from} and p.scheduled_at < ${to}
         and p.status not in ('draft', 'cancelled')
    ),
    per_post as (
      select p.unit_id, p.id,
             x.published_targets > 0 as out, x.on_time, x.late, x.failed, x.by_kind,
             extract(epoch from p.approved_at - s.at) / 60 as approval_minutes,
             r.rejections, ph.photos, a.visits, a.shares, x.views, x.reactions, x.comments, x.reposts, x.read_targets, x.reporting_targets
        from p
        cross join lateral (
          select count(*) filter (where t.status = 'published') as published_targets,
                 count(*) filter (where t.status = 'published' and t.published_at <= p.scheduled_at + make_interval(mins => ${ON_TIME_MINUTES})) as on_time,
                 count(*) filter (where t.status = 'published' and t.published_at > p.scheduled_at + make_interval(mins => ${ON_TIME_MINUTES})) as late,
                 count(*) filter (where t.status in ('failed', 'unconfirmed')) as failed,
                 array_agg(c.kind) filter (where t.status = 'published') as by_kind,
                 -- Taken back, a post's figures no longer count for its unit.
                 sum(e.views) filter (where t.status = 'published') as views, sum(e.reactions) filter (where t.status = 'published') as reactions,
                 sum(e.comments) filter (where t.status = 'published') as comments, sum(e.reposts) filter (where t.status = 'published') as reposts,
                 count(e.target_id) filter (where t.status = 'published') as read_targets,
                 count(*) filter (where t.status = 'published' and c.kind in (${sql.join(REPORTING_KINDS.map((k) => sql.lit(k)))})) as reporting_targets
            from post_targets t join channels c on c.id = t.channel_id
            left join target_engagement e on e.target_id = t.id
           where t.post_id = p.id) x
        cross join lateral (select max(e.at) as at from post_events e where e.post_id = p.id and e.type = 'submitted' and e.at <= p.approved_at) s
        cross join lateral (select count(*) as rejections from post_events e where e.post_id = p.id and e.type = 'rejected') r
        cross join lateral (select count(*) as photos from photos ph where ph.post_id = p.id) ph
        cross join lateral (
          select coalesce(sum(a.count) filter (where a.kind = 'visit'), 0) as visits,
                 coalesce(sum(a.count) filter (where a.kind <> 'visit'), 0) as shares
            from amplification_counts a where a.post_id = p.id) a
    ),
    kinds as (
      select unit_id, jsonb_object_agg(kind, n) as by_kind
        from (select unit_id, kind, count(*) as n from per_post, unnest(by_kind) kind where out group by unit_id, kind) k
       group by unit_id
    )
    select per_post.unit_id,
           count(*) filter (where out) as published,
           kinds.by_kind,
           coalesce(sum(on_time), 0) as on_time, coalesce(sum(late), 0) as late, coalesce(sum(failed), 0) as failed,
           percentile_cont(0.5) within group (order by approval_minutes) filter (where approval_minutes is not null) as median_approval,
           coalesce(sum(rejections), 0) as rejections,
           coalesce(sum(photos) filter (where out), 0) as photos,
           coalesce(sum(visits), 0) as visits, coalesce(sum(shares), 0) as shares,
           sum(views) as views, sum(reactions) as reactions, sum(comments) as comments, sum(reposts) as reposts,
           coalesce(sum(read_targets), 0) as read_targets, coalesce(sum(reporting_targets), 0) as reporting_targets
      from per_post left join kinds on kinds.unit_id = per_post.unit_id
     group by per_post.unit_id, kinds.by_kind`;
}

/** Each unit's followers and subscribers over its enabled channels, as last read; units with none left out. */
async function followersByUnit(db: Db, unitIds: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ unit_id: string; followers: number | string }>`
    select c.unit_id, sum(a.followers) as followers
      from channels c join channel_audience a on a.channel_id = c.id
     where c.unit_id = any(${`{${unitIds.join(',')}}`}::uuid[]) and c.enabled and a.followers is not null
     group by c.unit_id`.execute(db);
  return new Map(rows.map((r) => [r.unit_id, Number(r.followers)]));
}

/** Ranks siblings by score (ties share a rank, then by name) and lays the tree out depth-first from the top. */
function ranked(units: UnitMonth[], topId: string): UnitMonth[] {
  const children = new Map<string, UnitMonth[]>();
  for (const u of units) {
    if (u.unitId === topId || u.parentId === null) continue;
    children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
  }
  const out: UnitMonth[] = [];
  const visit = (u: UnitMonth) => {
    out.push(u);
    const kids = (children.get(u.unitId) ?? []).sort((a, b) => b.score - a.score || a.unitName.localeCompare(b.unitName, 'id'));
    kids.forEach((k, i) => {
      k.rank = i > 0 && kids[i - 1]!.score === k.score ? kids[i - 1]!.rank : i + 1;
    });
    kids.forEach(visit);
  };
  const top = units.find((u) => u.unitId === topId);
  if (top) visit(top);
  return out;
}
