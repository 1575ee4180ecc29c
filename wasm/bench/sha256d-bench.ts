/**
 * Single-thread SHA-256d search speed: the WASM kernels (scalar, SIMD) beside two baselines
 * measured in the same run on the same headers: hash-wasm's SHA-256 applied twice and
 * node:crypto's (OpenSSL) applied twice. For the kernels' own optimisation loop; the project's
 * benchmark proper is `otedama mining benchmark`.
 *
 *   npx tsx wasm/bench/sha256d-bench.ts [--seconds=S] [--rounds=R]
 *
 * Each searcher first runs ~1 s to let V8 tier the kernel up, then the searchers take turns
 * for R rounds of S/R seconds each; the table shows the median and the best round.
 */
import { hash } from 'node:crypto';
import { cpus } from 'node:os';
import { createSHA256 } from 'hash-wasm';
import { MAX_TARGET } from '@otedama/core';
import { Sha256dWasmSearcher } from '../src/index.ts';

interface Contender {
  readonly name: string;
  /** Hashes `count` nonces from `start` against TARGET; returns how many hit. */
  run(start: number, count: number): number;
}

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
};
const SECONDS = arg('seconds', 10);
const ROUNDS = arg('rounds', 10);
const WARMUP_MS = 1000;

/** A fixed, arbitrary header; its first 76 bytes stay the same for every contender. */
const HEADER = Uint8Array.from({ length: 80 }, (_, i) => (i * 37 + 11) & 0xff);
/** 2^224 - 1, about difficulty 1: an ordinary share target, so hits are rare. */
const TARGET = MAX_TARGET >> 32n;
/** The baselines' test against TARGET: the hash's top 4 bytes (internal order 28..31) are zero. */
const meetsTarget = (h: Uint8Array): boolean => h[31] === 0 && h[30] === 0 && h[29] === 0 && h[28] === 0;

async function wasmContender(simd: boolean): Promise<Contender> {
  const searcher = await Sha256dWasmSearcher.create({ simd });
  searcher.setJob(HEADER, TARGET);
  return { name: `${searcher.engine} (this package)`, run: (start, count) => searcher.search(start, count, 16).found };
}

async function hashWasmContender(): Promise<Contender> {
  const hasher = await createSHA256();
  const header = HEADER.slice();
  const view = new DataView(header.buffer);
  return {
    name: 'hash-wasm sha256 x2',
    run(start, count) {
      let hits = 0;
      for (let i = 0; i < count; i++) {
        view.setUint32(76, start + i, true);
        hasher.init();
        hasher.update(header);
        const once = hasher.digest('binary');
        hasher.init();
        hasher.update(once);
        if (meetsTarget(hasher.digest('binary'))) hits++;
      }
      return hits;
    },
  };
}

function nodeCryptoContender(): Contender {
  const header = Buffer.from(HEADER);
  return {
    name: 'node:crypto sha256 x2',
    run(start, count) {
      let hits = 0;
      for (let i = 0; i < count; i++) {
        header.writeUInt32LE(start + i, 76);
        if (meetsTarget(hash('sha256', hash('sha256', header, 'buffer'), 'buffer'))) hits++;
      }
      return hits;
    },
  };
}

let hitsSeen = 0;

/** Runs `contender` for about `ms` milliseconds; returns MH/s. */
function measure(contender: Contender, ms: number, slice: number): number {
  let nonces = 0;
  let start = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    hitsSeen += contender.run(start, slice);
    nonces += slice;
    start = (start + slice) % 0xf000_0000;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return nonces / elapsed / 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const contenders = [await wasmContender(true), await wasmContender(false), await hashWasmContender(), nodeCryptoContender()];
// Kernel calls of 64 Ki nonces, like a worker's batch; the JS loops get smaller slices.
const sliceOf = (c: Contender): number => (c.name.startsWith('wasm') ? 1 << 16 : 1 << 12);

for (const c of contenders) measure(c, WARMUP_MS, sliceOf(c));
const rates = new Map(contenders.map((c) => [c.name, [] as number[]]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of contenders) rates.get(c.name)!.push(measure(c, (SECONDS * 1000) / ROUNDS / contenders.length, sliceOf(c)));
}

const baseline = median(rates.get('hash-wasm sha256 x2')!);
console.log(`SHA-256d nonce search, one thread, Node ${process.versions.node}, ${cpus()[0]?.model ?? 'unknown CPU'}`);
console.log(`${'searcher'.padEnd(26)}${'MH/s median'.padStart(12)}${'best'.padStart(8)}${'x hash-wasm'.padStart(13)}`);
for (const c of contenders) {
  const r = rates.get(c.name)!;
  const m = median(r);
  console.log(`${c.name.padEnd(26)}${m.toFixed(2).padStart(12)}${Math.max(...r).toFixed(2).padStart(8)}${(m / baseline).toFixed(1).padStart(13)}`);
}
console.log(`(${hitsSeen} hits at difficulty 1 in the whole run, as expected about one per 4.3 G nonces)`);
