import { appendFileSync } from 'node:fs';
import { FileSecretStore } from '../../src/storage/file/secret-store.ts';
import { systemClock } from '../../src/time/clock.ts';

/**
 * Child process for the cross-process lock test: takes the secret store's lock, says so on stdout, holds it
 * for a while writing to a shared journal, then releases it.
 * Usage: node --import tsx secret-lock-child.ts <secret file> <journal file> <hold ms>
 */
const [file, journal, hold] = process.argv.slice(2);
const store = new FileSecretStore<{ n: number }>(file, systemClock);
await store.withLock(async () => {
  appendFileSync(journal, 'child-start\n');
  process.stdout.write('locked\n');
  await new Promise((r) => setTimeout(r, Number(hold)));
  const current = await store.load();
  await store.save({ n: (current.status === 'ok' ? current.value.n : 0) + 1 });
  appendFileSync(journal, 'child-end\n');
});
