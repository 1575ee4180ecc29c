/**
 * Simnet's chain: coinbase-only blocks with Bitcoin's merkle, BIP34 and BIP141-commitment rules,
 * a fixed block target and no halving, in one coin's format (simnet-coin.ts: Bitcoin regtest's
 * SHA-256d header, or Ravencoin's KawPow header). It validates a block fully before connecting it
 * and keeps a balance per address credited by the coinbase outputs of the active chain (the coin's
 * regtest address formats). Pure state: persistence and RPC live in simnet-store.ts and
 * simnet-rpc-server.ts; simnet.ts wires them.
 *
 * Like bitcoind it keeps a tree of blocks: a valid block on an older block is kept on a side
 * branch, and the active chain is the valid branch with the most work (the first seen on a tie).
 * A side branch that overtakes the active chain reorganizes it (balances and the transaction
 * index follow); `invalidate` and `reconsider` are bitcoind's invalidateblock and
 * reconsiderblock, `precious` its preciousblock: what tests use to make the coin chain drop a
 * block and take it back.
 *
 * Reject reasons are the node's strings (submitblock's answers): duplicate, high-hash,
 * bad-txnmrklroot, bad-cb-missing, bad-cb-multiple, bad-cb-length, bad-cb-height, bad-cb-amount,
 * prev-blk-not-found, bad-prevblk (its parent is invalid), bad-diffbits, time-too-old,
 * time-too-new, bad-version(0x…), unexpected-witness, bad-witness-nonce-size,
 * bad-witness-merkle-match, bad-txns-duplicate, bad-txns-inputs-missingorspent (simnet has no UTXO
 * set: only coinbases); Ravencoin's adds invalid-mix-hash and bad-header-height. A valid block
 * that does not become the tip is kept on its side branch and answered `inconclusive`, as
 * bitcoind's submitblock answers it. A KawPow block's full proof of work needs its epoch's light
 * cache: the caller prepares it (`coin.pow.prepare(height)`) before `check`.
 */
import {
  bip34HeightPush,
  bitsToTarget,
  bytesEqual,
  bytesToHex,
  concatBytes,
  difficultyToTarget,
  findWitnessCommitment,
  isCoinbase,
  merkleRoot,
  parseBlock as parseSerializedBlock,
  pushData,
  readU32LE,
  reverseBytes,
  scriptToAddress,
  serializeTx,
  targetToBits,
  txid,
  witnessCommitmentScript,
  witnessMerkleRoot,
  type ParsedBlock,
  type Transaction,
} from '@otedama/core';
import { BITCOIN_SIMNET, type SimnetCoin } from './simnet-coin.ts';

/** Blocks whose median time the next block must exceed (Bitcoin's and Ravencoin's 11). */
export const MEDIAN_TIME_SPAN = 11;
/** How far in the future a Bitcoin simnet block's time may be, in seconds (Bitcoin's 2 hours). */
export const MAX_FUTURE_BLOCK_TIME_S = BITCOIN_SIMNET.maxFutureBlockTimeS;
/** Version of the Bitcoin simnet's templates: BIP9 top bits, no signalling. */
export const SIMNET_BLOCK_VERSION = BITCOIN_SIMNET.blockVersion;
/** Oldest Bitcoin simnet block version accepted (Core rejects < 4 once BIP65 is active). */
export const MIN_BLOCK_VERSION = BITCOIN_SIMNET.minBlockVersion;
const GENESIS_MESSAGE = 'otedama simnet genesis';

export interface SimnetChainOptions {
  /** Difficulty (bdiff) of new blocks; bits = targetToBits(difficultyToTarget(d)). */
  readonly blockDifficulty: number;
  /** Coinbase value of every block, satoshis (no fees: simnet has no mempool). */
  readonly blockRewardSats: number | bigint;
  /** The chain's format (default Bitcoin regtest's). */
  readonly coin?: SimnetCoin;
}

export interface ChainBlock {
  readonly height: number;
  /** Block hash, internal order. */
  readonly hash: Uint8Array;
  /** Block hash as RPC prints it. */
  readonly hashHex: string;
  readonly header: Uint8Array;
  readonly raw: Uint8Array;
  readonly version: number;
  readonly prevHash: Uint8Array;
  readonly merkleRoot: Uint8Array;
  readonly time: number;
  readonly bits: number;
  /** The header's u32 nonce (0 on KawPow blocks: their u64 nonce is in the header's last 40 bytes). */
  readonly nonce: number;
  readonly txCount: number;
  /** Transaction ids as RPC prints them, coinbase first. */
  readonly txids: readonly string[];
  /** Cumulative work up to and including this block. */
  readonly chainWork: bigint;
  /** Median time of the 11 blocks ending here. */
  readonly medianTime: number;
  /** Outputs of the coinbase (for balances). */
  readonly coinbaseOutputs: readonly { script: Uint8Array; value: bigint }[];
}

export type CheckResult = { ok: true; block: ChainBlock } | { ok: false; reason: string };

/** What connecting a block (or invalidating, reconsidering) did to the active chain. */
export interface ChainChange {
  /** The active tip changed. */
  readonly tipChanged: boolean;
  /** Blocks that left the active chain, newest first. */
  readonly disconnected: readonly ChainBlock[];
  /** Blocks that joined it, oldest first. */
  readonly connected: readonly ChainBlock[];
}

/** getchaintips' entry, as bitcoind answers it. */
export interface ChainTip {
  readonly height: number;
  readonly hash: string;
  /** Blocks from the tip down to the active chain (0 for the active tip). */
  readonly branchlen: number;
  readonly status: 'active' | 'valid-fork' | 'invalid';
}

export interface CheckOptions {
  /** Current time, seconds. */
  readonly now: number;
  /**
   * Re-validation of stored blocks on start: the configured difficulty may have changed since,
   * so bits are only checked for PoW, and "too far in the future" is not re-judged.
   */
  readonly reloading?: boolean;
  /** Judge proof of work (default true); getblocktemplate's proposal mode checks everything else. */
  readonly checkPow?: boolean;
}

/** Work a block of this target proves: 2^256 / (target + 1). */
export function blockWork(bits: number): bigint {
  return (1n << 256n) / (bitsToTarget(bits) + 1n);
}

export class SimnetChain {
  readonly coin: SimnetCoin;
  readonly bits: number;
  readonly target: bigint;
  readonly rewardSats: bigint;
  /** The active chain, by height. */
  private readonly blocks: ChainBlock[] = [];
  /** Every block known, active or on a side branch. */
  private readonly byHash = new Map<string, ChainBlock>();
  private readonly childrenOf = new Map<string, string[]>();
  /** Blocks invalidated (invalidateblock) and their descendants. */
  private readonly invalid = new Set<string>();
  /** Arrival order: the first seen wins a tie of work (preciousblock moves a block ahead). */
  private readonly seqOf = new Map<string, number>();
  private nextSeq = 0;
  private nextPreciousSeq = -1;
  /** txid (RPC hex) -> hash of the active block holding it: simnet answers as a node with -txindex. */
  private readonly txIndex = new Map<string, string>();
  private readonly balanceMap = new Map<string, bigint>();

  constructor(options: SimnetChainOptions) {
    this.coin = options.coin ?? BITCOIN_SIMNET;
    this.target = difficultyToTarget(options.blockDifficulty);
    this.bits = targetToBits(this.target);
    // The compact form rounds the target down; PoW is judged by what the header says.
    this.target = bitsToTarget(this.bits);
    this.rewardSats = BigInt(options.blockRewardSats);
  }

  get height(): number {
    return this.blocks.length - 1;
  }

  /** The tip; throws before the genesis block is connected. */
  tip(): ChainBlock {
    const t = this.blocks[this.blocks.length - 1];
    if (!t) throw new Error('simnet chain has no genesis block yet');
    return t;
  }

  isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  blockAt(height: number): ChainBlock | undefined {
    return this.blocks[height];
  }

  /** A known block, on the active chain or a side branch (isActive tells which). */
  blockByHash(hashHex: string): ChainBlock | undefined {
    return this.byHash.get(hashHex.toLowerCase());
  }

  /** The block is on the active chain. */
  isActive(block: ChainBlock): boolean {
    return this.blocks[block.height] === block;
  }

  /** The block was invalidated (invalidateblock), or descends from one that was. */
  isInvalid(block: ChainBlock): boolean {
    return this.invalid.has(block.hashHex);
  }

  /** The active block holding transaction `txidHex` (RPC hex), if any. */
  blockOfTx(txidHex: string): ChainBlock | undefined {
    const h = this.txIndex.get(txidHex.toLowerCase());
    return h === undefined ? undefined : this.byHash.get(h);
  }

  /** The parent of a known block (undefined for the genesis block). */
  parentOf(block: ChainBlock): ChainBlock | undefined {
    return block.height === 0 ? undefined : this.byHash.get(bytesToHex(reverseBytes(block.prevHash)));
  }

  /** Median time past of the tip: the next block's time must be greater. */
  medianTimePast(): number {
    return this.tip().medianTime;
  }

  balances(): ReadonlyMap<string, bigint> {
    return this.balanceMap;
  }

  balance(address: string): bigint {
    return this.balanceMap.get(address) ?? 0n;
  }

  /**
   * A genesis block for this chain: height 0, zero prev hash, an unspendable OP_RETURN output.
   * Like Bitcoin's, its proof of work is not checked (there is nothing to build it on).
   */
  createGenesis(time: number): Uint8Array {
    const message = new TextEncoder().encode(`${GENESIS_MESSAGE} ${new Date(time * 1000).toISOString()}`);
    const coinbase: Transaction = {
      version: 2,
      inputs: [{ prevTxid: new Uint8Array(32), prevIndex: 0xffffffff, script: concatBytes(bip34HeightPush(0), pushData(message)), sequence: 0xffffffff, witness: [] }],
      outputs: [{ value: 0n, script: concatBytes(new Uint8Array([0x6a]), pushData(message)) }],
      lockTime: 0,
    };
    const header = this.coin.algorithm.header.build({
      version: this.coin.blockVersion,
      prevHash: new Uint8Array(32),
      merkleRoot: txid(coinbase),
      time,
      bits: this.bits,
      height: 0,
    });
    return concatBytes(header, new Uint8Array([1]), serializeTx(coinbase));
  }

  /** Parses a serialized block of this chain's header form; throws TxDecodeError. */
  parseBlock(raw: Uint8Array): ParsedBlock {
    return parseSerializedBlock(raw, this.coin.algorithm.header.bytes);
  }

    /** Validates a parsed block against its parent (the tip or any known block) without changing anything. */
  check(block: ParsedBlock, raw: Uint8Array, options: CheckOptions): CheckResult {
    const reject = (reason: string): CheckResult => ({ ok: false, reason });
    const coin = this.coin;
    if (block.header.length !== coin.algorithm.header.bytes) return reject('bad-header-length');
    const fields = coin.algorithm.share.readFields(block.header);
    const header = { version: readU32LE(block.header, 0), prevHash: fields.prevHash.slice(), merkleRoot: fields.merkleRoot.slice(), time: fields.time, bits: fields.bits };
    const hash = coin.pow.blockHash(block.header);
    const hashHex = bytesToHex(reverseBytes(hash));
    if (this.byHash.has(hashHex)) return reject('duplicate');
    const isGenesis = this.byHash.size === 0;

    // Context-free checks (Core's CheckBlockHeader / CheckBlock).
    let target: bigint;
    try {
      target = bitsToTarget(header.bits);
    } catch {
      return reject('bad-diffbits');
    }
    // Contextual before the proof of work: a KawPow header's height picks the light cache, and the
    // height is the parent's (anywhere in the tree) plus one.
    const prevHex = bytesToHex(reverseBytes(header.prevHash));
    const prev = isGenesis ? undefined : this.byHash.get(prevHex);
    const height = prev ? prev.height + 1 : isGenesis ? 0 : this.blocks.length;
    const headerReject = coin.checkHeader(block.header, height);
    if (headerReject) return reject(headerReject);
    if (!isGenesis && (options.checkPow ?? true)) {
      const powReject = coin.pow.check(block.header, target, !options.reloading);
      if (powReject) return reject(powReject);
    }
    const txids = block.txs.map((t) => txid(t.tx));
    if (!bytesEqual(merkleRoot(txids), header.merkleRoot)) return reject('bad-txnmrklroot');
    if (new Set(txids.map(bytesToHex)).size !== txids.length) return reject('bad-txns-duplicate');
    const coinbase = block.txs[0]!.tx;
    if (!isCoinbase(coinbase)) return reject('bad-cb-missing');
    if (block.txs.slice(1).some((t) => isCoinbase(t.tx))) return reject('bad-cb-multiple');
    const cbScript = coinbase.inputs[0]!.script;
    if (cbScript.length < 2 || cbScript.length > 100) return reject('bad-cb-length');

    // Contextual header checks, against the block's parent wherever it is in the tree.
    if (isGenesis) {
      if (!header.prevHash.every((b) => b === 0)) return reject('prev-blk-not-found');
    } else {
      if (!prev) return reject('prev-blk-not-found');
      if (this.invalid.has(prevHex)) return reject('bad-prevblk');
      if (!options.reloading && header.bits !== this.bits) return reject('bad-diffbits');
      if (header.time <= prev.medianTime) return reject('time-too-old');
    }
    if (!options.reloading && header.time > options.now + coin.maxFutureBlockTimeS) return reject('time-too-new');
    if (header.version < coin.minBlockVersion) return reject(`bad-version(0x${header.version.toString(16).padStart(8, '0')})`);

    // Contextual block checks: BIP34 height, BIP141 commitment.
    const heightPush = bip34HeightPush(height);
    if (!bytesEqual(cbScript.slice(0, heightPush.length), heightPush)) return reject('bad-cb-height');
    const witnessReject = this.checkWitness(block, coinbase);
    if (witnessReject) return reject(witnessReject);

    // Connecting: simnet has no UTXO set, so only coinbases can be valid.
    if (block.txs.length > 1) return reject('bad-txns-inputs-missingorspent');
    const paid = coinbase.outputs.reduce((sum, o) => sum + o.value, 0n);
    const allowed = isGenesis ? 0n : this.rewardSats;
    if (paid > allowed) return reject('bad-cb-amount');

    const times = [header.time];
    for (let b = prev; b && times.length < MEDIAN_TIME_SPAN; b = this.parentOf(b)) times.push(b.time);
    times.sort((a, b) => a - b);
    return {
      ok: true,
      block: {
        height,
        hash,
        hashHex,
        header: block.header,
        raw,
        version: header.version,
        prevHash: header.prevHash,
        merkleRoot: header.merkleRoot,
        time: header.time,
        bits: header.bits,
        nonce: coin.nonce(block.header),
        txCount: block.txs.length,
        txids: txids.map((t) => bytesToHex(reverseBytes(t))),
        chainWork: (prev?.chainWork ?? 0n) + blockWork(header.bits),
        medianTime: times[Math.floor(times.length / 2)]!,
        coinbaseOutputs: coinbase.outputs.map((o) => ({ script: o.script, value: o.value })),
      },
    };
  }

  /**
   * Adds a block that check() accepted. It becomes the tip when it has more work than the tip
   * (extending it, or reorganizing onto its branch); otherwise it waits on its side branch.
   */
  connect(block: ChainBlock): ChainChange {
    if (this.byHash.has(block.hashHex)) throw new Error(`block ${block.hashHex} is known already`);
    const parent = this.byHash.size === 0 ? undefined : this.byHash.get(bytesToHex(reverseBytes(block.prevHash)));
    if (this.byHash.size > 0 && (!parent || parent.height + 1 !== block.height)) throw new Error(`block ${block.hashHex} does not build on a known block at height ${block.height - 1}`);
    this.byHash.set(block.hashHex, block);
    this.seqOf.set(block.hashHex, this.nextSeq++);
    if (parent) this.childrenOf.set(parent.hashHex, [...(this.childrenOf.get(parent.hashHex) ?? []), block.hashHex]);
    const tip = this.blocks[this.blocks.length - 1];
    if (!tip || block.chainWork > tip.chainWork) return this.activate(block);
    return { tipChanged: false, disconnected: [], connected: [] };
  }

  /**
   * bitcoind's invalidateblock: the block and its descendants become invalid; when it was on the
   * active chain, the chain goes back to its parent and then to the best valid branch.
   */
  invalidate(hashHex: string): ChainChange {
    const block = this.requireBlock(hashHex);
    if (block.height === 0) throw new Error('the genesis block cannot be invalidated');
    for (const h of this.descendants(block.hashHex)) this.invalid.add(h);
    const disconnected: ChainBlock[] = [];
    if (this.isActive(block)) while (this.blocks.length > block.height) disconnected.push(this.detach());
    const change = this.activateBest();
    return { tipChanged: disconnected.length > 0 || change.tipChanged, disconnected: [...disconnected, ...change.disconnected], connected: change.connected };
  }

  /** bitcoind's reconsiderblock: the block, its descendants and its ancestors are valid again; the best branch becomes active. */
  reconsider(hashHex: string): ChainChange {
    const block = this.requireBlock(hashHex);
    for (const h of this.descendants(block.hashHex)) this.invalid.delete(h);
    for (let b: ChainBlock | undefined = block; b; b = this.parentOf(b)) this.invalid.delete(b.hashHex);
    return this.activateBest();
  }

  /** bitcoind's preciousblock: the block wins ties of work as if seen first; it becomes the tip when its work equals the tip's. */
  precious(hashHex: string): ChainChange {
    const block = this.requireBlock(hashHex);
    if (block.chainWork < this.tip().chainWork || this.isActive(block)) return { tipChanged: false, disconnected: [], connected: [] };
    this.seqOf.set(block.hashHex, this.nextPreciousSeq--);
    return this.activateBest();
  }

  /** bitcoind's getchaintips: the active tip and the tip of every side branch, highest first. */
  chainTips(): ChainTip[] {
    const tip = this.tip();
    const tips = [...this.byHash.values()].filter((b) => b === tip || !this.childrenOf.has(b.hashHex));
    return tips
      .sort((a, b) => b.height - a.height || (this.seqOf.get(a.hashHex)! - this.seqOf.get(b.hashHex)!))
      .map((b) => {
        let fork: ChainBlock | undefined = b;
        while (fork && !this.isActive(fork)) fork = this.parentOf(fork);
        return {
          height: b.height,
          hash: b.hashHex,
          branchlen: b.height - (fork?.height ?? 0),
          status: b === tip ? 'active' : this.invalid.has(b.hashHex) ? 'invalid' : 'valid-fork',
        };
      });
  }

  private requireBlock(hashHex: string): ChainBlock {
    const block = this.byHash.get(hashHex.toLowerCase());
    if (!block) throw new Error(`block ${hashHex} is not known`);
    return block;
  }

  /** The block and every block built on it. */
  private descendants(hashHex: string): string[] {
    const out: string[] = [];
    const stack = [hashHex];
    while (stack.length) {
      const h = stack.pop()!;
      out.push(h);
      stack.push(...(this.childrenOf.get(h) ?? []));
    }
    return out;
  }

  /** Makes the valid block with the most work (first seen on a tie) the tip, if it is not. */
  private activateBest(): ChainChange {
    let best: ChainBlock | undefined;
    for (const b of this.byHash.values()) {
      if (this.invalid.has(b.hashHex)) continue;
      if (!best || b.chainWork > best.chainWork || (b.chainWork === best.chainWork && this.seqOf.get(b.hashHex)! < this.seqOf.get(best.hashHex)!)) best = b;
    }
    if (!best || best === this.blocks[this.blocks.length - 1]) return { tipChanged: false, disconnected: [], connected: [] };
    return this.activate(best);
  }

  /** Moves the active chain to end at `tip`: back to the fork point, then up its branch. */
  private activate(tip: ChainBlock): ChainChange {
    const branch: ChainBlock[] = [];
    let fork: ChainBlock | undefined = tip;
    while (fork && !this.isActive(fork)) {
      branch.push(fork);
      fork = this.parentOf(fork);
    }
    const disconnected: ChainBlock[] = [];
    while (this.blocks.length > (fork ? fork.height + 1 : 0)) disconnected.push(this.detach());
    branch.reverse();
    for (const b of branch) this.attach(b);
    return { tipChanged: true, disconnected, connected: branch };
  }

  /** Appends a block to the active chain and credits its coinbase outputs. */
  private attach(block: ChainBlock): void {
    this.blocks.push(block);
    for (const t of block.txids) if (!this.txIndex.has(t)) this.txIndex.set(t, block.hashHex);
    this.credit(block, 1n);
  }

  /** Takes the tip off the active chain and its coinbase outputs out of the balances. */
  private detach(): ChainBlock {
    const block = this.blocks.pop()!;
    for (const t of block.txids) if (this.txIndex.get(t) === block.hashHex) this.txIndex.delete(t);
    this.credit(block, -1n);
    return block;
  }

  private credit(block: ChainBlock, sign: 1n | -1n): void {
    for (const o of block.coinbaseOutputs) {
      const address = scriptToAddress(o.script, 'regtest', this.coin.addressCoin);
      if (!address || o.value <= 0n) continue;
      const balance = (this.balanceMap.get(address) ?? 0n) + sign * o.value;
      if (balance === 0n) this.balanceMap.delete(address);
      else this.balanceMap.set(address, balance);
    }
  }

  /** BIP141 for the coinbase: a commitment needs a 32-byte reserved value and must match. */
  private checkWitness(block: ParsedBlock, coinbase: Transaction): string | undefined {
    const idx = findWitnessCommitment(coinbase.outputs);
    if (idx < 0) return block.txs.some((t) => t.hasWitness) ? 'unexpected-witness' : undefined;
    const witness = coinbase.inputs[0]!.witness;
    if (witness.length !== 1 || witness[0]!.length !== 32) return 'bad-witness-nonce-size';
    // Coinbase-only blocks: the witness root is the coinbase's zero wtxid alone.
    const expected = witnessCommitmentScript(witnessMerkleRoot([]), witness[0]!);
    if (!bytesEqual(coinbase.outputs[idx]!.script.slice(0, 38), expected)) return 'bad-witness-merkle-match';
    return undefined;
  }
}
