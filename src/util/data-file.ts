import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ZodError } from 'zod';

/**
 * Reading the human-edited data files (knowledge, lexicon, standards, statistics catalogue). Kept on
 * the ground floor so every layer that loads data reads it the same way and reports errors the same way.
 */

/** Raised when a data file is broken: the message names the file, the entry and the field. */
export class KnowledgeError extends Error {}

/** Describes a zod error as "field: message" lines, in the vocabulary of the file's author. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(gốc)'}: ${i.message}`)
    .join('; ');
}

/** Lists the YAML/JSON files under a folder, recursively, sorted for deterministic loading. */
export function listDataFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listDataFiles(full));
    else if (/\.(ya?ml|json)$/i.test(name)) out.push(full);
  }
  return out;
}

/**
 * Parsed data files from the last build (`npm run build` writes `dist/data-snapshot.json`): a file
 * whose bytes still hash to the recorded value is taken from the snapshot instead of being parsed
 * again. Why: parsing the YAML of the knowledge base was most of the server's start-up time. A file
 * changed since the build is simply parsed; validation runs on every value either way.
 */
let snapshot: Map<string, { hash: string; data: unknown }> | null | undefined;

/** Uses the snapshot at `file` (or none: `null`), whose paths are relative to `root`, replacing any loaded before. */
export function useDataSnapshot(file: string | null, root = process.cwd()): void {
  snapshot = null;
  if (!file || !existsSync(file)) return;
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { files?: Record<string, { hash: string; data: unknown }> };
    snapshot = new Map(Object.entries(doc.files ?? {}).map(([k, v]) => [path.resolve(root, k), v]));
  } catch {
    snapshot = null; // A damaged snapshot only costs the parse it would have saved.
  }
}

/** SHA-1 of a file's bytes, as recorded in the snapshot. */
export function contentHash(bytes: Buffer | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

// The YAML parser is loaded on first use only: with a current snapshot it is never needed.
let yaml: typeof import('yaml') | undefined;
const requireHere = createRequire(import.meta.url);

/** Parses one YAML or JSON file into plain data, or throws a KnowledgeError naming the file. */
export function readDataFile(file: string): unknown {
  const bytes = readFileSync(file);
  const cached = snapshot?.get(path.resolve(file));
  if (cached && cached.hash === contentHash(bytes)) return structuredClone(cached.data);
  const text = bytes.toString('utf8');
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    yaml ??= requireHere('yaml') as typeof import('yaml');
    return yaml.parse(text);
  } catch (err) {
    throw new KnowledgeError(`${file}: không đọc được (${(err as Error).message.split('\n')[0]})`);
  }
}
