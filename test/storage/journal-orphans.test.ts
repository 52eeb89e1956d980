import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLearningStore } from '../../src/learning/file-store.ts';

/** A store opened after a crash leaves no temporary file of the dead process behind, and none of a live one is touched. */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('opening a journal store after a crash', () => {
  it('removes the temporary files of a process killed mid-compaction, and keeps those of live processes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'journal-orphans-'));
    dirs.push(dir);
    const orphan = path.join(dir, `.learning.jsonl.${deadPid()}.0b7c9a4e-1f2d-4c3b-9a8e-7d6c5b4a3f21.tmp`);
    const live = path.join(dir, `.learning.jsonl.${process.pid}.1c8d0b5f-2e3f-4d4c-8b9f-8e7d6c5b4a32.tmp`);
    writeFileSync(orphan, 'half a compaction');
    writeFileSync(live, 'a compaction in progress');
    const store = await FileLearningStore.open(dir);
    await store.close();
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
