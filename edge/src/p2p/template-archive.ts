/**
 * The templates an edge built recently, with their transactions, keyed by templateIdOf (the coin
 * work they describe): a share carries the same fields, so when any share meets the coin's target
 * the block relay (block-relay.ts) finds the transactions it must put in the block. The
 * integration of the chain into the edge puts the templates its Stratum jobs use here too.
 *
 * Bounded: templates of the last ARCHIVE_COIN_TIPS coin tips (shares may build on a tip and the
 * blocks just before it, as core's CoinTips allows) and at most ARCHIVE_MAX_TEMPLATES in all, so
 * a node whose templates change often (new transactions every few seconds) holds minutes of them,
 * not hours.
 */
import { bytesToHex, jobMerkleBranch, templateIdOf, type BlockTemplate, type CoinWork } from '@otedama/core';

/** Coin tips whose templates are kept: core's CoinTips lets shares build on the newest three. */
export const ARCHIVE_COIN_TIPS = 3;
/**
 * Templates kept in all: a real node's template changes with its mempool (every ~30 s polled):
 * 256 covers two hours of one tip; a full Bitcoin template is 1-4 MB, so at most ~1 GB in the
 * worst case and far less in practice (most templates of one tip share their transactions'
 * bytes through the node's parse).
 */
export const ARCHIVE_MAX_TEMPLATES = 256;

/** The coin work a block template describes (its coinbase's mandated outputs and merkle branch). */
export function coinWorkOf(template: BlockTemplate): CoinWork {
  return {
    prevHash: template.prevHash,
    reward: template.coinbaseValue,
    mandatedOutputs: template.defaultWitnessCommitment ? [template.defaultWitnessCommitment] : [],
    merkleBranch: jobMerkleBranch(template),
  };
}

export class TemplateArchive {
  private readonly byId = new Map<string, { template: BlockTemplate; tip: string }>();
  private readonly tips: string[] = [];

  constructor(
    private readonly maxTemplates = ARCHIVE_MAX_TEMPLATES,
    private readonly coinTips = ARCHIVE_COIN_TIPS,
  ) {}

  /** Keeps a template; returns its id. */
  put(template: BlockTemplate): Uint8Array {
    const id = templateIdOf(coinWorkOf(template));
    const key = bytesToHex(id);
    const tip = bytesToHex(template.prevHash);
    if (!this.tips.includes(tip)) {
      this.tips.push(tip);
      while (this.tips.length > this.coinTips) {
        const old = this.tips.shift()!;
        for (const [k, v] of this.byId) if (v.tip === old) this.byId.delete(k);
      }
    }
    this.byId.delete(key);
    this.byId.set(key, { template, tip });
    while (this.byId.size > this.maxTemplates) this.byId.delete(this.byId.keys().next().value as string);
    return id;
  }

  /** The template whose coin work has this id, if it is still kept. */
  get(templateId: Uint8Array | string): BlockTemplate | undefined {
    return this.byId.get(typeof templateId === 'string' ? templateId : bytesToHex(templateId))?.template;
  }

  get size(): number {
    return this.byId.size;
  }
}
