// The month's report as files to send up: CSV for any tool, and XLSX laid out as the monthly report (a title row,
// the period, the score's rule, then one row per unit, indented by level). write-excel-file writes the XLSX:
// small, maintained, one dependency, and it writes only, which is all a report needs.
import { stringify } from 'csv-stringify/sync';
import writeXlsxFile, { type Cell, type SheetData } from 'write-excel-file/node';
import { ChannelKind } from '../../shared/post';
import { SCORE_RULE } from '../../shared/reports/unit-score';
import { CHANNEL_KIND_LABELS } from '../../shared/words';
import type { UnitMonth, UnitReport } from './unit-report';

type Lang = 'id' | 'en';

const HEAD: Record<Lang, Record<string, string>> = {
  id: { rank: 'Peringkat', unit: 'Satuan', level: 'Tingkat', published: 'Pos terbit', onTime: 'Tepat waktu', late: 'Terlambat', failed: 'Gagal', approval: 'Median persetujuan (menit)', rejections: 'Ditolak', photos: 'Foto per pos', visits: 'Kunjungan', shares: 'Dibagikan', views: 'Tayangan di platform', reactions: 'Reaksi', comments: 'Komentar', reposts: 'Dibagikan di platform', followers: 'Pengikut kanal', score: 'Skor' },
  en: { rank: 'Rank', unit: 'Unit', level: 'Level', published: 'Posts published', onTime: 'On time', late: 'Late', failed: 'Failed', approval: 'Median approval (minutes)', rejections: 'Rejected', photos: 'Photos per post', visits: 'Visits', shares: 'Shares', views: 'Views on platforms', reactions: 'Reactions', comments: 'Comments', reposts: 'Shares on platforms', followers: 'Channel followers', score: 'Score' },
};

function columns(lang: Lang): Array<{ title: string; value: (u: UnitMonth) => string | number | null }> {
  const h = HEAD[lang];
  return [
    { title: h.rank!, value: (u) => (u.depth === 0 ? null : u.rank) },
    { title: h.unit!, value: (u) => u.unitName },
    { title: h.level!, value: (u) => u.depth },
    { title: h.published!, value: (u) => u.published },
    ...ChannelKind.options.map((k) => ({ title: CHANNEL_KIND_LABELS[k][lang], value: (u: UnitMonth) => u.byKind[k] })),
    { title: h.onTime!, value: (u) => u.onTime },
    { title: h.late!, value: (u) => u.late },
    { title: h.failed!, value: (u) => u.failed },
    { title: h.approval!, value: (u) => u.medianApprovalMinutes },
    { title: h.rejections!, value: (u) => u.rejections },
    { title: h.photos!, value: (u) => u.photosPerPost },
    { title: h.visits!, value: (u) => u.visits },
    { title: h.shares!, value: (u) => u.shares },
    { title: h.views!, value: (u) => u.platform.views },
    { title: h.reactions!, value: (u) => u.platform.reactions },
    { title: h.comments!, value: (u) => u.platform.comments },
    { title: h.reposts!, value: (u) => u.platform.reposts },
    { title: h.followers!, value: (u) => u.followers },
    { title: h.score!, value: (u) => u.score },
  ];
}

/** One row per unit, its header first; every cell quoted (a unit's name is no formula anyway, names are the admins'). */
export function reportCsv(report: UnitReport, lang: Lang): string {
  const cols = columns(lang);
  return stringify([cols.map((c) => c.title), ...report.units.map((u) => cols.map((c) => c.value(u) ?? ''))], { bom: true, quoted: true });
}

export async function reportXlsx(report: UnitReport, lang: Lang): Promise<Buffer> {
  const cols = columns(lang);
  const title = lang === 'id' ? `Laporan bulanan Humas ${report.unit.name}` : `Monthly Humas report, ${report.unit.name}`;
  const period = lang === 'id' ? `Bulan ${report.month} (jadwal terbit dalam bulan itu, ${report.unit.zone})` : `Month ${report.month} (posts scheduled in it, ${report.unit.zone})`;
  const bold = (value: string): Cell => ({ value, fontWeight: 'bold' });
  const data: SheetData = [
    [{ value: title, fontWeight: 'bold', fontSize: 14 }],
    [period],
    [SCORE_RULE[lang]],
    [],
    cols.map((c) => ({ value: c.title, fontWeight: 'bold', backgroundColor: '#DDE1E6' })),
    // The unit's name indented by its level, as the report reads down the chain of command.
    ...report.units.map((u) =>
      cols.map((c, i): Cell => {
        const value = i === 1 ? `${'   '.repeat(u.depth)}${u.unitName}` : c.value(u);
        return value === null ? null : u.depth === 0 && typeof value === 'string' ? bold(value) : value;
      }),
    ),
  ];
  return writeXlsxFile(data, { sheet: lang === 'id' ? 'Laporan' : 'Report', columns: cols.map((_c, i) => ({ width: i === 1 ? 36 : 12 })) }).toBuffer();
}
