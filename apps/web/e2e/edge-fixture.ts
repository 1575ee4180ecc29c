/**
 * Starts a real edge (the project's own `otedama pool`) on free loopback ports with a fresh data
 * folder, for one test file; stops it afterwards. Tests talk to it over real HTTP/WebSocket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningEdge {
  url: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * `OTEDAMA_E2E_WEB_ROOT` serves another build of the web app (`vite build --outDir DIR`) instead of
 * dist/web, so two people can rebuild and test at once.
 */
export async function startEdge(extraArgs: string[] = [], dataDir?: string): Promise<RunningEdge> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'otedama-e2e-'));
  const webRoot = process.env.OTEDAMA_E2E_WEB_ROOT;
  if (webRoot && !extraArgs.includes('--web-root')) extraArgs = ['--web-root', webRoot, ...extraArgs];
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'edge/bin/otedama.mjs'), 'pool', '--http-port', '0', '--stratum-port', '0', '--rpc-port', '0', '--data-dir', dir, ...extraArgs],
    { cwd: ROOT, env: { ...process.env, OTEDAMA_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`edge did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`edge exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    dataDir: dir,
    output: () => out,
    kill: (signal = 'SIGKILL') => child.kill(signal),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
