import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding the project's package.json, found by walking up from this module's own folder.
 * Why: the same code runs as TypeScript from `src/` (tests, CLIs) and bundled into `dist/main.mjs`
 * (`npm start`), so a path counted in `..` from a module's URL would differ between the two. Every
 * data file (knowledge, lexicon, standards, statistics, static web files, migrations) is located from here.
 */
export const PROJECT_ROOT: string = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The nearest folder at or above `start` that has a package.json (or `start` itself when there is none). */
export function findProjectRoot(start: string): string {
  for (let dir = start; ; ) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

/** The parsed data files written by `npm run build` (see src/cli/snapshot.ts) and read by the server at start. */
export const SNAPSHOT_FILE: string = path.join(PROJECT_ROOT, 'dist', 'data-snapshot.json');
