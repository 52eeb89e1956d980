/**
 * `npm run build` (also run by `npm install` through `prepare`, and by `npm start` when the sources are newer
 * than the build): bundles the server (src/main.ts) into dist/main.mjs with esbuild, and writes the data
 * snapshot (dist/data-snapshot.json: the knowledge files already parsed, each with its hash).
 * Why: `npm start` then runs plain JavaScript (no TypeScript loader, a few hundred modules fewer to resolve)
 * and reads the knowledge base without parsing YAML. Packages stay external (node_modules), so only our own
 * code is bundled. The CLIs and the tests keep running the TypeScript directly.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const SERVER_BUNDLE = path.join(DIST, 'main.mjs');
const SNAPSHOT_BUNDLE = path.join(DIST, 'snapshot.mjs');

/** Newest modification time (ms) of any file under `dir`, recursively (0 when the folder is missing). */
export function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** True when dist/main.mjs is missing or older than a source file, package.json or this script. */
export function bundleIsStale() {
  if (!existsSync(SERVER_BUNDLE)) return true;
  const built = statSync(SERVER_BUNDLE).mtimeMs;
  const inputs = [
    newestMtime(path.join(ROOT, 'src')),
    statSync(path.join(ROOT, 'package.json')).mtimeMs,
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
  ];
  return inputs.some((t) => t > built);
}

/**
 * Bundles the server and the snapshot writer. Code reached only through `import()` (the Telegram adapter and
 * grammY) goes to its own chunk under dist/chunks/, loaded only when it is needed. Each output is written to a
 * temporary file and renamed, so a reader never sees half a file; chunks of earlier builds are removed.
 */
export async function buildBundles() {
  const esbuild = await import('esbuild');
  mkdirSync(DIST, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { main: path.join(ROOT, 'src/main.ts'), snapshot: path.join(ROOT, 'src/cli/snapshot.ts') },
    outdir: DIST,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'warning',
    legalComments: 'none',
  });
  // esbuild keeps a service process (about 40 MB) until told to stop: the server that rebuilt must not carry it.
  await esbuild.stop();
  const written = new Set();
  // Chunks first, entry points last: a server started meanwhile never finds an entry without its chunks.
  const outputs = [...result.outputFiles].sort(
    (a, b) =>
      Number(a.path.includes(`${path.sep}chunks${path.sep}`) === false) - Number(b.path.includes(`${path.sep}chunks${path.sep}`) === false),
  );
  for (const file of outputs) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
    written.add(file.path);
  }
  const chunks = path.join(DIST, 'chunks');
  for (const name of existsSync(chunks) ? readdirSync(chunks) : []) {
    const full = path.join(chunks, name);
    if (!written.has(full) && statSync(full).mtimeMs < Date.now() - 60_000) rmSync(full, { force: true });
  }
}

/** Writes dist/data-snapshot.json (the snapshot writer runs in its own module, from the bundle just built). */
export async function writeSnapshot() {
  const mod = await import(`${pathToFileURL(SNAPSHOT_BUNDLE).href}?t=${statSync(SNAPSHOT_BUNDLE).mtimeMs}`);
  return mod.writeDataSnapshot();
}

/** The whole build: bundles, then the snapshot. */
export async function build() {
  await buildBundles();
  return writeSnapshot();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  // An install without devDependencies (`npm ci --omit=dev`) runs `prepare` too, without esbuild: that must not
  // fail the install. `npm start` then runs the TypeScript sources through tsx (see scripts/start.mjs).
  if (
    !(await import('esbuild').then(
      () => true,
      () => false,
    ))
  ) {
    console.log('Không có esbuild (cài đặt không kèm devDependencies): bỏ qua bước dựng; npm start sẽ chạy thẳng mã TypeScript.');
    process.exit(0);
  }
  const files = await build();
  console.log(`Đã dựng dist/main.mjs và ảnh chụp ${files} tệp dữ liệu trong ${Math.round(performance.now() - started)} ms`);
}
