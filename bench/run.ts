/**
 * `npm run bench`: measured speed on this machine.
 * 1. Start-up: knowledge load + index build (and the whole core with statistics).
 * 2. Core latency per message (median, p99) over the dev question set, at today's knowledge size and
 *    with knowledge bases 10× and 100× larger (generated here by cloning entries with new words).
 * 3. Memory (RSS) after start and after 10,000 messages.
 * 4. /api/chat throughput with concurrent clients (autocannon), side by side with a bare Node HTTP server
 *    returning a fixed JSON body, both in child processes, so the ratio holds on a noisy machine.
 * 5. /api/chat throughput and p99 with PostgreSQL (DATABASE_URL) for one and for two instances, beside the file
 *    store, in the same run. The database is BENCH_DATABASE_URL (or TEST_DATABASE_URL), or a throwaway cluster
 *    started here when PostgreSQL is installed; without either (or with BENCH_SKIP_PG=1), this part says it was skipped.
 * 6. `npm start` itself: time to a healthy /healthz, and the RSS of npm, of the server and of the whole process tree
 *    after start and after 10,000 messages over HTTP.
 * Every server measured runs the compiled build (dist/main.mjs, built first when stale), as `npm start` does.
 * `npm run bench -- --json` also writes the figures to reports/bench.json (field names in {@link BenchFigures}).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig, PROJECT_ROOT } from '../src/config.ts';
import { buildCore } from '../src/app/bootstrap.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { KnowledgeBase } from '../src/knowledge/knowledge-base.ts';
import { buildLanguageKit } from '../src/knowledge/language-kit.ts';
import { Engine } from '../src/core/engine.ts';
import { MemorySessionStore } from '../src/storage/memory/session-store.ts';
import type { PolicyEntry } from '../src/knowledge/schema.ts';
import { createTestDatabase, PgCluster, pgBinDir } from '../test/helpers/pg.ts';

const DEV = path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'dev-questions.jsonl');
const questions: string[] = readFileSync(DEV, 'utf8')
  .split('\n')
  .filter(Boolean)
  .flatMap((l) => {
    const d = JSON.parse(l) as { question?: string; dialogue?: string[] };
    return d.question ? [d.question] : (d.dialogue ?? []);
  });

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/**
 * The machine-readable figures (`--json` → reports/bench.json). The first ten names are a stable interface
 * (CI and the README read them); more may be added, none renamed.
 */
export interface BenchFigures {
  core_p50_ms: number;
  core_p99_ms: number;
  core_p99_ms_x10: number;
  core_p99_ms_x100: number;
  /** `npm start` to the first 200 from /healthz. */
  startup_ms: number;
  /** RSS of the server process (the node child of npm) after start, and after 10,000 messages over HTTP. */
  rss_start_mb: number;
  rss_after_10k_mb: number;
  bare_rps: number;
  api_cached_rps: number;
  api_uncached_rps: number;
  [more: string]: unknown;
}
const figures: Partial<BenchFigures> = {};

/**
 * The compiled server, exactly as `npm start` runs it: the node arguments of package.json's start script
 * (V8 flags, then scripts/start.mjs, which rebuilds dist/ first when it is stale).
 */
const SERVER_ARGS: string[] = (() => {
  const start: string = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1);
})();

/** Resident set size of a process in bytes (Linux /proc; 0 where unavailable). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A process and all its descendants (Linux /proc). */
function processTree(pid: number): number[] {
  const out = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const c of children ? children.split(/\s+/) : []) out.push(...processTree(Number(c)));
  } catch {
    // Not Linux, or the process is gone.
  }
  return out;
}
const ms = (n: number) => `${n.toFixed(3)} ms`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(engine: Engine, rounds: number): Promise<{ median: number; p99: number; n: number }> {
  const times: number[] = [];
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    for (const q of questions) {
      const t = performance.now();
      await engine.handle({ channel: 'test', conversationId: `b${i++ % 500}`, text: q });
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p99: percentile(times, 99), n: times.length };
}

/** Clones entries with fresh ids and synthetic phrasings so the index grows realistically. */
function enlarge(entries: PolicyEntry[], factor: number): PolicyEntry[] {
  const syllables = 'an binh cau dong em gia hai khanh lam minh nam phuc quang son tam uyen vinh xuan yen bao chau dat giang hung'.split(
    ' ',
  );
  const out: PolicyEntry[] = [...entries];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 1; k < factor; k++) {
    for (const e of entries) {
      const extra = () => Array.from({ length: 3 }, () => syllables[Math.floor(rnd() * syllables.length)]).join(' ');
      out.push({ ...e, id: `${e.id}-x${k}`, related: [], phrasings: e.phrasings.map((p) => `${p} ${extra()}`) });
    }
  }
  return out;
}

/** Requests per second and the 99th percentile latency of one autocannon run. */
interface Load {
  rps: number;
  p99: number;
}

async function load(url: string, body: () => string, seconds: number, connections = 32): Promise<Load> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req: any) => ({ ...req, body: body() }) }],
  });
  if (result.non2xx) console.log(`   (cảnh báo: ${result.non2xx} phản hồi không phải 2xx; số đo không hợp lệ)`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function throughput(url: string, body: () => string, seconds: number): Promise<number> {
  return (await load(url, body, seconds)).rps;
}

/** The same load spread over several instances at once (a load balancer without stickiness): summed rps, worst p99. */
async function loadMany(urls: string[], body: () => string, seconds: number, connections = 32): Promise<Load> {
  const each = await Promise.all(urls.map((u) => load(u, body, seconds, Math.max(1, Math.round(connections / urls.length)))));
  return { rps: each.reduce((a, b) => a + b.rps, 0), p99: Math.max(...each.map((e) => e.p99)) };
}

/** Servers measured here; DATABASE_URL empty (files) unless a measurement sets it. */
const SERVER_ENV = {
  DATABASE_URL: '',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_PER_MINUTE: '100000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '100000000',
  RATE_LIMIT_NEW_CONVERSATIONS_PER_IP_PER_MINUTE: '100000000',
};

function startChild(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`child exited (${code}): ${out.slice(-500)}`)));
  });
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tlgn-bench-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' });
  console.log(`Máy: ${os.cpus().length} lõi ${os.cpus()[0]?.model ?? ''}, Node ${process.version}\n`);

  // The servers below run the compiled build: build it now, once, rather than in each server.
  if (spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.mjs')], { stdio: 'ignore' }).status !== 0)
    throw new Error('npm run build failed');

  // 1. Start-up
  const t0 = performance.now();
  const kb = KnowledgeBase.load(path.join(config.KNOWLEDGE_DIR, 'policies'));
  const t1 = performance.now();
  buildLanguageKit(kb, config.KNOWLEDGE_DIR);
  const t2 = performance.now();
  const core = await buildCore(config, silentLogger(), { persistSessions: false, withStats: true });
  const t3 = performance.now();
  console.log('1. Khởi động');
  console.log(
    `   nạp ${kb.entries.length} mục kiến thức: ${ms(t1 - t0)}; dựng chỉ mục: ${ms(t2 - t1)}; toàn bộ lõi (kể cả số liệu): ${ms(t3 - t2)}`,
  );
  const rssStart = process.memoryUsage().rss;

  // 3 (measured first, before the large synthetic knowledge bases exist). Memory
  for (let i = 0; i < 10_000; i++)
    await core.engine.handle({ channel: 'test', conversationId: `m${i % 1000}`, text: questions[i % questions.length] });
  const rssAfter = process.memoryUsage().rss;
  const cacheHits = core.engine.cache.hits;

  // 2. Latency, with the answer cache off so every message is worked out.
  const uncached = new Engine({
    services: core.services,
    sessions: new MemorySessionStore(),
    flows: core.flows,
    salt: 'bench',
    cacheSize: 0,
  });
  await latency(uncached, 1); // warm-up
  const base = await latency(uncached, 5);
  console.log(`\n2. Độ trễ lõi mỗi tin nhắn, tắt bộ đệm câu trả lời (${base.n} tin, ${questions.length} câu hỏi dev × 5)`);
  console.log(`   kiến thức ×1   (${kb.entries.length} mục): trung vị ${ms(base.median)}, p99 ${ms(base.p99)}`);
  figures.core_p50_ms = round(base.median);
  figures.core_p99_ms = round(base.p99);
  for (const factor of [10, 100]) {
    const big = new KnowledgeBase(enlarge(kb.entries, factor));
    const tb = performance.now();
    const language = buildLanguageKit(big, config.KNOWLEDGE_DIR);
    const buildMs = performance.now() - tb;
    const engine = new Engine({
      services: { knowledge: big, language, stats: core.services.stats },
      sessions: new MemorySessionStore(),
      flows: core.flows,
      salt: 'bench',
      cacheSize: 0,
    });
    await latency(engine, 1);
    const r = await latency(engine, 2);
    figures[factor === 10 ? 'core_p99_ms_x10' : 'core_p99_ms_x100'] = round(r.p99);
    console.log(
      `   kiến thức ×${factor} (${big.entries.length} mục): trung vị ${ms(r.median)}, p99 ${ms(r.p99)} (dựng chỉ mục ${ms(buildMs)}; p99 gấp ${(r.p99 / base.p99).toFixed(2)} lần)`,
    );
  }

  console.log(
    `\n3. Bộ nhớ (RSS) của tiến trình đo (TypeScript qua tsx): sau khởi động ${mb(rssStart)}; sau 10.000 tin nhắn (1.000 hội thoại) ${mb(rssAfter)} (bộ đệm câu trả lời: ${cacheHits} lần trúng)`,
  );
  figures.bench_process_rss_start_mb = round(rssStart / 1024 / 1024, 1);
  figures.bench_process_rss_after_10k_mb = round(rssAfter / 1024 / 1024, 1);
  await core.close();

  // 4. Throughput, side by side
  console.log('\n4. Thông lượng /api/chat (autocannon, 32 kết nối, 5 giây mỗi máy chủ)');
  const bare = await startChild(process.execPath, [path.join(PROJECT_ROOT, 'bench/bare-server.mjs')], { PORT: '3911' }, /listening/);
  const server = await startChild(process.execPath, SERVER_ARGS, { ...SERVER_ENV, PORT: '3912', DATA_DIR: dataDir }, /đang chạy/);
  const serverNoCache = await startChild(
    process.execPath,
    SERVER_ARGS,
    { ...SERVER_ENV, PORT: '3913', DATA_DIR: `${dataDir}-nc`, ANSWER_CACHE_SIZE: '0' },
    /đang chạy/,
  );
  let n = 0;
  const pick = () => JSON.stringify({ conversationId: `c${n++ % 2000}`, text: questions[n % questions.length] });
  let fileLoad: Load | undefined;
  try {
    await throughput('http://127.0.0.1:3911/', pick, 1);
    const bareRps = await throughput('http://127.0.0.1:3911/', pick, 5);
    await throughput('http://127.0.0.1:3912/api/chat', pick, 1);
    fileLoad = await load('http://127.0.0.1:3912/api/chat', pick, 5);
    const apiRps = fileLoad.rps;
    await throughput('http://127.0.0.1:3913/api/chat', pick, 1);
    const noCacheRps = await throughput('http://127.0.0.1:3913/api/chat', pick, 5);
    figures.bare_rps = Math.round(bareRps);
    figures.api_cached_rps = Math.round(apiRps);
    figures.api_uncached_rps = Math.round(noCacheRps);
    figures.api_cached_ratio = round(apiRps / bareRps);
    figures.api_uncached_ratio = round(noCacheRps / bareRps);
    figures.api_cached_p99_ms = fileLoad.p99;
    console.log(`   máy chủ Node trần (JSON cố định):      ${bareRps.toFixed(0)} yêu cầu/giây`);
    console.log(
      `   /api/chat (có bộ đệm câu trả lời):      ${apiRps.toFixed(0)} yêu cầu/giây (tỷ lệ ${(apiRps / bareRps).toFixed(2)}), p99 ${fileLoad.p99} ms`,
    );
    console.log(
      `   /api/chat (tắt bộ đệm, tính mọi câu):   ${noCacheRps.toFixed(0)} yêu cầu/giây (tỷ lệ ${(noCacheRps / bareRps).toFixed(2)})`,
    );
  } finally {
    bare.kill('SIGTERM');
    server.kill('SIGTERM');
    serverNoCache.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dataDir + '-nc', { recursive: true, force: true });
  }

  await npmStart();
  await postgres(pick, fileLoad);
  if (process.argv.includes('--json')) {
    const file = path.join(PROJECT_ROOT, 'reports', 'bench.json');
    mkdirSync(path.dirname(file), { recursive: true });
    const machine = `${os.cpus().length} lõi ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}`;
    writeFileSync(file, `${JSON.stringify({ ...figures, machine, at: new Date().toISOString() }, null, 2)}\n`);
    console.log(`\nĐã ghi ${path.relative(PROJECT_ROOT, file)}`);
  }
}

/**
 * 6. `npm start` as a person runs it: time to the first healthy /healthz, then the RSS of npm, of the server and of the
 * whole tree; then 10,000 messages (1,000 conversations) over HTTP and the server's RSS again.
 */
async function npmStart(): Promise<void> {
  console.log('\n6. `npm start` (bản biên dịch)');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tlgn-bench-start-'));
  const port = 3917;
  const started = performance.now();
  const npm = spawn('npm', ['start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...SERVER_ENV, PORT: String(port), DATA_DIR: dataDir },
    stdio: 'ignore',
  });
  try {
    let healthyMs = 0;
    while (!healthyMs) {
      if (performance.now() - started > 30_000) throw new Error('npm start: /healthz did not answer within 30 s');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) healthyMs = performance.now() - started;
      else await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const tree = processTree(npm.pid!);
    const serverPid = tree.at(-1)!;
    const npmRss = rssOf(npm.pid!);
    const treeRss = tree.reduce((a, p) => a + rssOf(p), 0);
    const serverRss = rssOf(serverPid);
    let n = 0;
    const body = () => JSON.stringify({ conversationId: `r${n++ % 1000}`, text: questions[n % questions.length] });
    await autocannon({
      url: `http://127.0.0.1:${port}/api/chat`,
      method: 'POST',
      connections: 8,
      amount: 10_000,
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: any) => ({ ...req, body: body() }) }],
    });
    const serverRssAfter = rssOf(serverPid);
    figures.startup_ms = Math.round(healthyMs);
    figures.rss_start_mb = round(serverRss / 1024 / 1024, 1);
    figures.rss_after_10k_mb = round(serverRssAfter / 1024 / 1024, 1);
    figures.rss_npm_mb = round(npmRss / 1024 / 1024, 1);
    figures.rss_tree_start_mb = round(treeRss / 1024 / 1024, 1);
    console.log(`   đến khi /healthz trả lời 200: ${Math.round(healthyMs)} ms`);
    console.log(
      `   RSS sau khởi động: máy chủ ${mb(serverRss)}; npm ${mb(npmRss)}; cả cây tiến trình (${tree.length} tiến trình) ${mb(treeRss)}`,
    );
    console.log(`   RSS máy chủ sau 10.000 tin nhắn qua HTTP (1.000 hội thoại): ${mb(serverRssAfter)}`);
  } finally {
    // The server itself first: npm does not always pass SIGTERM on to its child.
    for (const pid of processTree(npm.pid!).reverse()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * 5. The same /api/chat load on PostgreSQL: one instance, then two instances on one database taking the load
 * together (each conversation's messages spread over both, as behind a load balancer without stickiness).
 */
async function postgres(pick: () => string, fileLoad: Load | undefined): Promise<void> {
  console.log('\n5. /api/chat với PostgreSQL (autocannon, 32 kết nối tổng cộng, 5 giây; có bộ đệm câu trả lời)');
  if (process.env.BENCH_SKIP_PG) {
    console.log('   bỏ qua (BENCH_SKIP_PG)');
    return;
  }
  let adminUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || '';
  let cluster: PgCluster | undefined;
  if (!adminUrl) {
    if (!pgBinDir()) {
      console.log('   bỏ qua: không có PostgreSQL (đặt BENCH_DATABASE_URL, hoặc cài gói postgresql của Debian)');
      return;
    }
    cluster = await PgCluster.create();
    adminUrl = cluster.url;
    console.log('   (cụm PostgreSQL tạm thời trên máy này)');
  }
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  const drops: Array<() => Promise<void>> = [];
  const start = async (port: number, url: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tlgn-bench-pg-'));
    dirs.push(dir);
    const child = await startChild(
      process.execPath,
      SERVER_ARGS,
      { ...SERVER_ENV, PORT: String(port), DATA_DIR: dir, DATABASE_URL: url },
      /đang chạy/,
    );
    children.push(child);
    return `http://127.0.0.1:${port}/api/chat`;
  };
  try {
    const one = await createTestDatabase(adminUrl, 'bench1');
    drops.push(one.drop);
    const single = await start(3914, one.url);
    await load(single, pick, 1);
    const pg1 = await load(single, pick, 5);
    children.splice(0).forEach((c) => c.kill('SIGTERM'));
    await new Promise((r) => setTimeout(r, 500));

    const two = await createTestDatabase(adminUrl, 'bench2');
    drops.push(two.drop);
    const first = await start(3915, two.url);
    const second = await start(3916, two.url);
    await loadMany([first, second], pick, 1);
    const pg2 = await loadMany([first, second], pick, 5);
    if (fileLoad)
      console.log(`   tệp (DATA_DIR), 1 phiên bản:             ${fileLoad.rps.toFixed(0)} yêu cầu/giây, p99 ${fileLoad.p99} ms`);
    console.log(`   PostgreSQL, 1 phiên bản:                 ${pg1.rps.toFixed(0)} yêu cầu/giây, p99 ${pg1.p99} ms`);
    console.log(`   PostgreSQL, 2 phiên bản cùng một CSDL:   ${pg2.rps.toFixed(0)} yêu cầu/giây, p99 ${pg2.p99} ms`);
    console.log(`   (máy ${os.cpus().length} lõi: các phiên bản và PostgreSQL dùng chung số lõi này)`);
  } finally {
    children.forEach((c) => c.kill('SIGTERM'));
    await new Promise((r) => setTimeout(r, 1000));
    for (const d of drops) await d().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await cluster?.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
