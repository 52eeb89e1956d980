import { loadConfig } from '../../src/config.ts';
import { createServer, type Server } from '../../src/app/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { tempDir } from './core.ts';

/** Starts the real server on a free loopback port with a temporary DATA_DIR and no channel tokens. */
export async function startTestServer(
  env: Record<string, string> = {},
): Promise<{ server: Server; url: string; dataDir: string; close: () => Promise<void> }> {
  const tmp = env.DATA_DIR ? null : tempDir();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: tmp?.dir ?? env.DATA_DIR,
    TODAY: '2026-11-27',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await createServer(config, silentLogger());
  const port = await server.start();
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    dataDir: config.DATA_DIR,
    close: async () => {
      await server.stop();
      tmp?.cleanup();
    },
  };
}

/** POSTs JSON (or a raw string) and returns status and parsed body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}
