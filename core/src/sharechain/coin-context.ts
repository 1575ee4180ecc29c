/**
 * What a validator needs to know about the coin, injected: the edge answers from its node (RPC or
 * simnet), a browser from the templates edges sent it. Core does not know where it comes from.
 */
import { bytesEqual, bytesToHex } from '../hex.ts';

/** What the coin allows a share built on one coin block (its prevhash) to claim. */
export interface CoinTipInfo {
  /** Height of the block the share's header would be (BIP34: the coinbase starts with it). */
  readonly height: number;
  /** The coin's compact target for that block (the header's bits must equal it). */
  readonly bits: number;
  /** The most the coinbase may claim (subsidy plus the fees of the richest template known). */
  readonly maxReward: bigint;
}

export interface CoinContext {
  /**
   * The coin block with this hash (internal order), as a parent of new blocks:
   * - its CoinTipInfo when shares may build on it (a tip, or within a few blocks of one);
   * - 'stale' when it is known but too old for new shares (the share is invalid);
   * - undefined when it is not known (yet): the share is held back and retried, since a peer's
   *   node may simply have seen a new block first.
   */
  lookup(prevHash: Uint8Array): CoinTipInfo | 'stale' | undefined;
}

/**
 * A CoinContext over the coin blocks a caller tells it about: the most recent `recent` tips are
 * open to shares, older ones known up to `remembered` answer 'stale'. Browsers feed it from
 * templates; tests use it directly.
 */
export class CoinTips implements CoinContext {
  private readonly tips = new Map<string, { info: CoinTipInfo; seq: number }>();
  private seq = 0;
  private lastHash: Uint8Array | undefined;
  private lastKey = '';

  constructor(
    /** How many of the newest tips shares may build on (a tip and the blocks just before it). */
    private readonly recent = 3,
    /** How many tips are remembered at all (older ones are forgotten: unknown). */
    private readonly remembered = 64,
  ) {
    if (!Number.isInteger(recent) || recent < 1 || !Number.isInteger(remembered) || remembered < recent) {
      throw new RangeError(`CoinTips needs 1 <= recent <= remembered (got ${recent}, ${remembered})`);
    }
  }

  /** Records a coin block shares may build on as the newest; a known one keeps its place and takes the new info. */
  add(prevHash: Uint8Array, info: CoinTipInfo): void {
    const key = bytesToHex(prevHash);
    const known = this.tips.get(key);
    if (known) {
      known.info = info;
      return;
    }
    this.tips.set(key, { info, seq: ++this.seq });
    // Map order is insertion order, so the first key is the oldest tip.
    while (this.tips.size > this.remembered) this.tips.delete(this.tips.keys().next().value as string);
  }

  lookup(prevHash: Uint8Array): CoinTipInfo | 'stale' | undefined {
    // Shares come in runs on one coin block: remember the last key instead of re-hexing it.
    if (!this.lastHash || !bytesEqual(prevHash, this.lastHash)) {
      this.lastHash = new Uint8Array(prevHash); // a copy, also of a Node Buffer
      this.lastKey = bytesToHex(prevHash);
    }
    const tip = this.tips.get(this.lastKey);
    if (!tip) return undefined;
    return this.seq - tip.seq < this.recent ? tip.info : 'stale';
  }
}
