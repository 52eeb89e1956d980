import { describe, expect, it } from 'vitest';
import { Engine, MAX_TEXT_LENGTH } from '../../src/core/engine.ts';
import { MemorySessionStore } from '../../src/storage/memory/session-store.ts';
import { realKit } from '../helpers/nlu.ts';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import type { Flow } from '../../src/core/context.ts';

function engine(flows: Flow[] = [], onError?: (e: Error) => void) {
  const kit = realKit();
  const knowledge = KnowledgeBase.load(`${import.meta.dirname}/../../knowledge/policies`);
  return new Engine({ services: { knowledge, language: kit }, sessions: new MemorySessionStore(), flows, salt: 't', onError });
}

describe('engine safety', () => {
  it('cuts text over the limit before reading it, and says so', async () => {
    const r = await engine().handle({ channel: 'test', conversationId: 'a', text: `hộ nghèo vay vốn bao nhiêu ${'ả'.repeat(10_000)}` });
    expect(r.replies[0].text).toContain(`${MAX_TEXT_LENGTH.toLocaleString('vi-VN')} ký tự`);
  });

  it('answers a button payload named like an object property with a polite reply', async () => {
    for (const payload of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const r = await engine().handle({ channel: 'test', conversationId: 'b', payload });
      expect(r.replies[0].text.length).toBeGreaterThan(0);
    }
  });

  it('turns a failure inside a turn into an apology and reports it', async () => {
    const errors: Error[] = [];
    const broken: Flow = {
      name: 'broken',
      tryStart: () => {
        throw new Error('boom');
      },
      continue: () => null,
    };
    const r = await engine([broken], (e) => errors.push(e)).handle({ channel: 'test', conversationId: 'c', payload: 'broken:start' });
    expect(r.replies[0].text).toContain('xin lỗi');
    expect(r.outcome).toBe('fallback');
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });
});
