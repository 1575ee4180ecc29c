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
 * each block is submitted once, and the outcome is logged and reported to `onBlock`. Every edge
 * that hears a block submits it, so the node's "duplicate" (it has the block) and "inconclusive"
 * (it keeps it, not as its tip) answers mean the block reached it: success, not an error. A block
 * this edge cannot rebuild (its template's transactions are archived elsewhere) is logged, not
 * lost: the edge that built the template has them. startBlockRelay() is the edge's wiring: every
 * template of its coin node archived, blocks on coin tips older than the archive's skipped.
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
import type { SubmitBlockResult, TemplateSource } from '../chain/template-source.ts';
import type { Logger } from '../logger.ts';
import { TemplateArchive } from './template-archive.ts';

/** Block ids remembered as submitted (one per found block; a few hours of simnet blocks). */
const REMEMBERED_BLOCKS = 1024;

/** Answers of submitblock that mean the node has the block: another edge (or this one) submitted it first, or it keeps it on a side branch. */
const BLOCK_KNOWN_ANSWERS: ReadonlySet<string> = new Set(['duplicate', 'inconclusive', 'duplicate-inconclusive']);

/** The node has the block: accepted now, or known already (every edge that hears a block submits it). */
export function blockReachedNode(result: SubmitBlockResult): boolean {
  return result.accepted || BLOCK_KNOWN_ANSWERS.has(result.reason ?? '');
}

export type BlockRelayOutcome =
  | { readonly kind: 'submitted'; readonly id: string; readonly height: number; readonly result: SubmitBlockResult }
  | { readonly kind: 'unbuildable'; readonly id: string; readonly reason: string }
  | { readonly kind: 'stale'; readonly id: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly id: string; readonly reason: string };

export interface BlockRelayOptions {
  readonly chain: ShareChain;
  readonly archive: TemplateArchive;
  /** Submits a serialized block (hex) to the coin node (TemplateSource.submitBlock). */
  readonly submit: (blockHex: string) => Promise<SubmitBlockResult>;
  readonly logger: Logger;
  readonly onBlock?: (outcome: BlockRelayOutcome) => void;
  /**
   * Skip blocks on coin tips the archive no longer follows (the last ARCHIVE_COIN_TIPS of the
   * node's templates): a window synced after a restart holds the pool's old blocks, which the
   * node has (or which lost their race long ago).
   */
  readonly recentTipsOnly?: boolean;
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
    const prevHash = this.options.chain.algorithm.share.readFields(entry.share.work.header).prevHash;
    const built = this.options.recentTipsOnly && !this.options.archive.hasTip(prevHash) ? undefined : this.build(entry);
    if (built === undefined) {
      outcome = { kind: 'stale', id, reason: 'it builds on a coin block that is no longer one of the newest tips' };
      this.log.debug('found block on an old coin tip not submitted', { block: id, share: entry.key });
    } else if (typeof built === 'string') {
      outcome = { kind: 'unbuildable', id, reason: built };
      this.log.warn('found block not submitted here (another edge of the pool has what it needs)', { block: id, reason: built });
    } else {
      try {
        const result = await this.options.submit(bytesToHex(built.block));
        outcome = { kind: 'submitted', id, height: built.height, result };
        if (blockReachedNode(result)) this.log.info('found block submitted', { block: id, height: built.height, share: entry.key, answer: result.reason ?? 'accepted' });
        else this.log.warn('found block refused by the node', { block: id, height: built.height, share: entry.key, reason: result.reason });
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

export interface StartBlockRelayOptions {
  readonly chain: ShareChain;
  /** The edge's coin node: its templates are archived, blocks go to its submitblock. */
  readonly source: Pick<TemplateSource, 'current' | 'onTemplate' | 'submitBlock'>;
  readonly logger: Logger;
  /** The archive to keep templates in (the template publisher's, when it runs); a new one by default. */
  readonly archive?: TemplateArchive;
  readonly onBlock?: (outcome: BlockRelayOutcome) => void;
}

export interface EdgeBlockRelay {
  readonly archive: TemplateArchive;
  readonly relay: BlockRelay;
  /** Stops archiving templates. */
  stop(): void;
}

/** The edge's block relay: every template of its coin node archived (the shares its miners find build on them), blocks submitted to the node. */
export function startBlockRelay(options: StartBlockRelayOptions): EdgeBlockRelay {
  const archive = options.archive ?? new TemplateArchive();
  const current = options.source.current();
  if (current) archive.put(current);
  const stop = options.source.onTemplate((u) => archive.put(u.template));
  const relay = new BlockRelay({
    chain: options.chain,
    archive,
    submit: (hex) => options.source.submitBlock(hex),
    logger: options.logger,
    recentTipsOnly: true,
    ...(options.onBlock ? { onBlock: options.onBlock } : {}),
  });
  return { archive, relay, stop };
}
