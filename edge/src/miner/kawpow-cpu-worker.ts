/**
 * The body of one KawPow CPU hashing thread (started through kawpow-cpu-worker.mjs): it holds
 * the current epoch's light cache in its own WASM instance (the bytes the main thread sends),
 * hashes its nonce range one nonce at a time by light evaluation (a few milliseconds each),
 * posts nonces whose final hash meets the target, and between chunks of about CHUNK_TARGET_MS
 * adds its count to the shared counter and yields, so a new job, a pause or a stop takes effect
 * within one chunk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { kawpowEpoch, kawpowHashValue } from '@otedama/core';
import { KawpowContext } from '@otedama/wasm';
import type { FromHashThread, ToHashThread } from './hash-thread-protocol.ts';
import type { KawpowCpuHit, KawpowCpuThreadData, KawpowCpuWork, KawpowEpochMessage } from './kawpow-cpu-protocol.ts';

/** Wall time one chunk should take: short enough to switch jobs fast. */
const CHUNK_TARGET_MS = 40;
/** Hashes per chunk at most (light evaluation is milliseconds each: a handful fill a chunk). */
const MAX_CHUNK = 64;

const port = parentPort!;
const data = workerData as KawpowCpuThreadData;
const counters = new BigInt64Array(data.counters);
const post = (msg: FromHashThread<KawpowCpuHit>) => port.postMessage(msg);

let context: KawpowContext | null = null;
let work: KawpowCpuWork | null = null;
let cursor = 0n;
let stopped = false;
let wakeUp: (() => void) | null = null;

port.on('message', (msg: ToHashThread<KawpowCpuWork> | KawpowEpochMessage) => {
  switch (msg.type) {
    case 'epoch':
      try {
        context = null; // the previous epoch's instance goes before the next one grows
        const next = KawpowContext.create(data.module, msg.epoch);
        next.adoptLightCache(msg.lightCache);
        context = next;
      } catch (err) {
        post({ type: 'error', message: `epoch ${msg.epoch}: ${(err as { reason?: string }).reason ?? (err as Error).message}` });
      }
      break;
    case 'work':
      work = msg.work;
      cursor = msg.work.start;
      break;
    case 'idle':
      work = null;
      break;
    case 'stop':
      stopped = true;
      break;
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

async function run(): Promise<void> {
  let chunk = 1;
  while (!stopped) {
    const w = work;
    const ctx = context;
    if (!w || cursor >= w.end || !ctx) {
      await nextMessage();
      continue;
    }
    if (kawpowEpoch(w.height) !== ctx.epoch) {
      // Work of an epoch whose light cache has not arrived: wait for the epoch message.
      await nextMessage();
      continue;
    }
    const t0 = performance.now();
    let done = 0;
    try {
      for (; done < chunk && cursor < w.end; done++, cursor++) {
        const r = ctx.hash(w.headerHash, cursor, w.height, w.datasetItems);
        if (kawpowHashValue(r.finalHash) <= w.target) post({ type: 'hit', workId: w.workId, hit: { nonce: cursor, mixHash: r.mixHash, finalHash: r.finalHash } });
      }
    } catch (err) {
      post({ type: 'error', message: (err as { reason?: string }).reason ?? (err as Error).message });
      work = null;
    }
    const ms = performance.now() - t0;
    Atomics.add(counters, data.slot, BigInt(done));
    if (work === w && cursor >= w.end) post({ type: 'done', workId: w.workId });
    if (done === chunk) {
      if (ms < CHUNK_TARGET_MS / 2) chunk = Math.min(MAX_CHUNK, chunk * 2);
      else if (ms > CHUNK_TARGET_MS * 2) chunk = Math.max(1, Math.floor(chunk / 2));
    }
    await nextTurn();
  }
}

post({ type: 'ready' });
await run();
port.close();
