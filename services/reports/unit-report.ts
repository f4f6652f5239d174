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
  score: number;
  /** 1 for the best score among the units with the same parent (ties share a rank); the report's unit is 1. */
  rank: number;
}

export interface UnitReport {
  unit: { id: string; name: string; zone: TimeZone };
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
  name: string;
  parent_id: string | null;
  depth: number;
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
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

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

  // Under WITH RECURSIVE, a CTE named as a table it reads would be taken for a recursive one: the names differ.
  const { rows } = await sql<Row>`
    with recursive tree(id, name, parent_id, depth) as (
      select id, name, parent_id, 0 from units where id = ${unitId}
      union all
      select u.id, u.name, u.parent_id, tree.depth + 1 from units u join tree on u.parent_id = tree.id where ${wholeTree}
    ),
    p as (
      select p.id, p.unit_id, p.scheduled_at, p.approved_at
        from posts p join tree on tree.id = p.unit_id
       where p.scheduled_at >= ${from} and p.scheduled_at < ${to} and p.status not in ('draft', 'cancelled')
    ),
    t as (
      select p.unit_id, p.id as post_id, c.kind, t.status,
             t.status = 'published' and t.published_at <= p.scheduled_at + make_interval(mins => ${ON_TIME_MINUTES}) as on_time
        from p join post_targets t on t.post_id = p.id join channels c on c.id = t.channel_id
    ),
    targets as (
      select unit_id,
             count(distinct post_id) filter (where status = 'published') as published,
             count(*) filter (where status = 'published' and on_time) as on_time,
             count(*) filter (where status = 'published' and not on_time) as late,
             count(*) filter (where status in ('failed', 'unconfirmed')) as failed
        from t group by unit_id
    ),
    kinds as (
      select unit_id, jsonb_object_agg(kind, n) as by_kind
        from (select unit_id, kind, count(*) as n from t where status = 'published' group by unit_id, kind) k
       group by unit_id
    ),
    approvals as (
      select p.unit_id,
             percentile_cont(0.5) within group (order by extract(epoch from p.approved_at - s.at) / 60) as median_approval
        from p
        cross join lateral (select max(e.at) as at from post_events e
                             where e.post_id = p.id and e.type = 'submitted' and e.at <= p.approved_at) s
       where p.approved_at is not null and s.at is not null
       group by p.unit_id
    ),
    rejections as (
      select p.unit_id, count(*) as rejections
        from p join post_events e on e.post_id = p.id and e.type = 'rejected'
       group by p.unit_id
    ),
    pictures as (
      select p.unit_id, count(ph.id) as photos
        from p join photos ph on ph.post_id = p.id
       where exists (select 1 from t where t.post_id = p.id and t.status = 'published')
       group by p.unit_id
    ),
    spread as (
      select p.unit_id,
             coalesce(sum(a.count) filter (where a.kind = 'visit'), 0) as visits,
             coalesce(sum(a.count) filter (where a.kind <> 'visit'), 0) as shares
        from p join amplification_counts a on a.post_id = p.id
       group by p.unit_id
    )
    select tree.id as unit_id, tree.name, tree.parent_id, tree.depth,
           coalesce(targets.published, 0) as published, kinds.by_kind,
           coalesce(targets.on_time, 0) as on_time, coalesce(targets.late, 0) as late, coalesce(targets.failed, 0) as failed,
           approvals.median_approval, coalesce(rejections.rejections, 0) as rejections, coalesce(pictures.photos, 0) as photos,
           coalesce(spread.visits, 0) as visits, coalesce(spread.shares, 0) as shares
      from tree
      left join targets on targets.unit_id = tree.id
      left join kinds on kinds.unit_id = tree.id
      left join approvals on approvals.unit_id = tree.id
      left join rejections on rejections.unit_id = tree.id
      left join pictures on pictures.unit_id = tree.id
      left join spread on spread.unit_id = tree.id`.execute(deps.db);

  const units = rows.map((r): UnitMonth => {
    const published = Number(r.published);
    const figures = { published, onTime: Number(r.on_time), late: Number(r.late), shares: Number(r.shares), visits: Number(r.visits) };
    const byKind = Object.fromEntries(ChannelKind.options.map((k) => [k, r.by_kind?.[k] ?? 0])) as Record<ChannelKind, number>;
    return {
      unitId: r.unit_id,
      unitName: r.name,
      parentId: r.parent_id,
      depth: r.depth,
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
      score: unitScore(figures),
      rank: 1,
    };
  });
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000);
  const perDay = new Array<number>(days).fill(0);
  const ids = units.map((u) => u.unitId);
  const daily = await sql<{ day: number; n: number | string }>`
    select floor(extract(epoch from p.scheduled_at - ${from}::timestamptz) / 86400)::int as day, count(*) as n
      from posts p
     where p.unit_id = any(${`{${ids.join(',')}}`}::uuid[]) and p.scheduled_at >= ${from} and p.scheduled_at < ${to}
       and exists (select 1 from post_targets t where t.post_id = p.id and t.status = 'published')
     group by 1`.execute(deps.db);
  for (const d of daily.rows) if (d.day >= 0 && d.day < days) perDay[d.day] = Number(d.n);
  return { unit: { id: unit.id, name: unit.name, zone: unit.time_zone }, month, from, to, units: ranked(units, unitId), perDay };
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
