import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileDedupStore, hashEventId } from '../../src/storage/file/dedup-store.ts';
import { FileSecretStore } from '../../src/storage/file/secret-store.ts';
import { FilePayloadStore, PAYLOAD_FILE, payloadId } from '../../src/storage/file/payload-store.ts';
import { fileChannelStores } from '../../src/storage/file/channel-stores.ts';
import { ManualClock, systemClock } from '../../src/time/clock.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOUR = 3600_000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'channel-stores-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('FileDedupStore', () => {
  it('remembers marks for their window and forgets them when it has passed', async () => {
    const clock = new ManualClock({ wall: '2026-11-27T00:00:00Z' });
    const store = new FileDedupStore(dir, clock);
    expect(await store.markNew('zalo-oa', 'user_send_text:m1', HOUR)).toBe(true);
    expect(await store.markNew('zalo-oa', 'user_send_text:m1', HOUR)).toBe(false);
    expect(await store.markNew('zalo-bot', 'user_send_text:m1', HOUR)).toBe(true); // scopes are apart
    clock.advance(HOUR - 1);
    expect(await store.markNew('zalo-oa', 'user_send_text:m1', HOUR)).toBe(false);
    clock.advance(2);
    expect(await store.markNew('zalo-oa', 'user_send_text:m1', HOUR)).toBe(true);
  });

  it('keeps a mark whatever the number of other events in the window', async () => {
    const store = new FileDedupStore(dir, new ManualClock({ wall: '2026-11-27T00:00:00Z' }));
    await store.markNew('zalo-oa', 'first', HOUR);
    for (let i = 0; i < 12_000; i++) await store.markNew('zalo-oa', `other-${i}`, HOUR);
    expect(await store.markNew('zalo-oa', 'first', HOUR)).toBe(false);
    expect(await store.size('zalo-oa')).toBe(12_001);
  });

  it('is bounded: beyond the cap the oldest mark goes', async () => {
    const store = new FileDedupStore(dir, new ManualClock({ wall: '2026-11-27T00:00:00Z' }), { maxMarksPerScope: 3 });
    for (const id of ['a', 'b', 'c', 'd']) await store.markNew('telegram', id, HOUR);
    expect(await store.size('telegram')).toBe(3);
    expect(await store.markNew('telegram', 'a', HOUR)).toBe(true);
    expect(await store.markNew('telegram', 'd', HOUR)).toBe(false);
  });

  it('persists hashed ids atomically, one file per scope, and drops expired marks on load', async () => {
    const clock = new ManualClock({ wall: '2026-11-27T00:00:00Z' });
    const store = new FileDedupStore(dir, clock);
    await store.markNew('zalo-oa', 'user_send_text:short-lived', 1000);
    await store.markNew('zalo-oa', 'user_send_text:secret-id-123', HOUR);
    await store.markNew('telegram', '7000001:42', HOUR);
    await store.forget('zalo-oa', 'nothing');
    await store.close();
    const raw = readFileSync(path.join(dir, 'zalo-oa-seen.json'), 'utf8');
    expect(raw).not.toContain('secret-id-123');
    expect(JSON.parse(raw)).toEqual({
      version: 1,
      seen: {
        [hashEventId('user_send_text:short-lived')]: clock.nowMs() + 1000,
        [hashEventId('user_send_text:secret-id-123')]: clock.nowMs() + HOUR,
      },
    });
    expect(existsSync(path.join(dir, 'telegram-seen.json'))).toBe(true);

    clock.advance(2000);
    const reopened = new FileDedupStore(dir, clock);
    expect(await reopened.size('zalo-oa')).toBe(1);
    expect(await reopened.markNew('zalo-oa', 'user_send_text:secret-id-123', HOUR)).toBe(false);
    expect(await reopened.markNew('zalo-oa', 'user_send_text:short-lived', HOUR)).toBe(true);
    await reopened.forget('zalo-oa', 'user_send_text:secret-id-123');
    expect(await reopened.markNew('zalo-oa', 'user_send_text:secret-id-123', HOUR)).toBe(true);
  });

  it('reads the files written before (same format) and ignores a damaged one', async () => {
    const clock = new ManualClock({ wall: '2026-11-27T00:00:00Z' });
    writeFileSync(
      path.join(dir, 'zalo-bot-seen.json'),
      JSON.stringify({ version: 1, seen: { [hashEventId('message.text.received:m-1')]: clock.nowMs() + HOUR } }),
    );
    writeFileSync(path.join(dir, 'zalo-oa-seen.json'), '{"version":1,"seen":{"abc');
    const warnings: string[] = [];
    const store = new FileDedupStore(dir, clock, { warn: (m) => warnings.push(m) });
    expect(await store.markNew('zalo-bot', 'message.text.received:m-1', HOUR)).toBe(false);
    expect(await store.markNew('zalo-oa', 'x', HOUR)).toBe(true);
    expect(warnings).toEqual(['ignoring unreadable de-duplication file']);
  });
});

describe('FileSecretStore', () => {
  const file = () => path.join(dir, 'zalo-oa-tokens.json');

  it('writes durably with mode 600 and keeps the previous good copy', async () => {
    const store = new FileSecretStore<{ v: number }>(file(), systemClock);
    expect(await store.load()).toEqual({ status: 'absent' });
    await store.save({ v: 1 });
    expect(existsSync(`${file()}.prev`)).toBe(false);
    await store.save({ v: 2 });
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ v: 2 });
    expect(JSON.parse(readFileSync(`${file()}.prev`, 'utf8'))).toEqual({ v: 1 });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(statSync(`${file()}.prev`).mode & 0o777).toBe(0o600);
    expect(await store.load()).toEqual({ status: 'ok', value: { v: 2 }, fromBackup: false });
  });

  it('uses the previous copy when the current one is damaged, and never keeps a damaged copy as previous', async () => {
    const store = new FileSecretStore<{ v: number }>(file(), systemClock, {
      validate: (x) => typeof (x as { v?: unknown }).v === 'number',
    });
    await store.save({ v: 1 });
    await store.save({ v: 2 });
    writeFileSync(file(), '{"v": 2, "trunc');
    expect(await store.load()).toEqual({ status: 'ok', value: { v: 1 }, fromBackup: true });
    writeFileSync(file(), '{"v": "two"}'); // valid JSON, wrong content
    expect(await store.load()).toEqual({ status: 'ok', value: { v: 1 }, fromBackup: true });
    await store.save({ v: 3 }); // the damaged current copy does not replace the good previous one
    expect(JSON.parse(readFileSync(`${file()}.prev`, 'utf8'))).toEqual({ v: 1 });
    expect(await store.load()).toEqual({ status: 'ok', value: { v: 3 }, fromBackup: false });
  });

  it("says 'unreadable' when both copies are damaged", async () => {
    const store = new FileSecretStore<{ v: number }>(file(), systemClock);
    writeFileSync(file(), 'garbage');
    writeFileSync(`${file()}.prev`, '');
    const loaded = await store.load();
    expect(loaded.status).toBe('unreadable');
    expect(loaded.status === 'unreadable' && loaded.reason).toMatch(/current copy: not valid JSON; previous copy: not valid JSON/);
    rmSync(`${file()}.prev`);
    expect((await store.load()).status).toBe('unreadable');
  });

  it('reads a token file written before this store existed', async () => {
    const old = { version: 1, accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: null, obtainedAt: null, updatedAt: 'x', seed: null };
    writeFileSync(file(), JSON.stringify(old, null, 2), { mode: 0o644 });
    const store = new FileSecretStore<typeof old>(file(), systemClock);
    expect(await store.load()).toEqual({ status: 'ok', value: old, fromBackup: false });
    await store.save({ ...old, accessToken: 'at-2' });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('serialises withLock in this process', async () => {
    const a = new FileSecretStore<{ n: number }>(file(), systemClock);
    const b = new FileSecretStore<{ n: number }>(file(), systemClock); // another object on the same file
    const order: string[] = [];
    const task = (name: string, store: FileSecretStore<{ n: number }>) =>
      store.withLock(async () => {
        order.push(`${name}-start`);
        await new Promise((r) => setTimeout(r, 30));
        order.push(`${name}-end`);
      });
    await Promise.all([task('a', a), task('b', b), task('c', a)]);
    expect(order).toEqual(['a-start', 'a-end', 'b-start', 'b-end', 'c-start', 'c-end']);
    expect(existsSync(`${file()}.lock`)).toBe(false);
  });

  it('serialises withLock across processes', async () => {
    const journal = path.join(dir, 'journal.txt');
    writeFileSync(journal, '');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/channels/secret-lock-child.ts', file(), journal, '400'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      child.on('exit', () => reject(new Error('child exited before locking')));
    });
    const store = new FileSecretStore<{ n: number }>(file(), systemClock);
    await store.withLock(async () => {
      appendFileSync(journal, 'parent-start\n');
      const current = await store.load(); // written by the child while it held the lock
      await store.save({ n: (current.status === 'ok' ? current.value.n : 0) + 1 });
      appendFileSync(journal, 'parent-end\n');
    });
    expect(await exited).toBe(0);
    expect(readFileSync(journal, 'utf8').trim().split('\n')).toEqual(['child-start', 'child-end', 'parent-start', 'parent-end']);
    expect(await store.load()).toMatchObject({ status: 'ok', value: { n: 2 } });
  }, 30_000);

  it('recovers a lock left by a process that died', async () => {
    writeFileSync(`${file()}.lock`, `999999 ${os.hostname()} 2026-01-01T00:00:00.000Z\n`);
    const store = new FileSecretStore<{ n: number }>(file(), systemClock, { lockTimeoutMs: 2000 });
    expect(await store.withLock(async () => 'done')).toBe('done');
    expect(existsSync(`${file()}.lock`)).toBe(false);
  });
});

describe('FilePayloadStore', () => {
  it('gives the same payload the same short id, in this and later processes', async () => {
    const long = `elig:answer:${'thu nhập bình quân đầu người '.repeat(3)}`;
    const store = new FilePayloadStore(path.join(dir, PAYLOAD_FILE));
    const id = await store.put(long);
    expect(id).toBe(payloadId(long));
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await store.put(long)).toBe(id);
    expect(await store.get(id)).toBe(long);
    expect(await store.get('unknown')).toBeUndefined();
    await store.close();
    const reopened = new FilePayloadStore(path.join(dir, PAYLOAD_FILE));
    expect(await reopened.get(id)).toBe(long);
  });

  it('is bounded, least recently used first', async () => {
    const store = new FilePayloadStore(path.join(dir, PAYLOAD_FILE), { maxEntries: 3 });
    const ids = [];
    for (const p of ['p1', 'p2', 'p3']) ids.push(await store.put(p));
    await store.put('p1'); // used again: now the most recent
    await store.put('p4');
    expect(await store.size()).toBe(3);
    expect(await store.get(ids[1])).toBeUndefined();
    expect(await store.get(ids[0])).toBe('p1');
  });

  it('reads the file written before this store existed (ids with "~")', async () => {
    const id = payloadId('stats:trend:very-long-payload');
    writeFileSync(path.join(dir, PAYLOAD_FILE), JSON.stringify({ version: 1, entries: { [`~${id}`]: 'stats:trend:very-long-payload' } }));
    const store = new FilePayloadStore(path.join(dir, PAYLOAD_FILE));
    expect(await store.get(id)).toBe('stats:trend:very-long-payload');
  });
});

describe('fileChannelStores', () => {
  it('bundles the channel stores on files under DATA_DIR', async () => {
    const clock = new ManualClock({ wall: '2026-11-27T00:00:00Z' });
    const stores = fileChannelStores(dir, clock);
    expect(await stores.dedup.markNew('telegram', '1', HOUR)).toBe(true);
    expect(await stores.payloads.get(await stores.payloads.put('x'.repeat(100)))).toBe('x'.repeat(100));
    const secret = stores.secrets<{ a: number }>('zalo-oa-tokens');
    await secret.save({ a: 1 });
    expect(existsSync(path.join(dir, 'zalo-oa-tokens.json'))).toBe(true);
    expect([await stores.rates.hit('k', 1, 60_000), await stores.rates.hit('k', 1, 60_000)]).toEqual(['ok', 'first-over']);
    const lease = await stores.leadership.acquire('telegram', new AbortController().signal);
    expect(lease.lost.aborted).toBe(false);
    await lease.release();
    expect(() => stores.secrets('../escape')).toThrow();
  });
});
