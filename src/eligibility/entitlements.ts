import type { Citation } from '../domain/types.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import path from 'node:path';
import { PROJECT_ROOT } from '../util/project-root.ts';
import type { EntitlementMap, ExtraKey } from './schema.ts';
import { loadEntitlementMap } from './standards.ts';
import type { Category } from './classify.ts';

/** Optional facts that narrow the list of supports. Undefined = not asked (listed with its condition). */
export type Extras = Partial<Record<ExtraKey, boolean>>;

export interface Entitlement {
  id: string;
  title: string;
  /** The entry's short answer rendered for `now` (amounts come from the knowledge base). */
  text: string;
  citations: Citation[];
  /** "nếu có người đang đi học" when the condition is not known to hold. */
  condition?: string;
  note?: string;
  /** A fact in the entry is unconfirmed or varies by province. */
  caution?: string;
}

const CONDITION_VI: Record<ExtraKey, string> = {
  ethnic_minority: 'hộ người dân tộc thiểu số',
  has_students: 'có người đang đi học',
  working_age: 'có người trong độ tuổi lao động',
};

/**
 * The supports that follow from a category, drawn from the knowledge base via the data map
 * (`entitlements.yaml`). Entries not (yet) in the knowledge base, or no longer current, are skipped.
 * A rule whose condition is known false is dropped; one whose condition is unknown is kept with it named.
 */
export function entitlementsFor(
  category: Category,
  extras: Extras,
  knowledge: KnowledgeBase,
  now: Date,
  map: EntitlementMap = defaultEntitlementMap(),
): Entitlement[] {
  if (category === 'need_more_info') return [];
  const out: Entitlement[] = [];
  const seen = new Set<string>();
  for (const rule of map.categories[category] ?? []) {
    if (seen.has(rule.id)) continue;
    const unknown: string[] = [];
    let excluded = false;
    for (const [key, want] of Object.entries(rule.when ?? {}) as [ExtraKey, boolean][]) {
      const have = extras[key];
      if (have === undefined) unknown.push(want ? CONDITION_VI[key] : `không phải ${CONDITION_VI[key]}`);
      else if (have !== want) excluded = true;
    }
    if (excluded) continue;
    const entry = knowledge.get(rule.id);
    if (!entry || !knowledge.isCurrent(entry, now)) continue;
    seen.add(rule.id);
    out.push({
      id: entry.id,
      title: entry.title,
      text: knowledge.render(entry, entry.short_answer, now),
      citations: knowledge.citations(entry),
      condition: unknown.length ? `nếu ${unknown.join(' và ')}` : undefined,
      note: rule.note,
      caution: entry.caution,
    });
  }
  return out;
}

/** `knowledge/standards` of this repository. */
export const DEFAULT_STANDARDS_DIR = path.join(PROJECT_ROOT, 'knowledge', 'standards');

let cachedMap: EntitlementMap | null = null;
function defaultEntitlementMap(): EntitlementMap {
  cachedMap ??= loadEntitlementMap(DEFAULT_STANDARDS_DIR);
  return cachedMap;
}
