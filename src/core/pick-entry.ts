import type { HouseholdType } from '../domain/types.ts';
import type { TurnContext } from './context.ts';
import type { TopicDecision } from './classify.ts';
import type { PolicyEntry } from '../knowledge/schema.ts';
import { foldKey } from '../nlu/text.ts';
import { languageKitFor } from '../knowledge/language-kit.ts';

/**
 * Question types that point at one entry of a topic rather than another: a definition question at the
 * entry people ask definitions of, a contact question at the one with the numbers. Amounts, rates and
 * "who is eligible" are asked of nearly every entry and say little about which.
 */
const FOCUSED_ASKS: ReadonlySet<string> = new Set(['definition', 'contact', 'procedure', 'documents', 'where']);

/** The best entry of the decided topic for this question and household type. */
export function pickEntry(ctx: TurnContext, d: TopicDecision, household: HouseholdType | null): PolicyEntry | null {
  return rankEntries(ctx, d, household)[0] ?? null;
}

/**
 * The entries of the decided topic, best first. A follow-up without topic words of its own stays on
 * the previous entry; an ended rule gives way to its successor for "now" questions.
 */
export function rankEntries(ctx: TurnContext, d: TopicDecision, household: HouseholdType | null): PolicyEntry[] {
  const kb = ctx.services.knowledge;
  const fit = (e: PolicyEntry) => {
    if (!household) return 1;
    if (!e.households.length) return 0.85;
    if (!e.households.includes(household)) return 0.45;
    return e.households.length === 1 ? 1.6 : 1.25;
  };
  const current = (e: PolicyEntry) => (kb.isCurrent(e, ctx.now) ? 1 : 0.35);
  const padded = ` ${ctx.nlu.folded.replace(/[^a-z0-9]+/g, ' ')} `;
  const has = (term: string) => padded.includes(` ${foldKey(term)} `);
  // An entry for a particular case names its words (prefer_terms): with one of them it gains, without
  // any it gives way to the general entry ("hộ nghèo vay vốn" is not the housing loan).
  const hints = (e: PolicyEntry) =>
    (e.prefer_terms.length ? (e.prefer_terms.some(has) ? 1.6 : 0.5) : 1) * (e.avoid_terms.some(has) ? 0.35 : 1);
  // A year in the question ("chuẩn nghèo 2027") favours the entry in force that year; otherwise today's.
  const year = ctx.nlu.entities.year;
  const period = (e: PolicyEntry) => {
    if (!year || (!e.effective_from && !e.effective_to)) return 1;
    const from = Number((e.effective_from ?? '0000').slice(0, 4));
    const to = Number((e.effective_to ?? '9999').slice(0, 4));
    return year >= from && year <= to ? 1.8 : 0.6;
  };
  if (d.topic === 'benefits_overview') {
    const hh = household ?? 'poor';
    const overview = kb.entries.find((e) => e.topic === 'benefits_overview' && e.households.includes(hh));
    if (overview) return [overview];
  }
  // Two readings of which entry answers: BM25 over the entries' phrasings, and the learned entry model
  // (trained on the corpus). Each is scaled to its best candidate in the topic, then they are averaged;
  // an entry the model does not know (added after training) is ranked on its phrasings alone.
  const hitsInTopic = d.hits.filter((h) => h.entry.topic === d.topic);
  const topHit = hitsInTopic[0]?.score ?? 0;
  const modelP = new Map((d.reading?.entry ?? []).map((x) => [x.label, x.p]));
  const candidates = new Map<string, PolicyEntry>(hitsInTopic.map((h) => [h.entry.id, h.entry]));
  for (const [id, p] of modelP) {
    const e = kb.get(id);
    if (e && e.topic === d.topic && p >= 0.03) candidates.set(id, e);
  }
  const topModel = Math.max(0, ...[...candidates.keys()].map((id) => modelP.get(id) ?? 0));
  const bm25 = new Map(hitsInTopic.map((h) => [h.entry.id, h.score]));
  // The question type, when the model is sure of it, favours the entries whose corpus lines ask it.
  const model = languageKitFor(kb, ctx.services.language).model;
  const ask = d.reading?.ask[0];
  const askLabel = model && ask && ask.p >= 0.6 && FOCUSED_ASKS.has(ask.label) ? ask.label : null;
  const askMax = askLabel ? Math.max(0, ...[...candidates.keys()].map((id) => model?.askShare(id, askLabel) ?? 0)) : 0;
  const askFit = (e: PolicyEntry) => {
    const share = askLabel && askMax >= 0.1 ? model?.askShare(e.id, askLabel) : undefined;
    return share === undefined ? 1 : 0.75 + 0.5 * (share / askMax);
  };
  const useModel = topModel >= 0.05;
  // The model's say grows with its certainty inside the topic: when its best in-topic entry has under half
  // the probability (its mass spread, or spent on other topics' entries), the phrasings count for more.
  const modelWeight = useModel ? 0.6 * Math.min(1, topModel / 0.5) : 0;
  const inTopic = [...candidates.values()]
    .map((e) => {
      const lexical = topHit ? (bm25.get(e.id) ?? 0) / topHit : 0;
      const learned = useModel && modelP.has(e.id) ? (modelP.get(e.id) ?? 0) / topModel : useModel ? lexical : 0;
      const reading = (1 - modelWeight) * lexical + modelWeight * learned;
      return { entry: e, score: reading * fit(e) * hints(e) * askFit(e) * (year ? period(e) : current(e)) };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score);
  // A follow-up with no topic words of its own ("thế năm 2022?", "còn cận nghèo?") stays on the previous entry.
  const prevEntry = ctx.session.entryId ? kb.get(ctx.session.entryId) : undefined;
  if (
    d.followUp &&
    prevEntry &&
    prevEntry.topic === d.topic &&
    (!household || !prevEntry.households.length || prevEntry.households.includes(household))
  ) {
    return [prevEntry];
  }
  if (inTopic.length) {
    const best = inTopic[0].entry;
    // A rule that has ended answers "now" questions through its successor (superseded_by).
    const successor = !year && !kb.isCurrent(best, ctx.now) && best.superseded_by ? kb.get(best.superseded_by) : undefined;
    const rest = inTopic.slice(1).map((c) => c.entry);
    return successor && kb.isCurrent(successor, ctx.now) ? [successor, best, ...rest] : [best, ...rest];
  }
  // Follow-up with no matching words: stay on the previous entry's family when it fits the new household.
  const prev = ctx.session.entryId ? kb.get(ctx.session.entryId) : undefined;
  const pool = kb.entries.filter((e) => e.topic === d.topic && kb.isCurrent(e, ctx.now));
  if (prev && prev.topic === d.topic) {
    const sibling = pool
      .filter((e) => household && e.households.includes(household))
      .sort((a, b) => sharedWords(b.id, prev.id) - sharedWords(a.id, prev.id))[0];
    if (sibling) return [sibling];
    return [prev];
  }
  return pool.sort((a, b) => fit(b) - fit(a));
}

function sharedWords(a: string, b: string): number {
  const bs = new Set(b.split('-'));
  return a.split('-').filter((w) => bs.has(w)).length;
}
