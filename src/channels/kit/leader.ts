import type { Leadership } from '../../storage/types.ts';
import { sleep } from '../../util/sleep.ts';

/** What a polling body reports when it returns: stop for good (a refused token), or leadership was lost. */
export type PollEnd = 'stop' | 'lost';

/**
 * Runs a poller only while this instance leads `name`: on files at once; on a database one instance polls
 * and another takes over when it dies (two pollers would steal each other's updates). `onWaiting` is
 * called when leadership is not granted at once, so the status can say why nothing is polled. Returns when
 * `signal` aborts or the body says stop.
 */
export async function whileLeading(
  leadership: Leadership,
  name: string,
  signal: AbortSignal,
  body: (signal: AbortSignal) => Promise<PollEnd>,
  hooks: { onWaiting?: () => void; onError?: (err: unknown) => void } = {},
): Promise<void> {
  while (!signal.aborted) {
    let granted = false;
    const acquiring = leadership.acquire(name, signal).then((lease) => {
      granted = true;
      return lease;
    });
    // A lease granted within this turn of the event loop is immediate (files): no "waiting" status then.
    await Promise.race([acquiring.catch(() => undefined), new Promise((r) => setImmediate(r))]);
    if (!granted) hooks.onWaiting?.();
    let lease: Awaited<typeof acquiring>;
    try {
      lease = await acquiring;
    } catch (err) {
      if (signal.aborted) return;
      hooks.onError?.(err);
      await sleep(5_000, signal);
      continue;
    }
    try {
      if (signal.aborted) return;
      const end = await body(AbortSignal.any([signal, lease.lost]));
      if (end === 'stop') return;
    } finally {
      await lease.release().catch(() => undefined);
    }
  }
}
