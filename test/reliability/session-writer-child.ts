// Child process for the fault test: writes the session store as fast as it can until killed.
import { FileSessionStore } from '../../src/storage/session-store.ts';

async function main() {
  const store = await FileSessionStore.open(process.argv[2], 60, undefined, 0);
  let i = 0;
  process.stdout.write('ready\n');
  for (;;) {
    for (let k = 0; k < 50; k++)
      store.set(`k${(i * 50 + k) % 3000}`, {
        id: `k${k}`,
        updatedAt: new Date().toISOString(),
        topic: 'loan',
        memo: { pad: 'x'.repeat(200) },
      });
    i++;
    await store.flush();
  }
}
void main();
