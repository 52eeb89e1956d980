/**
 * Part of `npm run build`: parses every human-edited data file once (knowledge, lexicon, standards,
 * statistics catalogue) and writes `dist/data-snapshot.json`, with each file's hash. The server then
 * reads those files from the snapshot while they are unchanged (see useDataSnapshot). `npm run validate`
 * and the tests always read the files themselves.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentHash, listDataFiles, readDataFile, useDataSnapshot } from '../util/data-file.ts';
import { PROJECT_ROOT, SNAPSHOT_FILE } from '../util/project-root.ts';

export { SNAPSHOT_FILE };

/** Writes the snapshot (atomically: a temporary file renamed) and returns how many files it holds. */
export function writeDataSnapshot(): number {
  useDataSnapshot(null);
  const files: Record<string, { hash: string; data: unknown }> = {};
  for (const dir of ['knowledge']) {
    for (const file of listDataFiles(path.join(PROJECT_ROOT, dir))) {
      // Training corpora are not read by the server; the model is JSON already (parsing it costs no more than a snapshot).
      if (file.includes(`${path.sep}training${path.sep}`) || file.includes(`${path.sep}models${path.sep}`)) continue;
      files[path.relative(PROJECT_ROOT, file)] = { hash: contentHash(readFileSync(file)), data: readDataFile(file) };
    }
  }
  mkdirSync(path.dirname(SNAPSHOT_FILE), { recursive: true });
  const tmp = `${SNAPSHOT_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ files }));
  renameSync(tmp, SNAPSHOT_FILE);
  return Object.keys(files).length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = writeDataSnapshot();
  console.log(`Đã ghi ${n} tệp dữ liệu vào ${path.relative(PROJECT_ROOT, SNAPSHOT_FILE)}`);
}
