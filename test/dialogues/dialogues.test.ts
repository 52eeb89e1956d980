import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { z } from 'zod';
import { testCore } from '../helpers/core.ts';

/**
 * Runs every conversation in test/dialogues/*.yaml through the real core, so an editor can add one
 * without writing TypeScript. Each file: `today`, then `dialogues` of `turns` ({ say | press, expect }).
 */
const expectSchema = z
  .object({
    topic: z.string(),
    household: z.string().nullable(),
    outcome: z.string(),
    /** The knowledge entry the answer came from, or the entries any of which answers it well. */
    entry: z.union([z.string(), z.array(z.string()).min(1)]),
    contains: z.array(z.string()),
    not_contains: z.array(z.string()),
    starts_with: z.string(),
    buttons: z.array(z.string()),
    max_chars: z.number(),
  })
  .partial();
const fileSchema = z.object({
  today: z.string(),
  dialogues: z.array(
    z.object({
      name: z.string(),
      turns: z.array(z.object({ say: z.string().optional(), press: z.string().optional(), expect: expectSchema.default({}) })).min(1),
    }),
  ),
});

const dir = import.meta.dirname;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
  const spec = fileSchema.parse(YAML.parse(readFileSync(path.join(dir, file), 'utf8')));
  describe(`${file} (today ${spec.today})`, () => {
    for (const [i, d] of spec.dialogues.entries()) {
      it(d.name, async () => {
        const t = await testCore({ today: spec.today });
        cleanups.push(t.cleanup);
        for (const [n, turn] of d.turns.entries()) {
          const r = await t.core.engine.handle({ channel: 'test', conversationId: `${file}-${i}`, text: turn.say, payload: turn.press });
          const text = r.replies.map((x) => x.text).join('\n');
          const where = `turn ${n + 1} "${turn.say ?? turn.press}"`;
          const e = turn.expect;
          if (e.topic) expect(r.topic, where).toBe(e.topic);
          if (e.household !== undefined) expect(r.household, where).toBe(e.household);
          if (e.outcome) expect(r.outcome, where).toBe(e.outcome);
          if (typeof e.entry === 'string') expect(r.entry, where).toBe(e.entry);
          else if (e.entry) expect(e.entry, where).toContain(r.entry);
          for (const s of e.contains ?? []) expect(text, where).toContain(s);
          for (const s of e.not_contains ?? []) expect(text, where).not.toContain(s);
          if (e.starts_with) expect(text.startsWith(e.starts_with), `${where}: starts with "${e.starts_with}"`).toBe(true);
          const labels = r.replies.flatMap((x) => x.buttons ?? []).map((b) => b.label);
          for (const b of e.buttons ?? []) expect(labels, where).toContain(b);
          if (e.max_chars) expect(text.length, where).toBeLessThanOrEqual(e.max_chars);
        }
      });
    }
  });
}
