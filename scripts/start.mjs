/**
 * What `npm start` runs: the compiled server (dist/main.mjs), rebuilt first when a source file is newer than
 * the build (or when there is none yet), so `npm start` right after editing src/ never runs stale code.
 * Why a launcher in the same process rather than a second process: the process tree stays one Node process
 * under npm. Without esbuild (an install without devDependencies) and without a build, the TypeScript
 * sources are run through tsx, as before.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundleIsStale, build, SERVER_BUNDLE } from './build.mjs';

if (bundleIsStale()) {
  try {
    await build();
  } catch (err) {
    if (!existsSync(SERVER_BUNDLE)) {
      console.error(`Không dựng được bản biên dịch (${err.message.split('\n')[0]}); chạy thẳng mã TypeScript.`);
      const { register } = await import('tsx/esm/api');
      register();
      await import('../src/main.ts');
    } else console.error(`Không dựng lại được dist/main.mjs (${err.message.split('\n')[0]}); chạy bản đã dựng.`);
  }
}
if (existsSync(SERVER_BUNDLE)) await import(pathToFileURL(SERVER_BUNDLE).href);
