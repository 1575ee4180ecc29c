/**
 * The pool-id handshake on every connection (core's handshake-codec.ts describes the messages):
 * the dialer initiates, the listener answers; a peer is admitted once both sides proved the same
 * pool id. Until then stream-gate.ts holds every stream it opens or we open to it (gossip, sync,
 * DHT, relay), so nothing it sends is read, delivered or relayed.
 *
 * A peer on another pool id is refused and disconnected with a log line naming its pool id (and
 * kept away for a minute so bootstrap lists do not redial it in a loop); a forged solution or an
 * oversized frame bans it; a peer that has not completed the handshake HANDSHAKE_TIMEOUT_MS
 * after its first connection opened is dropped.
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import {
  bytesEqual,
  bytesToHex,
  CHALLENGE_BYTES,
  checkHandshakeSolution,
  decodeHandshake,
  encodeHandshake,
  handshakeSolution,
  HANDSHAKE_PROTOCOL,
  HANDSHAKE_VERSION,
  MAX_HANDSHAKE_FRAME_BYTES,
  P2pCodecError,
  type HandshakeMessage,
  type RefuseReason,
} from '@otedama/core';
import type { Logger } from '../logger.ts';
import { PENALTY, type PeerGuard } from './peer-guard.ts';

/** A peer has this long from its first connection to prove its pool id (four round trips at most). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A peer of another pool, or of another handshake version, is kept away this long (no redial loops). */
const REFUSED_PEER_BAN_S = 60;
/** How long a refusal message may take to go out before the stream is cut anyway. */
const REFUSE_SEND_TIMEOUT_MS = 1000;

export type HandshakeNode = Pick<Libp2p, 'peerId' | 'handle' | 'unhandle' | 'hangUp' | 'getConnections' | 'addEventListener' | 'removeEventListener'>;

export interface PoolHandshakeOptions {
  readonly poolId: Uint8Array;
  readonly guard: PeerGuard;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}

interface Admission {
  state: 'pending' | 'admitted' | 'refused';
  readonly waiters: ((admitted: boolean) => void)[];
  timer?: ReturnType<typeof setTimeout>;
  initiated: boolean;
}

/** Why a handshake run ended without admission: a reason for the log, and what it costs the peer. */
class Refusal extends Error {
  constructor(
    readonly why: string,
    readonly cost: 'none' | 'short-ban' | 'ban' | 'penalty',
    readonly wire?: { reason: RefuseReason; text: string },
    readonly fields: Record<string, unknown> = {},
  ) {
    super(why);
  }
}

export class PoolHandshake {
  private readonly peers = new Map<string, Admission>();
  private readonly admitListeners: ((peer: string) => void)[] = [];
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly poolHex: string;
  private readonly localId: Uint8Array;
  private started = false;

  constructor(
    private readonly node: HandshakeNode,
    private readonly options: PoolHandshakeOptions,
  ) {
    this.log = options.logger.forComponent('edge:p2p:handshake');
    this.timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.poolHex = bytesToHex(options.poolId);
    this.localId = node.peerId.toMultihash().bytes;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.node.handle(HANDSHAKE_PROTOCOL, (stream, conn) => void this.respond(stream, conn), {
      // Browsers reach each other through a relay first; one handshake at a time per connection.
      runOnLimitedConnection: true,
      maxInboundStreams: 2,
    });
    this.node.addEventListener('connection:open', this.onOpen);
    this.node.addEventListener('peer:disconnect', this.onDisconnect);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.node.removeEventListener('connection:open', this.onOpen);
    this.node.removeEventListener('peer:disconnect', this.onDisconnect);
    await this.node.unhandle(HANDSHAKE_PROTOCOL).catch(() => undefined);
    for (const peer of [...this.peers.keys()]) this.forget(peer);
  }

  /** Called with each newly admitted peer. */
  onAdmit(listener: (peer: string) => void): void {
    this.admitListeners.push(listener);
  }

  isAdmitted(peer: string): boolean {
    return this.peers.get(peer)?.state === 'admitted';
  }

  admittedPeers(): string[] {
    return [...this.peers].filter(([, a]) => a.state === 'admitted').map(([p]) => p);
  }

  /** Resolves true once the peer is admitted, false when it is refused, drops or times out. */
  whenAdmitted(peer: string): Promise<boolean> {
    const a = this.peers.get(peer);
    if (!a) return Promise.resolve(false);
    if (a.state !== 'pending') return Promise.resolve(a.state === 'admitted');
    return new Promise((resolve) => a.waiters.push(resolve));
  }

  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail;
    const peer = conn.remotePeer.toString();
    let a = this.peers.get(peer);
    if (a?.state === 'admitted') return;
    if (!a || a.state === 'refused') {
      a = { state: 'pending', waiters: [], initiated: false };
      this.peers.set(peer, a);
      a.timer = setTimeout(() => this.settle(peer, new Refusal(`no handshake within ${this.timeoutMs / 1000} s`, 'none')), this.timeoutMs);
    }
    if (conn.direction === 'outbound' && !a.initiated) {
      a.initiated = true;
      void this.initiate(conn);
    }
  };

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.forget(evt.detail.toString());
  };

  private forget(peer: string): void {
    const a = this.peers.get(peer);
    if (!a) return;
    this.peers.delete(peer);
    clearTimeout(a.timer);
    for (const w of a.waiters.splice(0)) w(false);
  }

  /** Ends the peer's pending handshake: admitted, or refused with a cost. */
  private settle(peer: string, outcome: 'admitted' | Refusal, remoteAddr?: string): void {
    let a = this.peers.get(peer);
    if (outcome === 'admitted') {
      if (!a) {
        // The handshake ran before this node saw the connection open: admit all the same, but
        // only while connected (a late run must not leave an admission behind a disconnect).
        if (!this.node.getConnections(peerIdFromString(peer)).length) return;
        a = { state: 'pending', waiters: [], initiated: true };
        this.peers.set(peer, a);
      }
      if (a.state !== 'pending') return;
      clearTimeout(a.timer);
      a.state = 'admitted';
      this.log.info('peer admitted', { peer, ...(remoteAddr ? { addr: remoteAddr } : {}) });
      for (const w of a.waiters.splice(0)) w(true);
      for (const l of this.admitListeners) l(peer);
      return;
    }
    // Already refused, or a second connection's run failing quietly after admission: nothing new to say.
    if (a?.state === 'refused' || (a?.state === 'admitted' && outcome.cost === 'none')) return;
    // The peer may already have hung up (it refused us first): the refusal is still logged and charged.
    if (a) {
      clearTimeout(a.timer);
      a.state = 'refused';
      for (const w of a.waiters.splice(0)) w(false);
    }
    const fields = { peer, reason: outcome.why, ...outcome.fields };
    if (outcome.cost === 'ban') this.options.guard.ban(peer, 'handshake', `handshake: ${outcome.why}`);
    else if (outcome.cost === 'short-ban') this.options.guard.ban(peer, outcome.wire?.reason === 'otherPool' ? 'other-pool' : 'handshake', `handshake: ${outcome.why}`, REFUSED_PEER_BAN_S);
    else if (outcome.cost === 'penalty') this.options.guard.penalize(peer, PENALTY.malformedRequest, `handshake: ${outcome.why}`);
    this.log.warn('peer refused', fields);
    void this.node.hangUp(peerIdFromString(peer)).catch(() => undefined);
  }

  private async initiate(conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    const signal = AbortSignal.timeout(this.timeoutMs);
    let stream: Stream | undefined;
    let lp: LengthPrefixedStream | undefined;
    try {
      try {
        stream = await conn.newStream(HANDSHAKE_PROTOCOL, { signal, runOnLimitedConnection: true });
      } catch (err) {
        // Only a negotiation that names no common protocol says the peer lacks the handshake; an
        // EOF, a reset or an abort while negotiating is a connection going away (a restart, a
        // loaded machine), not an offence: dropped without a ban, so it is redialed at once.
        const unsupported = (err as Error).name === 'UnsupportedProtocolError';
        throw new Refusal(
          unsupported ? `it does not speak ${HANDSHAKE_PROTOCOL}` : `the handshake stream could not be opened (${(err as Error).message})`,
          unsupported ? 'short-ban' : 'none',
        );
      }
      lp = lpStream(stream, { maxDataLength: MAX_HANDSHAKE_FRAME_BYTES });
      const challenge = randomChallenge();
      await lp.write(encodeHandshake({ type: 'hello', version: HANDSHAKE_VERSION, poolId: this.options.poolId, challenge }), { signal });
      const reply = await this.read(lp, signal, ['reply']);
      if (reply.type !== 'reply') throw new Refusal('expected a reply', 'penalty');
      this.checkVersion(reply.version);
      this.checkPool(reply.poolId);
      const remoteId = conn.remotePeer.toMultihash().bytes;
      if (!checkHandshakeSolution(reply.solution, this.options.poolId, challenge, remoteId, this.localId)) {
        throw new Refusal('its solution to our challenge is wrong', 'ban', { reason: 'badSolution', text: 'wrong solution' });
      }
      await lp.write(encodeHandshake({ type: 'proof', solution: handshakeSolution(this.options.poolId, reply.challenge, this.localId, remoteId) }), { signal });
      const welcome = await this.read(lp, signal, ['welcome']);
      if (welcome.type !== 'welcome') throw new Refusal('expected a welcome', 'penalty');
      await stream.close({ signal }).catch(() => undefined);
      this.settle(peer, 'admitted', conn.remoteAddr.toString());
    } catch (err) {
      await this.fail(peer, stream, lp, err);
    }
  }

  private async respond(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    const signal = AbortSignal.timeout(this.timeoutMs);
    const lp = lpStream(stream, { maxDataLength: MAX_HANDSHAKE_FRAME_BYTES });
    try {
      const hello = await this.read(lp, signal, ['hello']);
      if (hello.type !== 'hello') throw new Refusal('expected a hello', 'penalty');
      // Another version cannot read our reply: refuse at once. Another pool gets the reply first.
      this.checkVersion(hello.version);
      const remoteId = conn.remotePeer.toMultihash().bytes;
      const challenge = randomChallenge();
      // Answered even to another pool: the reply carries our pool id, so its log can name it.
      await lp.write(
        encodeHandshake({
          type: 'reply',
          version: HANDSHAKE_VERSION,
          poolId: this.options.poolId,
          challenge,
          solution: handshakeSolution(this.options.poolId, hello.challenge, this.localId, remoteId),
        }),
        { signal },
      );
      this.checkPool(hello.poolId);
      const proof = await this.read(lp, signal, ['proof']);
      if (proof.type !== 'proof') throw new Refusal('expected a proof', 'penalty');
      if (!checkHandshakeSolution(proof.solution, this.options.poolId, challenge, remoteId, this.localId)) {
        throw new Refusal('its solution to our challenge is wrong', 'ban', { reason: 'badSolution', text: 'wrong solution' });
      }
      // Admitted before the welcome goes out: by the time the initiator reads it, our streams flow.
      if (!this.isAdmitted(peer)) this.settle(peer, 'admitted', conn.remoteAddr.toString());
      await lp.write(encodeHandshake({ type: 'welcome' }), { signal });
      await stream.close({ signal }).catch(() => undefined);
    } catch (err) {
      await this.fail(peer, stream, lp, err);
    }
  }

  /** Refuses another handshake version (then tells the peer why). */
  private checkVersion(version: number): void {
    if (version !== HANDSHAKE_VERSION) {
      throw new Refusal(`it speaks handshake version ${version}, this node ${HANDSHAKE_VERSION}`, 'short-ban', { reason: 'version', text: `this node speaks handshake version ${HANDSHAKE_VERSION}` });
    }
  }

  /** Refuses another pool id, naming it in the log. */
  private checkPool(poolId: Uint8Array): void {
    if (!bytesEqual(poolId, this.options.poolId)) {
      const theirs = bytesToHex(poolId);
      throw new Refusal(`it runs another pool (pool id ${theirs})`, 'short-ban', { reason: 'otherPool', text: `this node runs pool ${this.poolHex}` }, { poolId: theirs, ourPoolId: this.poolHex });
    }
  }

  private async read(lp: LengthPrefixedStream, signal: AbortSignal, expected: HandshakeMessage['type'][]): Promise<HandshakeMessage> {
    let frame;
    try {
      frame = await lp.read({ signal });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'InvalidDataLengthError' || e.name === 'InvalidDataLengthLengthError') throw new Refusal('it sent an oversized handshake frame', 'ban');
      if (signal.aborted) throw new Refusal(`no handshake within ${this.timeoutMs / 1000} s`, 'none');
      throw new Refusal(`the handshake stream ended (${e.message})`, 'none');
    }
    let m: HandshakeMessage;
    try {
      m = decodeHandshake(frame.subarray());
    } catch (err) {
      throw new Refusal(`malformed handshake message: ${(err as P2pCodecError).reason ?? (err as Error).message}`, 'penalty', { reason: 'malformed', text: 'malformed handshake message' });
    }
    if (m.type === 'refuse') throw new Refusal(`it refused us: ${m.reason}: ${m.text}`, m.reason === 'otherPool' || m.reason === 'version' ? 'short-ban' : 'none');
    if (!expected.includes(m.type)) throw new Refusal(`expected ${expected.join(' or ')}, got ${m.type}`, 'penalty', { reason: 'malformed', text: `expected ${expected.join(' or ')}` });
    return m;
  }

  private async fail(peer: string, stream: Stream | undefined, lp: LengthPrefixedStream | undefined, err: unknown): Promise<void> {
    const refusal = err instanceof Refusal ? err : new Refusal(`handshake failed: ${(err as Error).message}`, 'none');
    if (lp && stream && refusal.wire && stream.writeStatus === 'writable') {
      // A courtesy: the peer may already be gone.
      const signal = AbortSignal.timeout(REFUSE_SEND_TIMEOUT_MS);
      await lp.write(encodeHandshake({ type: 'refuse', ...refusal.wire }), { signal }).catch(() => undefined);
      await stream.close({ signal }).catch(() => undefined);
    }
    stream?.abort(new Error(refusal.why));
    this.settle(peer, refusal);
  }
}

function randomChallenge(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(CHALLENGE_BYTES));
}
