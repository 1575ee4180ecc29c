/**
 * Templates turned into work and back into blocks, generic over the algorithm module: a job's
 * header is the module's header form filled from the template (KawPow's carries the height), the
 * nonce search hashes the module's job input (SHA-256d the header, KawPow its header hash), and
 * a found block is the module's header with its solution, the coinbase and the template's
 * transactions, for submitblock. KawPow adds what `mining.notify` carries besides the header
 * hash: the epoch's seed hash, from the template's height.
 */
import {
  epochSeedHash,
  kawpowEpoch,
  serializeBlock,
  type Algorithm,
  type BlockTemplate,
} from '@otedama/core';

/**
 * The header of a job on `template`: version, previous hash, bits and height from the template,
 * the merkle root of the job's coinbase (and the template's transactions), `time` (default the
 * template's curtime); the nonce and any solution field zero.
 */
export function jobHeader(algorithm: Algorithm, template: BlockTemplate, merkleRoot: Uint8Array, time: number = template.curtime): Uint8Array {
  return algorithm.header.build({ version: template.version, prevHash: template.prevHash, merkleRoot, time, bits: template.bits, height: template.height });
}

/**
 * The block to submit: `header` (the algorithm's, solution written), the coinbase in its
 * non-witness form (witness added when the template commits to witnesses), the template's
 * transactions.
 */
export function blockForSubmit(algorithm: Algorithm, header: Uint8Array, coinbase: Uint8Array, template: Pick<BlockTemplate, 'transactions' | 'defaultWitnessCommitment'>): Uint8Array {
  return serializeBlock(header, coinbase, template, { headerBytes: algorithm.header.bytes });
}

/** What a KawPow job needs from its template besides the header hash. */
export interface KawpowTemplateWork {
  readonly height: number;
  /** The ethash epoch of the height: the light cache and the DAG miners need. */
  readonly epoch: number;
  /** The epoch's seed hash, as `mining.notify` sends it (miners find the epoch from it). */
  readonly seedHash: Uint8Array;
  /** The block target: a final hash (read big-endian) at or below it is a block. */
  readonly target: bigint;
  readonly bits: number;
}

/** The epoch, seed hash and block target of a KawPow template. */
export function kawpowTemplateWork(template: BlockTemplate): KawpowTemplateWork {
  const epoch = kawpowEpoch(template.height);
  return { height: template.height, epoch, seedHash: epochSeedHash(epoch), target: template.target, bits: template.bits };
}
