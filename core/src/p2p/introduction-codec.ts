/**
 * Introductions: how browsers find each other. A browser cannot listen, so it holds a
 * circuit-relay reservation on an edge; other browsers reach it through that edge's relay and
 * upgrade to a direct WebRTC connection. The introduction protocol (introductionProtocol(poolId))
 * asks an edge which admitted peers hold a reservation on it: one request frame, one response.
 *
 *   request   0x01 u8 max (1..MAX_INTRODUCTIONS)
 *   response  0x81 u8 n (0..MAX_INTRODUCTIONS), n x (u8 length 1..MAX_PEER_ID_BYTES, peer id bytes)
 *             0xff u8 length, UTF-8 error text
 */
import { P2pCodecError } from '../errors.ts';
import { bytesToHex } from '../hex.ts';
import { POOL_ID_BYTES } from './protocols.ts';
import { WireReader, WireWriter } from './wire.ts';

/** Peers one introduction names at most: a page keeps a handful of WebRTC peers, not hundreds. */
export const MAX_INTRODUCTIONS = 32;
/** A libp2p peer id in bytes (Ed25519 identity multihash: 38; hashed ids: 34). */
const MAX_PEER_ID_BYTES = 64;
const MAX_ERROR_TEXT_BYTES = 200;
const REQUEST = 0x01;
const RESPONSE = 0x81;
const ERROR = 0xff;
/** Largest frame either way. */
export const MAX_INTRODUCTION_FRAME_BYTES = 2 + MAX_INTRODUCTIONS * (1 + MAX_PEER_ID_BYTES);

export type IntroductionResponse = { readonly type: 'peers'; readonly peers: readonly Uint8Array[] } | { readonly type: 'error'; readonly text: string };

export function introductionProtocol(poolId: Uint8Array): string {
  if (poolId.length !== POOL_ID_BYTES) throw new P2pCodecError(`a pool id is ${POOL_ID_BYTES} bytes (got ${poolId.length})`);
  return `/otedama/${bytesToHex(poolId)}/introductions/1.0.0`;
}

export function encodeIntroductionRequest(max: number): Uint8Array {
  if (!Number.isInteger(max) || max < 1 || max > MAX_INTRODUCTIONS) throw new P2pCodecError(`introductions: max is ${max}, must be from 1 to ${MAX_INTRODUCTIONS}`);
  return Uint8Array.of(REQUEST, max);
}

/** The `max` a request asks for; throws P2pCodecError for anything else. */
export function decodeIntroductionRequest(bytes: Uint8Array): number {
  const r = new WireReader(bytes, 'introduction request');
  const type = r.u8('type');
  if (type !== REQUEST) throw new P2pCodecError(`introduction request: unknown type 0x${type.toString(16).padStart(2, '0')}`);
  const max = r.count(1, 1, MAX_INTRODUCTIONS, 'max');
  r.end();
  return max;
}

export function encodeIntroductionResponse(res: IntroductionResponse): Uint8Array {
  if (res.type === 'error') return new WireWriter().u8(ERROR).text(res.text, MAX_ERROR_TEXT_BYTES).finish();
  if (res.peers.length > MAX_INTRODUCTIONS) throw new P2pCodecError(`introductions: ${res.peers.length} peers, at most ${MAX_INTRODUCTIONS}`);
  const w = new WireWriter().u8(RESPONSE).u8(res.peers.length);
  for (const p of res.peers) {
    if (p.length < 1 || p.length > MAX_PEER_ID_BYTES) throw new P2pCodecError(`introductions: a peer id of ${p.length} bytes`);
    w.u8(p.length).bytes(p);
  }
  return w.finish();
}

export function decodeIntroductionResponse(bytes: Uint8Array): IntroductionResponse {
  if (bytes.length > MAX_INTRODUCTION_FRAME_BYTES) throw new P2pCodecError(`introduction response: ${bytes.length} bytes, more than the ${MAX_INTRODUCTION_FRAME_BYTES} allowed`);
  const r = new WireReader(bytes, 'introduction response');
  const type = r.u8('type');
  let res: IntroductionResponse;
  if (type === RESPONSE) {
    const n = r.count(1, 0, MAX_INTRODUCTIONS, 'peer count');
    const peers: Uint8Array[] = [];
    for (let i = 0; i < n; i++) peers.push(r.bytesN(r.count(1, 1, MAX_PEER_ID_BYTES, `peer ${i} length`), `peer ${i}`));
    res = { type: 'peers', peers };
  } else if (type === ERROR) {
    res = { type: 'error', text: r.text(MAX_ERROR_TEXT_BYTES, 'text') };
  } else {
    throw new P2pCodecError(`introduction response: unknown type 0x${type.toString(16).padStart(2, '0')}`);
  }
  r.end();
  return res;
}
