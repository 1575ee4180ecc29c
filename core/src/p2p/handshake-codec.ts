/**
 * The pool-id handshake (HANDSHAKE_PROTOCOL), P2Pool's challenge/solution adapted to libp2p:
 * before a peer's gossip, sync requests or DHT queries are accepted, both sides prove they run
 * the same pool id, live, on this connection.
 *
 *   initiator (dialer)                         responder
 *   HELLO   version, poolId, challengeI   ->
 *                                         <-   REPLY  version, poolId, challengeR,
 *                                                     solution(poolId, challengeI, R, I)
 *   PROOF   solution(poolId, challengeR, I, R) ->
 *                                         <-   WELCOME
 *
 * solution(pool, challenge, prover, verifier) = SHA-256(tag || pool || challenge ||
 * len(prover) || prover || len(verifier) || verifier), the peer ids in their binary multihash
 * form (authenticated by Noise). A fresh random challenge per connection makes a solution
 * useless anywhere else; binding both peer ids stops a relay of one peer's answers to another.
 * Either side may send REFUSE (with a reason) instead of its next message and close. Pool ids
 * travel in the clear so a refusal can name the other pool in the log.
 *
 * Each message is one length-prefixed frame of at most MAX_HANDSHAKE_FRAME_BYTES.
 */
import { utf8 } from '@scure/base';
import { P2pCodecError } from '../errors.ts';
import { bytesEqual, concatBytes } from '../hex.ts';
import { sha256 } from '../sha256.ts';
import { POOL_ID_BYTES } from './protocols.ts';
import { WireReader, WireWriter } from './wire.ts';

export const HANDSHAKE_VERSION = 1;
/** Random bytes each side must answer: 256 bits, never repeated in practice. */
export const CHALLENGE_BYTES = 32;
export const SOLUTION_BYTES = 32;
/** Largest handshake frame: a REFUSE with its longest reason (the others are under 100 bytes). */
export const MAX_HANDSHAKE_FRAME_BYTES = 256;
/** Longest refusal text, UTF-8 bytes. */
const MAX_REFUSE_TEXT_BYTES = 200;
/** A libp2p peer id as bytes is a multihash of at most ~40 bytes (identity of an Ed25519 key); RSA ids are longer. */
const MAX_PEER_ID_BYTES = 255;
const SOLUTION_TAG = utf8.decode('otedama/handshake/1');

export const HANDSHAKE_TYPE = { hello: 1, reply: 2, proof: 3, welcome: 4, refuse: 5 } as const;

/** Why a side ends the handshake. */
export const REFUSE_REASON = { otherPool: 1, badSolution: 2, version: 3, malformed: 4, timeout: 5 } as const;
export type RefuseReason = keyof typeof REFUSE_REASON;

export type HandshakeMessage =
  | { readonly type: 'hello'; readonly version: number; readonly poolId: Uint8Array; readonly challenge: Uint8Array }
  | { readonly type: 'reply'; readonly version: number; readonly poolId: Uint8Array; readonly challenge: Uint8Array; readonly solution: Uint8Array }
  | { readonly type: 'proof'; readonly solution: Uint8Array }
  | { readonly type: 'welcome' }
  | { readonly type: 'refuse'; readonly reason: RefuseReason | 'unknown'; readonly text: string };

export function encodeHandshake(m: HandshakeMessage): Uint8Array {
  const w = new WireWriter().u8(HANDSHAKE_TYPE[m.type]);
  switch (m.type) {
    case 'hello':
      return w.u8(m.version).bytes(fixed(m.poolId, POOL_ID_BYTES, 'poolId')).bytes(fixed(m.challenge, CHALLENGE_BYTES, 'challenge')).finish();
    case 'reply':
      return w
        .u8(m.version)
        .bytes(fixed(m.poolId, POOL_ID_BYTES, 'poolId'))
        .bytes(fixed(m.challenge, CHALLENGE_BYTES, 'challenge'))
        .bytes(fixed(m.solution, SOLUTION_BYTES, 'solution'))
        .finish();
    case 'proof':
      return w.bytes(fixed(m.solution, SOLUTION_BYTES, 'solution')).finish();
    case 'welcome':
      return w.finish();
    case 'refuse':
      return w.u8(m.reason === 'unknown' ? 0 : REFUSE_REASON[m.reason]).text(m.text, MAX_REFUSE_TEXT_BYTES).finish();
  }
}

export function decodeHandshake(bytes: Uint8Array): HandshakeMessage {
  if (bytes.length > MAX_HANDSHAKE_FRAME_BYTES) throw new P2pCodecError(`handshake message: ${bytes.length} bytes, more than the ${MAX_HANDSHAKE_FRAME_BYTES} allowed`);
  const r = new WireReader(bytes, 'handshake message');
  const type = r.u8('type');
  let m: HandshakeMessage;
  switch (type) {
    case HANDSHAKE_TYPE.hello:
      m = { type: 'hello', version: r.u8('version'), poolId: r.bytesN(POOL_ID_BYTES, 'poolId'), challenge: r.bytesN(CHALLENGE_BYTES, 'challenge') };
      break;
    case HANDSHAKE_TYPE.reply:
      m = {
        type: 'reply',
        version: r.u8('version'),
        poolId: r.bytesN(POOL_ID_BYTES, 'poolId'),
        challenge: r.bytesN(CHALLENGE_BYTES, 'challenge'),
        solution: r.bytesN(SOLUTION_BYTES, 'solution'),
      };
      break;
    case HANDSHAKE_TYPE.proof:
      m = { type: 'proof', solution: r.bytesN(SOLUTION_BYTES, 'solution') };
      break;
    case HANDSHAKE_TYPE.welcome:
      m = { type: 'welcome' };
      break;
    case HANDSHAKE_TYPE.refuse: {
      const code = r.u8('reason');
      const reason = (Object.keys(REFUSE_REASON) as RefuseReason[]).find((k) => REFUSE_REASON[k] === code) ?? 'unknown';
      m = { type: 'refuse', reason, text: r.text(MAX_REFUSE_TEXT_BYTES, 'text') };
      break;
    }
    default:
      throw new P2pCodecError(`handshake message: unknown type ${type}`);
  }
  r.end();
  return m;
}

function fixed(b: Uint8Array, n: number, field: string): Uint8Array {
  if (b.length !== n) throw new P2pCodecError(`handshake message: ${field} must be ${n} bytes (got ${b.length})`);
  return b;
}

function peerIdField(id: Uint8Array, field: string): Uint8Array {
  if (id.length === 0 || id.length > MAX_PEER_ID_BYTES) throw new P2pCodecError(`handshake: ${field} peer id of ${id.length} bytes`);
  return concatBytes(Uint8Array.of(id.length), id);
}

/** What `prover` answers to `challenge` on pool `poolId` when talking to `verifier`. */
export function handshakeSolution(poolId: Uint8Array, challenge: Uint8Array, prover: Uint8Array, verifier: Uint8Array): Uint8Array {
  return sha256(
    concatBytes(
      SOLUTION_TAG,
      fixed(poolId, POOL_ID_BYTES, 'poolId'),
      fixed(challenge, CHALLENGE_BYTES, 'challenge'),
      peerIdField(prover, 'prover'),
      peerIdField(verifier, 'verifier'),
    ),
  );
}

/** True when `solution` is what `prover` must answer (see handshakeSolution). */
export function checkHandshakeSolution(solution: Uint8Array, poolId: Uint8Array, challenge: Uint8Array, prover: Uint8Array, verifier: Uint8Array): boolean {
  return solution.length === SOLUTION_BYTES && bytesEqual(solution, handshakeSolution(poolId, challenge, prover, verifier));
}
