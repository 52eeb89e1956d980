import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileLearningStore } from '../../src/learning/file-store.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { loadAreas } from '../../src/stats/areas.ts';
import { loadCatalog } from '../../src/stats/catalog.ts';
import { FileStatsStore } from '../../src/stats/store.ts';
import { FileDedupStore } from '../../src/storage/file/dedup-store.ts';
import { FilePayloadStore } from '../../src/storage/file/payload-store.ts';
import { FileSecretStore } from '../../src/storage/file/secret-store.ts';
import { FileSessionStore } from '../../src/storage/file/session-store.ts';
import { LocalLeadership } from '../../src/storage/memory/leadership.ts';
import { MemoryRateCounter } from '../../src/storage/memory/rate-counter.ts';
import { KNOWLEDGE_DIR, SEED_DIR } from '../stats/helpers.ts';
import {
  runDedupStoreContract,
  runLeadershipContract,
  runPayloadStoreContract,
  runRateCounterContract,
  runSecretStoreContract,
} from './contract/channel.ts';
import { runLearningStoreContract } from './contract/learning.ts';
import { runSessionStoreContract } from './contract/sessions.ts';
import { runStatsStoreContract } from './contract/stats.ts';

/** The store contract suites against the file implementations (always run). */

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'contract-file-'));
  dirs.push(d);
  return d;
};
const removeAll = async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
};

runSessionStoreContract('files', {
  make: async (clock, ttlMinutes) => {
    const dir = temp();
    const open = () => FileSessionStore.open({ dataDir: dir, ttlMinutes, maxSessions: 10_000, clock, flushMs: 5 });
    return { store: await open(), reopen: open, cleanup: removeAll };
  },
});

runDedupStoreContract('files', {
  make: async (clock) => {
    const dir = temp();
    return { store: new FileDedupStore(dir, clock), reopen: async () => new FileDedupStore(dir, clock), cleanup: removeAll };
  },
});

runPayloadStoreContract('files', {
  make: async () => {
    const file = path.join(temp(), 'telegram-callbacks.json');
    return { store: new FilePayloadStore(file), reopen: async () => new FilePayloadStore(file), cleanup: removeAll };
  },
});

runSecretStoreContract('files', {
  make: async (clock) => {
    const file = path.join(temp(), 'zalo-oa-tokens.json');
    const validate = (v: unknown) => typeof (v as { v?: unknown }).v === 'number';
    return {
      store: new FileSecretStore<{ v: number }>(file, clock, { validate }),
      reopen: async () => new FileSecretStore<{ v: number }>(file, clock, { validate }),
      damageCurrent: async () => writeFileSync(file, '{"v": "garbage'),
      cleanup: removeAll,
    };
  },
});

runRateCounterContract('memory (files)', {
  make: async (clock) => {
    const counter = new MemoryRateCounter(1000, () => clock.monotonicMs());
    return { store: counter, reopen: async () => counter, cleanup: removeAll };
  },
});

runLeadershipContract('local (files)', {
  exclusive: false,
  make: async () => ({ store: new LocalLeadership(), reopen: async () => new LocalLeadership(), cleanup: removeAll }),
});

runLearningStoreContract('files', {
  make: async (clock) => {
    const dir = temp();
    const open = () => FileLearningStore.open(dir, undefined, clock);
    return { store: await open(), reopen: open, cleanup: removeAll };
  },
});

const catalog = loadCatalog(KNOWLEDGE_DIR);
const areas = loadAreas(SEED_DIR);
runStatsStoreContract('files', {
  make: async (clock) => {
    const dir = temp();
    const open = () => FileStatsStore.open({ dataDir: dir, seedDir: SEED_DIR, catalog, areas, logger: silentLogger(), clock });
    return { store: await open(), reopen: open, cleanup: removeAll };
  },
});
