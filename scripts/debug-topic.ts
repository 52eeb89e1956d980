// Developer aid: prints the evidence behind the topic decision for each argument: the learned model's
// topic, entry and question-type readings, the lexicon keywords, the best BM25 entries, and the blend.
// Usage: npx tsx scripts/debug-topic.ts [--after "previous question"] "câu hỏi" ...
import path from 'node:path';
import { KnowledgeBase } from '../src/knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../src/knowledge/language-kit.ts';
import { decideTopic, evidenceFor } from '../src/core/classify.ts';
import type { TurnContext } from '../src/core/context.ts';
import type { Session, Topic } from '../src/domain/types.ts';
import { ManualClock } from '../src/time/clock.ts';
import { questionFocus } from '../src/nlu/focus.ts';

const kb = KnowledgeBase.load('knowledge/policies');
const kit = buildLanguageKit(kb, path.resolve('knowledge'));
const args = process.argv.slice(2);
const after = args[0] === '--after' ? args.splice(0, 2)[1] : undefined;
const now = new Date('2026-12-02T05:00:00Z');
const top = (list: Array<{ label: string; p: number }>, n = 3) =>
  list
    .slice(0, n)
    .map((x) => `${x.label} ${x.p.toFixed(2)}`)
    .join(', ');

for (const q of args) {
  const session: Session = { id: 'debug', updatedAt: now.toISOString() };
  if (after) {
    const prev = kit.nlu.understand(after);
    const ctxPrev = context(prev, session);
    session.topic = decideTopic(ctxPrev, kit).topic;
  }
  const u = kit.nlu.understand(q);
  const ctx = context(u, session);
  const ev = evidenceFor(ctx, kit);
  const d = decideTopic(ctx, kit);
  const reading = kit.model?.read(u);
  const lex = [...kit.topics.score(u.folded)].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
  console.log(q);
  console.log('  folded:', u.folded);
  console.log('  focus :', questionFocus(u.plain));
  console.log('  acts  :', JSON.stringify(u.acts), 'entities:', JSON.stringify(u.entities));
  if (reading) console.log(`  model : topic ${top(reading.topic)} | entry ${top(reading.entry)} | ask ${top(reading.ask, 2)}`);
  console.log('  lexicon:', JSON.stringify(lex));
  console.log(
    '  bm25  :',
    ev.hits
      .slice(0, 4)
      .map((h) => `${h.entry.id}:${h.score.toFixed(1)}`)
      .join(' '),
  );
  console.log(
    '  evidence:',
    [...ev.scores]
      .filter(([, s]) => s > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([t, s]) => `${t} ${s.toFixed(1)}`)
      .join(', '),
  );
  console.log(
    `  decision: ${d.topic} ${d.confidence.toFixed(2)}${d.followUp ? ' (follow-up)' : ''} | ${d.ranked
      .slice(0, 3)
      .map((r) => `${r.topic} ${r.score.toFixed(2)}`)
      .join(', ')}`,
  );
}

function context(nlu: ReturnType<typeof kit.nlu.understand>, session: Session): TurnContext {
  return {
    incoming: { channel: 'test', conversationId: 'debug', text: nlu.original },
    nlu,
    session,
    now,
    clock: new ManualClock({ wall: now }),
    services: { knowledge: kb, language: kit },
  };
}
void (null as unknown as Topic);
