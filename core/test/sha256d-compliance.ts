/**
 * The one SHA-256d compliance suite every engine runs: JS reference, WASM scalar, WASM SIMD and
 * WebGPU (in Node through Dawn and in Chromium on both software adapters).
 *
 * Framework-free on purpose: `sha256dComplianceCases()` returns named cases that throw on
 * failure, so Vitest (see sha256d-compliance.vitest.ts) and a browser harness page run the
 * very same code. Expectations come from published vectors (core/test/vectors/sha256d.json)
 * and from a reference hash function (node:crypto in Node, core's sha256d in browsers).
 */
import vectorsFile from './vectors/sha256d.json' with { type: 'json' };
import {
  bitsToTarget,
  bytesToHex,
  hashToBigInt,
  hexToBytes,
  MAX_TARGET,
  NONCE_SPACE,
  sha256d,
  withNonce,
  type NonceSearchEngine,
  type SearchResult,
  type Sha256dSearchJob,
} from '../src/index.ts';

export interface ComplianceCase {
  readonly name: string;
  run(engine: NonceSearchEngine): Promise<void>;
}

export interface ComplianceOptions {
  /** Nonces per differential range (default 4096; use less on slow adapters). */
  rangeSize?: number;
  /** Random headers in the differential test (default 4). */
  randomHeaders?: number;
  /** Reference SHA-256d (default core's; Node passes node:crypto). */
  reference?: (data: Uint8Array) => Uint8Array;
  /** Seed of the deterministic random generator (default fixed; failures print it). */
  seed?: number;
}

interface HeaderVector {
  name: string;
  header_hex: string;
  fields: { nonce: number; nbits: string };
  expected_hash_internal_hex: string;
}

interface StratumVector {
  name: string;
  expected_header_hex?: string;
  expected_hash_display_hex?: string;
  /** ESP-Miner's merkle vectors: the coinbase (whole, or coinb1 | extranonce1 | extranonce2 | coinb2), the branch, the root. */
  coinbase_tx_hex?: string;
  expected_coinbase_tx_hex?: string;
  coinb1?: string;
  extranonce1?: string;
  extranonce2?: string;
  coinb2?: string;
  merkle_branch?: string[];
  expected_merkle_root_hex?: string;
}

export class ComplianceFailure extends Error {
  override readonly name = 'ComplianceFailure';
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new ComplianceFailure(message);
}

/** xorshift32: deterministic, seedable, good enough to pick headers and offsets. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomHeader(next: () => number): Uint8Array {
  const h = new Uint8Array(80);
  for (let i = 0; i < 80; i++) h[i] = next() & 0xff;
  return h;
}

/** Every nonce of [start, start+count) with its reference hash value, sorted by value. */
function referenceHashes(
  reference: (d: Uint8Array) => Uint8Array,
  header: Uint8Array,
  start: number,
  count: number,
): { nonce: number; hash: Uint8Array; value: bigint }[] {
  const out = [];
  for (let i = 0; i < count; i++) {
    const nonce = start + i;
    const hash = reference(withNonce(header, nonce));
    out.push({ nonce, hash, value: hashToBigInt(hash) });
  }
  out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return out;
}

function expectHits(result: SearchResult, expected: { nonce: number; hash: Uint8Array }[], what: string): void {
  const want = [...expected].sort((a, b) => a.nonce - b.nonce);
  const got = result.hits.map((h) => h.nonce);
  check(
    got.length === want.length && got.every((n, i) => n === want[i]!.nonce),
    `${what}: expected hits at nonces [${want.map((w) => w.nonce).join(', ')}], got [${got.join(', ')}]`,
  );
  result.hits.forEach((h, i) => {
    check(bytesToHex(h.hash) === bytesToHex(want[i]!.hash), `${what}: hash of nonce ${h.nonce} is ${bytesToHex(h.hash)}, expected ${bytesToHex(want[i]!.hash)}`);
  });
  check(!result.truncated, `${what}: result marked truncated`);
}

async function expectError(p: () => Promise<unknown>, errorName: string, what: string): Promise<void> {
  try {
    await p();
  } catch (err) {
    const name = (err as { name?: string }).name;
    check(name === errorName, `${what}: expected ${errorName}, got ${name}: ${(err as Error).message}`);
    check(typeof (err as { reason?: unknown }).reason === 'string', `${what}: error has no reason`);
    return;
  }
  throw new ComplianceFailure(`${what}: expected ${errorName}, but the search succeeded`);
}

export function sha256dComplianceCases(options: ComplianceOptions = {}): ComplianceCase[] {
  const rangeSize = options.rangeSize ?? 4096;
  const randomHeaders = options.randomHeaders ?? 4;
  const reference = options.reference ?? sha256d;
  const seed = options.seed ?? 0x07ed_a4a;
  const headerVectors = (vectorsFile as unknown as { vectors: HeaderVector[] }).vectors;
  const stratumVectors = (vectorsFile as unknown as { stratum_v1_vectors: StratumVector[] }).stratum_v1_vectors;
  const cases: ComplianceCase[] = [];

  for (const v of headerVectors) {
    cases.push({
      name: `published block header ${v.name}: finds the real nonce with the real hash`,
      async run(engine) {
        const header = hexToBytes(v.header_hex, 80);
        const target = bitsToTarget(parseInt(v.fields.nbits, 16));
        const nonce = v.fields.nonce;
        const start = Math.max(0, nonce - 37);
        const count = Math.min(NONCE_SPACE - start, 75);
        const result = await engine.search({ header, target }, start, count);
        check(result.tried === count, `tried ${result.tried}, expected ${count}`);
        check(result.hits.length === 1, `expected exactly one hit, got ${result.hits.length}`);
        check(result.hits[0]!.nonce === nonce, `hit at nonce ${result.hits[0]!.nonce}, expected ${nonce}`);
        check(bytesToHex(result.hits[0]!.hash) === v.expected_hash_internal_hex, `hash ${bytesToHex(result.hits[0]!.hash)}, expected ${v.expected_hash_internal_hex}`);
      },
    });
  }

  for (const v of stratumVectors) {
    if (!v.expected_header_hex || !v.expected_hash_display_hex) continue;
    cases.push({
      name: `published Stratum job ${v.name}: the rebuilt header hits at its nonce`,
      async run(engine) {
        const full = hexToBytes(v.expected_header_hex!, 80);
        const nonce = (full[76]! | (full[77]! << 8) | (full[78]! << 16) | (full[79]! << 24)) >>> 0;
        const target = bitsToTarget((full[72]! | (full[73]! << 8) | (full[74]! << 16) | (full[75]! << 24)) >>> 0);
        const start = Math.max(0, nonce - 10);
        const result = await engine.search({ header: full, target }, start, 21);
        check(result.hits.length === 1 && result.hits[0]!.nonce === nonce, `expected one hit at ${nonce}, got [${result.hits.map((h) => h.nonce).join(', ')}]`);
        const display = bytesToHex(result.hits[0]!.hash.slice().reverse());
        check(display === v.expected_hash_display_hex, `display hash ${display}, expected ${v.expected_hash_display_hex}`);
      },
    });
  }

  cases.push({
    name: `random differential against the reference (${randomHeaders} headers x ${rangeSize} nonces)`,
    async run(engine) {
      const next = rng(seed);
      for (let r = 0; r < randomHeaders; r++) {
        const header = randomHeader(next);
        const start = next() % (NONCE_SPACE - rangeSize);
        const all = referenceHashes(reference, header, start, rangeSize);
        const k = 1 + (next() % 5); // 1..5 expected hits
        const target = all[k - 1]!.value;
        const result = await engine.search({ header, target }, start, rangeSize);
        check(result.tried === rangeSize, `header ${r}: tried ${result.tried}, expected ${rangeSize}`);
        expectHits(result, all.filter((h) => h.value <= target), `header ${r} (seed ${seed})`);
      }
    },
  });

  cases.push({
    name: 'a hash exactly equal to the target is a hit; target - 1 misses it',
    async run(engine) {
      const header = randomHeader(rng(seed ^ 0x5a5a5a5a));
      const start = 1_000_000;
      const count = Math.min(rangeSize, 1024);
      const all = referenceHashes(reference, header, start, count);
      const best = all[0]!;
      const equal = await engine.search({ header, target: best.value }, start, count);
      expectHits(equal, [best], 'target == hash');
      const below = await engine.search({ header, target: best.value - 1n }, start, count);
      expectHits(below, [], 'target == hash - 1');
    },
  });

  cases.push({
    name: 'no hits: a hard target over a whole range returns none and counts every nonce',
    async run(engine) {
      const header = randomHeader(rng(seed ^ 0x1234));
      const result = await engine.search({ header, target: 1n }, 0, rangeSize);
      check(result.hits.length === 0, `expected no hits, got ${result.hits.length}`);
      check(result.tried === rangeSize, `tried ${result.tried}, expected ${rangeSize}`);
      check(!result.truncated, 'marked truncated');
    },
  });

  cases.push({
    name: 'the top of the nonce space: [2^32 - n, 2^32) is searched without wrapping',
    async run(engine) {
      const header = randomHeader(rng(seed ^ 0xffff));
      const count = Math.min(rangeSize, 2048);
      const start = NONCE_SPACE - count;
      const all = referenceHashes(reference, header, start, count);
      const target = all[2]!.value;
      const result = await engine.search({ header, target }, start, count);
      expectHits(result, all.slice(0, 3), 'top of nonce space');
      check(result.hits.some((h) => h.nonce >= 0x8000_0000), 'hits are reported as unsigned u32 nonces');
    },
  });

  cases.push({
    name: 'ranges that cross 2^32 are rejected with NonceRangeError (no wrap)',
    async run(engine) {
      const job: Sha256dSearchJob = { header: new Uint8Array(80), target: MAX_TARGET };
      await expectError(() => engine.search(job, NONCE_SPACE - 3, 10), 'NonceRangeError', 'range crossing 2^32');
      await expectError(() => engine.search(job, NONCE_SPACE, 1), 'NonceRangeError', 'start at 2^32');
    },
  });

  cases.push({
    name: 'bad arguments: empty or inverted range, zero target, short header',
    async run(engine) {
      const job: Sha256dSearchJob = { header: new Uint8Array(80), target: MAX_TARGET };
      await expectError(() => engine.search(job, 5, 0), 'NonceRangeError', 'empty range');
      await expectError(() => engine.search(job, 5, -4), 'NonceRangeError', 'inverted range');
      await expectError(() => engine.search(job, 1.5, 4), 'NonceRangeError', 'fractional start');
      await expectError(() => engine.search({ ...job, target: 0n }, 0, 4), 'InvalidTargetError', 'zero target');
      await expectError(() => engine.search({ ...job, target: 1n << 256n }, 0, 4), 'InvalidTargetError', 'target 2^256');
      await expectError(() => engine.search({ ...job, header: new Uint8Array(79) }, 0, 4), 'InvalidHeaderError', '79-byte header');
    },
  });

  cases.push({
    name: 'the easiest target hits every nonce; maxHits caps the report and sets truncated',
    async run(engine) {
      const header = randomHeader(rng(seed ^ 0xabc));
      const all = await engine.search({ header, target: MAX_TARGET }, 100, 64);
      check(all.hits.length === 64 && !all.truncated, `expected 64 hits untruncated, got ${all.hits.length} truncated=${all.truncated}`);
      check(all.hits.every((h, i) => h.nonce === 100 + i), 'hits must be ascending by nonce');
      check(bytesToHex(all.hits[7]!.hash) === bytesToHex(reference(withNonce(header, 107))), 'hash of nonce 107 differs from the reference');
      const capped = await engine.search({ header, target: MAX_TARGET }, 100, 64, { maxHits: 5 });
      check(capped.hits.length === 5 && capped.truncated, `expected 5 hits and truncated, got ${capped.hits.length} truncated=${capped.truncated}`);
    },
  });

  cases.push({
    name: 'switching jobs back and forth gives the same answers (no stale midstate)',
    async run(engine) {
      const next = rng(seed ^ 0x777);
      const a = randomHeader(next);
      const b = randomHeader(next);
      const count = Math.min(rangeSize, 512);
      const ha = referenceHashes(reference, a, 0, count);
      const hb = referenceHashes(reference, b, 0, count);
      const ta = ha[1]!.value;
      const tb = hb[1]!.value;
      expectHits(await engine.search({ header: a, target: ta }, 0, count), ha.slice(0, 2), 'job A');
      expectHits(await engine.search({ header: b, target: tb }, 0, count), hb.slice(0, 2), 'job B');
      expectHits(await engine.search({ header: a, target: ta }, 0, count), ha.slice(0, 2), 'job A again');
    },
  });

  return cases;
}

/** A SHA-256d function (validators' hashers: core's sha256d, createSha256dHasher, node:crypto, ...). */
export type Sha256dFunction = (data: Uint8Array) => Uint8Array;

/**
 * The compliance cases for a SHA-256d *function* (what ShareChain and ShareValidator take as
 * `sha256d`/`pow`, where the search engines above take a NonceSearchEngine): the same published
 * vectors (core/test/vectors/sha256d.json) as the engines, as whole messages: the block headers'
 * hashes, the Stratum jobs' rebuilt headers, and ESP-Miner's coinbases folded up their merkle
 * branches (5 and 12 levels: the validator's merkle path); then every length 0..300 against the
 * reference (each padding boundary), and results that stay right when the function reuses its
 * output buffer (a caller copies before the next call).
 */
export function sha256dFunctionComplianceCases(reference: Sha256dFunction = sha256d): { readonly name: string; run(hash: Sha256dFunction): void }[] {
  const headerVectors = (vectorsFile as unknown as { vectors: HeaderVector[] }).vectors;
  const stratumVectors = (vectorsFile as unknown as { stratum_v1_vectors: StratumVector[] }).stratum_v1_vectors;
  const cases: { readonly name: string; run(hash: Sha256dFunction): void }[] = [];
  for (const v of headerVectors) {
    cases.push({
      name: `published block header ${v.name}: its hash`,
      run(hash) {
        const got = bytesToHex(hash(hexToBytes(v.header_hex, 80)));
        check(got === v.expected_hash_internal_hex, `hash ${got}, expected ${v.expected_hash_internal_hex}`);
      },
    });
  }
  for (const v of stratumVectors) {
    if (v.expected_header_hex && v.expected_hash_display_hex) {
      cases.push({
        name: `published Stratum job ${v.name}: the rebuilt header's hash`,
        run(hash) {
          const display = bytesToHex(hash(hexToBytes(v.expected_header_hex!, 80)).slice().reverse());
          check(display === v.expected_hash_display_hex, `display hash ${display}, expected ${v.expected_hash_display_hex}`);
        },
      });
    }
    if (v.merkle_branch && v.expected_merkle_root_hex) {
      const coinbaseHex = v.coinbase_tx_hex ?? `${v.coinb1}${v.extranonce1}${v.extranonce2}${v.coinb2}`;
      cases.push({
        name: `published Stratum merkle ${v.name}: the coinbase folded up ${v.merkle_branch.length} levels`,
        run(hash) {
          if (v.expected_coinbase_tx_hex) check(coinbaseHex === v.expected_coinbase_tx_hex, 'the assembled coinbase is not the published one');
          const pair = new Uint8Array(64);
          pair.set(hash(hexToBytes(coinbaseHex)), 0);
          for (const level of v.merkle_branch!) {
            pair.set(hexToBytes(level, 32), 32);
            pair.set(hash(pair), 0);
          }
          const root = bytesToHex(pair.subarray(0, 32));
          check(root === v.expected_merkle_root_hex, `merkle root ${root}, expected ${v.expected_merkle_root_hex}`);
        },
      });
    }
  }
  cases.push({
    name: 'every length 0..300 agrees with the reference (each padding boundary)',
    run(hash) {
      for (let len = 0; len <= 300; len++) {
        const data = new Uint8Array(len).map((_, i) => (i * 131 + len * 7) & 0xff);
        const got = bytesToHex(hash(data));
        const want = bytesToHex(reference(data));
        check(got === want, `length ${len}: ${got}, expected ${want}`);
      }
    },
  });
  cases.push({
    name: 'a result copied before the next call stays right (functions may reuse their output buffer)',
    run(hash) {
      const a = hash(new Uint8Array([1])).slice();
      hash(new Uint8Array([2]));
      check(bytesToHex(a) === bytesToHex(reference(new Uint8Array([1]))), 'the first result changed its value');
    },
  });
  return cases;
}
