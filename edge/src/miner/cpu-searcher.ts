/**
 * What one CPU worker thread hashes with: the engines (`js`, `wasm`, `wasm-simd`) and the two
 * baselines the benchmark compares them with (`node-crypto`: OpenSSL's SHA-256 applied twice
 * through node:crypto; `hash-wasm`: hash-wasm's SHA-256 hasher applied twice). All of them
 * search a nonce range of one 80-byte header against a target and return the hit nonces.
 */
import { hash as cryptoHash } from 'node:crypto';
import { createReferenceSha256dEngine, EngineUnavailableError } from '@otedama/core';
import { loadWasmSearcher } from './wasm-searcher.ts';

export const CPU_ENGINES = ['js', 'wasm', 'wasm-simd'] as const;
export const BASELINES = ['node-crypto', 'hash-wasm'] as const;
export type CpuEngineName = (typeof CPU_ENGINES)[number];
export type BaselineName = (typeof BASELINES)[number];
export type CpuSearcherKind = CpuEngineName | BaselineName;

export function isCpuSearcherKind(name: string): name is CpuSearcherKind {
  return (CPU_ENGINES as readonly string[]).includes(name) || (BASELINES as readonly string[]).includes(name);
}

export interface CpuSearcher {
  readonly kind: CpuSearcherKind;
  /** The header (nonce bytes ignored) and share target for the following searches. */
  setJob(header: Uint8Array, target: bigint): void;
  /** Hashes [start, start + count) and returns up to maxHits nonces whose hash meets the target. */
  search(start: number, count: number, maxHits: number): number[] | Promise<number[]>;
  dispose(): void;
}

/** A compiled `WebAssembly.Module` (edge's typings carry no WebAssembly namespace). */
export type CompiledWasm = object;

export interface CpuSearcherOptions {
  /** A compiled WASM hasher shared by the main thread (saves each worker a compile). */
  readonly wasmModule?: CompiledWasm;
}

/**
 * A fast "hash meets target" test on an internal-order hash: the little-endian uint256 is
 * compared from its top (byte 31) down, so nearly every miss is decided by the first byte.
 */
export function makeTargetCheck(target: bigint): (hash: Uint8Array) => boolean {
  const t = new Uint8Array(32);
  let v = target;
  for (let i = 0; i < 32; i++) {
    t[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return (hash) => {
    for (let i = 31; i >= 0; i--) {
      const a = hash[i]!;
      const b = t[i]!;
      if (a !== b) return a < b;
    }
    return true;
  };
}

class NodeCryptoSearcher implements CpuSearcher {
  readonly kind = 'node-crypto' as const;
  private readonly buf = Buffer.alloc(80);
  private meets: (hash: Uint8Array) => boolean = () => false;

  setJob(header: Uint8Array, target: bigint): void {
    this.buf.set(header.subarray(0, 80));
    this.meets = makeTargetCheck(target);
  }

  search(start: number, count: number, maxHits: number): number[] {
    const hits: number[] = [];
    const buf = this.buf;
    for (let i = 0; i < count; i++) {
      const nonce = (start + i) >>> 0;
      buf.writeUInt32LE(nonce, 76);
      const h = cryptoHash('sha256', cryptoHash('sha256', buf, 'buffer'), 'buffer');
      if (this.meets(h) && hits.length < maxHits) hits.push(nonce);
    }
    return hits;
  }

  dispose(): void {}
}

interface HashWasmHasher {
  init(): HashWasmHasher;
  update(data: Uint8Array): HashWasmHasher;
  digest(format: 'binary'): Uint8Array;
}

class HashWasmSearcher implements CpuSearcher {
  readonly kind = 'hash-wasm' as const;
  private readonly buf = new Uint8Array(80);
  private readonly view = new DataView(this.buf.buffer);
  private meets: (hash: Uint8Array) => boolean = () => false;

  constructor(private readonly hasher: HashWasmHasher) {}

  setJob(header: Uint8Array, target: bigint): void {
    this.buf.set(header.subarray(0, 80));
    this.meets = makeTargetCheck(target);
  }

  search(start: number, count: number, maxHits: number): number[] {
    const hits: number[] = [];
    const h = this.hasher;
    for (let i = 0; i < count; i++) {
      const nonce = (start + i) >>> 0;
      this.view.setUint32(76, nonce, true);
      const first = h.init().update(this.buf).digest('binary');
      const second = h.init().update(first).digest('binary');
      if (this.meets(second) && hits.length < maxHits) hits.push(nonce);
    }
    return hits;
  }

  dispose(): void {}
}

class JsReferenceSearcher implements CpuSearcher {
  readonly kind = 'js' as const;
  private readonly engine = createReferenceSha256dEngine();
  private header = new Uint8Array(80);
  private target = 1n;

  setJob(header: Uint8Array, target: bigint): void {
    this.header = header.slice(0, 80);
    this.target = target;
  }

  async search(start: number, count: number, maxHits: number): Promise<number[]> {
    const r = await this.engine.search({ header: this.header, target: this.target }, start, count, { maxHits });
    return r.hits.map((h) => h.nonce);
  }

  dispose(): void {
    this.engine.dispose();
  }
}

/** Builds a searcher of the given kind; throws EngineUnavailableError when it cannot run here. */
export async function createCpuSearcher(kind: CpuSearcherKind, options: CpuSearcherOptions = {}): Promise<CpuSearcher> {
  switch (kind) {
    case 'node-crypto':
      return new NodeCryptoSearcher();
    case 'hash-wasm': {
      const { createSHA256 } = await import('hash-wasm');
      return new HashWasmSearcher((await createSHA256()) as unknown as HashWasmHasher);
    }
    case 'js':
      return new JsReferenceSearcher();
    case 'wasm':
    case 'wasm-simd':
      return loadWasmSearcher(kind, options.wasmModule);
    default:
      throw new EngineUnavailableError(String(kind), 'unknown CPU engine');
  }
}
