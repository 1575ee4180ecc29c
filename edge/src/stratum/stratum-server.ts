/**
 * The Stratum V1 server: TCP, and TLS when a certificate and key are configured. Accepts
 * connections (per-IP limit, IP bans), runs one StratumSession per connection, broadcasts new
 * jobs, and sweeps sessions for idle timeouts and vardiff once a second-ish. On stop it sends
 * client.reconnect to every miner, then closes.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { ShareValidator } from '@otedama/core';
import { StratumServerError } from '../errors.ts';
import { Extranonce1Allocator } from './extranonce-allocator.ts';
import type { JobManager, StratumJob } from './job-manager.ts';
import type { Logger } from '../logger.ts';
import { StratumSession, type AddressValidator, type SessionHost, type StratumConfig, type StratumHooks } from './stratum-session.ts';

/** How often sessions are checked for idleness and vardiff without shares (ms). */
export const SWEEP_INTERVAL_MS = 2000;
/** How long stop() waits for miners to go after client.reconnect before destroying sockets (ms). */
export const STOP_GRACE_MS = 1500;

export interface StratumServerDeps {
  readonly config: StratumConfig;
  readonly logger: Logger;
  readonly jobs: JobManager;
  readonly validator: ShareValidator;
  /** Checks the payout address part of `payoutAddress.workerName` (throws with a reason). */
  readonly validateAddress: AddressValidator;
  readonly hooks?: StratumHooks;
  readonly now?: () => number;
  /** Housekeeping period (ms); default SWEEP_INTERVAL_MS. */
  readonly sweepIntervalMs?: number;
}

export interface StratumStats {
  readonly connections: number;
  readonly subscribed: number;
  readonly authorized: number;
  readonly sharesAccepted: number;
  readonly sharesRejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly blocksFound: number;
  readonly connectionsRefused: number;
  readonly bans: number;
  readonly bannedIps: number;
}

export interface StratumAddresses {
  readonly host: string;
  readonly port: number;
  readonly tlsPort?: number;
}

function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export class StratumServer implements SessionHost {
  readonly config: StratumConfig;
  readonly logger: Logger;
  readonly jobs: JobManager;
  readonly validator: ShareValidator;
  readonly validateAddress: AddressValidator;
  readonly hooks: StratumHooks;
  private readonly clock: () => number;
  private readonly sweepIntervalMs: number;
  private readonly allocator: Extranonce1Allocator;
  private readonly sessions = new Set<StratumSession>();
  private readonly perIp = new Map<string, number>();
  private readonly banned = new Map<string, number>();
  private tcp: Server | undefined;
  private tls: TlsServer | undefined;
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private unsubscribeJobs: (() => void) | undefined;
  private nextSessionId = 0;
  private stopping: Promise<void> | undefined;
  private addresses: StratumAddresses | undefined;
  private accepted = 0;
  private rejected = 0;
  private readonly rejectedByReason: Record<string, number> = {};
  private blocks = 0;
  private refused = 0;
  private bans = 0;

  constructor(deps: StratumServerDeps) {
    this.config = deps.config;
    this.logger = deps.logger.forComponent('edge:stratum');
    this.jobs = deps.jobs;
    this.validator = deps.validator;
    this.validateAddress = deps.validateAddress;
    this.hooks = deps.hooks ?? {};
    this.clock = deps.now ?? Date.now;
    this.sweepIntervalMs = deps.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
    this.allocator = new Extranonce1Allocator(deps.config.extranonce1Bytes);
  }

  now(): number {
    return this.clock();
  }

  /** Listens on the TCP port (and the TLS port when configured). */
  async start(): Promise<StratumAddresses> {
    if (this.addresses) return this.addresses;
    const c = this.config;
    this.tcp = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 }, (s) => this.acceptConnection(s));
    const port = await listen(this.tcp, c.host, c.port, 'Stratum');
    let tlsPort: number | undefined;
    if (c.tlsCertFile || c.tlsKeyFile) {
      if (!c.tlsCertFile || !c.tlsKeyFile) {
        await this.closeListeners();
        throw new StratumServerError('Stratum TLS needs both stratum.tlsCertFile and stratum.tlsKeyFile');
      }
      let cert: Buffer;
      let key: Buffer;
      try {
        cert = readFileSync(c.tlsCertFile);
        key = readFileSync(c.tlsKeyFile);
      } catch (err) {
        await this.closeListeners();
        throw new StratumServerError(`cannot read the Stratum TLS certificate or key: ${(err as Error).message}`, { cause: err });
      }
      try {
        this.tls = createTlsServer({ cert, key }, (s) => this.acceptConnection(s));
      } catch (err) {
        await this.closeListeners();
        throw new StratumServerError(`invalid Stratum TLS certificate or key: ${(err as Error).message}`, { cause: err });
      }
      this.tls.on('tlsClientError', (err) => this.logger.debug('TLS handshake failed', { error: err.message }));
      // Refuse banned IPs before paying for a TLS handshake.
      this.tls.on('connection', (raw: Socket) => {
        if (this.stopping || this.isBanned(raw.remoteAddress ?? '')) {
          this.refused++;
          raw.destroy();
        }
      });
      tlsPort = await listen(this.tls, c.host, c.tlsPort, 'Stratum TLS').catch(async (err) => {
        await this.closeListeners();
        throw err;
      });
    }
    this.unsubscribeJobs = this.jobs.onJob((job) => this.broadcast(job));
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepIntervalMs);
    this.sweepTimer.unref();
    this.addresses = tlsPort === undefined ? { host: c.host, port } : { host: c.host, port, tlsPort };
    this.logger.info('stratum listening', { url: `stratum+tcp://${c.host}:${port}`, ...(tlsPort ? { tls: `stratum+ssl://${c.host}:${tlsPort}` } : {}) });
    return this.addresses;
  }

  /** Where the server listens (after start). */
  get address(): StratumAddresses | undefined {
    return this.addresses;
  }

  /** Live connections. */
  get connectionCount(): number {
    return this.sessions.size;
  }

  stats(): StratumStats {
    let subscribed = 0;
    let authorized = 0;
    for (const s of this.sessions) {
      if (s.subscribed) subscribed++;
      if (s.authorized) authorized++;
    }
    return {
      connections: this.sessions.size,
      subscribed,
      authorized,
      sharesAccepted: this.accepted,
      sharesRejected: this.rejected,
      rejectedByReason: { ...this.rejectedByReason },
      blocksFound: this.blocks,
      connectionsRefused: this.refused,
      bans: this.bans,
      bannedIps: this.banned.size,
    };
  }

  /** True while `ip` may not connect. */
  isBanned(ip: string): boolean {
    const until = this.banned.get(normalizeIp(ip));
    return until !== undefined && until > this.clock();
  }

  /** Lifts a ban (operator action). */
  unban(ip: string): void {
    this.banned.delete(normalizeIp(ip));
  }

  /**
   * Stops accepting, sends client.reconnect to every miner (unless `reconnect` is false) and
   * closes every connection. Idempotent.
   */
  stop(options: { reconnect?: boolean; graceMs?: number } = {}): Promise<void> {
    this.stopping ??= this.doStop(options.reconnect ?? true, options.graceMs ?? STOP_GRACE_MS);
    return this.stopping;
  }

  private async doStop(reconnect: boolean, graceMs: number): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.unsubscribeJobs?.();
    const closed = this.closeListeners();
    const count = this.sessions.size;
    for (const s of this.sessions) {
      if (reconnect && s.subscribed) s.reconnect(0);
      else s.close('shutdown');
    }
    const deadline = Date.now() + graceMs;
    while (this.sessions.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sessions) s.socket.destroy();
    await closed;
    this.logger.info('stratum stopped', { connectionsClosed: count });
  }

  private closeListeners(): Promise<void> {
    const close = (srv: Server | TlsServer | undefined) =>
      new Promise<void>((resolve) => (srv && srv.listening ? srv.close(() => resolve()) : resolve()));
    return Promise.all([close(this.tcp), close(this.tls)]).then(() => undefined);
  }

  // -------------------------------------------------------------------------------------------
  // SessionHost

  allocateExtranonce1(resume?: string): string {
    return this.allocator.allocate(resume);
  }

  releaseExtranonce1(hex: string): void {
    this.allocator.release(hex);
  }

  ban(session: StratumSession, why: string): void {
    const ip = normalizeIp(session.remoteAddress);
    this.banned.set(ip, this.clock() + this.config.banSeconds * 1000);
    this.bans++;
    this.logger.warn('banned', { ip, session: session.id, why, seconds: this.config.banSeconds });
    session.close(`banned: ${why}`);
  }

  count(event: 'accepted' | 'rejected' | 'block', reason?: string): void {
    if (event === 'accepted') this.accepted++;
    else if (event === 'block') this.blocks++;
    else {
      this.rejected++;
      const r = reason ?? 'other';
      this.rejectedByReason[r] = (this.rejectedByReason[r] ?? 0) + 1;
    }
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Serves one connection: the TCP and TLS listeners call this, and so can a bridge that speaks
   * Stratum lines over another transport (the WebSocket feed passes a Duplex that looks like a
   * net.Socket: remoteAddress, localAddress/localPort, write/end/destroy, pause/resume). The
   * per-IP limit and bans apply to it all the same.
   */
  acceptConnection(socket: Socket): void {
    const ip = normalizeIp(socket.remoteAddress);
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const until = this.banned.get(ip);
    if (until !== undefined) {
      if (until > this.clock()) {
        this.refused++;
        socket.destroy();
        return;
      }
      this.banned.delete(ip);
    }
    const n = this.perIp.get(ip) ?? 0;
    if (n >= this.config.maxConnectionsPerIp) {
      this.refused++;
      this.logger.debug('connection refused: per-IP limit', { ip, limit: this.config.maxConnectionsPerIp });
      socket.destroy();
      return;
    }
    this.perIp.set(ip, n + 1);
    if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const session = new StratumSession(++this.nextSessionId, socket, this);
    this.sessions.add(session);
    socket.on('data', (chunk: string) => session.onData(chunk));
    socket.on('error', (err) => this.logger.debug('socket error', { session: session.id, error: err.message }));
    // The miner hung up: finish our side too (net sockets do this themselves; bridged Duplexes may be half-open).
    socket.on('end', () => session.close('peer closed'));
    socket.on('close', () => {
      session.onClosed();
      this.sessions.delete(session);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
  }

  private broadcast(job: StratumJob): void {
    for (const s of this.sessions) s.onJob(job);
  }

  private sweep(): void {
    const now = this.clock();
    const idleMs = this.config.idleTimeoutSeconds * 1000;
    for (const s of this.sessions) {
      if (now - s.lastLineAt > idleMs) s.close('idle');
      else s.tick(now);
    }
    for (const [ip, until] of this.banned) if (until <= now) this.banned.delete(ip);
  }
}

function listen(server: Server | TlsServer, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new StratumServerError(`${what} cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}
