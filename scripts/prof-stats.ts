// Developer aid: CPU profile of the statistics skill's scoring over the dev questions.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/config.ts';
import { buildCore } from '../src/app/bootstrap.ts';
import { silentLogger } from '../src/observability/logger.ts';
async function main() {
  const qs = readFileSync('../shared/eval/dev-questions.jsonl', 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      const d = JSON.parse(l);
      return d.question ? [d.question] : d.dialogue;
    });
  const core = await buildCore(loadConfig({ DATA_DIR: '/tmp/prof-data', LOG_LEVEL: 'silent' }), silentLogger(), {
    persistSessions: false,
    withStats: true,
  });
  const kit = core.services.language!;
  for (let i = 0; i < 6000; i++) {
    const nlu = kit.nlu.understand(qs[i % qs.length]);
    core.services.stats!.score({
      nlu,
      session: { id: 'x', updatedAt: '' },
      incoming: { channel: 'test', conversationId: 'x' },
      now: new Date(),
      services: core.services,
    } as never);
  }
  await core.close();
}
void main();
