/**
 * Developer aid: chooses how the learned topic model and the hand-made evidence (lexicon, BM25,
 * statistics) are blended, on held-out predictions of the training corpus (never on an evaluation set).
 *   npm run train -- --out-of-fold /tmp/oof.json
 *   npx tsx scripts/tune-blend.ts /tmp/oof.json
 * Prints accuracy, the share of confident wrong answers and of clarifications for a grid of settings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.ts';
import { KnowledgeBase } from '../src/knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../src/knowledge/language-kit.ts';
import { evidenceFor, TOPIC_BLEND } from '../src/core/classify.ts';
import { loadCorpus } from '../src/nlu/model/build.ts';
import { createStatsSkill } from '../src/stats/index.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { ManualClock } from '../src/time/clock.ts';
import type { TurnContext } from '../src/core/context.ts';
import type { Topic } from '../src/domain/types.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';

const oof = JSON.parse(readFileSync(process.argv[2], 'utf8')) as {
  labels: string[];
  entryLabels: string[];
  outOfFold: Array<{ head: string; id: string; p: number[] }>;
};
const knowledgeDir = path.join(PROJECT_ROOT, 'knowledge');
const knowledge = KnowledgeBase.load(path.join(knowledgeDir, 'policies'));
const kit = buildLanguageKit(knowledge, knowledgeDir);
const stats = await createStatsSkill({
  dataDir: mkdtempSync(path.join(os.tmpdir(), 'tune-')),
  seedDir: path.join(PROJECT_ROOT, 'data'),
  knowledgeDir,
  logger: silentLogger(),
});
const byId = new Map(loadCorpus(knowledgeDir).lines.map((l) => [l.id, l]));
const now = new Date('2026-12-02T05:00:00Z');
const rows = oof.outOfFold
  .filter((o) => o.head === 'topic')
  .map(({ id, p }) => {
    const line = byId.get(id)!;
    const nlu = kit.nlu.understand(line.text);
    const ctx: TurnContext = {
      incoming: { channel: 'test', conversationId: 'x', text: line.text },
      nlu,
      session: { id: 'x', updatedAt: now.toISOString() },
      now,
      clock: new ManualClock({ wall: now }),
      services: { knowledge, language: kit, stats },
    };
    const ev = evidenceFor(ctx, kit);
    const statsScore = stats.score(ctx);
    // Evidence without the statistics skill's share, so its weight can be varied below.
    const old = oof.labels.map(
      (t) => (ev.scores.get(t as Topic) ?? 0) - (t === 'statistics' ? statsScore * TOPIC_BLEND.statisticsWeight : 0),
    );
    return { y: line.topic, model: p, old, statsScore, statsIndex: oof.labels.indexOf('statistics') };
  });

function softmax(s: number[], t: number): number[] {
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp((v - m) / t));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

console.log('alpha  T_old  stats  accuracy  confident_wrong  clarify');
for (const alpha of [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1]) {
  for (const t of [1, 2, 3, 4, 6])
    for (const sw of [6, 8, 10, 12, 16]) {
      let right = 0;
      let confWrong = 0;
      let clarify = 0;
      for (const r of rows) {
        const withStats = r.old.map((v, k) => (k === r.statsIndex ? v + r.statsScore * sw : v));
        const po = softmax(withStats, t);
        const logp = r.model.map((pm, k) => alpha * Math.log(Math.max(pm, 1e-9)) + (1 - alpha) * Math.log(Math.max(po[k], 1e-9)));
        const p = softmax(logp, 1);
        let best = 0;
        for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
        const ok = oof.labels[best] === r.y;
        if (ok) right++;
        if (p[best] >= 0.5 && !ok) confWrong++;
        if (p[best] < 0.5) clarify++;
      }
      const n = rows.length;
      console.log(
        `${alpha.toFixed(1)}    ${t}      ${(right / n).toFixed(3)}     ${(confWrong / n).toFixed(3)}            ${(clarify / n).toFixed(3)}`,
      );
    }
}
await stats.close();

// Entry choice: BM25 over phrasings and the learned entry model, scaled to their best in the topic.
console.log('\nentry weight  accuracy (lines labelled with an entry of the right topic)');
const entryRows = oof.outOfFold
  .filter((o) => o.head === 'entry')
  .map(({ id, p }) => {
    const line = byId.get(id)!;
    const hits = kit.index.search(kit.nlu.understand(line.text).folded, 12).filter((h) => h.entry.topic === line.topic);
    const model = new Map(oof.entryLabels.map((l, k) => [l, p[k]]));
    return { y: line.entry!, hits, model, topic: line.topic };
  });
for (const w of [0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1]) {
  let right = 0;
  for (const r of entryRows) {
    const cands = new Set([
      ...r.hits.map((h) => h.entry.id),
      ...[...r.model.entries()].filter(([id, q]) => q >= 0.03 && knowledge.get(id)?.topic === r.topic).map(([id]) => id),
    ]);
    const top = r.hits[0]?.score ?? 0;
    const bm = new Map(r.hits.map((h) => [h.entry.id, h.score]));
    const tm = Math.max(0, ...[...cands].map((id) => r.model.get(id) ?? 0));
    let best = '';
    let bestScore = -1;
    for (const id of cands) {
      const lex = top ? (bm.get(id) ?? 0) / top : 0;
      const learned = tm ? (r.model.get(id) ?? 0) / tm : 0;
      const score = (1 - w) * lex + w * learned;
      if (score > bestScore) [best, bestScore] = [id, score];
    }
    if (best === r.y) right++;
  }
  console.log(`${w.toFixed(1)}           ${(right / entryRows.length).toFixed(3)}  (${entryRows.length})`);
}
