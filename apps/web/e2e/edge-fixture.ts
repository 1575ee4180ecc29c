/**
 * Starts a real edge (the project's own `otedama pool`) on free loopback ports with a fresh data
 * folder, for one test file; stops it afterwards. Tests talk to it over real HTTP/WebSocket.
 */
import { test, type Frame, type Page } from '@playwright/test';
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

export interface EdgeFixtureOptions {
  /**
   * Run the edge's libp2p node (free ports), so the page joins the pool's network as a peer
   * (edge-peer.spec.ts). Default false: `--no-p2p`, and the page mines through Stratum over
   * WebSocket, which is what the other specs here test.
   */
  readonly peers?: boolean;
}

/**
 * `OTEDAMA_E2E_WEB_ROOT` serves another build of the web app (`vite build --outDir DIR`) instead of
 * dist/web, so two people can rebuild and test at once.
 */
export async function startEdge(extraArgs: string[] = [], dataDir?: string, options: EdgeFixtureOptions = {}): Promise<RunningEdge> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'otedama-e2e-'));
  const webRoot = process.env.OTEDAMA_E2E_WEB_ROOT;
  if (webRoot && !extraArgs.includes('--web-root')) extraArgs = ['--web-root', webRoot, ...extraArgs];
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'edge/bin/otedama.mjs'), 'pool', '--http-port', '0', '--stratum-port', '0', '--rpc-port', '0', ...(options.peers ? ['--p2p-port', '0'] : ['--no-p2p']), '--data-dir', dir, ...extraArgs],
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

/**
 * One edge for the whole test file: started before its first test, stopped after its last. The
 * returned object reads through to the running edge, so tests use it like a RunningEdge.
 */
export function edgeForFile(extraArgs: string[] = [], options: EdgeFixtureOptions = {}): RunningEdge {
  let running: RunningEdge | undefined;
  test.beforeAll(async () => {
    running = await startEdge(extraArgs, undefined, options);
  });
  test.afterAll(async () => {
    await running?.stop();
  });
  const get = (): RunningEdge => {
    if (!running) throw new Error('the edge starts in beforeAll; use it inside a test');
    return running;
  };
  return {
    get url() {
      return get().url;
    },
    get dataDir() {
      return get().dataDir;
    },
    output: () => get().output(),
    stop: () => get().stop(),
    kill: (signal) => get().kill(signal),
  };
}

/** A regtest (simnet) payout address: P2WPKH of a fixed key hash (BIP173's example program). */
export const MINER_ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

/** The dashboard's accepted-share count (0 while the page is between loads). */
export async function acceptedShares(page: Page): Promise<number> {
  return Number((await page.locator('#accepted').textContent().catch(() => '0')) ?? '0');
}

/** Stratum connections the edge counts right now (GET /health). */
export async function stratumConnections(edge: { url: string }): Promise<number> {
  const health = (await (await fetch(new URL('/health', edge.url))).json()) as { stratum?: { connections?: number } };
  return health.stratum?.connections ?? 0;
}

export interface ConstructionCounts {
  workers: number;
  sockets: number;
}

/**
 * Counts Worker and WebSocket constructions from inside the page, in every frame it loads
 * (cross-origin iframes included), as `window.__otedama`; read them with constructionCounts().
 */
export async function countConstructions(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __otedama: ConstructionCounts };
    w.__otedama = { workers: 0, sockets: 0 };
    const RealWorker = window.Worker;
    const RealWS = window.WebSocket;
    window.Worker = class extends RealWorker {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        w.__otedama.workers++;
      }
    } as typeof Worker;
    window.WebSocket = class extends RealWS {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        w.__otedama.sockets++;
      }
    } as typeof WebSocket;
  });
}

/** What countConstructions() counted in `frame` (a page is its main frame); zeros where it did not run. */
export async function constructionCounts(frame: Page | Frame): Promise<ConstructionCounts> {
  return frame.evaluate(() => (window as unknown as { __otedama?: ConstructionCounts }).__otedama ?? { workers: 0, sockets: 0 });
}

/** A hashrate the dashboard shows, in H/s ("1.23 MH/s" → 1230000). */
export async function shownRate(page: Page, selector = '#hashrate'): Promise<number> {
  const text = (await page.locator(selector).textContent()) ?? '';
  const m = /^([\d.]+) (H|kH|MH|GH|TH|PH)\/s$/.exec(text.trim());
  if (!m) throw new Error(`${selector} reads "${text}"`);
  return Number(m[1]) * 1000 ** ['H', 'kH', 'MH', 'GH', 'TH', 'PH'].indexOf(m[2]!);
}
