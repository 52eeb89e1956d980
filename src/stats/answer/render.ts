import type { Citation, Reply } from '../../domain/types.ts';
import { formatDate } from '../../format/vi.ts';
import { barChartPng } from '../chart.ts';
import type { Catalog } from '../catalog.ts';
import { chartLabel, lcFirst, measureSay, standardLabel, valueText } from './format.ts';
import type { Line, Val } from './types.ts';

/**
 * Turns the structured lines of an answer into the text officials read, the citations every channel
 * prints under it, a sentence naming the measure (and saying so when two measures or standards are
 * present), and the PNG chart of a series.
 */

/** The reply text: one sentence for a single figure, a list otherwise; then the measure and the notes. */
export function renderText(lines: Line[], notes: string[], used: Val[], catalog: Catalog, lead = ''): string {
  let text: string;
  const one = lines.length === 1 ? lines[0] : null;
  // After a lead that ends a sentence the line keeps its capital; otherwise it continues "Dạ, ...".
  const start = lead || 'Dạ, ';
  const cased = (s: string) => (start.endsWith('. ') ? s : lcFirst(s));
  if (one && one.t === 'figure') text = `${start}${cased(one.subject)} là ${one.value}.`;
  else if (one && one.t === 'text') text = `${start}${cased(one.text)}`;
  else {
    const body = lines.map((l) =>
      l.t === 'figure'
        ? `• ${l.subject}: ${l.value}.`
        : l.t === 'text'
          ? `• ${l.text}`
          : [`• ${l.title}`, ...l.items.map((i) => `  – ${i}`)].join('\n'),
    );
    text = `${lead ? `${lead}${cased('Số')} liệu như sau:` : 'Dạ, số liệu như sau:'}\n${body.join('\n')}`;
  }
  const how = measureNote(used, catalog);
  if (how) text += `\n${how}`;
  if (notes.length) text += `\n${notes.join('\n')}`;
  return text;
}

/**
 * Names the measure of the figures shown ("Cách đo: kết quả rà soát hộ nghèo, hộ cận nghèo; chuẩn ...")
 * and warns when the answer holds figures of two measures or two standards.
 */
export function measureNote(used: Val[], catalog: Catalog): string {
  const poverty = used.filter((v) => v.measure === 'review' || v.measure === 'gso_survey');
  if (!poverty.length) return '';
  const measures = [...new Set(poverty.map((v) => v.measure))];
  const standards = [...new Set(poverty.map((v) => v.standard).filter(Boolean))];
  const say = measures.map((m) => measureSay(catalog, m).replace(/^theo /, '')).join('; ');
  if (measures.length === 1 && standards.length <= 1)
    return `Cách đo: ${say}${standards[0] ? `, ${standardLabel(catalog, standards[0])}` : ''}.`;
  // Several standards of one measure: each figure names its standard (and a series says where it changes).
  if (measures.length === 1) return `Cách đo: ${say}; chuẩn nghèo ghi ở từng số, số khác chuẩn không so sánh trực tiếp.`;
  const parts: string[] = [];
  if (measures.length > 1) parts.push(`hai cách đo khác nhau (${say})`);
  if (standards.length > 1)
    parts.push(`${standards.length} chuẩn nghèo khác nhau (${standards.map((s) => standardLabel(catalog, s)).join('; ')})`);
  return `Lưu ý: câu trả lời có số liệu theo ${parts.join(' và ')}, đã ghi rõ ở từng số; các số khác cách đo hoặc khác chuẩn không so sánh trực tiếp với nhau.`;
}

/** One citation per source (the dates are in the text). */
export function citationsOf(used: Val[]): Citation[] {
  const out: Citation[] = [];
  const seen = new Set<string>();
  for (const v of used)
    for (const s of v.sources) {
      const k = `${s.source}|${s.url}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ instrument: s.source, asOf: s.as_of, ...(s.url ? { url: s.url } : {}) });
    }
  return out;
}

/** The chart of a series: title, measure and unit, hatched preliminary figures, the standard change marked. */
export function chartImage(list: Val[], catalog: Catalog): NonNullable<Reply['image']> {
  const first = list[0];
  const unit = (catalog.units.get(first.unit)?.suffix ?? first.unit).trim();
  const how = measureSay(catalog, first.measure);
  const breaks: { before: number; label: string }[] = [];
  list.forEach((v, i) => {
    if (i > 0 && v.standard !== list[i - 1].standard)
      breaks.push({ before: i, label: standardLabel(catalog, v.standard).replace(/^chuẩn nghèo (đa chiều )?giai đoạn /, 'chuẩn ') });
  });
  const hatched = list.some((v) => v.status !== 'reported');
  const legend = [
    ...(hatched ? ['Cột kẻ sọc: số liệu sơ bộ, ước tính hoặc chỉ tiêu, chưa phải kết quả chính thức.'] : []),
    ...(breaks.length ? ['Vạch đỏ: đổi chuẩn nghèo; số hai bên vạch không so sánh trực tiếp.'] : []),
  ];
  const standards = [...new Set(list.map((v) => v.standard).filter(Boolean))];
  const subtitle = [
    how ? how.charAt(0).toUpperCase() + how.slice(1) : '',
    standards.length === 1
      ? standardLabel(catalog, standards[0])
      : standards.length > 1
        ? `chuẩn nghèo ${standards.map((x) => standardLabel(catalog, x).replace(/^chuẩn nghèo (đa chiều )?giai đoạn /, '')).join(' rồi ')}`
        : '',
    `đơn vị: ${unit}`,
  ]
    .filter(Boolean)
    .join('; ');
  const title = `${first.ind.label} - ${first.area.displayName}`;
  const bars = list.map((v) => ({
    value: v.value,
    hatched: v.status !== 'reported',
    label: chartLabel(valueText(catalog, v)),
    caption: formatDate(v.as_of),
  }));
  const base64 = barChartPng(bars, 520, 320, { title, subtitle, breaks, legend }).toString('base64');
  const alt =
    `Biểu đồ cột ${lcFirst(title)} (${subtitle}): ${list.map((v) => `${formatDate(v.as_of)} ${valueText(catalog, v)}`).join('; ')}` +
    (breaks.length ? `. Đổi chuẩn nghèo trước cột ${breaks.map((b) => formatDate(list[b.before].as_of)).join(', ')}.` : '');
  return { mime: 'image/png', base64, alt };
}
