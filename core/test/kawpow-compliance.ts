/**
 * The one KawPow compliance suite every engine runs: core's TypeScript reference, the WASM
 * builds (scalar and SIMD), the validator, and the WebGPU engine, in Node and in Chromium.
 *
 * Framework-free on purpose (like sha256d-compliance.ts): `kawpowComplianceCases(subject)`
 * returns named cases that throw on failure, so Vitest (kawpow-compliance.vitest.ts) and a
 * browser harness page run the very same code. A subject offers what it has; the suite builds
 * cases for those groups only:
 *
 *   primitives  keccak-f800, the seed words, the final hash from a mix, the lanes' initial
 *               registers, random math, KISS99: the published step-by-step traces
 *   generator   what core computes for every engine: epoch sizes, seed hashes, the period
 *               programs' shuffled register sequences
 *   epochs      an engine's light caches and DAG: the published light-cache checksums, the
 *               first words of epoch 0's L1 cache, dataset items for the reduced-dataset check
 *   hasher      hash and verify (core's KawpowHasher): every published vector, the
 *               reduced-dataset self-consistency check, and bad input
 *
 * Expectations come from the published vectors (core/test/vectors/kawpow.json and
 * keccak_f800_progpow_intermediate.json) and, for the reduced dataset, from core's TypeScript
 * ProgPoW run over the engine's own dataset items (two implementations of the program).
 */
import {
  bytesToHex,
  hexToBytes,
  kawpowHashWithDag,
  kawpowHashValue,
  kawpowPeriod,
  keccak256,
  KAWPOW_MAX_HEIGHT,
  KAWPOW_MAX_NONCE,
  PROGPOW_DAG_ITEM_BYTES,
  progpowProgram,
  type KawpowHasher,
  type Kiss99State,
} from '../src/index.ts';
import {
  hexWords,
  kawpowTraces,
  kawpowVectors,
  keccakF800Vector,
  kiss99Vector,
  parseKissLine,
  randomMathVector,
  type KawpowTraceVector,
} from './kawpow-vectors.ts';

type MaybePromise<T> = T | Promise<T>;

/** The inner functions of an engine, checked one step at a time against the traces. */
export interface KawpowPrimitives {
  keccakF800(state: Uint32Array): MaybePromise<Uint32Array>;
  /** The 8 words after the first keccak-f800 of (header hash, nonce). */
  seedWords(headerHash: Uint8Array, nonce: bigint): MaybePromise<Uint32Array>;
  /** The final hash from a submitted mix hash (no DAG). */
  finalHashFromMix(headerHash: Uint8Array, nonce: bigint, mixHash: Uint8Array): MaybePromise<Uint8Array>;
  /** The lanes' initial registers, 16 × 32 words, lane-major. */
  initMix(seed0: number, seed1: number): MaybePromise<Uint32Array>;
  randomMath(a: number, b: number, selector: number): MaybePromise<number>;
  kiss99(state: Kiss99State, count: number): MaybePromise<number[]>;
}

/** What core generates for every engine (only core's reference subject offers it). */
export interface KawpowGenerator {
  lightCacheBytes(epoch: number): number;
  datasetBytes(epoch: number): number;
  seedHash(epoch: number): Uint8Array;
  /** The destination and source register sequences and the KISS99 state a period's program is drawn with. */
  programDraws(period: number): { dstSeq: readonly number[]; srcSeq: readonly number[]; kiss: Kiss99State };
}

/** An engine's epoch data (built light caches, dataset items). */
export interface KawpowEpochs {
  lightCacheBytes(epoch: number): Promise<number>;
  lightCacheChecksum(epoch: number): Promise<Uint8Array>;
  l1Cache(epoch: number): Promise<Uint32Array>;
  /** 2048-bit items [first, first + count), 256 bytes each. */
  datasetItems2048(epoch: number, first: number, count: number): Promise<Uint8Array>;
}

export interface KawpowComplianceSubject {
  readonly name: string;
  readonly primitives?: KawpowPrimitives;
  readonly generator?: KawpowGenerator;
  readonly epochs?: KawpowEpochs;
  readonly hasher?: KawpowHasher;
}

export interface KawpowComplianceOptions {
  /** Epochs whose published light-cache checksum to check (default [0]; each costs a light-cache build). */
  readonly checksumEpochs?: readonly number[];
  /** Dataset size (1024-bit items) of the reduced-dataset check (default 4096: 2048 items of 2048 bits, 512 KiB). */
  readonly reducedDatasetItems?: number;
  /** Random (header hash, nonce) pairs of the reduced-dataset check (default 3). */
  readonly randomNonces?: number;
  /** A height the hasher must refuse as beyond its epoch cap (default: none). */
  readonly beyondCapHeight?: number;
  /** Seed of the deterministic random generator (default fixed; failures print it). */
  readonly seed?: number;
}

export interface KawpowComplianceCase {
  readonly name: string;
  run(): Promise<void>;
}

export class KawpowComplianceFailure extends Error {
  override readonly name = 'KawpowComplianceFailure';
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new KawpowComplianceFailure(message);
}

function hexOfWords(words: ArrayLike<number>): string {
  return Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ');
}

function checkWords(got: ArrayLike<number>, want: readonly number[], what: string): void {
  const g = hexOfWords(Array.from(got).slice(0, want.length));
  const w = hexOfWords(want);
  check(got.length >= want.length && g === w, `${what}: got [${g}], expected [${w}]`);
}

function checkHex(got: Uint8Array, want: string, what: string): void {
  check(bytesToHex(got) === want, `${what}: got ${bytesToHex(got)}, expected ${want}`);
}

/** Deterministic test bytes: keccak-256 of (seed, counter), 32 bytes per draw. */
function randomBytes(seed: number, counter: number): Uint8Array {
  const input = new Uint8Array(8);
  new DataView(input.buffer).setUint32(0, seed >>> 0, true);
  new DataView(input.buffer).setUint32(4, counter >>> 0, true);
  return keccak256(input);
}

async function expectError(p: () => Promise<unknown>, errorName: string, what: string): Promise<void> {
  try {
    await p();
  } catch (err) {
    const name = (err as { name?: string }).name;
    check(name === errorName, `${what}: expected ${errorName}, got ${name}: ${(err as Error).message}`);
    check(typeof (err as { reason?: unknown }).reason === 'string' && (err as { reason: string }).reason.length > 0, `${what}: ${name} has no reason`);
    return;
  }
  throw new KawpowComplianceFailure(`${what}: expected ${errorName}, but the call succeeded`);
}

function nonceOf(hex: string): bigint {
  return BigInt('0x' + hex);
}

function primitiveCases(p: KawpowPrimitives): KawpowComplianceCase[] {
  const cases: KawpowComplianceCase[] = [
    {
      name: 'keccak-f800 of the all-zero state (published permutation output)',
      async run() {
        const out = await p.keccakF800(Uint32Array.from(hexWords(keccakF800Vector.input_state_u32)));
        checkWords(out, hexWords(keccakF800Vector.output_state_u32), 'keccak-f800(0)');
      },
    },
    {
      name: 'KISS99 from its reference state: first four outputs and the 100,000th',
      async run() {
        const out = await p.kiss99(kiss99Vector.init, 100_000);
        check(out.length === 100_000, `expected 100000 outputs, got ${out.length}`);
        checkWords(out.slice(0, 4), kiss99Vector.first4, 'KISS99 first four');
        check(out[99_999] === kiss99Vector.output_100000th, `KISS99 100000th output is ${out[99_999]}, expected ${kiss99Vector.output_100000th}`);
      },
    },
    {
      name: 'random math: the published table, one operation per selector',
      async run() {
        for (let i = 0; i < randomMathVector.inputs.length; i++) {
          const [a, b] = randomMathVector.inputs[i]!;
          const got = await p.randomMath(a, b, i);
          check(got === randomMathVector.expected[i], `random_math(${a}, ${b}, selector ${i}) = ${got}, expected ${randomMathVector.expected[i]}`);
        }
      },
    },
  ];
  for (const t of kawpowTraces) cases.push(...traceCases(p, t));
  return cases;
}

function traceCases(p: KawpowPrimitives, t: KawpowTraceVector): KawpowComplianceCase[] {
  const header = hexToBytes(t.header_hash_hex, 32);
  const nonce = nonceOf(t.nonce_u64_hex);
  const mix = hexToBytes(t['step6_expected_mix_hash_hex (upstream)'], 32);
  const finalHex = t['expected_final_hash_hex (upstream; = step8 words serialized little-endian)'];
  return [
    {
      name: `trace ${t.name}: step 1-2, the first keccak-f800 (state before and after)`,
      async run() {
        const out = await p.keccakF800(Uint32Array.from(hexWords(t.step1_initial_keccak_state_u32)));
        checkWords(out, hexWords(t.step2_state_after_one_keccakf800_u32), 'state after the first keccak-f800');
      },
    },
    {
      name: `trace ${t.name}: step 2-3, seed words from header hash and nonce`,
      async run() {
        const seed = await p.seedWords(header, nonce);
        checkWords(seed, hexWords(t.step2_state_after_one_keccakf800_u32).slice(0, 8), 'seed words (state2)');
        checkWords(seed.slice(0, 2), hexWords(t['step3_hash_seed_u32 (state[0], state[1])']), 'hash seed');
      },
    },
    {
      name: `trace ${t.name}: step 5, the lanes' initial registers (lane 0, lane 15)`,
      async run() {
        const [s0, s1] = hexWords(t['step3_hash_seed_u32 (state[0], state[1])']);
        const lanes = await p.initMix(s0!, s1!);
        check(lanes.length === 16 * 32, `initial mix has ${lanes.length} words, expected 512`);
        checkWords(lanes.slice(0, 32), hexWords(t.step5_init_mix_lane0_32regs_u32), 'lane 0 registers');
        checkWords(lanes.slice(15 * 32, 15 * 32 + 4), hexWords(t.step5_init_mix_lane15_first4_u32), 'lane 15 registers 0..3');
      },
    },
    {
      name: `trace ${t.name}: step 7-8, the final keccak-f800 and the final hash from the published mix`,
      async run() {
        const out = await p.keccakF800(Uint32Array.from(hexWords(t.step7_final_keccak_input_state_u32)));
        checkWords(out.slice(0, 8), hexWords(t.step8_final_output_words0_7_u32), 'final keccak-f800 words 0..7');
        checkHex(await p.finalHashFromMix(header, nonce, mix), finalHex, 'final hash from the mix hash');
      },
    },
  ];
}

function generatorCases(g: KawpowGenerator): KawpowComplianceCase[] {
  return [
    {
      name: 'epoch sizes: light cache and dataset bytes of every published epoch (up to 32639)',
      async run() {
        for (const s of kawpowVectors.dataset_sizes) {
          check(g.lightCacheBytes(s.epoch) === s.light_cache_bytes, `epoch ${s.epoch}: light cache ${g.lightCacheBytes(s.epoch)} bytes, expected ${s.light_cache_bytes}`);
          check(g.datasetBytes(s.epoch) === s.full_dataset_bytes, `epoch ${s.epoch}: dataset ${g.datasetBytes(s.epoch)} bytes, expected ${s.full_dataset_bytes}`);
        }
      },
    },
    {
      name: 'epoch seed hashes of every published epoch (0 .. 29999)',
      async run() {
        for (const s of kawpowVectors.epoch_seeds) checkHex(g.seedHash(s.epoch), s.seed_hex, `seed of epoch ${s.epoch}`);
      },
    },
    {
      name: "period programs: the traces' shuffled destination/source sequences and KISS99 state",
      async run() {
        for (const t of kawpowTraces) {
          const d = g.programDraws(t.step4_period);
          const kiss = parseKissLine(t['step4_mix_rng_state_kiss_after_fisher_yates (z,w,jsr,jcong)']);
          check(d.dstSeq.join(',') === t.step4_dst_seq.join(','), `period ${t.step4_period}: dst sequence [${d.dstSeq.join(',')}]`);
          check(d.srcSeq.join(',') === t.step4_src_seq.join(','), `period ${t.step4_period}: src sequence [${d.srcSeq.join(',')}]`);
          check(JSON.stringify(d.kiss) === JSON.stringify(kiss), `period ${t.step4_period}: KISS99 state ${JSON.stringify(d.kiss)}, expected ${JSON.stringify(kiss)}`);
        }
      },
    },
  ];
}

function epochCases(e: KawpowEpochs, options: KawpowComplianceOptions): KawpowComplianceCase[] {
  const cases: KawpowComplianceCase[] = [];
  for (const epoch of options.checksumEpochs ?? [0]) {
    const published = kawpowVectors.light_cache_keccak256.find((c) => c.epoch === epoch);
    if (!published) throw new Error(`no published light-cache checksum for epoch ${epoch}`);
    const size = kawpowVectors.dataset_sizes.find((s) => s.epoch === epoch);
    cases.push({
      name: `light cache of epoch ${epoch}: keccak-256 ${published.keccak256_of_light_cache.slice(0, 16)}..${size ? ', size' : ''}`,
      async run() {
        if (size) check((await e.lightCacheBytes(epoch)) === size.light_cache_bytes, `epoch ${epoch}: light cache is ${await e.lightCacheBytes(epoch)} bytes, expected ${size.light_cache_bytes}`);
        checkHex(await e.lightCacheChecksum(epoch), published.keccak256_of_light_cache, `keccak-256 of epoch ${epoch}'s light cache`);
      },
    });
  }
  cases.push({
    name: "L1 cache of epoch 0: the first 20 words (the first 512-parent dataset items)",
    async run() {
      const l1 = await e.l1Cache(0);
      check(l1.length === 4096, `the L1 cache has ${l1.length} words, expected 4096`);
      checkWords(l1.slice(0, 20), kawpowVectors.l1_cache_epoch0_first20_u32.values, 'L1 cache words 0..19');
    },
  });
  cases.push({
    name: 'dataset items: the first 64 items of 2048 bits are the L1 cache',
    async run() {
      const items = await e.datasetItems2048(0, 0, 64);
      const l1 = await e.l1Cache(0);
      check(items.length === 64 * PROGPOW_DAG_ITEM_BYTES, `got ${items.length} bytes for 64 items`);
      const words = new DataView(items.buffer, items.byteOffset, items.byteLength);
      for (let i = 0; i < 4096; i++) {
        if (words.getUint32(i * 4, true) !== l1[i]) throw new KawpowComplianceFailure(`dataset word ${i} is ${words.getUint32(i * 4, true)}, the L1 cache has ${l1[i]}`);
      }
    },
  });
  return cases;
}

function hasherCases(h: KawpowHasher, epochs: KawpowEpochs | undefined, options: KawpowComplianceOptions): KawpowComplianceCase[] {
  const cases: KawpowComplianceCase[] = [];
  for (const v of kawpowVectors.vectors) {
    const header = hexToBytes(v.header_hash_hex, 32);
    const nonce = nonceOf(v.nonce_u64_hex);
    const label = v.name ?? `block ${v.block_number}`;
    cases.push({
      name: `published vector ${label} (epoch ${v.epoch}, period ${v.period}): mix and final hash; verify accepts it at target = final hash`,
      async run() {
        const r = await h.hash(header, nonce, v.block_number);
        checkHex(r.mixHash, v.expected_mix_hash_hex, 'mix hash');
        checkHex(r.finalHash, v.expected_final_hash_hex, 'final hash');
        const target = kawpowHashValue(r.finalHash);
        const verdict = await h.verify({ headerHash: header, nonce, height: v.block_number, mixHash: r.mixHash }, target);
        check(verdict.valid, `verify refused a published share: ${verdict.valid ? '' : verdict.detail}`);
        checkHex(verdict.finalHash, v.expected_final_hash_hex, 'verdict final hash');
      },
    });
  }

  const v0 = kawpowVectors.vectors.find((v) => v.block_number === 49)!;
  const header0 = hexToBytes(v0.header_hash_hex, 32);
  const nonce0 = nonceOf(v0.nonce_u64_hex);
  const mix0 = hexToBytes(v0.expected_mix_hash_hex, 32);
  const final0 = kawpowHashValue(hexToBytes(v0.expected_final_hash_hex, 32));
  const share0 = { headerHash: header0, nonce: nonce0, height: v0.block_number, mixHash: mix0 };

  cases.push({
    name: 'verify: final hash one above the target is refused as above-target (no DAG work)',
    async run() {
      const verdict = await h.verify(share0, final0 - 1n);
      check(!verdict.valid && verdict.reason === 'above-target', `expected above-target, got ${JSON.stringify(verdict.valid ? 'valid' : verdict.reason)}`);
      check(!verdict.valid && verdict.detail.length > 0, 'the verdict has no detail');
    },
  });
  cases.push({
    name: 'verify: a mix hash that does not match is refused as mix-mismatch, however easy the target',
    async run() {
      const wrong = mix0.slice();
      wrong[31] = wrong[31]! ^ 1;
      const verdict = await h.verify({ ...share0, mixHash: wrong }, (1n << 256n) - 1n);
      check(!verdict.valid && verdict.reason === 'mix-mismatch', `expected mix-mismatch, got ${JSON.stringify(verdict.valid ? 'valid' : verdict.reason)}`);
      const otherNonce = await h.verify({ ...share0, nonce: nonce0 + 1n }, (1n << 256n) - 1n);
      check(!otherNonce.valid && otherNonce.reason === 'mix-mismatch', 'a mix hash replayed with another nonce must not verify');
      const otherHeight = await h.verify({ ...share0, height: v0.block_number + 3 }, (1n << 256n) - 1n);
      check(!otherHeight.valid && otherHeight.reason === 'mix-mismatch', 'a mix hash replayed at another period must not verify');
    },
  });

  cases.push({
    name: 'bad input: wrong-length header and mix hashes, bad nonces, heights and targets are typed errors',
    async run() {
      const ok = share0;
      await expectError(() => h.hash(new Uint8Array(31), 0n, 0), 'InvalidHeaderError', '31-byte header hash');
      await expectError(() => h.hash(new Uint8Array(33), 0n, 0), 'InvalidHeaderError', '33-byte header hash');
      await expectError(() => h.hash('00'.repeat(32) as unknown as Uint8Array, 0n, 0), 'InvalidHeaderError', 'header hash as a string');
      await expectError(() => h.verify({ ...ok, headerHash: new Uint8Array(0) }, 1n), 'InvalidHeaderError', 'empty header hash in verify');
      await expectError(() => h.verify({ ...ok, mixHash: new Uint8Array(31) }, 1n), 'InvalidMixHashError', '31-byte mix hash');
      await expectError(() => h.verify({ ...ok, mixHash: new Uint8Array(64) }, 1n), 'InvalidMixHashError', '64-byte mix hash');
      await expectError(() => h.hash(header0, -1n, 0), 'NonceRangeError', 'negative nonce');
      await expectError(() => h.hash(header0, KAWPOW_MAX_NONCE + 1n, 0), 'NonceRangeError', 'nonce 2^64');
      await expectError(() => h.hash(header0, 5 as unknown as bigint, 0), 'NonceRangeError', 'nonce as a number');
      await expectError(() => h.hash(header0, 0n, -1), 'InvalidHeightError', 'negative height');
      await expectError(() => h.hash(header0, 0n, 1.5), 'InvalidHeightError', 'fractional height');
      await expectError(() => h.hash(header0, 0n, Number.NaN), 'InvalidHeightError', 'NaN height');
      await expectError(() => h.hash(header0, 0n, KAWPOW_MAX_HEIGHT + 1), 'InvalidHeightError', 'height past the last epoch');
      await expectError(() => h.hash(header0, 0n, 2 ** 53), 'InvalidHeightError', 'height 2^53');
      if (options.beyondCapHeight !== undefined) {
        await expectError(() => h.verify({ ...ok, height: options.beyondCapHeight! }, 1n), 'InvalidHeightError', `height ${options.beyondCapHeight} beyond the cap`);
      }
      await expectError(() => h.verify(ok, 0n), 'InvalidTargetError', 'zero target');
      await expectError(() => h.verify(ok, 1n << 256n), 'InvalidTargetError', 'target 2^256');
      await expectError(() => h.hash(header0, 0n, 0, { datasetItems: 1 }), 'InvalidDatasetSizeError', 'dataset of one item');
      await expectError(() => h.hash(header0, 0n, 0, { datasetItems: 2.5 }), 'InvalidDatasetSizeError', 'fractional dataset size');
      await expectError(() => h.hash(header0, 0n, 0, { datasetItems: 2 ** 40 }), 'InvalidDatasetSizeError', 'dataset larger than the epoch');
    },
  });

  if (epochs) {
    const reduced = options.reducedDatasetItems ?? 4096;
    const count = options.randomNonces ?? 3;
    const seed = options.seed ?? 0x6b61_7770;
    cases.push({
      name: `reduced dataset (${reduced} items): hash and verify agree with core's ProgPoW over the engine's own items (random and edge nonces)`,
      async run() {
        const items2048 = Math.floor(reduced / 2);
        // Heights in epoch 0 across several periods, random header hashes and u64 nonces, and the
        // edges: the top of the nonce space and both nonce words with their high bit set, at the
        // first and the last height of the epoch.
        const samples = [
          { header: header0, nonce: nonce0, height: v0.block_number },
          { header: randomBytes(seed, 1000), nonce: KAWPOW_MAX_NONCE, height: 7499 },
          { header: randomBytes(seed, 1001), nonce: 0x8000_0001_8000_0001n, height: 0 },
        ];
        for (let i = 0; i < count; i++) {
          const header = randomBytes(seed, 2 * i);
          const extra = new DataView(randomBytes(seed, 2 * i + 1).buffer);
          samples.push({ header, nonce: extra.getBigUint64(0, true), height: extra.getUint32(8, true) % 7500 });
        }
        const l1 = await epochs.l1Cache(0);
        const all = await epochs.datasetItems2048(0, 0, items2048);
        const dag = {
          l1,
          datasetItems: reduced,
          item: (index: number) => {
            const bytes = all.subarray(index * PROGPOW_DAG_ITEM_BYTES, (index + 1) * PROGPOW_DAG_ITEM_BYTES);
            return new Uint32Array(bytes.slice().buffer);
          },
        };
        for (const s of samples) {
          const what = `header ${bytesToHex(s.header).slice(0, 12)}.. nonce ${s.nonce} height ${s.height} (seed ${seed})`;
          const want = kawpowHashWithDag(progpowProgram(kawpowPeriod(s.height)), s.header, s.nonce, dag);
          const got = await h.hash(s.header, s.nonce, s.height, { datasetItems: reduced });
          checkHex(got.mixHash, bytesToHex(want.mixHash), `${what}: mix hash`);
          checkHex(got.finalHash, bytesToHex(want.finalHash), `${what}: final hash`);
          const verdict = await h.verify({ headerHash: s.header, nonce: s.nonce, height: s.height, mixHash: got.mixHash }, kawpowHashValue(got.finalHash), { datasetItems: reduced });
          check(verdict.valid, `${what}: verify refused its own reduced-dataset share`);
        }
        const full = await h.hash(header0, nonce0, v0.block_number);
        const small = await h.hash(header0, nonce0, v0.block_number, { datasetItems: reduced });
        check(bytesToHex(full.mixHash) !== bytesToHex(small.mixHash), 'the reduced dataset gave the full-size mix hash: the dataset size is not used');
        const cross = await h.verify(share0, (1n << 256n) - 1n, { datasetItems: reduced });
        check(!cross.valid && cross.reason === 'mix-mismatch', 'a full-size mix hash must not verify at a reduced size');
      },
    });
  }
  return cases;
}

export function kawpowComplianceCases(subject: KawpowComplianceSubject, options: KawpowComplianceOptions = {}): KawpowComplianceCase[] {
  return [
    ...(subject.primitives ? primitiveCases(subject.primitives) : []),
    ...(subject.generator ? generatorCases(subject.generator) : []),
    ...(subject.epochs ? epochCases(subject.epochs, options) : []),
    ...(subject.hasher ? hasherCases(subject.hasher, subject.epochs, options) : []),
  ];
}
