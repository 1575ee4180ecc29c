/**
 * Test helpers for the Stratum server: an in-memory TemplateSource, a line-based TCP/TLS test
 * client, and a share finder built on core's reference SHA-256d engine (so every accepted share
 * in the tests was really found by the project's own hasher).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  buildStratumHeader,
  createReferenceSha256dEngine,
  difficultyToTarget,
  headerHash,
  hashAtOrBelow,
  scriptToAddress,
  serializeTx,
  sha256d,
  targetToBits,
  targetToLE,
  u32ToHex,
  writeU32LE,
  type BlockTemplate,
  type StratumJobFields,
} from '@otedama/core';
import { defaultConfig, type EdgeConfig } from '../src/config/config.ts';
import { silentLogger } from '../src/logger.ts';
import { singleAddressPayouts } from '../src/accounting/payout-provider.ts';
import { chainAddressValidator, startStratum, type StartStratumOptions, type StratumService } from '../src/stratum/stratum-service.ts';
import type { SubmitBlockResult, TemplateSource, TemplateUpdate } from '../src/chain/template-source.ts';

/** Share difficulty of the tests: ~4,300 hashes per share with the reference engine. */
export const TEST_DIFFICULTY = 1e-6;

/** Valid regtest addresses (simnet uses regtest formats). */
export const REGTEST_ADDRESS = scriptToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(7)]), 'regtest')!;
export const REGTEST_ADDRESS_2 = scriptToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(9)]), 'regtest')!;
export const MAINNET_ADDRESS = scriptToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(7)]), 'mainnet')!;

export function makeTemplate(over: Partial<BlockTemplate> & { blockDifficulty?: number; seed?: number } = {}): BlockTemplate {
  const { blockDifficulty = 1, seed = 1, ...rest } = over;
  const target = difficultyToTarget(blockDifficulty);
  const prevHash = sha256d(new Uint8Array([seed, 0xaa]));
  // Two fake transactions: enough for a two-level merkle branch.
  const transactions = [1, 2].map((i) => {
    const data = serializeTx({
      version: 2,
      inputs: [{ prevTxid: sha256d(new Uint8Array([seed, i])), prevIndex: 0, script: new Uint8Array([0x51]), sequence: 0xffffffff, witness: [] }],
      outputs: [{ value: 1000n * BigInt(i), script: new Uint8Array([0x51]) }],
      lockTime: 0,
    });
    return { data, txid: sha256d(data) };
  });
  return {
    height: 100 + seed,
    version: 0x20000000,
    prevHash,
    bits: targetToBits(target),
    target,
    curtime: Math.floor(Date.now() / 1000),
    mintime: Math.floor(Date.now() / 1000) - 600,
    coinbaseValue: 50n * 100_000_000n,
    transactions,
    ...rest,
  };
}

/** A TemplateSource driven by the test: push templates, see submitted blocks. */
export class TestTemplateSource implements TemplateSource {
  private latest: BlockTemplate | undefined;
  private readonly listeners = new Set<(u: TemplateUpdate) => void>();
  readonly submitted: string[] = [];
  submitResult: SubmitBlockResult = { accepted: true };

  constructor(initial?: BlockTemplate) {
    this.latest = initial;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  current(): BlockTemplate | undefined {
    return this.latest;
  }
  onTemplate(listener: (u: TemplateUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(template: BlockTemplate, newBlock: boolean): void {
    this.latest = template;
    for (const l of this.listeners) l({ template, newBlock });
  }
  async submitBlock(blockHex: string): Promise<SubmitBlockResult> {
    this.submitted.push(blockHex);
    return this.submitResult;
  }
}

export type StratumTestConfig = EdgeConfig['stratum'];

export function testStratumConfig(over: Partial<StratumTestConfig> = {}): StratumTestConfig {
  const base = defaultConfig({}).stratum;
  return {
    ...base,
    host: '127.0.0.1',
    port: 0,
    tlsPort: 0,
    initialDifficulty: TEST_DIFFICULTY,
    // A slow retarget so vardiff stays out of the way unless a test wants it.
    vardiff: { targetShareSeconds: 1, retargetSeconds: 60, hysteresis: 0.5, minDifficulty: 1e-7, maxDifficulty: 4e-6 },
    maxConnectionsPerIp: 1000,
    ...over,
  };
}

export interface TestPool {
  readonly service: StratumService;
  readonly source: TestTemplateSource;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startTestPool(
  over: Partial<StratumTestConfig> = {},
  extra: Partial<StartStratumOptions> & { template?: BlockTemplate } = {},
): Promise<TestPool> {
  const source = new TestTemplateSource(extra.template ?? makeTemplate());
  const service = await startStratum({
    config: testStratumConfig(over),
    coinbaseTag: '/otedama-test/',
    logger: silentLogger,
    templateSource: source,
    validateAddress: chainAddressValidator('regtest', 'simnet'),
    payouts: singleAddressPayouts(REGTEST_ADDRESS, 'regtest'),
    sweepIntervalMs: 200,
    ...extra,
  });
  return { service, source, port: service.address.port, stop: () => service.stop({ reconnect: false }) };
}

// ---------------------------------------------------------------------------------------------
// The client side

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = any;

/** A line-oriented Stratum test client over real TCP (or TLS). */
export class LineClient {
  readonly received: Msg[] = [];
  private buffer = '';
  private waiters: (() => void)[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.received.push(JSON.parse(line));
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** `localAddress`: the source address (another loopback address, 127.0.0.2..., is another IP). */
  static connect(port: number, options: { tls?: boolean; localAddress?: string } = {}): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const from = options.localAddress ? { localAddress: options.localAddress } : {};
      const socket = options.tls
        ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...from }, () => resolve(new LineClient(socket)))
        : netConnect({ host: '127.0.0.1', port, ...from }, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Sends a raw line (a newline is added when missing). */
  sendLine(line: string): void {
    this.socket.write(line.endsWith('\n') ? line : line + '\n');
  }

  /** Sends one message as compact JSON. */
  send(msg: Msg): void {
    this.sendLine(JSON.stringify(msg));
  }

  /** Waits for the next message, or null when the connection closes first. */
  async next(timeoutMs = 5000): Promise<Msg | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.received.length) return this.received.shift();
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Reads messages until `pred` matches; returns it (the skipped ones are in `skipped`). */
  async until(pred: (m: Msg) => boolean, timeoutMs = 5000, skipped: Msg[] = []): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      if (m === null) throw new Error(`connection closed while waiting (skipped ${JSON.stringify(skipped).slice(0, 300)})`);
      if (pred(m)) return m;
      skipped.push(m);
    }
  }

  /** The next reply (a message with result or error and no method). */
  reply(timeoutMs = 5000, skipped: Msg[] = []): Promise<Msg> {
    return this.until((m) => m.method === undefined, timeoutMs, skipped);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface NotifyJob {
  readonly jobId: string;
  readonly fields: StratumJobFields;
  readonly clean: boolean;
}

export function notifyToJob(msg: Msg): NotifyJob {
  const p = msg.params;
  return { jobId: p[0], fields: { prevhash: p[1], coinb1: p[2], coinb2: p[3], merkleBranch: p[4], version: p[5], nbits: p[6], ntime: p[7] }, clean: p[8] };
}

const engine = createReferenceSha256dEngine();

export interface FoundShare {
  readonly nonce: string;
  readonly hash: Uint8Array;
}

/**
 * Finds a nonce whose header (built the way the miner would) meets `difficulty`, with core's
 * reference engine. `versionBits` rolls the version by XOR (Bitaxe's convention).
 * `below`: additionally require the hash NOT to meet this higher difficulty.
 */
export async function findShare(
  job: NotifyJob,
  extranonce1: string,
  extranonce2: string,
  difficulty: number,
  opts: { versionBits?: string; ntime?: string; startNonce?: number; below?: number } = {},
): Promise<FoundShare> {
  const built = buildStratumHeader(job.fields, {
    extranonce1,
    extranonce2,
    ntime: opts.ntime ?? job.fields.ntime,
    nonce: '00000000',
    ...(opts.versionBits ? { versionBits: opts.versionBits } : {}),
  });
  const target = difficultyToTarget(difficulty);
  const higher = opts.below === undefined ? undefined : targetToLE(difficultyToTarget(opts.below));
  for (let start = opts.startNonce ?? 0; start < 2 ** 32; start += 4096) {
    const r = await engine.search({ header: built.header, target }, start, Math.min(4096, 2 ** 32 - start), { maxHits: 16 });
    for (const hit of r.hits) {
      if (higher && hashAtOrBelow(hit.hash, higher)) continue;
      return { nonce: u32ToHex(hit.nonce), hash: hit.hash };
    }
  }
  throw new Error('no share found');
}

/** A nonce whose hash does NOT meet `difficulty` (a low-difficulty share). */
export function findMiss(job: NotifyJob, extranonce1: string, extranonce2: string, difficulty: number): string {
  const built = buildStratumHeader(job.fields, { extranonce1, extranonce2, ntime: job.fields.ntime, nonce: '00000000' });
  const le = targetToLE(difficultyToTarget(difficulty));
  for (let n = 0; ; n++) {
    writeU32LE(built.header, 76, n);
    if (!hashAtOrBelow(headerHash(built.header), le)) return u32ToHex(n);
  }
}

/** Polls `fn` until it returns true (tests assert on eventual state rather than sleeping). */
export async function waitFor(fn: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** minerd's way of writing JSON: `"key": value` with spaces (it builds lines with sprintf). */
export function minerdLine(obj: Record<string, unknown>): string {
  return JSON.stringify(obj).replace(/":/g, '": ').replace(/,"/g, ', "');
}

/**
 * Pools and clients a test file opens, closed after each test: call once at the top of a file,
 * then use `pool(...)` and `client(port)` in place of startTestPool and LineClient.connect.
 */
export function trackedPools(afterEach: (fn: () => Promise<void>) => void): {
  pool: (...args: Parameters<typeof startTestPool>) => Promise<TestPool>;
  client: (port: number, tls?: boolean) => Promise<LineClient>;
} {
  const pools: TestPool[] = [];
  const clients: LineClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const p of pools.splice(0)) await p.stop();
  });
  return {
    async pool(...args) {
      const p = await startTestPool(...args);
      pools.push(p);
      return p;
    },
    async client(port, tls = false) {
      const c = await LineClient.connect(port, { tls });
      clients.push(c);
      return c;
    },
  };
}
