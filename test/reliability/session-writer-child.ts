// Child process for the durability test: writes sessions and usage counts as fast as it can, printing
// "ack <n>" after each write is acknowledged (as the engine acknowledges a turn), until it is killed.
import { FileSessionStore } from '../../src/storage/file/session-store.ts';
import { FileLearningStore } from '../../src/learning/file-store.ts';
import { systemClock } from '../../src/time/clock.ts';

async function main() {
  const dir = process.argv[2];
  const sessions = await FileSessionStore.open({ dataDir: dir, ttlMinutes: 600, maxSessions: 100_000 });
  const learning = await FileLearningStore.open(dir);
  process.stdout.write('ready\n');
  for (let n = 1; ; n++) {
    const key = `k${n % 700}`;
    const at = systemClock.now();
    await sessions.set(key, { id: key, updatedAt: at.toISOString(), topic: 'loan', memo: { n } });
    learning.observer({
      incoming: { channel: 'test', conversationId: key, text: 'hộ nghèo vay vốn' },
      result: { replies: [], topic: 'loan', household: null, confidence: 0.9, outcome: 'answered' },
      at,
    });
    process.stdout.write(`ack ${n}\n`);
    if (n % 20 === 0) await new Promise((r) => setImmediate(r));
  }
}
void main();
