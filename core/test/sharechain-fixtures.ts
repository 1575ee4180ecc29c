/**
 * Test fixtures for the sharechain: a pool on a made-up coin whose shares are cheap to mine (the
 * easiest targets), a coin context with one tip, and a miner that finds real SHA-256d headers for
 * a ChainJob. Everything is real: shares are mined and validated, nothing is stubbed.
 */
import {
  CoinTips,
  bitsToTarget,
  buildShareCoinbase,
  bytesToHex,
  encodeShare,
  encodeShareMetadata,
  ShareChain,
  createChainJob,
  serializeHeader,
  sha256d,
  shareScriptSig,
  simnetPoolParams,
  type ChainJob,
  type ChainJobRequest,
  type CoinTipInfo,
  type Payee,
  type PoolParams,
  type AddResult,
  type Payouts,
  type ShareEntry,
  type ShareMetadata,
  type TxOutput,
} from '../src/index.ts';

/** A made-up coin genesis hash for test pools. */
export const TEST_GENESIS = sha256d(new TextEncoder().encode('otedama sharechain test coin'));
/** The easiest target a pool allows (regtest's proof-of-work limit): about every second hash meets it. */
export const EASIEST_BITS = 0x207fffff;
/** A coin block target shares never reach (difficulty 1). */
export const HARD_BLOCK_BITS = 0x1d00ffff;
export const COIN_REWARD = 50n * 100_000_000n;
/** The start of test time (ms). */
export const T0 = 1_700_000_000_000;

/** Pool params where every share is easy: initial and easiest targets at regtest's limit. */
export function testParams(over: Partial<PoolParams> = {}): PoolParams {
  return simnetPoolParams(TEST_GENESIS, { initialShareBits: EASIEST_BITS, maxShareBits: EASIEST_BITS, ...over });
}

/** A P2WPKH script whose 20-byte program is `n` repeated. */
export function p2wpkh(n: number): Uint8Array {
  const s = new Uint8Array(22);
  s[0] = 0x00;
  s[1] = 0x14;
  s.fill(n & 0xff, 2);
  s[21] = (n >> 8) & 0xff;
  return s;
}

export function payee(n: number, bp = 10_000): Payee {
  return { script: p2wpkh(n), bp };
}

/** The coin block test shares build on. */
export function coinTip(n = 1, bits = HARD_BLOCK_BITS): { prevHash: Uint8Array; info: CoinTipInfo } {
  return { prevHash: sha256d(new Uint8Array([0xc0, n & 0xff, n >> 8])), info: { height: 100 + n, bits, maxReward: COIN_REWARD } };
}

export interface TestPool {
  readonly chain: ShareChain;
  readonly coin: CoinTips;
  readonly tip: { prevHash: Uint8Array; info: CoinTipInfo };
  /** The chain's clock (ms); tests move it. */
  now: number;
}

export function testPool(over: Partial<PoolParams> = {}, blockBits = HARD_BLOCK_BITS): TestPool {
  const coin = new CoinTips();
  const tip = coinTip(1, blockBits);
  coin.add(tip.prevHash, tip.info);
  const pool: TestPool = { chain: undefined as unknown as ShareChain, coin, tip, now: T0 };
  (pool as { chain: ShareChain }).chain = new ShareChain({ params: testParams(over), coin, now: () => pool.now });
  return pool;
}

/** Finds a nonce whose SHA-256d header meets `target` (or, with `above`, misses it); returns the header. */
export function mineHeaderFor(coin: { prevHash: Uint8Array; bits: number }, merkleRoot: Uint8Array, timeMs: number, target: bigint, above = false): Uint8Array {
  for (let nonce = 0; nonce < 0x1_0000_0000; nonce++) {
    const header = serializeHeader({ version: 0x20000000, prevHash: coin.prevHash, merkleRoot, time: Math.floor(timeMs / 1000), bits: coin.bits, nonce });
    const hash = sha256d(header);
    let v = 0n;
    for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(hash[i]!);
    if ((v <= target) !== above) return header;
  }
  throw new Error('no nonce meets the target');
}

/** Finds a nonce whose SHA-256d header meets the job's target; returns the header. */
export function mineHeader(job: ChainJob, coinbase: Uint8Array, timeMs: number): Uint8Array {
  return mineHeaderFor(job.coin, job.merkleRoot(coinbase), timeMs, job.target);
}

export interface CustomShare {
  /** Metadata fields to change from the job's (the commitment is recomputed: the share is well made, its claims are not). */
  readonly meta?: Partial<ShareMetadata>;
  readonly scriptSig?: Uint8Array;
  /** Coinbase outputs to pay instead of the job's payouts. */
  readonly outputs?: readonly TxOutput[];
  /** Mine a header whose hash misses the share target. */
  readonly highHash?: boolean;
}

/** A share made from a job with changed claims, mined for real. */
export function mineCustom(pool: TestPool, job: ChainJob, custom: CustomShare): Uint8Array {
  const meta: ShareMetadata = { ...job.metadata, ...custom.meta };
  const scriptSig = custom.scriptSig ?? shareScriptSig(job.coin.height, new Uint8Array(8));
  const metadataHash = sha256d(encodeShareMetadata(meta));
  const coinbase = buildShareCoinbase({ scriptSig, payouts: custom.outputs ?? job.payouts.outputs, poolId: pool.chain.poolId, metadataHash, mandatedOutputs: [] });
  const header = mineHeaderFor(job.coin, sha256d(coinbase), meta.time, bitsToTarget(meta.bits), custom.highHash);
  return encodeShare({ meta, work: { header, scriptSig, reward: job.coin.reward, mandatedOutputs: [], merkleBranch: [] } }, 80);
}

/** A job on the pool's coin tip (default: on the chain's tip, paying payee 1). */
export function job(pool: TestPool, request: Partial<ChainJobRequest> = {}): ChainJob {
  return createChainJob(pool.chain, {
    payees: [payee(1)],
    coin: { prevHash: pool.tip.prevHash, height: pool.tip.info.height, bits: pool.tip.info.bits, reward: COIN_REWARD },
    time: pool.now,
    ...request,
  });
}

export interface MineOptions extends Partial<ChainJobRequest> {
  /** Extranonce bytes in the scriptSig (vary them for distinct siblings). */
  readonly extranonce?: Uint8Array;
}

/** Mines a share on the pool's coin tip (default: on the chain's tip, paying payee 1). */
export function mineShare(pool: TestPool, options: MineOptions = {}): { bytes: Uint8Array; job: ChainJob } {
  const { extranonce, ...request } = options;
  const j = job(pool, request);
  const scriptSig = shareScriptSig(j.coin.height, extranonce ?? new Uint8Array(8));
  const coinbase = j.coinbase(scriptSig);
  const header = mineHeader(j, coinbase, j.metadata.time);
  return { bytes: j.encode(header, scriptSig), job: j };
}

/** Mines and adds `n` shares in a row on the tip, `stepMs` apart; returns their entries. */
export function extend(pool: TestPool, n: number, options: MineOptions & { stepMs?: number } = {}): ShareEntry[] {
  const { stepMs = pool.chain.params.shareIntervalMs, ...mine } = options;
  const out: ShareEntry[] = [];
  for (let i = 0; i < n; i++) {
    pool.now += stepMs;
    const { bytes } = mineShare(pool, mine);
    const r = pool.chain.add(bytes);
    if (r.kind !== 'accepted') throw new Error(`share ${i} not accepted: ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? '<bytes>' : v))}`);
    out.push(r.entry);
  }
  return out;
}

/** What `add` answered, as the chain vector (sharechain-chain.json) records it. */
export function addSummary(r: AddResult): Record<string, unknown> {
  if (r.kind === 'accepted') {
    return {
      kind: r.kind,
      id: r.entry.key,
      tip: r.tip.key,
      height: r.tip.height,
      isBlock: r.isBlock,
      ...(r.reorg ? { reorg: { fork: r.reorg.fork?.key ?? null, removed: r.reorg.removed.map(bytesToHex), added: r.reorg.added.map(bytesToHex) } } : {}),
    };
  }
  return r.kind === 'invalid' || r.kind === 'held-back' ? { kind: r.kind, reason: r.reason } : { kind: r.kind };
}

/** A payout result as the payout vectors (sharechain-payouts.json) record it. */
export function payoutsSummary(out: Payouts): Record<string, unknown> {
  return {
    finderBonus: out.finderBonus,
    threshold: out.threshold,
    lottery: out.lottery ?? null,
    unpaid: out.unpaid,
    payees: out.payees.map((p) => ({ script: p.script, amount: p.amount, kind: p.kind, winProbability: p.winProbability, paid: p.paid })),
    outputs: out.outputs.map((o) => ({ script: o.script, value: o.value })),
  };
}
