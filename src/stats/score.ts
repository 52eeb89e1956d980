import type { Resolution } from './resolve/index.ts';
import { countMatches, matchesAny } from './text.ts';
import type { Words } from './words.ts';

/**
 * How much a message looks like a question for figures (0..1), the statistics skill's evidence in
 * the core's topic decision. Indicator words, statistics cues, an area and a time raise it; a
 * resident's own entitlement ("tôi có được…", "vay được bao nhiêu") lowers it. The weights are here;
 * the words are in knowledge/stats/words.yaml.
 */
export function statsScore(r: Resolution, words: Words, inStatsConversation: boolean): number {
  const t = r.allTokens;
  let s = 0;
  if (r.strongMatch) s += 0.45;
  else if (r.weakMatch) s += 0.15;
  const cues = countMatches(t, words.statCues);
  const strongCues = countMatches(t, words.strongCues);
  s += Math.min(0.4, cues * 0.15 + strongCues * 0.1);
  if (r.areas.length || r.compareAreas.length || r.place) s += 0.15;
  if (r.points.length || r.latest) s += 0.15;
  if (r.ranking && (r.strongMatch || r.weakMatch)) s += 0.2;
  let policy = countMatches(t, words.policyCues);
  // Yes/no questions ("có ... không", "... đúng không") ask about rules, not figures; "có biểu đồ không" asks for a chart.
  if (words.yesNoEndings.has(t[t.length - 1] ?? '') && !r.chart) policy++;
  const statFrame = r.areas.length > 0 || r.points.length > 0 || matchesAny(t, words.statFrame);
  if (policy) s -= statFrame ? 0.15 * policy : 0.4 + 0.1 * policy;
  if (r.followUp && inStatsConversation) s += 0.45;
  else if (r.followUp) s += 0.2;
  return Math.max(0, Math.min(1, Math.round(s * 100) / 100));
}
