/**
 * A minimal Stratum V1 pool for miner tests: one job at a time, a fixed extranonce1, and every
 * submit checked with core (header rebuilt from the submitted fields, sha256d, target of the
 * difficulty the job was sent with). Records what the miner sent so tests can assert on it.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { buildStratumHeader, difficultyToTarget, hashToBigInt, sha256d } from '@otedama/core';

export interface PoolJob {
  readonly jobId: string;
  readonly prevhash: string;
  readonly coinb1: string;
  readonly coinb2: string;
  readonly merkleBranch: string[];
  readonly version: string;
  readonly nbits: string;
  readonly ntime: string;
  readonly difficulty: number;
}

export interface ReceivedShare {
  readonly params: unknown[];
  readonly valid: boolean;
  readonly reason?: string;
  readonly jobId: string;
  readonly connection: number;
}

export interface MiniPoolOptions {
  readonly extranonce1?: string;
  readonly extranonce2Size?: number;
  readonly difficulty?: number;
  readonly sessionId?: string;
  /** Sends these raw lines right after the subscribe reply (malformed input tests). */
  readonly junkAfterSubscribe?: readonly string[];
  /** Refuses every mining.authorize with this reason. */
  readonly refuseAuthorize?: string;
}

export class MiniStratumPool {
  readonly requests: { connection: number; method: string; params: unknown[]; id: unknown }[] = [];
  readonly replies: { connection: number; msg: Record<string, unknown> }[] = [];
  readonly shares: ReceivedShare[] = [];
  readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private jobs = new Map<string, PoolJob>();
  private current: PoolJob;
  private difficulty: number;
  private connections = 0;
  private nextJob = 1;
  readonly extranonce1: string;
  readonly extranonce2Size: number;

  constructor(private readonly options: MiniPoolOptions = {}) {
    this.extranonce1 = options.extranonce1 ?? 'f0000001';
    this.extranonce2Size = options.extranonce2Size ?? 4;
    this.difficulty = options.difficulty ?? 0.0002;
    this.current = this.makeJob();
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  get url(): string {
    return `stratum+tcp://127.0.0.1:${this.port}`;
  }

  get job(): PoolJob {
    return this.current;
  }

  async start(): Promise<void> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private makeJob(): PoolJob {
    const jobId = String(this.nextJob++);
    const job: PoolJob = {
      jobId,
      prevhash: '9e326f4ffd34246ef79871366e8540c7fbd388c768fea862808ef9cc00000000',
      coinb1: '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff2003' + jobId.padStart(6, '0'),
      coinb2: '2f6f7465646d612fffffffff0100f2052a010000001976a914000000000000000000000000000000000000000088ac00000000',
      merkleBranch: ['11'.repeat(32)],
      version: '20000000',
      nbits: '1d00ffff',
      ntime: Math.floor(Date.now() / 1000).toString(16).padStart(8, '0'),
      difficulty: this.difficulty,
    };
    this.jobs.set(jobId, job);
    return job;
  }

  send(socket: Socket, msg: unknown): void {
    socket.write(JSON.stringify(msg) + '\n');
  }

  broadcast(msg: unknown): void {
    for (const s of this.sockets) this.send(s, msg);
  }

  notifyParams(job: PoolJob, clean: boolean): unknown[] {
    return [job.jobId, job.prevhash, job.coinb1, job.coinb2, job.merkleBranch, job.version, job.nbits, job.ntime, clean];
  }

  /** Sends set_difficulty (takes effect with the next job). */
  setDifficulty(d: number): void {
    this.difficulty = d;
    this.broadcast({ id: null, method: 'mining.set_difficulty', params: [d] });
  }

  /** Makes and sends a new job. */
  newJob(clean: boolean): PoolJob {
    this.current = this.makeJob();
    if (clean) for (const id of [...this.jobs.keys()]) if (id !== this.current.jobId) this.jobs.delete(id);
    this.broadcast({ id: null, method: 'mining.notify', params: this.notifyParams(this.current, clean) });
    return this.current;
  }

  private accept(socket: Socket): void {
    const connection = ++this.connections;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let buf = '';
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) this.onLine(socket, connection, line);
      }
    });
  }

  private onLine(socket: Socket, connection: number, line: string): void {
    const msg = JSON.parse(line) as Record<string, unknown>;
    if (typeof msg.method !== 'string') {
      this.replies.push({ connection, msg });
      return;
    }
    const params = (msg.params as unknown[]) ?? [];
    this.requests.push({ connection, method: msg.method, params, id: msg.id });
    const id = msg.id;
    switch (msg.method) {
      case 'mining.configure':
        return this.send(socket, { id, result: { 'version-rolling': true, 'version-rolling.mask': '1fffe000' }, error: null });
      case 'mining.subscribe': {
        const sid = this.options.sessionId ?? 'sess0001';
        this.send(socket, { id, result: [[['mining.set_difficulty', sid], ['mining.notify', sid]], this.extranonce1, this.extranonce2Size], error: null });
        for (const junk of this.options.junkAfterSubscribe ?? []) socket.write(junk + '\n');
        return;
      }
      case 'mining.authorize':
        if (this.options.refuseAuthorize) return this.send(socket, { id, result: false, error: [24, this.options.refuseAuthorize, null] });
        this.send(socket, { id, result: true, error: null });
        this.send(socket, { id: null, method: 'mining.set_difficulty', params: [this.current.difficulty] });
        this.send(socket, { id: null, method: 'mining.notify', params: this.notifyParams(this.current, true) });
        return;
      case 'mining.submit': {
        const share = this.check(params, connection);
        this.shares.push(share);
        return this.send(socket, share.valid ? { id, result: true, error: null } : { id, result: null, error: [23, share.reason, null] });
      }
      default:
        return this.send(socket, { id, result: null, error: [20, 'unknown method', null] });
    }
  }

  private check(params: unknown[], connection: number): ReceivedShare {
    const [, jobId, en2, ntime, nonce, versionBits] = params as string[];
    const job = this.jobs.get(String(jobId));
    if (!job) return { params, valid: false, reason: 'Job not found', jobId: String(jobId), connection };
    try {
      const { header } = buildStratumHeader(
        job,
        { extranonce1: this.extranonce1, extranonce2: en2!, ntime: ntime!, nonce: nonce!, ...(versionBits ? { versionBits } : {}) },
        { extranonce2Size: this.extranonce2Size },
      );
      const valid = hashToBigInt(sha256d(header)) <= difficultyToTarget(job.difficulty);
      return valid ? { params, valid, jobId: job.jobId, connection } : { params, valid, reason: 'Difficulty too low', jobId: job.jobId, connection };
    } catch (err) {
      return { params, valid: false, reason: (err as Error).message, jobId: job.jobId, connection };
    }
  }
}
