/**
 * The miner's work from the sharechain instead of from a Stratum edge: a job client with the
 * StratumWsClient's shape (miner.ts builds headers and counts shares the same way for both), whose
 * jobs are chain jobs built by the page's own chain (page-chain.ts: the coinbase pays payouts(tip,
 * reward) and commits to this page's address) on the template an edge signed, and whose
 * submissions become shares: checked against the exact share target, sealed, added to the page's
 * chain and gossiped (or kept until a peer listens). A new template or a new tip is a new job.
 */
import { buildStratumHeader, hashToBigInt, hexToBytes, sha256d, type Payee } from '@otedama/core';
import type { MinerEvent } from '../miner.ts';
import type { ConnectionState, StratumJob, StratumWsEvents, SubmitOutcome } from '../stratum-ws-client.ts';
import type { ChainWork } from './page-chain.ts';
import type { PeerSession } from './peer-session.ts';

/** Extranonce bytes the page varies per nonce range: 4 fixed (extranonce1, random per session) + 4 counted by the miner. */
const EXTRANONCE1_BYTES = 4;
const EXTRANONCE2_BYTES = 4;
/**
 * Jobs are rebuilt at least this often (ms) even when nothing changed: the chain's demanded
 * target eases with the time since the tip (ASERT), and the header time moves on.
 */
const REBUILD_EVERY_MS = 5_000;

export class ChainJobClient {
  readonly extranonce1: string;
  readonly extranonce2Size = EXTRANONCE2_BYTES;
  private readonly works = new Map<string, ChainWork>();
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private building: Promise<void> | undefined;
  private again = false;
  private state: ConnectionState = 'stopped';
  private lastPrev = '';
  private running = false;

  constructor(
    private readonly session: PeerSession,
    private readonly payees: readonly Payee[],
    private readonly events: StratumWsEvents,
  ) {
    this.extranonce1 = [...crypto.getRandomValues(new Uint8Array(EXTRANONCE1_BYTES))].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** What the dashboard shows as the "edge": the network the jobs come from. */
  get url(): string {
    return `sharechain ${this.session.directory.poolId.slice(0, 12)}…`;
  }

  get sessionKey(): string {
    return `chain ${this.extranonce1}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.events.onExtranonce(this.extranonce1, this.extranonce2Size);
    this.unsubscribe = this.session.onWork(() => this.rebuild());
    this.timer = setInterval(() => this.rebuild(), REBUILD_EVERY_MS);
    this.rebuild();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.setState('stopped');
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (state === this.state && state !== 'reconnecting') return;
    this.state = state;
    this.events.onState(state, this.url, detail);
  }

  /** Builds a job on the current template and tip (one build at a time; changes meanwhile build again after). */
  private rebuild(): void {
    if (!this.running) return;
    if (this.building) {
      this.again = true;
      return;
    }
    this.building = this.build()
      .catch((err: unknown) => this.events.onEvent({ level: 'warn', text: `no job from the sharechain yet: ${(err as Error).message}` }))
      .finally(() => {
        this.building = undefined;
        if (this.again) {
          this.again = false;
          this.rebuild();
        }
      });
  }

  private async build(): Promise<void> {
    const coin = this.session.miningCoin();
    if (!coin) {
      this.lastPrev = '';
      this.setState('reconnecting', this.session.noWorkReason());
      return;
    }
    const work = await this.session.chain.job([...this.payees], coin, EXTRANONCE1_BYTES + EXTRANONCE2_BYTES);
    if (!this.running) return;
    this.works.set(work.jobId, work);
    while (this.works.size > 16) this.works.delete(this.works.keys().next().value as string);
    if (this.state !== 'authorized') this.setState('authorized');
    const job: StratumJob = {
      jobId: work.jobId,
      prevhash: work.prevhash,
      coinb1: work.coinb1,
      coinb2: work.coinb2,
      merkleBranch: [...work.merkleBranch],
      version: work.version,
      nbits: work.nbits,
      ntime: work.ntime,
      // A new coin block makes old work worthless; a new share tip only makes it an uncle.
      clean: work.prevhash !== this.lastPrev,
      difficulty: work.difficulty,
      target: work.target,
    };
    this.lastPrev = work.prevhash;
    this.events.onJob(job);
  }

  /** The last own share was kept in the outbox (no peer listened). */
  private keeping = false;

  async submit(jobId: string, extranonce2: string, ntime: string, nonce: string): Promise<SubmitOutcome> {
    const work = this.works.get(jobId);
    if (!work) return { outcome: 'rejected', error: { code: 21, message: 'stale: the job is no longer kept' } };
    const { header } = buildStratumHeader(work, { extranonce1: this.extranonce1, extranonce2, ntime, nonce });
    if (hashToBigInt(sha256d(header)) > work.target) return { outcome: 'rejected', error: { code: 23, message: 'above the share target' } };
    let share: Uint8Array;
    try {
      share = await this.session.chain.seal(jobId, header, hexToBytes(this.extranonce1 + extranonce2));
    } catch (err) {
      return { outcome: 'rejected', error: { code: 21, message: `stale: ${(err as Error).message}` } };
    }
    const r = await this.session.submitOwn(share);
    if (r.outcome === 'rejected') return { outcome: 'rejected', error: { code: null, message: r.reason } };
    // Said once per spell without peers (a fast page finds hundreds of shares in one).
    if (r.outcome === 'kept' && !this.keeping) {
      const event: MinerEvent = { level: 'warn', text: 'share found while no peer is reachable: kept (and those after it), and gossiped as soon as one is' };
      this.events.onEvent(event);
    }
    this.keeping = r.outcome === 'kept';
    return { outcome: 'accepted' };
  }
}
