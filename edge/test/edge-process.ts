/**
 * Starts the real `otedama pool` as a child process on free loopback ports with a fresh data
 * folder (as apps/web/e2e/edge-fixture.ts does for the browser tests), parses the URLs it
 * prints, and stops it with SIGTERM. Options for the hostile tests: a given data folder (kept on
 * stop), extra environment, a descriptor limit (`ulimit -n`), and `exited` to watch a crash.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, OTEDAMA_BIN, ROOT } from './cli-run.ts';

export interface EdgeProcessOptions {
  /** Use this data folder (not removed on stop) instead of a fresh temporary one. */
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
  /** Start under `ulimit -n N` (the process's descriptor limit). */
  readonly ulimitFiles?: number;
  /** The checkout whose `edge/bin/otedama.mjs` runs (default this one; the hostile bench attacks older ones). */
  readonly root?: string;
}

export interface EdgeProcess {
  /** http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  readonly httpPort: number;
  readonly stratumPort: number;
  readonly stratumUrl: string;
  readonly rpcUrl: string;
  readonly rpcPort: number;
  readonly dataDir: string;
  /** The libp2p node's first listen multiaddr (with /p2p/<peer id>); undefined with --no-p2p. */
  readonly p2pAddr: string | undefined;
  readonly pid: number;
  /** Resolves when the process exits, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  stop(): Promise<void>;
}

/** Longest wait for the edge's "Open http://…" line. */
const START_TIMEOUT_MS = 30_000;

export async function startEdgeProcess(extraArgs: readonly string[] = [], options: EdgeProcessOptions = {}): Promise<EdgeProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'otedama-edge-test-'));
  const root = options.root ?? ROOT;
  const bin = options.root ? join(options.root, 'edge', 'bin', 'otedama.mjs') : OTEDAMA_BIN;
  const args = [bin, 'pool', '--http-port', '0', '--stratum-port', '0', '--rpc-port', '0',
    // An older checkout (bench:hostile's "before") has no libp2p node and no --p2p-port flag.
    ...(options.root ? [] : ['--p2p-port', '0']), '--data-dir', dataDir, ...extraArgs];
  const [cmd, argv] = options.ulimitFiles === undefined
    ? [process.execPath, args]
    : ['sh', ['-c', `ulimit -n ${options.ulimitFiles} && exec "$0" "$@"`, process.execPath, ...args]];
  const child = spawn(cmd, argv, { cwd: root, env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the edge did not start within ${START_TIMEOUT_MS / 1000} s:\n${out}`)), START_TIMEOUT_MS);
      const check = () => {
        if (/Press Ctrl\+C/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the edge exited with ${code}:\n${out}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const http = /Open (http:\/\/127\.0\.0\.1:(\d+))\//.exec(out)!;
  const stratum = /Stratum: (stratum\+tcp:\/\/127\.0\.0\.1:(\d+))/.exec(out)!;
  const rpc = /simnet RPC: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out)!;
  const p2p = /^P2P: (\S+)/m.exec(out);
  return {
    url: http[1]!,
    httpPort: Number(http[2]),
    stratumUrl: stratum[1]!,
    stratumPort: Number(stratum[2]),
    rpcUrl: rpc[1]!,
    rpcPort: Number(rpc[2]),
    dataDir,
    p2pAddr: p2p?.[1],
    pid: child.pid!,
    exited,
    output: () => out,
    stop,
  };
}
