import path from 'node:path';
import type { ChannelStores } from '../types.ts';
import type { Clock } from '../../time/clock.ts';
import { MemoryRateCounter } from '../memory/rate-counter.ts';
import { LocalLeadership } from '../memory/leadership.ts';
import { FileDedupStore } from './dedup-store.ts';
import { FilePayloadStore, PAYLOAD_FILE } from './payload-store.ts';
import { FileSecretStore, type SecretValidator } from './secret-store.ts';

/** Moved to ../types.ts beside the other store interfaces; re-exported for existing imports. */
export type { ChannelStores };

/**
 * The channel stores on files under `dataDir`: `<scope>-seen.json`, `telegram-callbacks.json`,
 * `<name>.json` (+ `.prev`, `.lock`), counters in memory, and this instance always leading. Stored times
 * come from `clock.nowMs()`, rate windows from `clock.monotonicMs()`.
 */
export function fileChannelStores(
  dataDir: string,
  clock: Clock,
  opts: { warn?: (message: string, extra?: Record<string, unknown>) => void } = {},
): ChannelStores {
  return {
    dedup: new FileDedupStore(dataDir, clock, { warn: opts.warn }),
    payloads: new FilePayloadStore(path.join(dataDir, PAYLOAD_FILE), { warn: opts.warn }),
    secrets: <T>(name: string, validate?: SecretValidator) => {
      if (!/^[a-z0-9][a-z0-9-]{0,60}$/.test(name)) throw new Error(`invalid secret name "${name}"`);
      return new FileSecretStore<T>(path.join(dataDir, `${name}.json`), clock, { validate });
    },
    rates: new MemoryRateCounter(200_000, () => clock.monotonicMs()),
    leadership: new LocalLeadership(),
  };
}
