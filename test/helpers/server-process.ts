import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real server as a separate process (`node --import tsx src/main.ts`, what `npm start` execs),
 * configured by environment variables only, for end-to-end tests of the channels as the judges run them.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Running {
  child: ChildProcess;
  base: string;
  port: number;
  output: () => string;
}

/**
 * The part of this machine's environment a child process must share to live on the same machine: the search
 * path, the home folder and, when the clock is moved (`faketime` in CI: LD_PRELOAD and FAKETIME*), the moved
 * clock and time zone. Without the last, a server child would run on the real date while the test signs events
 * with the moved one, and replay windows would refuse them.
 */
export function machineEnv(): Record<string, string> {
  const out: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir() };
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && /^(LD_PRELOAD|DYLD_INSERT_LIBRARIES|DYLD_FORCE_FLAT_NAMESPACE|FAKETIME.*|DONT_FAKE_MONOTONIC|TZ)$/.test(k))
      out[k] = v;
  }
  return out;
}

/** A free loopback port (for servers that must keep their port across a restart). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts, stops and cleans up server processes and their temporary data folders. */
export class ServerProcesses {
  private readonly running = new Set<Running>();
  private readonly dirs: string[] = [];

  constructor(private readonly prefix = 'e2e-') {}

  tempDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), this.prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Starts the server with a clean environment (nothing inherited but PATH/HOME) and waits until it listens. */
  async start(env: Record<string, string>): Promise<Running> {
    const port = env.PORT ? Number(env.PORT) : await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...machineEnv(),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATA_DIR: env.DATA_DIR ?? this.tempDir(),
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const r: Running = { child, port, base: `http://127.0.0.1:${port}`, output: () => out };
    this.running.add(r);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    while (!/đang chạy/.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
      await Promise.race([new Promise((res) => setTimeout(res, 25)), exited]);
    }
    return r;
  }

  /** SIGTERM, wait for a graceful exit (SIGKILL after 10 s). */
  async stop(r: Running): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.running.delete(r);
    const { child } = r;
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }

  /** Stops every server still running and removes the temporary folders (afterAll). */
  async cleanup(): Promise<void> {
    await Promise.allSettled([...this.running].map((r) => this.stop(r)));
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
