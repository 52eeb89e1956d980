// Developer aid: plays one dialogue through the real core and prints topic, outcome and the start of each answer.
import { testCore } from '../test/helpers/core.ts';
async function main() {
  const t = await testCore();
  for (const q of process.argv.slice(2)) {
    const r = await t.core.engine.handle({ channel: 'test', conversationId: 'x', text: q });
    console.log(
      `${r.topic} ${r.outcome} ${r.household} ${r.confidence.toFixed(2)} | ${r.replies[0].text.slice(0, 160).replace(/\n/g, ' / ')}`,
    );
  }
  await t.cleanup();
}
void main();
