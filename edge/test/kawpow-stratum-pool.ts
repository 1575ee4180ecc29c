/**
 * The smallest real KawPow Stratum pool, for tests of the miners that need a pool the test
 * controls (malformed lines after subscribe, a refused authorize, a difficulty change on demand,
 * fixed jobs): the edge's own KawPow Stratum server (stratum/dialects/kawpow.ts) never misbehaves
 * like that, and `otedama pool` on a Ravencoin chain is tested end to end with the real miner in
 * pool-kawpow.test.ts. Every message goes through core's KawPow dialect codec and every share through
 * core's KawpowShareValidator with a real light evaluation injected:
 *
 *   - each connection gets its own 2-byte nonce prefix and its own job ids, each remembered with
 *     the share target it was sent at (a share for a job id another connection was sent is "job
 *     not found"); ids of one job share its template, so a share counts once across them;
 *   - jobs come from a fixed set (synthetic Ravencoin headers at a chosen height) or from a
 *     Ravencoin simnet's templates, whose blocks a share that meets the block target submits;
 *   - `setDifficulty` sends mining.set_target and the current job under a new id, as MiningCore.
 *
 * It records what miners send and what it answered, so tests can assert on both.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  assembleCoinbase,
  buildCoinbaseParts,
  coinbaseHash,
  coinbaseMerkleBranch,
  encodeError,
  encodeNotification,
  encodeResult,
  encodeStratumError,
  KAWPOW,
  keccak256,
  kawpowNotifyParams,
  kawpowSetTargetParams,
  kawpowShareTarget,
  KawpowShareValidator,
  kawpowSubscribeResult,
  merkleRootFromBranch,
  parseAuthorizeParams,
  parseKawpowSubmitParams,
  parseStratumLine,
  rejectKawpowShare,
  StratumError,
  StratumLineFramer,
  type BlockTemplate,
  type KawpowMixFunction,
  type KawpowShareJob,
  type KawpowShareTarget,
  type KawpowShareVerdict,
  type StratumId,
} from '@otedama/core';
import { blockForSubmit, jobHeader } from '../src/chain/template-work.ts';
import type { TemplateSource } from '../src/chain/template-source.ts';

/** Default share difficulty: about one light hash in 64 is a share (KawPow difficulty 1 is one in 2^32). */
export const KAWPOW_POOL_TEST_DIFFICULTY = 2 ** -26;
/** Longest line accepted from a miner. */
const MAX_LINE_CHARS = 16 * 1024;

export interface KawpowPoolOptions {
  /** The validator's light evaluation (the WASM engine: KawpowLight.mix, or hasher.hash at a reduced size). */
  readonly lightMix: KawpowMixFunction;
  /** Share difficulty (KawPow pool difficulty). */
  readonly difficulty?: number;
  /** Height of the fixed jobs (default 1,000: epoch 0). */
  readonly height?: number;
  /** Jobs from a Ravencoin chain's templates instead of the fixed set; blocks go back to it. */
  readonly chain?: { readonly source: TemplateSource; readonly payoutScript: Uint8Array };
  readonly sessionId?: string;
  /** Refuses every mining.authorize with this reason. */
  readonly refuseAuthorize?: string;
  /** Raw lines sent right after the subscribe reply (malformed-input tests). */
  readonly junkAfterSubscribe?: readonly string[];
}

/** A job as the pool keeps it: the validator's job and, for chain jobs, what its block needs. */
interface PoolJob {
  readonly shareJob: KawpowShareJob;
  readonly template?: BlockTemplate;
  readonly coinbase?: Uint8Array;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly noncePrefix: string;
  subscribed: boolean;
  authorized: Set<string>;
  /** Job ids this connection was sent, with the share target each was sent at. */
  readonly sent: Map<string, { job: PoolJob; target: KawpowShareTarget }>;
  target: KawpowShareTarget;
}

export interface ReceivedKawpowShare {
  readonly connection: number;
  readonly params: unknown[];
  /** The validator's verdict, or the codec's refusal (`malformed`). */
  readonly verdict: KawpowShareVerdict | { readonly ok: false; readonly reason: 'malformed' | 'unauthorized'; readonly message: string };
  readonly jobId: string;
}

export class KawpowStratumPool {
  readonly requests: { connection: number; method: string; params: readonly unknown[]; id: unknown; raw: string }[] = [];
  readonly shares: ReceivedKawpowShare[] = [];
  readonly blocks: { hex: string; accepted: boolean; reason?: string }[] = [];
  readonly validator: KawpowShareValidator;
  private readonly connections = new Map<number, Connection>();
  private server: Server | undefined;
  private current: PoolJob | undefined;
  private nextConnection = 1;
  private nextJob = 1;
  private difficulty: number;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: KawpowPoolOptions) {
    this.validator = new KawpowShareValidator({ lightMix: options.lightMix, maxJobs: 256 });
    this.difficulty = options.difficulty ?? KAWPOW_POOL_TEST_DIFFICULTY;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  get url(): string {
    return `stratum+tcp://127.0.0.1:${this.port}`;
  }

  /** The job published last (each connection got it under an id of its own). */
  get job(): KawpowShareJob {
    return this.current!.shareJob;
  }

  async start(): Promise<void> {
    if (this.options.chain) {
      const t = this.options.chain.source.current();
      if (!t) throw new Error('the chain source has no template yet (start it first)');
      this.current = this.chainJob(t, true);
      this.unsubscribe = this.options.chain.source.onTemplate((u) => this.publish(this.chainJob(u.template, u.newBlock)));
    } else {
      this.current = this.fixedJob(true, this.options.height ?? 1_000);
    }
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const c of this.connections.values()) c.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The nonce prefix of connection `id` (1, 2, ... in connection order). */
  noncePrefixOf(id: number): string {
    return (0x8000 + id).toString(16);
  }

  /** Makes and sends a new fixed job (at `height`, default the current job's). */
  newJob(clean: boolean, height = this.current!.shareJob.height): KawpowShareJob {
    this.publish(this.fixedJob(clean, height));
    return this.current!.shareJob;
  }

  /** A new share difficulty for every connection: set_target, then the current job under a new id. */
  setDifficulty(difficulty: number): void {
    this.difficulty = difficulty;
    for (const c of this.connections.values()) {
      if (!c.authorized.size) continue;
      c.target = kawpowShareTarget(difficulty);
      this.send(c.socket, encodeNotification('mining.set_target', kawpowSetTargetParams(c.target.target)));
      this.sendJob(c, this.current!, false);
    }
  }

  broadcast(line: string): void {
    for (const c of this.connections.values()) this.send(c.socket, line);
  }

  // -- jobs -----------------------------------------------------------------------------------

  private register(job: PoolJob, clean = false): PoolJob {
    const s = job.shareJob;
    const shareJob = this.validator.addJob({
      id: String(this.nextJob++),
      headerHash: s.headerHash,
      height: s.height,
      bits: s.bits,
      blockTarget: s.blockTarget,
      cleanJobs: clean,
      createdAt: Date.now(),
      ...(s.header ? { header: s.header } : {}),
    });
    return { ...job, shareJob };
  }

  /** A synthetic Ravencoin job header at `height` (its fields random, its header hash real). */
  private fixedJob(clean: boolean, height: number): PoolJob {
    const n = this.nextJob;
    const header = KAWPOW.header.build({
      version: 0x30000000,
      prevHash: keccak256(new TextEncoder().encode(`prev ${n} ${Date.now()}`)),
      merkleRoot: keccak256(new TextEncoder().encode(`root ${n}`)),
      time: Math.floor(Date.now() / 1000),
      bits: 0x1d00ffff,
      height,
    });
    const spec = { headerHash: KAWPOW.header.jobInput(header), height, bits: 0x1d00ffff, header } as KawpowShareJob;
    return this.register({ shareJob: spec }, clean);
  }

  /** A job on a chain template: the coinbase pays the pool, the header hash is the job's. */
  private chainJob(t: BlockTemplate, clean: boolean): PoolJob {
    const parts = buildCoinbaseParts(t, { outputs: [{ script: this.options.chain!.payoutScript, value: t.coinbaseValue }], extranonceBytes: 8, tag: '/otedama-test-pool/' });
    const coinbase = assembleCoinbase(parts.coinb1, new Uint8Array(4), new Uint8Array(4), parts.coinb2);
    const root = merkleRootFromBranch(coinbaseHash(coinbase), coinbaseMerkleBranch(t.transactions.map((x) => x.txid)));
    const header = jobHeader(KAWPOW, t, root);
    const spec = { headerHash: KAWPOW.header.jobInput(header), height: t.height, bits: t.bits, blockTarget: t.target, header } as KawpowShareJob;
    return this.register({ shareJob: spec, template: t, coinbase }, clean);
  }

  private publish(job: PoolJob): void {
    this.current = job;
    for (const c of this.connections.values()) if (c.authorized.size) this.sendJob(c, job, job.shareJob.cleanJobs);
  }

  /** Sends `job` to one connection under an id of its own (the same template: one credit per share across ids). */
  private sendJob(c: Connection, base: PoolJob, clean: boolean): void {
    const job = this.register(base);
    c.sent.set(job.shareJob.id, { job, target: c.target });
    const s = job.shareJob;
    this.send(c.socket, encodeNotification('mining.notify', kawpowNotifyParams({ jobId: s.id, headerHash: s.headerHash, height: s.height, bits: s.bits, target: c.target.target, clean })));
  }

  // -- connections ----------------------------------------------------------------------------

  private send(socket: Socket, line: string): void {
    if (!socket.destroyed) socket.write(line);
  }

  private accept(socket: Socket): void {
    const id = this.nextConnection++;
    const c: Connection = { id, socket, noncePrefix: this.noncePrefixOf(id), subscribed: false, authorized: new Set(), sent: new Map(), target: kawpowShareTarget(this.difficulty) };
    this.connections.set(id, c);
    socket.on('close', () => this.connections.delete(id));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    const framer = new StratumLineFramer(MAX_LINE_CHARS);
    socket.on('data', (chunk: string) => {
      try {
        framer.push(chunk, (line) => void this.onLine(c, line));
      } catch {
        socket.destroy();
      }
    });
  }

  private async onLine(c: Connection, raw: string): Promise<void> {
    let msg;
    try {
      msg = parseStratumLine(raw);
    } catch (err) {
      this.send(c.socket, encodeStratumError(null, err as StratumError));
      return;
    }
    if (msg.kind !== 'request') return;
    this.requests.push({ connection: c.id, method: msg.method, params: msg.params, id: msg.id, raw });
    const id: StratumId = msg.id;
    switch (msg.method) {
      case 'mining.subscribe':
        c.subscribed = true;
        this.send(c.socket, encodeResult(id, kawpowSubscribeResult(this.options.sessionId ?? `s${c.id}`, c.noncePrefix)));
        for (const junk of this.options.junkAfterSubscribe ?? []) c.socket.write(junk + '\n');
        return;
      case 'mining.authorize': {
        if (this.options.refuseAuthorize) return this.send(c.socket, encodeError(id, 24, this.options.refuseAuthorize));
        let user: string;
        try {
          user = parseAuthorizeParams(msg.params).username;
        } catch (err) {
          return this.send(c.socket, encodeStratumError(id, err as StratumError));
        }
        const first = c.authorized.size === 0;
        c.authorized.add(user);
        this.send(c.socket, encodeResult(id, true));
        if (first) {
          this.send(c.socket, encodeNotification('mining.set_target', kawpowSetTargetParams(c.target.target)));
          this.sendJob(c, this.current!, true);
        }
        return;
      }
      case 'mining.submit':
        return this.onSubmit(c, id, msg.params);
      default:
        return this.send(c.socket, encodeError(id, 20, `unknown method ${msg.method}`));
    }
  }

  private async onSubmit(c: Connection, id: StratumId, params: readonly unknown[]): Promise<void> {
    const jobId = typeof params[1] === 'string' ? params[1] : '';
    const record = (verdict: ReceivedKawpowShare['verdict']) => this.shares.push({ connection: c.id, params: [...params], verdict, jobId });
    let sub;
    try {
      sub = parseKawpowSubmitParams(params);
    } catch (err) {
      record({ ok: false, reason: 'malformed', message: (err as StratumError).reason });
      return this.send(c.socket, encodeStratumError(id, err as StratumError));
    }
    if (!c.subscribed || !c.authorized.has(sub.username)) {
      record({ ok: false, reason: 'unauthorized', message: 'Unauthorized worker' });
      return this.send(c.socket, encodeError(id, 24, 'Unauthorized worker'));
    }
    // Only a job this connection was sent (never the validator's lookup by id: another
    // connection's job id is not this miner's to submit).
    const sent = c.sent.get(sub.jobId);
    const verdict = sent ? await this.validator.validate(sub, { noncePrefix: c.noncePrefix, shareTarget: sent.target }, sent.job.shareJob) : rejectKawpowShare('job-not-found');
    record(verdict);
    if (!verdict.ok) return this.send(c.socket, encodeError(id, verdict.code, verdict.message));
    this.send(c.socket, encodeResult(id, true));
    const job = sent!.job;
    if (verdict.isBlock && job.template && this.options.chain && verdict.header) {
      const hex = Buffer.from(blockForSubmit(KAWPOW, verdict.header, job.coinbase!, job.template)).toString('hex');
      const result = await this.options.chain.source.submitBlock(hex);
      this.blocks.push({ hex, ...result });
    }
  }
}
