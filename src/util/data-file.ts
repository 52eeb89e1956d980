import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
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

/** Parses one YAML or JSON file into plain data, or throws a KnowledgeError naming the file. */
export function readDataFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new KnowledgeError(`${file}: không đọc được (${(err as Error).message.split('\n')[0]})`);
  }
}
