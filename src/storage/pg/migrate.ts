import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../util/project-root.ts';
import type { Logger } from '../../observability/logger.ts';
import { LOCK_NS, type PgDatabase } from './database.ts';

/** Folder of the versioned SQL files: `NNN_name.sql`, applied in order, each once. */
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'src', 'storage', 'pg', 'migrations');

/** `001_initial`: how a migration is named in logs and in `npm run db -- status`. */
export function migrationLabel(m: Pick<Migration, 'version' | 'name'>): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}`;
}

/** One versioned SQL file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SHA-256 of the file, recorded when applied: an edited migration is refused instead of silently skipped. */
  checksum: string;
}

/** What `npm run db -- status` shows for one migration. */
export interface MigrationState {
  version: number;
  name: string;
  appliedAt: string | null;
  /** False when the file changed after it was applied. */
  checksumOk: boolean;
}

/** Reads the migration files, in version order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(path.join(dir, f), 'utf8');
      return {
        version: Number(f.slice(0, f.indexOf('_'))),
        name: f.slice(f.indexOf('_') + 1, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * Applies the pending migrations, each in its own transaction, under `pg_advisory_lock(migrate, 0)` on a
 * connection of its own. Why the lock: several instances starting together would otherwise race to create the
 * same tables; with it, the first applies and the others wait, then find nothing to do. A migration whose file
 * changed after it was applied stops start-up (the schema would no longer be what the code expects).
 */
export async function migrate(db: PgDatabase, logger?: Logger, dir = MIGRATIONS_DIR): Promise<{ applied: string[] }> {
  const migrations = readMigrations(dir);
  const client = await db.connectDedicated();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1, 0)', [LOCK_NS.migrate]);
    try {
      await client.query(LEDGER);
      const done = new Map(
        (await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')).rows.map((r) => [
          r.version,
          r.checksum,
        ]),
      );
      for (const m of migrations) {
        const sum = done.get(m.version);
        if (sum !== undefined) {
          if (sum !== m.checksum)
            throw new Error(`migration ${migrationLabel(m)} was changed after it was applied; restore the file or add a new migration`);
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            m.checksum,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`migration ${migrationLabel(m)} failed: ${db.redact((err as Error).message)}`);
        }
        applied.push(migrationLabel(m));
        logger?.info({ migration: migrationLabel(m) }, 'database migration applied');
      }
      const known = new Set(migrations.map((m) => m.version));
      const unknown = [...done.keys()].filter((v) => !known.has(v));
      if (unknown.length)
        logger?.warn({ versions: unknown }, 'the database has migrations this code does not know (a newer version ran here)');
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, 0)', [LOCK_NS.migrate]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return { applied };
}

/** Every known migration and whether (and when) it was applied. */
export async function migrationStatus(db: PgDatabase, dir = MIGRATIONS_DIR): Promise<MigrationState[]> {
  const migrations = readMigrations(dir);
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  const rows = exists.rows[0]?.t
    ? (
        await db.query<{ version: number; checksum: string; applied_at: Date }>(
          'SELECT version, checksum, applied_at FROM schema_migrations',
        )
      ).rows
    : [];
  const byVersion = new Map(rows.map((r) => [r.version, r]));
  return migrations.map((m) => {
    const r = byVersion.get(m.version);
    return {
      version: m.version,
      name: m.name,
      appliedAt: r ? r.applied_at.toISOString() : null,
      checksumOk: r ? r.checksum === m.checksum : true,
    };
  });
}
