/**
 * The body of one CPU hashing thread (started through cpu-worker.mjs). It searches its
 * assigned nonce range in chunks sized to about CHUNK_TARGET_MS each, adds every chunk to its
 * shared hash counter, posts hits, and between chunks yields to the event loop so that a new
 * job, a pause or a stop takes effect within one chunk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createCpuSearcher, type CpuSearcher } from './cpu-searcher.ts';
import type { CpuWork, CpuWorkerData, FromWorker, ToWorker } from './cpu-worker-protocol.ts';

/** Wall time one search call should take: short enough to switch jobs fast, long enough to amortise the call. */
const CHUNK_TARGET_MS = 40;
const MIN_CHUNK = 256;
const MAX_CHUNK = 1 << 24;
/** Hits reported per chunk at most (a target that easy is a misconfiguration). */
const MAX_HITS_PER_CHUNK = 64;

const port = parentPort!;
const data = workerData as CpuWorkerData;
const counters = new BigInt64Array(data.counters);
const post = (msg: FromWorker) => port.postMessage(msg);

let work: CpuWork | null = null;
let cursor = 0;
let stopped = false;
let wakeUp: (() => void) | null = null;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'work') {
    work = msg.work;
    cursor = msg.work.start;
  } else if (msg.type === 'idle') {
    work = null;
  } else if (msg.type === 'stop') {
    stopped = true;
  }
  wakeUp?.();
});

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const nextMessage = () =>
  new Promise<void>((resolve) => {
    wakeUp = () => {
      wakeUp = null;
      resolve();
    };
  });

async function run(searcher: CpuSearcher): Promise<void> {
  let chunk = 4096;
  let currentId = -1;
  while (!stopped) {
    const w = work;
    if (!w || cursor >= w.end) {
      await nextMessage();
      continue;
    }
    if (w.workId !== currentId) {
      searcher.setJob(w.header, w.target);
      currentId = w.workId;
    }
    const count = Math.min(chunk, w.end - cursor);
    const t0 = performance.now();
    const hits = await searcher.search(cursor, count, MAX_HITS_PER_CHUNK);
    const ms = performance.now() - t0;
    Atomics.add(counters, data.slot, BigInt(count));
    for (const nonce of hits) post({ type: 'hit', workId: w.workId, hit: nonce });
    if (work === w) {
      cursor += count;
      if (cursor >= w.end) post({ type: 'done', workId: w.workId });
    }
    // Adapt the chunk so one call takes about CHUNK_TARGET_MS.
    if (count === chunk) {
      if (ms < CHUNK_TARGET_MS / 2) chunk = Math.min(MAX_CHUNK, chunk * 2);
      else if (ms > CHUNK_TARGET_MS * 2) chunk = Math.max(MIN_CHUNK, Math.floor(chunk / 2));
    }
    await nextTurn();
  }
}

try {
  const searcher = await createCpuSearcher(data.kind, data.wasmModule ? { wasmModule: data.wasmModule } : {});
  post({ type: 'ready' });
  await run(searcher);
  searcher.dispose();
} catch (err) {
  post({ type: 'error', message: (err as Error)?.message ?? String(err) });
}
port.close();
