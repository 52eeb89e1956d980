import type { Area, Areas, Place } from '../areas.ts';
import { expandTokens, hasPhrase } from '../text.ts';
import type { Words } from '../words.ts';
import type { Reading } from '../read.ts';
import type { PlaceMention } from './types.ts';

/**
 * Which areas and places a question names. Areas are matched by their aliases (with and without
 * accents, "tỉnh"/"TP." or not, short forms such as "HCM", "ĐBSCL"); two areas sharing a name (the
 * former and the new Lâm Đồng) stay together as candidates unless "mới"/"cũ" follows. A place below
 * the province ("xã Hàm Thạnh", "huyện Đức Trọng") or in places.yaml is reported separately, so it
 * is answered "chưa có" and never with the figure of the province around it.
 */

interface Alias {
  tokens: string[];
  id: string;
}

/** Alias index: every alias as written and with the statistics abbreviations expanded ("tp hcm"). */
export class AreaIndex {
  private readonly byFirst = new Map<string, Alias[]>();
  /** Every word of every alias and place name (part of the skill's vocabulary). */
  readonly vocabulary = new Set<string>();

  constructor(
    readonly areas: Areas,
    readonly places: Place[],
    private readonly abbreviations: Map<string, string[]>,
  ) {
    for (const a of areas.byId.values())
      for (const alias of a.aliases)
        for (const tokens of [alias, expandTokens(alias, abbreviations)]) {
          const list = this.byFirst.get(tokens[0]) ?? [];
          if (!list.some((x) => x.id === a.id && x.tokens.join(' ') === tokens.join(' '))) list.push({ tokens, id: a.id });
          this.byFirst.set(tokens[0], list);
          for (const t of tokens) this.vocabulary.add(t);
        }
    for (const p of places) for (const t of p.tokens) this.vocabulary.add(t);
  }

  /** How a place word may have been typed: as itself or as an abbreviation of it ("thành phố" or "tp"), as a pattern. */
  typedForms(words: string[]): string[] {
    const full = words.join(' ');
    return [words.join('\\s+'), ...[...this.abbreviations].filter(([, v]) => v.join(' ') === full).map(([k]) => k)];
  }

  /** Alias hits at position i. */
  hitsAt(tokens: string[], i: number): Alias[] {
    return (this.byFirst.get(tokens[i]) ?? []).filter((al) => al.tokens.every((w, k) => tokens[i + k] === w));
  }
}

type Hit = { start: number; end: number; ids: Set<string> };

/** Finds named areas; returns mentions in order, each as the candidates sharing that name. */
export function matchAreas(tokens: string[], index: AreaIndex, words: Words): { main: Area[][]; compare: Area[][]; spans: Hit[] } {
  const hits: Hit[] = [];
  for (let i = 0; i < tokens.length; i++)
    for (const al of index.hitsAt(tokens, i)) hits.push({ start: i, end: i + al.tokens.length, ids: new Set([al.id]) });
  // Longest non-overlapping hits; equal spans merge their candidates (old/new Lâm Đồng).
  hits.sort((x, y) => y.end - y.start - (x.end - x.start) || x.start - y.start);
  const chosen: Hit[] = [];
  for (const h of hits) {
    const same = chosen.find((c) => c.start === h.start && c.end === h.end);
    if (same) {
      for (const id of h.ids) same.ids.add(id);
      continue;
    }
    if (chosen.some((c) => h.start < c.end && c.start < h.end)) continue;
    chosen.push(h);
  }
  chosen.sort((x, y) => x.start - y.start);
  const main: Area[][] = [];
  const compare: Area[][] = [];
  for (const h of chosen) {
    let list = [...h.ids].map((id) => index.areas.byId.get(id)!).sort((a, b) => (a.validTo ? 1 : 0) - (b.validTo ? 1 : 0));
    if (list.length > 1) {
      const after = tokens.slice(h.end, h.end + 4);
      const startsWith = (p: string[]) => p.every((w, k) => after[k] === w);
      if (words.newMarker.some(startsWith)) list = list.filter((a) => !a.validTo);
      else if (words.oldMarker.some(startsWith)) list = list.filter((a) => !!a.validTo);
    }
    const before = tokens.slice(Math.max(0, h.start - 4), h.start);
    const target = words.compareBefore.some((p) => hasPhrase(before, p)) ? compare : main;
    if (list.length && !target.some((l) => l[0].id === list[0].id)) target.push(list);
  }
  return { main, compare, spans: chosen };
}

/**
 * A place without figures: a name from places.yaml, or a word such as "xã", "huyện" followed by a name
 * that is not an area. `named` are the areas the question names (the place's container, if any).
 */
export function findPlace(
  tokens: string[],
  reading: Pick<Reading, 'original' | 'typed'>,
  index: AreaIndex,
  words: Words,
  spans: Hit[],
  named: Area[][],
): PlaceMention | null {
  const inHit = (i: number) => spans.some((h) => i >= h.start && i < h.end);
  const container = (named[0] ?? []).find((a) => a.level !== 'national') ?? null;
  let listed: Place | null = null;
  for (const p of index.places) {
    for (let i = 0; i + p.tokens.length <= tokens.length; i++)
      if (!inHit(i) && p.tokens.every((w, k) => tokens[i + k] === w) && (!listed || p.tokens.length > listed.tokens.length)) listed = p;
  }
  if (listed) {
    // "xã Hàm Thạnh": the kind word said before the name is part of how the answer names it.
    const at = tokens.findIndex((_, i) => listed!.tokens.every((w, k) => tokens[i + k] === w));
    const kind = [...words.placeLevels.commune, ...words.placeLevels.district].find((k) =>
      k.every((w, j) => tokens[at - k.length + j] === w),
    );
    const spoken = [...(kind ?? []), ...listed.tokens];
    return {
      name: asTyped(reading, spoken) ?? asTyped(reading, listed.tokens) ?? listed.name,
      level: listed.level,
      inArea: (listed.inArea ? (index.areas.byId.get(listed.inArea) ?? null) : null) ?? container,
    };
  }
  const levels: [PlaceMention['level'], string[][]][] = [
    ['commune', words.placeLevels.commune],
    ['district', words.placeLevels.district],
  ];
  for (let i = 0; i < tokens.length; i++) {
    for (const [level, kinds] of levels)
      for (const kind of kinds) {
        if (!kind.every((w, k) => tokens[i + k] === w) || words.placeNotAfter.has(tokens[i - 1] ?? '')) continue;
        const at = i + kind.length;
        if (inHit(at) || inHit(i)) continue;
        const name: string[] = [];
        // Numbered wards and districts ("phường 5", "quận 8") are named by their number.
        if (/^\d{1,2}$/.test(tokens[at] ?? '')) name.push(tokens[at]);
        for (let j = at + name.length; j < Math.min(tokens.length, at + 3) && !name.some((t) => /^\d/.test(t)); j++) {
          const t = tokens[j];
          // "năm" before a year is the year ("xã X năm 2023"), not part of the name.
          const yearWord = words.time.yearWord.has(t) && /^\d{4}$/.test(tokens[j + 1] ?? '');
          if (inHit(j) || yearWord || words.placeStop.has(t) || /^\d/.test(t) || levels.some(([, ks]) => ks.some((k2) => k2[0] === t)))
            break;
          name.push(t);
        }
        // Typed as one phrase ("xã Hàm Thạnh", "TP Vinh"), not across punctuation ("mặt trận xã, sắp tới họp").
        const kindTyped = index.typedForms(kind).join('|');
        if (!name.length || !new RegExp(`(^|[^a-z0-9])(${kindTyped})\\s+${name.join('\\s+')}($|[^a-z0-9])`).test(reading.typed)) continue;
        const words_ = [...kind, ...name];
        const typedKind = index.typedForms(kind).find((f) => !f.includes('\\') && asTyped(reading, [f, ...name]));
        return {
          name: asTyped(reading, words_) ?? (typedKind ? asTyped(reading, [typedKind, ...name]) : null) ?? words_.join(' '),
          level,
          inArea: container,
        };
      }
  }
  return null;
}

/**
 * The words as the person typed them (with accents), when they can be found: the NLU's `matchText` is
 * the original folded character for character, so the same word positions in both give the accents back.
 */
function asTyped(reading: Pick<Reading, 'original' | 'typed'>, folded: string[]): string | null {
  const split = (t: string) => t.split(/[\s,.;:!?()"]+/).filter(Boolean);
  const parts = split(reading.original);
  const typed = split(reading.typed);
  if (parts.length !== typed.length) return null;
  for (let i = 0; i + folded.length <= typed.length; i++)
    if (folded.every((w, k) => typed[i + k].replace(/[^a-z0-9]/g, '') === w)) return parts.slice(i, i + folded.length).join(' ');
  return null;
}
