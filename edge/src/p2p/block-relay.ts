/**
 * Blocks found by anyone: any share of the pool that meets the coin's target is a block, and an
 * edge that hears it (gossip or sync, from a browser or another edge) rebuilds the block and
 * submits it to its coin node. The header comes with the share; the coinbase is rebuilt exactly
 * as every validator rebuilds it (payouts of the share's parent, the commitment, the mandated
 * outputs: core's buildShareCoinbase); the other transactions come from the TemplateArchive,
 * found by the share's coin work (templateIdOf). A template with no transactions needs no
 * archive, so any edge on the same coin tip can submit blocks found on it.
 *
 * The integration calls onShare for every share its chain accepts (ShareChainHost's onAccepted);
 * each block is submitted once, and the outcome is logged and reported to `onBlock`.
 */
import {
  bytesEqual,
  bytesToHex,
  buildShareCoinbase,
  merkleRootFromBranch,
  reverseBytes,
  serializeBlock,
  sha256d,
  templateIdOf,
  type ShareChain,
  type ShareEntry,
  type TemplateTransaction,
} from '@otedama/core';
import type { SubmitBlockResult } from '../chain/template-source.ts';
import type { Logger } from '../logger.ts';
import type { TemplateArchive } from './template-archive.ts';

/** Block ids remembered as submitted (one per found block; a few hours of simnet blocks). */
const REMEMBERED_BLOCKS = 1024;

export type BlockRelayOutcome =
  | { readonly kind: 'submitted'; readonly id: string; readonly height: number; readonly result: SubmitBlockResult }
  | { readonly kind: 'unbuildable'; readonly id: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly id: string; readonly reason: string };

export interface BlockRelayOptions {
  readonly chain: ShareChain;
  readonly archive: TemplateArchive;
  /** Submits a serialized block (hex) to the coin node (TemplateSource.submitBlock). */
  readonly submit: (blockHex: string) => Promise<SubmitBlockResult>;
  readonly logger: Logger;
  readonly onBlock?: (outcome: BlockRelayOutcome) => void;
}

export class BlockRelay {
  private readonly log: Logger;
  private readonly seen = new Set<string>();

  constructor(private readonly options: BlockRelayOptions) {
    this.log = options.logger.forComponent('edge:p2p:blocks');
  }

  /** Submits the block a share is, once; resolves to what happened (undefined: not a block, or already handled). */
  async onShare(entry: ShareEntry): Promise<BlockRelayOutcome | undefined> {
    if (!entry.isBlock || this.seen.has(entry.key)) return undefined;
    this.seen.add(entry.key);
    if (this.seen.size > REMEMBERED_BLOCKS) this.seen.delete(this.seen.values().next().value as string);
    const id = bytesToHex(reverseBytes(entry.id));
    let outcome: BlockRelayOutcome;
    const built = this.build(entry);
    if (typeof built === 'string') {
      outcome = { kind: 'unbuildable', id, reason: built };
      this.log.warn('found block not submitted here', { block: id, reason: built });
    } else {
      try {
        const result = await this.options.submit(bytesToHex(built.block));
        outcome = { kind: 'submitted', id, height: built.height, result };
        this.log.info(result.accepted ? 'found block submitted' : 'found block refused by the node', { block: id, height: built.height, share: entry.key, ...(result.reason ? { reason: result.reason } : {}) });
      } catch (err) {
        outcome = { kind: 'failed', id, reason: (err as Error).message };
        this.log.error('found block could not be submitted', { block: id, error: (err as Error).message });
      }
    }
    this.options.onBlock?.(outcome);
    return outcome;
  }

  /** The serialized block, or why it cannot be built here. */
  private build(entry: ShareEntry): { block: Uint8Array; height: number } | string {
    const { chain, archive } = this.options;
    const { meta, work } = entry.share;
    const fields = chain.algorithm.share.readFields(work.header);
    let coinbase: Uint8Array;
    try {
      const payouts = chain.payouts(meta.parent, work.reward, fields.prevHash, meta.payees);
      coinbase = buildShareCoinbase({
        scriptSig: work.scriptSig,
        payouts: payouts.outputs,
        poolId: chain.poolId,
        metadataHash: sha256d(entry.share.metadataBytes),
        mandatedOutputs: work.mandatedOutputs,
      });
    } catch (err) {
      return `its coinbase cannot be rebuilt: ${(err as Error).message}`;
    }
    if (!bytesEqual(merkleRootFromBranch(sha256d(coinbase), work.merkleBranch), fields.merkleRoot)) {
      return 'the rebuilt coinbase does not match the header (the chain here disagrees with the one it was validated on)';
    }
    let transactions: readonly TemplateTransaction[] = [];
    let witnessCommitment: Uint8Array | undefined = work.mandatedOutputs[0];
    if (work.merkleBranch.length > 0) {
      const template = archive.get(templateIdOf({ prevHash: fields.prevHash, reward: work.reward, mandatedOutputs: work.mandatedOutputs, merkleBranch: work.merkleBranch }));
      if (!template) return 'its template (with transactions) was built by another edge and is not archived here';
      transactions = template.transactions;
      witnessCommitment = template.defaultWitnessCommitment;
    }
    const block = serializeBlock(work.header, coinbase, witnessCommitment ? { transactions, defaultWitnessCommitment: witnessCommitment } : { transactions });
    return { block, height: readHeight(work.scriptSig) };
  }
}

/** The BIP34 height at the start of a coinbase scriptSig (a push of 1..4 little-endian bytes, or OP_1..OP_16). */
function readHeight(scriptSig: Uint8Array): number {
  const op = scriptSig[0] ?? 0;
  if (op >= 0x51 && op <= 0x60) return op - 0x50;
  let h = 0;
  for (let i = op; i >= 1; i--) h = h * 256 + (scriptSig[i] ?? 0);
  return h;
}
