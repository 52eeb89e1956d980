import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chat, eventually, getJson, pool, SCRIPT, type ChatAnswer } from '../helpers/instances.ts';
import { createTestDatabase, PgCluster, pgBinDir, pgSkipReason, TEST_DATABASE_URL } from '../helpers/pg.ts';
import { machineEnv, ROOT, ServerProcesses, type Running } from '../helpers/server-process.ts';
import { FakeBotApi } from '../telegram/fake-bot-api.ts';

/**
 * Several instances of the real server (`node --import tsx src/main.ts`, what `npm start` execs) on one
 * PostgreSQL database, as a load balancer would use them:
 * - a burst of 2,000 messages over 200 conversations, each message to the other instance than the previous one:
 *   no 5xx, no lost reply, every conversation's replies in order and with the context the other instance stored;
 * - the same Telegram webhook update posted to both instances (and twice to one): answered once;
 * - a statistics import by the command line: both instances answer with the new figure at once;
 * - one Telegram poller at a time, and the other takes over within 30 s of a kill -9;
 * - rate limits counted once across instances;
 * - kill -9 of one instance mid-burst: the other serves every conversation with its context, nothing acknowledged
 *   is lost;
 * - the database stopped and started again: /readyz 503 and /api/chat 503 with Retry-After (not a crash), /healthz
 *   200, then both recover without a restart; the password in DATABASE_URL never appears in any log line.
 * Runs when TEST_DATABASE_URL is set (CI); skips with a message otherwise.
 */

const skip = pgSkipReason();
const procs = new ServerProcesses('multi-');
const fakes: FakeBotApi[] = [];
const drops: Array<() => Promise<void>> = [];
const clusters: PgCluster[] = [];
const SECRET = 'multi-webhook_SECRET-42';

afterAll(async () => {
  await procs.cleanup();
  await Promise.allSettled(fakes.map((f) => f.close()));
  for (const d of drops) await d().catch(() => undefined);
  for (const c of clusters) await c.destroy();
}, 60_000);

/** A fresh database on the test server. */
async function database(prefix: string): Promise<string> {
  const db = await createTestDatabase(TEST_DATABASE_URL as string, prefix);
  drops.push(db.drop);
  return db.url;
}

/** Starts `n` instances on one database (each with its own DATA_DIR, as on separate machines). */
async function instances(n: number, url: string, env: Record<string, string> = {}): Promise<Running[]> {
  const out: Running[] = [];
  // One after the other the first time (the first applies the migrations), then together.
  out.push(await procs.start({ DATABASE_URL: url, TODAY: '2026-11-27', ...env }));
  out.push(...(await Promise.all([...Array(n - 1)].map(() => procs.start({ DATABASE_URL: url, TODAY: '2026-11-27', ...env })))));
  return out;
}

/** Everything wrong with one conversation's answers (empty when all is well). */
function problems(conv: string, answers: ChatAnswer[], reference?: string[][]): string[] {
  const bad: string[] = [];
  answers.forEach((a, i) => {
    const want = SCRIPT[i];
    if (a.status !== 200) bad.push(`${conv}#${i}: status ${a.status} ${a.body.error ?? ''}`);
    else if (a.body.topic !== want.topic || a.body.household !== want.household)
      bad.push(`${conv}#${i}: ${a.body.topic}/${a.body.household}, expected ${want.topic}/${want.household}`);
    else if (!a.body.replies?.length) bad.push(`${conv}#${i}: no reply`);
    else if (reference && JSON.stringify(a.body.replies.map((r) => r.text)) !== JSON.stringify(reference[i]))
      bad.push(`${conv}#${i}: reply differs from the reference conversation`);
  });
  return bad;
}

if (skip) {
  describe.skip(`several instances on PostgreSQL (${skip})`, () => {
    it('needs TEST_DATABASE_URL', () => undefined);
  });
} else {
  describe('two instances on one database', () => {
    let a: Running;
    let b: Running;
    let url: string;

    it('start together, carry context across instances, and answer a 2,000-message burst in order with nothing lost', async () => {
      url = await database('multi');
      [a, b] = await instances(2, url);
      for (const r of [a, b]) expect((await getJson(r.base, '/readyz')).body).toMatchObject({ ready: true, storage: 'postgres' });

      // Context: a question on A, the follow-up on B.
      expect((await chat(a.base, 'ctx-1', SCRIPT[0].text)).body.topic).toBe('legal_aid');
      const follow = await chat(b.base, 'ctx-1', SCRIPT[1].text);
      expect(follow.body).toMatchObject({ topic: 'legal_aid', household: 'near_poor' });

      // The reference: the script on one instance, one message at a time.
      const reference: string[][] = [];
      for (const t of SCRIPT) reference.push(((await chat(a.base, 'reference', t.text)).body.replies ?? []).map((r) => r.text));

      // The burst: 200 conversations at once, each message to the other instance than the previous one.
      const convs = [...Array(200).keys()].map((i) => `burst-${i}`);
      const bad: string[] = [];
      const started = performance.now();
      await pool(convs, 200, async (conv) => {
        const answers: ChatAnswer[] = [];
        const first = Number(conv.slice(6)) % 2;
        for (let i = 0; i < SCRIPT.length; i++) answers.push(await chat([a, b][(first + i) % 2].base, conv, SCRIPT[i].text));
        bad.push(...problems(conv, answers, reference));
      });
      const seconds = (performance.now() - started) / 1000;
      expect(bad.slice(0, 20)).toEqual([]);
      console.log(`burst: 2000 messages over 200 conversations on 2 instances in ${seconds.toFixed(1)} s`);
    }, 180_000);

    it('answers one Telegram update once, whether it reaches both instances or one instance twice', async () => {
      const api = await new FakeBotApi().start();
      fakes.push(api);
      const tgEnv = {
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        TELEGRAM_MODE: 'webhook',
        PUBLIC_URL: 'https://bot.example.gov.vn',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      };
      const [ta, tb] = await instances(2, url, tgEnv);
      for (const r of [ta, tb]) {
        const ok = await eventually(
          async () => (await getJson(r.base, '/readyz')).body.channels?.find((c: any) => c.name === 'telegram')?.state === 'running',
          15_000,
        );
        expect(ok).toBe(true);
      }
      const post = (r: Running, update: unknown) =>
        fetch(`${r.base}/webhooks/telegram`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: JSON.stringify(update),
        }).then((res) => res.status);

      // A control: one delivery, to learn how many messages one answer takes.
      const control = api.user(9001);
      expect(await post(ta, api.makeUpdate({ message: api.textMessage(control, SCRIPT[2].text) }))).toBe(200);
      await api.waitFor(() => api.textsTo(control.id).length > 0, 15_000, 'the control answer');
      await new Promise((r) => setTimeout(r, 1500));
      const perAnswer = api.textsTo(control.id).length;

      // The same update to both instances at once, and again to one of them.
      const user = api.user(9002);
      const update = api.makeUpdate({ message: api.textMessage(user, SCRIPT[2].text) });
      const statuses = await Promise.all([post(ta, update), post(tb, update)]);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(await post(tb, update)).toBe(200);
      await api.waitFor(() => api.textsTo(user.id).length > 0, 15_000, 'the answer');
      await new Promise((r) => setTimeout(r, 2000));
      expect(api.textsTo(user.id)).toHaveLength(perAnswer);
      await Promise.all([procs.stop(ta), procs.stop(tb)]);
    }, 120_000);

    it('shows a statistics import made by the command line on both instances at once', async () => {
      const question = 'số hộ nghèo tỉnh bình thuận năm 2024';
      for (const r of [a, b]) expect(JSON.stringify((await chat(r.base, `stats-before-${r.port}`, question)).body)).not.toContain('5.123');
      const csv = path.join(procs.tempDir(), 'import.csv');
      writeFileSync(
        csv,
        'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url\n' +
          'binh-thuan,poor_households,5123,households,,2024-12-31,,reported,,Báo cáo kiểm thử,\n',
      );
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/stats.ts', 'import', csv], {
        cwd: ROOT,
        env: { ...machineEnv(), DATABASE_URL: url, DATA_DIR: procs.tempDir() },
        encoding: 'utf8',
      });
      expect(run.stderr + run.stdout).toMatch(/thêm mới 1/);
      expect(run.status).toBe(0);
      for (const r of [a, b]) {
        const answer = await chat(r.base, `stats-after-${r.port}`, question);
        expect(answer.body.topic).toBe('statistics');
        expect(JSON.stringify(answer.body.replies)).toContain('5.123');
      }
    }, 60_000);

    it('lets one instance poll Telegram, and another takes over within 30 s of a kill -9', async () => {
      const api = await new FakeBotApi().start();
      fakes.push(api);
      const env = { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot };
      // A database of its own: every fake Bot API numbers its updates from 5000, and the webhook test's update ids
      // are remembered as handled (a real bot's update ids never repeat).
      const pair = await instances(2, await database('poll'), env);
      const telegramState = async (r: Running) =>
        (await getJson(r.base, '/readyz')).body.channels?.find((c: any) => c.name === 'telegram')?.state as string | undefined;
      let leader: Running | undefined;
      expect(
        await eventually(async () => {
          const states = await Promise.all(pair.map(telegramState));
          if (states.filter((s) => s === 'running').length !== 1) return false;
          leader = pair[states.indexOf('running')];
          return true;
        }, 20_000),
      ).toBe(true);
      const follower = pair.find((r) => r !== leader) as Running;
      expect(await telegramState(follower)).toBe('starting');

      const user = api.user(9100);
      api.sendText(user, SCRIPT[2].text);
      await api.waitFor(() => api.textsTo(user.id).length > 0, 15_000, 'an answer while the first instance polls');
      await new Promise((r) => setTimeout(r, 1500));
      const once = api.textsTo(user.id).length;

      (leader as Running).child.kill('SIGKILL');
      const killedAt = performance.now();
      expect(await eventually(async () => (await telegramState(follower)) === 'running', 30_000, 250)).toBe(true);
      const takeover = (performance.now() - killedAt) / 1000;
      console.log(`telegram polling taken over ${takeover.toFixed(1)} s after kill -9`);
      expect(takeover).toBeLessThan(30);
      // The follow-up is answered by the new poller, with the context the dead one stored.
      api.sendText(user, SCRIPT[3].text);
      await api.waitFor(() => api.textsTo(user.id).length > once, 20_000, 'an answer from the new poller');
      await new Promise((r) => setTimeout(r, 1500));
      // Nothing already answered was answered again (shared de-duplication), and the follow-up had its context.
      const first = api.textsTo(user.id).slice(0, once);
      const later = api.textsTo(user.id).slice(once);
      expect(later.some((t) => first.includes(t))).toBe(false);
      expect(later.join('\n')).toMatch(/hộ cận nghèo được Ngân hàng Chính sách xã hội cho vay/);
      await procs.stop(follower);
    }, 120_000);
  });

  describe('rate limits', () => {
    it('hold across instances: a conversation alternating between them is limited once, not once per instance', async () => {
      // RATE_LIMIT_PER_MINUTE=3: the web chat allows twice that per conversation, 6 messages a minute.
      const [a, b] = await instances(2, await database('rates'), { RATE_LIMIT_PER_MINUTE: '3' });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await chat([a, b][i % 2].base, 'rate-1', 'xin chào')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      await Promise.all([procs.stop(a), procs.stop(b)]);
    }, 60_000);
  });

  describe('kill -9 of one instance mid-burst', () => {
    it('the other serves every conversation with its context, and nothing acknowledged is lost', async () => {
      const url = await database('kill');
      const [a, b] = await instances(2, url);
      const convs = [...Array(200).keys()].map((i) => `kill-${i}`);
      let acknowledged = 0;
      let bDead = false;
      let killed = false;
      const failedOver: string[] = [];
      const bad: string[] = [];
      await pool(convs, 200, async (conv) => {
        const answers: ChatAnswer[] = [];
        for (let i = 0; i < SCRIPT.length; i++) {
          const useB = (Number(conv.slice(5)) + i) % 2 === 1 && !bDead;
          let answer: ChatAnswer | undefined;
          if (useB) {
            try {
              answer = await chat(b.base, conv, SCRIPT[i].text);
            } catch {
              // The instance died with this request in flight: not acknowledged, so it is sent again (as a load
              // balancer or the web page does) to the instance that is left.
              failedOver.push(`${conv}#${i}`);
            }
          }
          answer ??= await chat(a.base, conv, SCRIPT[i].text);
          answers.push(answer);
          if (answer.status === 200 && ++acknowledged === 800 && !killed) {
            killed = true;
            b.child.kill('SIGKILL');
            bDead = true;
          }
        }
        bad.push(...problems(conv, answers));
        // After the burst: a follow-up on the surviving instance still has the last acknowledged turn's context.
        const after = await chat(a.base, conv, 'còn hộ cận nghèo thì sao?');
        if (after.status !== 200 || after.body.topic !== 'loan' || after.body.household !== 'near_poor')
          bad.push(`${conv}: follow-up after the kill answered ${after.status} ${after.body.topic}/${after.body.household}`);
      });
      expect(killed).toBe(true);
      expect(b.child.signalCode).toBe('SIGKILL');
      console.log(`kill -9: ${failedOver.length} request(s) in flight on the killed instance were sent again`);
      expect(bad.slice(0, 20)).toEqual([]);
    }, 240_000);
  });

  describe('the database stopped and started again', () => {
    it.skipIf(!pgBinDir())(
      'answers 503 (not a crash) while it is down, and recovers without a restart; no secret in any log line',
      async () => {
        const cluster = await PgCluster.create();
        clusters.push(cluster);
        // A password in the URL (trust authentication ignores it): it must never be logged.
        const password = 'Sup3r-secret-pw';
        const url = `postgres://postgres:${password}@127.0.0.1:${cluster.port}/postgres`;
        const api = await new FakeBotApi().start();
        fakes.push(api);
        const [a, b] = await instances(2, url, {
          LOG_LEVEL: 'info',
          TELEGRAM_BOT_TOKEN: api.token,
          TELEGRAM_API_ROOT: api.apiRoot,
          TELEGRAM_MODE: 'webhook',
          PUBLIC_URL: 'https://bot.example.gov.vn',
          TELEGRAM_WEBHOOK_SECRET: SECRET,
        });
        const convs = [...Array(20).keys()].map((i) => `outage-${i}`);
        for (const [i, conv] of convs.entries()) {
          expect((await chat([a, b][i % 2].base, conv, SCRIPT[0].text)).body.topic).toBe('legal_aid');
        }

        await cluster.stop('fast');
        for (const r of [a, b]) {
          expect((await getJson(r.base, '/healthz')).status).toBe(200);
          const ready = await getJson(r.base, '/readyz');
          expect(ready.status).toBe(503);
          expect(ready.body.stores).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'database', state: 'down' })]));
          const answer = await chat(r.base, 'during-outage', SCRIPT[0].text);
          expect(answer.status).toBe(503);
          expect(answer.retryAfter).toMatch(/^\d+$/);
          expect(answer.body.error).toMatch(/bảo trì/);
          const webhook = await fetch(`${r.base}/webhooks/telegram`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
            body: JSON.stringify(api.makeUpdate({ message: api.textMessage(api.user(9300), 'xin chào') })),
          });
          expect(webhook.status).toBeGreaterThanOrEqual(500);
        }
        // Still alive: a crash would have ended the processes.
        await new Promise((r) => setTimeout(r, 2000));
        expect(a.child.exitCode).toBeNull();
        expect(b.child.exitCode).toBeNull();

        await cluster.start();
        for (const r of [a, b]) expect(await eventually(async () => (await getJson(r.base, '/readyz')).status === 200, 30_000)).toBe(true);
        // Each conversation continues on the other instance, with the context stored before the outage.
        for (const [i, conv] of convs.entries()) {
          const answer = await chat([b, a][i % 2].base, conv, SCRIPT[1].text);
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ topic: 'legal_aid', household: 'near_poor' });
        }
        for (const r of [a, b]) {
          expect(r.output()).not.toContain(password);
          expect(r.output()).not.toContain(url);
        }
        expect(a.output()).toMatch(/PostgreSQL unreachable/);
      },
      180_000,
    );
  });
}
