// Developer aid: plays a conversation of texts and button payloads ("@elig:yes" = payload) through the real core.
import { testCore } from '../test/helpers/core.ts';
async function main() {
  const t = await testCore();
  for (const q of process.argv.slice(2)) {
    const input = q.startsWith('@') ? { payload: q.slice(1) } : { text: q };
    const r = await t.core.engine.handle({ channel: 'test', conversationId: 'x', ...input });
    console.log(
      `> ${q}\n${r.topic} ${r.outcome} ${r.household} | ${r.replies
        .map((x) => x.text)
        .join(' // ')
        .slice(0, 700)}\n  [${r.replies
        .flatMap((x) => x.buttons ?? [])
        .map((b) => b.payload)
        .join(' ')}]`,
    );
  }
  await t.cleanup();
}
void main();
