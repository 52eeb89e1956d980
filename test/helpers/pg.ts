import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './server-process.ts';

/**
 * PostgreSQL for tests. Why a helper: the store contract suites and the multi-instance tests must run for real
 * in CI (`.ci/run` starts a throwaway cluster and exports `TEST_DATABASE_URL`), and skip with a clear message on
 * a developer's machine without PostgreSQL. `PG_TESTS_REQUIRED=1` (set by CI) turns a skip into a failure, so CI
 * never skips them silently.
 */

/** The database URL the PostgreSQL tests use, or undefined (then they skip). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

/** Why the PostgreSQL tests are skipped (printed once per file), or null when they run. */
export function pgSkipReason(): string | null {
  if (TEST_DATABASE_URL) return null;
  const reason =
    'PostgreSQL tests skipped: TEST_DATABASE_URL is not set. Run .ci/run, or start a cluster and set TEST_DATABASE_URL=postgres://…';
  if (process.env.PG_TESTS_REQUIRED === '1') throw new Error(`${reason} (PG_TESTS_REQUIRED=1: CI must not skip them)`);
  console.warn(reason);
  return reason;
}

/** Replaces the database name of a URL. */
export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Creates a fresh, empty database on the server of `adminUrl` and returns its URL, so each suite starts
 * from nothing and suites never see each other's rows.
 */
export async function createTestDatabase(adminUrl: string, prefix = 't'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The folder of the PostgreSQL server binaries (initdb, pg_ctl), or null when PostgreSQL is not installed. */
export function pgBinDir(): string | null {
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, 'initdb'))) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(root, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // not installed
  }
  return null;
}

/**
 * A throwaway PostgreSQL cluster: `initdb` in a temporary folder, started on a free loopback port, owned by a
 * non-root user (PostgreSQL refuses to run as root: as root the commands run as `postgres` through `runuser`).
 * Tests stop and start it to simulate an outage.
 */
export class PgCluster {
  private constructor(
    readonly bin: string,
    readonly dir: string,
    readonly port: number,
    private readonly asUser: string | null,
  ) {}

  /** URL of the cluster's `postgres` database (superuser, trust authentication on loopback). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<PgCluster> {
    const bin = pgBinDir();
    if (!bin) throw new Error('PostgreSQL server binaries not found (install Debian package postgresql)');
    const root = process.getuid?.() === 0;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
    const asUser = root ? 'postgres' : null;
    if (root) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o700);
    const cluster = new PgCluster(bin, dir, await freePort(), asUser);
    cluster.run('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await cluster.start();
    return cluster;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  private run(tool: string, args: string[]): string {
    const exe = path.join(this.bin, tool);
    const [cmd, argv] = this.asUser ? ['runuser', ['-u', this.asUser, '--', exe, ...args]] : [exe, args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: this.dir });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    this.run('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
  }

  /** Stops the server (`fast` closes connections cleanly; `immediate` is a crash). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /** Stops the server and removes its folder. */
  async destroy(): Promise<void> {
    try {
      await this.stop('immediate');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
