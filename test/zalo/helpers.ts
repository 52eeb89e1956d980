import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/core/engine.ts';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { MemorySessionStore } from '../../src/storage/memory/session-store.ts';
import { configSchema, type Config } from '../../src/config.ts';
import type { Incoming, Reply, TurnResult } from '../../src/domain/types.ts';

let kb: KnowledgeBase | undefined;
function knowledge(): KnowledgeBase {
  kb ??= KnowledgeBase.load('knowledge/policies');
  return kb;
}

/** The real Engine, as the brief prescribes for tests. */
export function makeEngine(): Engine {
  return new Engine({ services: { knowledge: knowledge() }, sessions: new MemorySessionStore(), flows: [], salt: 'test' });
}

/** An Engine whose answers are scripted (long answers, buttons) and whose inputs are recorded. */
export class ScriptedEngine extends Engine {
  readonly inputs: Incoming[] = [];
  constructor(private readonly script: (incoming: Incoming) => Reply[]) {
    super({ services: { knowledge: knowledge() }, sessions: new MemorySessionStore(), flows: [], salt: 'test' });
  }
  override async handle(incoming: Incoming): Promise<TurnResult> {
    this.inputs.push(incoming);
    return { replies: this.script(incoming), topic: 'smalltalk', household: null, confidence: 1 };
  }
}

export function makeConfig(env: Record<string, string>): Config {
  return configSchema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
}

export function tmpDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zalo-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
