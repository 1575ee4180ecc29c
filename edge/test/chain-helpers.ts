/**
 * Test support for the chain side: builds blocks (valid or deliberately broken) on top of a
 * given tip and mines them with core's JS reference engine at simnet's low test difficulty.
 */
import {
  assembleCoinbase,
  bitsToTarget,
  blockHashDisplay,
  buildCoinbaseParts,
  bytesToHex,
  coinbaseMerkleBranch,
  coinbaseHash,
  createReferenceSha256dEngine,
  hashMeetsTarget,
  headerHash,
  hexToBytes,
  merkleRootFromBranch,
  serializeBlock,
  serializeHeader,
  txidOfBytes,
  withNonce,
  type BlockTemplate,
  type CoinbaseOutput,
} from '@otedama/core';

/** Commitment of a coinbase-only block (what simnet and an empty regtest template send). */
export const EMPTY_WITNESS_COMMITMENT = '6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9';
/** A regtest P2WPKH payout address (Bitcoin Core key_io_valid.json). */
export const PAYOUT_ADDRESS = 'bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9';
export const PAYOUT_SCRIPT = hexToBytes('00146f58bac9506f9bfb821d62e69330410bb56f0085');
/** Test difficulty: about 4 300 hashes per block, a few ms for the JS engine. */
export const TEST_DIFFICULTY = 1e-6;

export interface BlockSpec {
  readonly prevHash: Uint8Array;
  readonly height: number;
  readonly bits: number;
  readonly time: number;
  readonly version?: number;
  readonly outputs: readonly CoinbaseOutput[];
  /** Carry the BIP141 commitment and reserved value (default true). */
  readonly witness?: boolean;
  /** Extranonce bytes in the coinbase (default 8 zero bytes). */
  readonly extranonce?: Uint8Array;
  /** Height written into the coinbase (default `height`; differ to break BIP34). */
  readonly coinbaseHeight?: number;
  /** Further transactions (serialized). */
  readonly extraTxs?: readonly Uint8Array[];
  /** 'meet': mine a nonce meeting the target; 'fail': pick one that misses it. */
  readonly pow?: 'meet' | 'fail';
  /** Override the merkle root written into the header. */
  readonly merkleRoot?: Uint8Array;
  /** Override the commitment output script (with witness true). */
  readonly commitment?: Uint8Array;
  /** Serialize the coinbase with the witness reserved value (default: when committed). */
  readonly coinbaseWitness?: boolean;
  /** Text tag in the coinbase scriptSig (default '/otedama-test/'). */
  readonly tag?: string;
}

export interface BuiltBlock {
  readonly raw: Uint8Array;
  readonly hex: string;
  readonly hashHex: string;
  readonly header: Uint8Array;
  readonly coinbase: Uint8Array;
}

const engine = createReferenceSha256dEngine();

/** Finds a nonce for `header` meeting (or missing) `target`. */
export async function solveHeader(header: Uint8Array, target: bigint, want: 'meet' | 'fail' = 'meet'): Promise<Uint8Array> {
  if (want === 'fail') {
    for (let n = 0; ; n++) {
      const h = withNonce(header, n);
      if (!hashMeetsTarget(headerHash(h), target)) return h;
    }
  }
  // Small ranges: the engine hashes its whole range, and a test block needs ~4 300 tries.
  const chunk = 1 << 13;
  for (let start = 0; start < 2 ** 32; start += chunk) {
    const r = await engine.search({ header, target }, start, chunk, { maxHits: 1 });
    if (r.hits.length) return withNonce(header, r.hits[0]!.nonce);
  }
  throw new Error('no nonce found');
}

export async function buildBlock(spec: BlockSpec): Promise<BuiltBlock> {
  const witness = spec.witness ?? true;
  const commitment = witness ? spec.commitment ?? hexToBytes(EMPTY_WITNESS_COMMITMENT) : undefined;
  const value = spec.outputs.reduce((s, o) => s + o.value, 0n);
  const parts = buildCoinbaseParts(
    { height: spec.coinbaseHeight ?? spec.height, coinbaseValue: value, ...(commitment ? { defaultWitnessCommitment: commitment } : {}) },
    { outputs: spec.outputs, extranonceBytes: 8, tag: spec.tag ?? '/otedama-test/' },
  );
  const en = spec.extranonce ?? new Uint8Array(8);
  const coinbase = assembleCoinbase(parts.coinb1, en.slice(0, 4), en.slice(4, 8), parts.coinb2);
  const extra = (spec.extraTxs ?? []).map((data) => ({ data, txid: txidOfBytes(data) }));
  const branch = coinbaseMerkleBranch(extra.map((t) => t.txid));
  const root = spec.merkleRoot ?? merkleRootFromBranch(coinbaseHash(coinbase), branch);
  const unsolved = serializeHeader({ version: spec.version ?? 0x20000000, prevHash: spec.prevHash, merkleRoot: root, time: spec.time, bits: spec.bits, nonce: 0 });
  const header = await solveHeader(unsolved, bitsToTarget(spec.bits), spec.pow ?? 'meet');
  const tpl = { transactions: extra, ...(commitment ? { defaultWitnessCommitment: commitment } : {}) };
  const raw = serializeBlock(header, coinbase, tpl, { witness: spec.coinbaseWitness ?? witness });
  return { raw, hex: bytesToHex(raw), hashHex: blockHashDisplay(header), header, coinbase };
}

/** Mines a block on a parsed getblocktemplate paying `outputs` (default: all to PAYOUT_SCRIPT). */
export function mineTemplate(t: BlockTemplate, outputs?: readonly CoinbaseOutput[], extranonce?: Uint8Array): Promise<BuiltBlock> {
  return buildBlock({
    prevHash: t.prevHash,
    height: t.height,
    bits: t.bits,
    time: t.curtime,
    version: t.version,
    outputs: outputs ?? [{ script: PAYOUT_SCRIPT, value: t.coinbaseValue }],
    witness: t.defaultWitnessCommitment !== undefined,
    ...(extranonce ? { extranonce } : {}),
  });
}
