/**
 * The algorithm registry: what each proof-of-work algorithm needs to be mined and checked.
 * Engines register themselves by name in their own workspaces; core only knows the algorithms.
 */
import { UnknownAlgorithmError } from './errors.ts';
import { headerHash, HEADER_BYTES } from './block-header.ts';
import type { EngineName } from './engine.ts';

export interface AlgorithmInfo {
  readonly name: string;
  /** Human-readable name and the coins that use it. */
  readonly title: string;
  /** Bytes of the hashed header. */
  readonly headerBytes: number;
  /** Hash of a full header, internal byte order. */
  readonly hashHeader: (header: Uint8Array) => Uint8Array;
  /** Engines that implement the nonce search. */
  readonly engines: readonly EngineName[];
}

const ALGORITHMS: ReadonlyMap<string, AlgorithmInfo> = new Map([
  [
    'sha256d',
    {
      name: 'sha256d',
      title: 'SHA-256d (Bitcoin family)',
      headerBytes: HEADER_BYTES,
      hashHeader: headerHash,
      engines: ['js', 'wasm', 'wasm-simd', 'webgpu'],
    },
  ],
]);

export function algorithmNames(): string[] {
  return [...ALGORITHMS.keys()];
}

/** Looks an algorithm up by name (case-insensitive); throws UnknownAlgorithmError. */
export function getAlgorithm(name: string): AlgorithmInfo {
  const algo = ALGORITHMS.get(String(name).toLowerCase());
  if (!algo) throw new UnknownAlgorithmError(String(name), algorithmNames());
  return algo;
}
