// Developer aid: prints the evidence behind the topic decision for each argument (not used by the server).
import { KnowledgeBase } from '../src/knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../src/knowledge/language-kit.ts';
const kb = KnowledgeBase.load('knowledge/policies');
const kit = buildLanguageKit(kb, 'knowledge');
for (const q of process.argv.slice(2)) {
  const u = kit.nlu.understand(q);
  const lex = [...kit.topics.score(u.folded)].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
  const hits = kit.index.search(u.folded, 4).map((h) => `${h.entry.id}:${h.score.toFixed(1)}`);
  console.log(
    q,
    '\n  folded:',
    u.folded,
    '\n  lex:',
    JSON.stringify(lex),
    '\n  hits:',
    hits.join(' '),
    '\n  ent:',
    JSON.stringify(u.entities),
  );
}
