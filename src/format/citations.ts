import type { Citation } from '../domain/types.ts';
import { formatDate } from './vi.ts';

/**
 * The one-line source note every channel prints under an answer: the instruments by name, each once,
 * with the date a rule applies from ("Căn cứ: Nghị định 78/2002/NĐ-CP; Quyết định 2553/QĐ-TTg (từ
 * 01/12/2025)."), or for figures the publication and the date they refer to. The full references with
 * articles and links sit behind the "Căn cứ pháp lý" button (and in a collapsible block on the web).
 * Why one formatter: what a phone shows must be the same on every channel, and short.
 */
export function compactSources(citations: readonly Citation[] | undefined): string | null {
  if (!citations?.length) return null;
  const figures = citations.filter((c) => c.asOf);
  const rules = citations.filter((c) => !c.asOf);
  const parts: string[] = [];
  if (rules.length) {
    const seen = new Map<string, string | undefined>();
    for (const c of rules) {
      const name = shortInstrument(c.instrument);
      const prev = seen.get(name);
      // The latest start date of an instrument is the one that matters today.
      if (!seen.has(name) || (c.effectiveFrom && (!prev || c.effectiveFrom > prev))) seen.set(name, c.effectiveFrom);
    }
    // One date only: when the newest rule applies from (the others are background).
    const newest = [...seen.entries()]
      .filter(([n, d]) => d && !/hết hiệu lực/.test(n))
      .sort((a, b) => (b[1] ?? '').localeCompare(a[1] ?? ''))[0];
    const names = [...seen.keys()].slice(0, 4).map((n) => (newest && n === newest[0] ? `${n} (từ ${formatDate(newest[1]!)})` : n));
    const more = seen.size > 4 ? `; và ${seen.size - 4} văn bản khác` : '';
    parts.push(`Căn cứ: ${names.join('; ')}${more}.`);
  }
  if (figures.length) {
    const seen = new Set<string>();
    const names: string[] = [];
    for (const c of figures) {
      const key = `${c.instrument}|${c.asOf}`;
      if (seen.has(key)) continue;
      seen.add(key);
      names.push(`${c.instrument} (số liệu tại ${formatDate(c.asOf!)})`);
    }
    parts.push(`Nguồn: ${names.slice(0, 3).join('; ')}${names.length > 3 ? `; và ${names.length - 3} nguồn khác` : ''}.`);
  }
  return parts.join('\n');
}

/** Every reference in full, one per line, with article, start date and link (the "Căn cứ pháp lý" view). */
export function fullSources(citations: readonly Citation[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of citations) {
    const key = `${c.instrument}|${c.article ?? ''}|${c.url ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const when = c.effectiveFrom ? ` (áp dụng từ ${formatDate(c.effectiveFrom)})` : c.asOf ? ` (số liệu tại ${formatDate(c.asOf)})` : '';
    out.push(`• ${c.instrument}${c.article ? `, ${c.article}` : ''}${when}${c.url ? `\n  ${c.url}` : ''}`);
  }
  return out;
}

/**
 * An instrument's name without its description: "Nghị định 78/2002/NĐ-CP về tín dụng …" →
 * "Nghị định 78/2002/NĐ-CP"; "Luật Trợ giúp pháp lý 11/2017/QH14" stays whole. A note that the
 * instrument has ended ("hết hiệu lực từ …") is kept.
 */
export function shortInstrument(name: string): string {
  const ended = /\(hết hiệu lực[^)]*\)/u.exec(name)?.[0];
  const m = /^(.*?\d+\/(?:\d{4}\/)?[\p{L}\d]+(?:-[\p{L}\d]+)*)/u.exec(name.replace(/\s*\([^)]*\)/gu, ''));
  const base = m
    ? m[1]
    : name
        .replace(/\s*\([^)]*\)/gu, '')
        .slice(0, 70)
        .trim();
  return ended ? `${base} ${ended}` : base;
}
