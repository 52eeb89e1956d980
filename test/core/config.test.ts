import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { loadConfig, ConfigError } from '../../src/config.ts';

describe('configuration from the environment', () => {
  it('has embedded defaults: no tokens needed', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ TELEGRAM_MODE: 'push' }, 'TELEGRAM_MODE'],
    [{ TELEGRAM_BOT_TOKEN: 'x', TELEGRAM_MODE: 'webhook' }, 'TELEGRAM_WEBHOOK_SECRET'],
    [{ TELEGRAM_WEBHOOK_SECRET: 'has spaces!' }, 'TELEGRAM_WEBHOOK_SECRET'],
    [{ ZALO_BOT_WEBHOOK_SECRET: 'short' }, 'ZALO_BOT_WEBHOOK_SECRET'],
    [{ ADMIN_TELEGRAM_IDS: '123,abc def' }, 'ADMIN_TELEGRAM_IDS'],
    [{ ADMIN_TOKEN: 'tooshort' }, 'ADMIN_TOKEN'],
  ])('names the variable in the error for %j', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });

  it('never echoes a secret value in the error', () => {
    try {
      loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'super secret value!!' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('super secret');
    }
  });

  it('stops `npm start` with a readable message naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads', async () => {
    const { readFileSync } = await import('node:fs');
    const { configSchema } = await import('../../src/config.ts');
    const shape = configSchema as unknown as { _def?: unknown; in?: { shape: Record<string, unknown> }; shape?: Record<string, unknown> };
    const keys = Object.keys(shape.shape ?? shape.in?.shape ?? {});
    expect(keys.length).toBeGreaterThan(20);
    const example = readFileSync('.env.example', 'utf8');
    for (const k of keys) expect(example, k).toMatch(new RegExp(`^${k}=`, 'm'));
  });
});
