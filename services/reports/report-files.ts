// The month's report as files to send up: CSV for any tool, and XLSX laid out as the monthly report (a title row,
// the period, the score's rule, the platform figures' note, then one row per unit, indented by level, and the
// total). write-excel-file writes the XLSX: small, maintained, one dependency, and it writes only, which is all a
// report needs. A CSV in Indonesian is separated by ";", as a spreadsheet set to Indonesian reads and writes it (the
// comma is its decimal mark).
import { stringify } from 'csv-stringify/sync';
import writeXlsxFile, { type Cell, type SheetData } from 'write-excel-file/node';
import { ChannelKind } from '../../shared/post';
import { PLATFORM_FIGURES_NOTE, SCORE_RULE } from '../../shared/reports/unit-score';
import { TIME_ZONES } from '../../shared/time';
import { CHANNEL_KIND_LABELS } from '../../shared/words';
import { type UnitMonth, type UnitReport, totalOf } from './unit-report';

type Lang = 'id' | 'en';

const HEAD: Record<Lang, Record<string, string>> = {
  id: {
    rank: 'Peringkat',
    unit: 'Satuan',
    parent: 'Satuan atas',
    month: 'Bulan',
    published: 'Pos terbit',
    onTime: 'Tepat waktu',
    late: 'Terlambat',
    failed: 'Gagal',
    approval: 'Median persetujuan (menit)',
    rejections: 'Ditolak',
    photos: 'Foto per pos',
    visits: 'Kunjungan',
    shares: 'Dibagikan personel',
    read: 'Kiriman platform terbaca',
    views: 'Tayangan di platform',
    reactions: 'Reaksi',
    comments: 'Komentar',
    reposts: 'Dibagikan ulang di platform',
    followers: 'Pengikut kanal (kini)',
    score: 'Skor',
    total: 'Jumlah',
  },
  en: {
    rank: 'Rank',
    unit: 'Unit',
    parent: 'Unit above',
    month: 'Month',
    published: 'Posts published',
    onTime: 'On time',
    late: 'Late',
    failed: 'Failed',
    approval: 'Median approval (minutes)',
    rejections: 'Rejected',
    photos: 'Photos per post',
    visits: 'Visits',
    shares: 'Shares by personnel',
    read: 'Platform posts read',
    views: 'Views on platforms',
    reactions: 'Reactions',
    comments: 'Comments',
    reposts: 'Reshares on platforms',
    followers: 'Channel followers (now)',
    score: 'Score',
    total: 'Total',
  },
};

interface Column {
  title: string;
  value: (u: UnitMonth) => string | number | null;
  /** Added up in the total row (counts); a median, a ratio, a rank or a score is not. */
  summed?: true;
}

function columns(report: UnitReport, lang: Lang): Column[] {
  const h = HEAD[lang];
  const nameOf = new Map(report.units.map((u) => [u.unitId, u.unitName]));
  return [
    { title: h.rank!, value: (u) => (u.depth === 0 ? null : u.rank) },
    { title: h.unit!, value: (u) => u.unitName },
    { title: h.parent!, value: (u) => (u.depth === 0 || u.parentId === null ? null : nameOf.get(u.parentId) ?? null) },
    { title: h.month!, value: () => report.month },
    { title: h.published!, value: (u) => u.published, summed: true },
    ...ChannelKind.options.map((k): Column => ({ title: CHANNEL_KIND_LABELS[k][lang], value: (u) => u.byKind[k], summed: true })),
    { title: h.onTime!, value: (u) => u.onTime, summed: true },
    { title: h.late!, value: (u) => u.late, summed: true },
    { title: h.failed!, value: (u) => u.failed, summed: true },
    { title: h.approval!, value: (u) => u.medianApprovalMinutes },
    { title: h.rejections!, value: (u) => u.rejections, summed: true },
    { title: h.photos!, value: (u) => u.photosPerPost },
    { title: h.visits!, value: (u) => u.visits, summed: true },
    { title: h.shares!, value: (u) => u.shares, summed: true },
    { title: h.read!, value: (u) => (u.platform.of === 0 ? null : `${u.platform.read}/${u.platform.of}`) },
    { title: h.views!, value: (u) => u.platform.views, summed: true },
    { title: h.reactions!, value: (u) => u.platform.reactions, summed: true },
    { title: h.comments!, value: (u) => u.platform.comments, summed: true },
    { title: h.reposts!, value: (u) => u.platform.reposts, summed: true },
    { title: h.followers!, value: (u) => u.followers, summed: true },
    { title: h.score!, value: (u) => u.score },
  ];
}

/** The total row: counts added up over every unit of the report; a column with no figure at all stays empty. */
function totalRow(report: UnitReport, cols: Column[], lang: Lang): Array<string | number | null> {
  return cols.map((c, i) => {
    if (i === 1) return HEAD[lang].total!;
    if (!c.summed) return null;
    return totalOf(report.units, (u) => {
      const v = c.value(u);
      return typeof v === 'number' ? v : null;
    });
  });
}

/** `laporan-humas-polda-lampung-2026-10.csv`: files of successive months and units do not overwrite each other. */
export function reportFileName(report: UnitReport, ext: 'csv' | 'xlsx'): string {
  const slug = report.unit.slug.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `laporan-humas-${slug}-${report.month}.${ext}`;
}

/** One row per unit, its header first, the total last; every cell quoted (a unit's name is no formula anyway). */
export function reportCsv(report: UnitReport, lang: Lang): string {
  const cols = columns(report, lang);
  const rows = [cols.map((c) => c.title), ...report.units.map((u) => cols.map((c) => c.value(u) ?? '')), totalRow(report, cols, lang).map((v) => v ?? '')];
  return stringify(rows, { bom: true, quoted: true, delimiter: lang === 'id' ? ';' : ',' });
}

export async function reportXlsx(report: UnitReport, lang: Lang): Promise<Buffer> {
  const cols = columns(report, lang);
  const zone = TIME_ZONES[report.unit.zone];
  const title = lang === 'id' ? `Laporan bulanan Humas ${report.unit.name}` : `Monthly Humas report, ${report.unit.name}`;
  const period = lang === 'id' ? `Bulan ${report.month} (jadwal terbit dalam bulan itu, ${zone})` : `Month ${report.month} (posts scheduled in it, ${zone})`;
  const bold = (value: string | number): Cell => ({ value, fontWeight: 'bold' });
  const data: SheetData = [
    [{ value: title, fontWeight: 'bold', fontSize: 14 }],
    [period],
    [SCORE_RULE[lang]],
    [PLATFORM_FIGURES_NOTE[lang]],
    [],
    cols.map((c) => ({ value: c.title, fontWeight: 'bold', backgroundColor: '#DDE1E6' })),
    // The unit's name indented by its level, as the report reads down the chain of command.
    ...report.units.map((u) =>
      cols.map((c, i): Cell => {
        const value = i === 1 ? `${'   '.repeat(u.depth)}${u.unitName}` : c.value(u);
        return value === null ? null : u.depth === 0 && typeof value === 'string' ? bold(value) : value;
      }),
    ),
    totalRow(report, cols, lang).map((v): Cell => (v === null ? null : bold(v))),
  ];
  return writeXlsxFile(data, { sheet: lang === 'id' ? 'Laporan' : 'Report', columns: cols.map((_c, i) => ({ width: i === 1 || i === 2 ? 32 : 12 })) }).toBuffer();
}
