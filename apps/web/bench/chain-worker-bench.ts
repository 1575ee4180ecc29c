/**
 * The page's share verification, in real Chromium, off the network (part of `npm run bench:p2p`):
 * a window of --window shares (8,640: a day of 10 s shares; 200 payees in turn, as the browser
 * bench's edge preloads) mined here in Node, then judged by the page's own chain worker
 * (src/p2p/chain-worker.ts, bundled as the app bundles it) three ways, each in a fresh worker:
 *
 *   1. per share: one worker round trip per share, in batches of the page's sync size, as a sync
 *      run offered them before batches were judged as a whole (the baseline);
 *   2. per batch: one round trip per sync batch (PageChain.receiveBatch, what sync does now);
 *   3. restore: the whole window in one call (a reload verifying what IndexedDB kept).
 *
 * For each: wall time, µs per share, and the ratio to the baseline measured in this run; then
 * the chain worker's JS heap holding the window. The round trips cost scheduling more than CPU:
 * on a loaded machine each one waits for the worker thread and then the page's thread, so the
 * load average is printed beside the figures. No network namespace, no edge: it measures the
 * page's own work. Usage: npx tsx apps/web/bench/chain-worker-bench.ts [--window 8640] [--quick]
 */
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CoinTips,
  createChainJob,
  encodePoolParams,
  hashToBigInt,
  poolIdHex,
  serializeHeader,
  sha256d,
  ShareChain,
  shareScriptSig,
  simnetPoolParams,
} from '@otedama/core';
import { PAGE_SYNC_BATCH_SHARES } from '../src/p2p/peer-node.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
const CHROMIUM = process.env.OTEDAMA_CHROMIUM ?? '/usr/bin/chromium';
/** The browser bench's sync pool: every hash a share, 200 ms apart (p2p-browser-bench.ts). */
const EASIEST_BITS = 0x207fffff;
const PAYEES = 200;
/** The page's origin for the bundles (served by Playwright's router; nothing listens). */
const ORIGIN = 'http://chain-worker-bench.invalid';
const log = (m: string) => process.stderr.write(`bench:chain-worker: ${m}\n`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const WINDOW = Number(arg('window') ?? (quick ? 2000 : 8640));
if (!Number.isSafeInteger(WINDOW) || WINDOW < 1) throw new Error(`--window must be a positive integer (got ${arg('window')})`);

/** A window of `n` shares on one coin block, each paying one of PAYEES scripts in turn (its coinbase pays the window). */
function mineWindow(n: number): { params: Uint8Array; poolId: string; shares: Uint8Array[] } {
  const params = simnetPoolParams(sha256d(new TextEncoder().encode('chain-worker-bench genesis')), {
    initialShareBits: EASIEST_BITS,
    maxShareBits: EASIEST_BITS,
    shareIntervalMs: 200,
    asertHalfLifeMs: 60_000,
    maxWindowShares: n,
  });
  const tips = new CoinTips();
  const coin = { prevHash: sha256d(new TextEncoder().encode('chain-worker-bench coin tip')), height: 101, bits: EASIEST_BITS, reward: 50n * 100_000_000n, mandatedOutputs: [], merkleBranch: [] };
  tips.add(coin.prevHash, { height: coin.height, bits: coin.bits, maxReward: coin.reward });
  const chain = new ShareChain({ params, coin: tips });
  const shares: Uint8Array[] = [];
  let time = Date.now() - n * params.shareIntervalMs;
  for (let i = 0; i < n; i++) {
    time += params.shareIntervalMs;
    const script = new Uint8Array(22);
    script[1] = 0x14;
    script[2] = i % PAYEES;
    const extranonce = new Uint8Array(8);
    new DataView(extranonce.buffer).setUint32(0, i);
    const job = createChainJob(chain, { payees: [{ script, bp: 10_000 }], coin, time, minerNonce: extranonce });
    const scriptSig = shareScriptSig(coin.height, extranonce);
    const merkleRoot = job.merkleRoot(job.coinbase(scriptSig));
    for (let nonce = 0; ; nonce++) {
      const header = serializeHeader({ version: 0x20000000, prevHash: coin.prevHash, merkleRoot, time: Math.floor(time / 1000), bits: coin.bits, nonce });
      if (hashToBigInt(sha256d(header)) > job.target) continue;
      const share = job.encode(header, scriptSig);
      const r = chain.add(share);
      if (r.kind !== 'accepted') throw new Error(`mined share ${i} was not accepted: ${r.kind}`);
      shares.push(share);
      break;
    }
  }
  return { params: encodePoolParams(params), poolId: poolIdHex(params), shares };
}

/** The page's chain worker and a driver page, bundled for the browser (ES modules, as Vite ships them). */
async function bundles(): Promise<{ worker: string; driver: string }> {
  const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false } as const;
  const worker = await build({ ...common, entryPoints: [join(ROOT, 'apps', 'web', 'src', 'p2p', 'chain-worker.ts')] });
  const driver = await build({
    ...common,
    stdin: {
      resolveDir: HERE,
      contents: `
        import * as Comlink from 'comlink';
        const fresh = async (params, poolId) => {
          const worker = new Worker('/chain-worker.js', { type: 'module' });
          const api = Comlink.wrap(worker);
          await api.open(params, poolId);
          return { api, worker };
        };
        globalThis.runMode = async (mode, params, poolId, shares, batchSize) => {
          const { api, worker } = await fresh(params, poolId);
          globalThis.keptWorker?.terminate();
          const t0 = performance.now();
          let accepted = 0;
          if (mode === 'restore') accepted = (await api.restore(shares)).restored;
          else for (let b = 0; b < shares.length; b += batchSize) {
            const batch = shares.slice(b, b + batchSize);
            if (mode === 'batch') accepted += (await api.receiveBatch(batch, 'sync')).filter((v) => v.verdict.result === 'accepted').length;
            else for (const s of batch) if ((await api.receive(s, 'sync', b === 0)).verdict.result === 'accepted') accepted++;
          }
          const ms = performance.now() - t0;
          globalThis.keptWorker = worker;
          return { ms, accepted };
        };
      `,
    },
  });
  return { worker: worker.outputFiles[0]!.text, driver: driver.outputFiles[0]!.text };
}

async function workerHeapMb(page: import('@playwright/test').Page): Promise<number | undefined> {
  const cdp = await page.context().browser()!.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
    const t = targetInfos.find((x) => x.type === 'worker' && x.url.endsWith('/chain-worker.js'));
    if (!t) return undefined;
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })) as { sessionId: string };
    return await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 5000);
      cdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
        const m = JSON.parse(e.message) as { id?: number; result?: { usedSize: number } };
        if (e.sessionId !== sessionId) return;
        if (m.id === 1) void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 2, method: 'Runtime.getHeapUsage' }) });
        if (m.id === 2) {
          clearTimeout(timer);
          resolve(m.result ? Math.round((m.result.usedSize / 1024 / 1024) * 10) / 10 : undefined);
        }
      });
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }) });
    });
  } finally {
    await cdp.detach();
  }
}

const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100);
log(`mining a window of ${WINDOW} shares (${PAYEES} payees in turn)`);
const window = mineWindow(WINDOW);
const code = await bundles();
const browser = await chromium.launch({ executablePath: CHROMIUM });
const rows: { mode: string; ms: number; accepted: number }[] = [];
let heapMb: number | undefined;
try {
  const page = await browser.newPage();
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/chain-worker.js') return route.fulfill({ contentType: 'text/javascript', body: code.worker });
    if (path === '/driver.js') return route.fulfill({ contentType: 'text/javascript', body: code.driver });
    return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>chain worker bench</title><script type="module" src="/driver.js"></script>' });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => typeof (globalThis as { runMode?: unknown }).runMode === 'function');
  const args = { params: [...window.params], poolId: window.poolId, shares: window.shares.map((s) => [...s]), batch: PAGE_SYNC_BATCH_SHARES };
  for (const mode of ['per-share', 'batch', 'restore'] as const) {
    log(`${mode}: judging ${WINDOW} shares in the chain worker`);
    const r = await page.evaluate(
      ({ mode, a }) => {
        const g = globalThis as unknown as { runMode(m: string, p: Uint8Array, id: string, s: Uint8Array[], b: number): Promise<{ ms: number; accepted: number }> };
        return g.runMode(mode, Uint8Array.from(a.params), a.poolId, a.shares.map((s) => Uint8Array.from(s)), a.batch);
      },
      { mode, a: args },
    );
    if (r.accepted !== WINDOW) throw new Error(`${mode}: ${r.accepted} of ${WINDOW} shares accepted`);
    rows.push({ mode, ...r });
  }
  heapMb = await workerHeapMb(page);
} finally {
  await browser.close();
}

const base = rows[0]!.ms;
const report = {
  bench: 'chain-worker',
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, loadAtStart, load: loadavg().map((x) => Math.round(x * 100) / 100) },
  windowShares: WINDOW,
  batchShares: PAGE_SYNC_BATCH_SHARES,
  modes: rows.map((r) => ({ mode: r.mode, ms: Math.round(r.ms), usPerShare: Math.round((r.ms / WINDOW) * 1000), vsPerShare: Math.round((base / r.ms) * 100) / 100 })),
  workerHeapWithWindowMb: heapMb,
};
process.stdout.write(`\nchain worker in Chromium — ${WINDOW} shares, sync batches of ${PAGE_SYNC_BATCH_SHARES}; load ${loadAtStart.join(' ')} at start, ${report.machine.load.join(' ')} at end\n`);
const label = { 'per-share': 'one round trip per share (baseline)', batch: 'one round trip per sync batch', restore: 'the whole window in one call (restore)' } as const;
for (const m of report.modes) process.stdout.write(`  ${label[m.mode as keyof typeof label].padEnd(40)} ${String(m.ms).padStart(7)} ms  ${String(m.usPerShare).padStart(5)} µs/share  ${m.vsPerShare.toFixed(2)}x\n`);
process.stdout.write(`  chain worker JS heap holding the window: ${heapMb ?? '?'} MB\n`);
mkdirSync(RESULTS, { recursive: true });
const out = join(RESULTS, `chain-worker-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
process.stdout.write(`  results: ${relative(process.cwd(), out)}\n`);
