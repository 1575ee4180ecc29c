/**
 * The Stratum V1 server: TCP, and TLS when a certificate and key are configured. Accepts
 * connections (IP bans, a per-IP limit and a total limit kept below the process's descriptor
 * limit, see connection-budget.ts), runs one StratumSession per connection, broadcasts new jobs,
 * and sweeps sessions for their deadlines (slowloris lines, login, useful work) and vardiff
 * every SWEEP_INTERVAL_MS. Closed sessions stay resumable for a while (session-cache.ts). On stop
 * it sends client.reconnect to every miner, then closes.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { ShareValidator } from '@otedama/core';
import { StratumServerError } from '../errors.ts';
import { processConnectionBudget } from '../config/connection-budget.ts';
import { Extranonce1Allocator } from './extranonce-allocator.ts';
import { SessionCache } from './session-cache.ts';
import type { JobManager, StratumJob } from './job-manager.ts';
import type { Logger } from '../logger.ts';
import { StratumSession, type AddressValidator, type ResumableSession, type SessionHost, type StratumConfig, type StratumHooks } from './stratum-session.ts';

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
  /** Refusals by reason: banned, per-ip, total, stopping. */
  readonly refusedByReason: Readonly<Record<string, number>>;
  /** Connections the server closed, by reason: not-reading, line-timeout, login-timeout, idle, banned. */
  readonly closedByReason: Readonly<Record<string, number>>;
  /** Control messages refused by the rate limit. */
  readonly rateLimited: number;
  readonly bans: number;
  readonly bannedIps: number;
  /** Bytes queued for miners and not yet taken by them, over all connections and the largest of one. */
  readonly bufferedBytes: number;
  readonly maxSessionBufferedBytes: number;
  /** Connections whose reading is paused (output not drained, or a share being committed). */
  readonly readingPaused: number;
  /** The total connection limit in force. */
  readonly maxConnections: number;
  /** Closed sessions a miner may resume. */
  readonly resumableSessions: number;
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
  private readonly resumable: SessionCache;
  /** The total connection limit (config, or derived from the descriptor limit). */
  readonly maxConnections: number;
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
  private readonly refusedByReason: Record<string, number> = {};
  private readonly closedByReason: Record<string, number> = {};
  private rateLimited = 0;
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
    this.resumable = new SessionCache(this.validator, this.clock);
    this.maxConnections = deps.config.maxConnections > 0 ? deps.config.maxConnections : processConnectionBudget().stratum;
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
          this.refuse(this.stopping ? 'stopping' : 'banned');
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
    this.logger.info('stratum listening', {
      url: `stratum+tcp://${c.host}:${port}`,
      ...(tlsPort ? { tls: `stratum+ssl://${c.host}:${tlsPort}` } : {}),
      maxConnections: this.maxConnections,
      maxConnectionsPerIp: c.maxConnectionsPerIp,
    });
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
    let buffered = 0;
    let maxBuffered = 0;
    let paused = 0;
    for (const s of this.sessions) {
      if (s.subscribed) subscribed++;
      if (s.authorized) authorized++;
      if (s.readingPaused) paused++;
      const b = s.bufferedBytes;
      buffered += b;
      if (b > maxBuffered) maxBuffered = b;
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
      refusedByReason: { ...this.refusedByReason },
      closedByReason: { ...this.closedByReason },
      rateLimited: this.rateLimited,
      bans: this.bans,
      bannedIps: this.banned.size,
      bufferedBytes: buffered,
      maxSessionBufferedBytes: maxBuffered,
      readingPaused: paused,
      maxConnections: this.maxConnections,
      resumableSessions: this.resumable.size,
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
    const hex = this.allocator.allocate(resume);
    // A fresh value that a closed session had: that session can no longer be resumed.
    if (hex !== resume) this.resumable.forget(hex);
    return hex;
  }

  releaseExtranonce1(hex: string): void {
    this.allocator.release(hex);
  }

  takeResumable(extranonce1: string): ResumableSession | undefined {
    return this.resumable.take(extranonce1);
  }

  keepResumable(extranonce1: string, state: ResumableSession): void {
    if (!this.stopping) this.resumable.keep(extranonce1, state);
  }

  ban(session: StratumSession, why: string): void {
    const ip = normalizeIp(session.remoteAddress);
    this.banned.set(ip, this.clock() + this.config.banSeconds * 1000);
    this.bans++;
    this.bump(this.closedByReason, 'banned');
    this.logger.warn('banned', { ip, session: session.id, why, seconds: this.config.banSeconds });
    session.close(`banned: ${why}`);
  }

  count(event: 'accepted' | 'rejected' | 'block' | 'closed' | 'rate-limited', reason?: string): void {
    if (event === 'accepted') this.accepted++;
    else if (event === 'block') this.blocks++;
    else if (event === 'closed') this.bump(this.closedByReason, reason ?? 'other');
    else if (event === 'rate-limited') this.rateLimited++;
    else {
      this.rejected++;
      this.bump(this.rejectedByReason, reason ?? 'other');
    }
  }

  private bump(counts: Record<string, number>, key: string): void {
    counts[key] = (counts[key] ?? 0) + 1;
  }

  private refuse(reason: string): void {
    this.refused++;
    this.bump(this.refusedByReason, reason);
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
      this.refuse('stopping');
      socket.destroy();
      return;
    }
    const until = this.banned.get(ip);
    if (until !== undefined) {
      if (until > this.clock()) {
        this.refuse('banned');
        socket.destroy();
        return;
      }
      this.banned.delete(ip);
    }
    const n = this.perIp.get(ip) ?? 0;
    if (n >= this.config.maxConnectionsPerIp) {
      this.refuse('per-ip');
      this.logger.debug('connection refused: per-IP limit', { ip, limit: this.config.maxConnectionsPerIp });
      socket.destroy();
      return;
    }
    if (this.sessions.size >= this.maxConnections) {
      this.refuse('total');
      this.logger.debug('connection refused: total limit', { ip, limit: this.maxConnections });
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
    for (const s of this.sessions) {
      if (s.isClosing) continue;
      const missed = s.missedDeadline(now);
      if (missed) {
        this.bump(this.closedByReason, missed);
        s.close(missed);
      } else s.tick(now);
    }
    for (const [ip, until] of this.banned) if (until <= now) this.banned.delete(ip);
    this.resumable.sweep();
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
