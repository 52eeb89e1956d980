import { describe, it, expect, afterEach } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { buildCore, type Core } from '../../src/app/bootstrap.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { ManualClock, clockFor, systemClock } from '../../src/time/clock.ts';
import { tempDir } from '../helpers/core.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real core on a temporary DATA_DIR with sessions on disk, driven by `clock`. */
async function coreWith(clock: ManualClock, env: Record<string, string> = {}): Promise<Core> {
  const tmp = tempDir();
  const config = loadConfig({ DATA_DIR: tmp.dir, LOG_LEVEL: 'silent', ...env });
  const core = await buildCore(config, silentLogger(), { persistSessions: true, withStats: true, clock });
  cleanups.push(async () => {
    await core.close();
    tmp.cleanup();
  });
  return core;
}

const say = (core: Core, text: string) => core.engine.handle({ channel: 'test', conversationId: 'clock-1', text });

describe('one clock: the answer day and real time are separate readings', () => {
  it('keeps a conversation when TODAY is a year before the real date', async () => {
    // Real time is late 2027; answers are for a day in 2026 (the bug: sessions expired at once).
    const clock = new ManualClock({ wall: '2027-12-15T03:00:00Z', answerDay: '2026-11-27' });
    const core = await coreWith(clock);
    const first = await say(core, 'hộ nghèo vay vốn ngân hàng chính sách lãi suất bao nhiêu');
    expect(first.topic).toBe('loan');
    clock.advance(60_000);
    const follow = await say(core, 'còn hộ cận nghèo thì sao');
    expect(follow.topic).toBe('loan');
    expect(follow.household).toBe('near_poor');
    expect(follow.replies[0].text).toMatch(/cận nghèo/i);
  });

  it('forgets a conversation after SESSION_TTL_MINUTES of real silence, whatever TODAY says', async () => {
    const clock = new ManualClock({ wall: '2027-12-15T03:00:00Z', answerDay: '2026-11-27' });
    const core = await coreWith(clock, { SESSION_TTL_MINUTES: '30' });
    await say(core, 'hộ nghèo vay vốn ngân hàng chính sách lãi suất bao nhiêu');
    expect(await core.sessions.size()).toBe(1);
    clock.advance(31 * 60_000);
    const later = await say(core, 'còn hộ cận nghèo thì sao');
    // Without context, a bare follow-up is not a loan answer any more.
    expect(later.topic).not.toBe('loan');
  });

  it('stamps sessions with real time, not the answer day', async () => {
    const clock = new ManualClock({ wall: '2028-03-01T00:00:00Z', answerDay: '2026-11-27' });
    const core = await coreWith(clock);
    await say(core, 'xin chào');
    const key = core.engine.sessionKey({ channel: 'test', conversationId: 'clock-1' });
    expect((await core.sessions.get(key))?.updatedAt).toBe('2028-03-01T00:00:00.000Z');
  });
});

describe('Vietnam time decides which standard is in force', () => {
  const ask = async (wall: string) => {
    const core = await coreWith(new ManualClock({ wall }));
    return say(core, 'chuẩn nghèo hiện nay là bao nhiêu');
  };

  it('applies the 2022-2025 standard at 23:30 on 31/12/2026 in Vietnam', async () => {
    const r = await ask('2026-12-31T16:30:00Z');
    expect(r.replies[0].text).toMatch(/2022[-–]2025/);
    expect(r.replies[0].text).not.toMatch(/2\.800\.000|2,8 triệu/);
  });

  it('applies the 2027-2030 standard at 00:30 on 01/01/2027 in Vietnam (17:30 UTC on 31/12)', async () => {
    const r = await ask('2026-12-31T17:30:00Z');
    expect(r.replies[0].text).toMatch(/2027[-–]2030/);
    expect(r.replies[0].text).toContain('2.200.000');
  });
});

describe('clockFor', () => {
  it('moves only the answer time when TODAY is set', () => {
    const clock = clockFor({ TODAY: '2020-02-02' });
    expect(clock.answerTime().toISOString()).toBe('2020-02-02T05:00:00.000Z');
    expect(Math.abs(clock.nowMs() - systemClock.nowMs())).toBeLessThan(5_000);
  });
});

describe('no module reads the wall clock on its own', () => {
  it('only src/time/clock.ts calls Date.now(), new Date() or performance.now()', () => {
    const root = path.resolve(import.meta.dirname, '../../src');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|js|mjs)$/.test(name) && !p.endsWith(path.join('time', 'clock.ts'))) {
          const src = readFileSync(p, 'utf8');
          if (/Date\.now\(\)|new Date\(\)|performance\.now\(\)/.test(src)) offenders.push(path.relative(root, p));
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
