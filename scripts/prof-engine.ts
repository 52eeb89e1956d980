// Developer aid: CPU profile of the engine over the dev questions (node --cpu-prof).
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
  for (let i = 0; i < 3000; i++) await core.engine.handle({ channel: 'test', conversationId: 'c' + (i % 300), text: qs[i % qs.length] });
  await core.close();
}
void main();
