/**
 * Part of `npm run build`: parses every human-edited data file once (knowledge, lexicon, standards,
 * statistics catalogue) and writes `dist/data-snapshot.json`, with each file's hash. The server then
 * reads those files from the snapshot while they are unchanged (see useDataSnapshot). `npm run validate`
 * and the tests always read the files themselves.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import { contentHash, listDataFiles, readDataFile, useDataSnapshot } from '../util/data-file.ts';

export const SNAPSHOT_FILE = path.join(PROJECT_ROOT, 'dist', 'data-snapshot.json');

function main(): void {
  useDataSnapshot(null);
  const files: Record<string, { hash: string; data: unknown }> = {};
  for (const dir of ['knowledge']) {
    for (const file of listDataFiles(path.join(PROJECT_ROOT, dir))) {
      if (file.includes(`${path.sep}training${path.sep}`) || file.includes(`${path.sep}models${path.sep}`)) continue;
      files[path.relative(PROJECT_ROOT, file)] = { hash: contentHash(readFileSync(file)), data: readDataFile(file) };
    }
  }
  mkdirSync(path.dirname(SNAPSHOT_FILE), { recursive: true });
  writeFileSync(SNAPSHOT_FILE, JSON.stringify({ files }));
  console.log(`Đã ghi ${Object.keys(files).length} tệp dữ liệu vào ${path.relative(PROJECT_ROOT, SNAPSHOT_FILE)}`);
}

main();
