import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/domain/types.ts';
import { ROOT, makeCtx, newSession, openSkill, removeDir, tempDir } from './helpers.ts';

/**
 * Regression over the shared development questions (statistics lines and their must_mention figures).
 * Nothing in the skill is specific to these lines; this only guards the general resolution.
 */
const FILE = path.join(ROOT, '..', 'shared', 'eval', 'dev-questions.jsonl');
const lines = existsSync(FILE)
  ? readFileSync(FILE, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; topic: string; question?: string; dialogue?: string[]; must_mention?: string[] })
  : [];
const stats = lines.filter((l) => l.topic === 'statistics');
const others = lines.filter((l) => l.topic !== 'statistics' && l.question);

let dir: string;
let skill: Awaited<ReturnType<typeof openSkill>>;
beforeAll(async () => {
  dir = tempDir();
  skill = await openSkill(dir);
});
afterAll(() => removeDir(dir));

describe.skipIf(lines.length === 0)('shared dev questions', () => {
  it.each(stats.map((q) => [q.id, q] as const))('%s mentions every required figure', async (_id, q) => {
    const session: Session = newSession();
    let all = '';
    for (const t of q.dialogue ?? [q.question!]) {
      const r = await skill.answer(makeCtx(t, session));
      all += '\n' + (r?.replies.map((x) => x.text).join('\n') ?? '');
      session.topic = 'statistics';
    }
    for (const m of q.must_mention ?? []) expect(all).toContain(m);
    if (!(q.must_mention ?? []).length) expect(all).toContain('chưa có số liệu');
  });

  it('scores statistics questions high and the others low', () => {
    const low = stats.filter((q) => q.question && skill.score(makeCtx(q.question)) < 0.5).map((q) => q.id);
    const high = others.filter((q) => skill.score(makeCtx(q.question!)) >= 0.5).map((q) => q.id);
    expect(low).toEqual([]);
    expect(high.length).toBeLessThanOrEqual(2);
  });
});
