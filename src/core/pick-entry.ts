import type { HouseholdType } from '../domain/types.ts';
import type { TurnContext } from './context.ts';
import type { TopicDecision } from './classify.ts';
import type { PolicyEntry } from '../knowledge/schema.ts';
import { foldKey } from '../nlu/text.ts';

/** The best entry of the decided topic for this question and household type. */
export function pickEntry(ctx: TurnContext, d: TopicDecision, household: HouseholdType | null): PolicyEntry | null {
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
  const hints = (e: PolicyEntry) => (e.prefer_terms.some(has) ? 1.6 : 1) * (e.avoid_terms.some(has) ? 0.35 : 1);
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
    if (overview) return overview;
  }
  const inTopic = d.hits
    .filter((h) => h.entry.topic === d.topic)
    .map((h) => ({ entry: h.entry, score: h.score * fit(h.entry) * hints(h.entry) * (year ? period(h.entry) : current(h.entry)) }))
    .sort((a, b) => b.score - a.score);
  // A follow-up with no topic words of its own ("thế năm 2022?", "còn cận nghèo?") stays on the previous entry.
  const prevEntry = ctx.session.entryId ? kb.get(ctx.session.entryId) : undefined;
  if (
    d.followUp &&
    prevEntry &&
    prevEntry.topic === d.topic &&
    (!household || !prevEntry.households.length || prevEntry.households.includes(household))
  ) {
    return prevEntry;
  }
  if (inTopic.length) {
    const best = inTopic[0].entry;
    // A rule that has ended answers "now" questions through its successor (superseded_by).
    const successor = !year && !kb.isCurrent(best, ctx.now) && best.superseded_by ? kb.get(best.superseded_by) : undefined;
    return successor && kb.isCurrent(successor, ctx.now) ? successor : best;
  }
  // Follow-up with no matching words: stay on the previous entry's family when it fits the new household.
  const prev = ctx.session.entryId ? kb.get(ctx.session.entryId) : undefined;
  const pool = kb.entries.filter((e) => e.topic === d.topic && kb.isCurrent(e, ctx.now));
  if (prev && prev.topic === d.topic) {
    const sibling = pool
      .filter((e) => household && e.households.includes(household))
      .sort((a, b) => sharedWords(b.id, prev.id) - sharedWords(a.id, prev.id))[0];
    if (sibling) return sibling;
    return prev;
  }
  return pool.sort((a, b) => fit(b) - fit(a))[0] ?? null;
}

function sharedWords(a: string, b: string): number {
  const bs = new Set(b.split('-'));
  return a.split('-').filter((w) => bs.has(w)).length;
}
