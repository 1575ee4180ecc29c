/**
 * Coin templates as edges hand them to miners that are not edges (browsers): what a page needs to
 * build a block header and a share's coinbase on the coin's tip, signed by the edge that built it
 * with its libp2p key, so a page mines only on work an edge it trusts vouches for.
 *
 *   template  version u8 (1) | poolId 32 | signer u8 n (1..MAX_SIGNER_BYTES) + peer id bytes |
 *             issuedAt u64 (ms) | validForMs u32 | height u32 | headerVersion u32 | prevHash 32 |
 *             curtime u32 | bits u32 | reward u64 (sats) |
 *             mandated outputs u8 n (0..MAX_MANDATED_OUTPUTS) + n x (u8 length 1..80, script) |
 *             merkle branch u8 n (0..MAX_MERKLE_BRANCH) + n x 32 |
 *             signature u8 n (1..MAX_SIGNATURE_BYTES) + bytes
 *
 * The signature covers SIGN_TAG || every byte before the signature's length, so it binds the
 * pool id (no replay into another pool) and the time (no replay of an old template). Integers
 * are big-endian (the network's codecs); hashes and the branch are in internal byte order.
 *
 * The template request protocol (templateProtocol(poolId)) carries one request frame (0x01:
 * the latest template) and one response frame (0x81 + template, or 0xff + error text).
 *
 * templateIdOf names the coin work a template describes: the coin tip, the reward and the
 * transactions' commitments (mandated outputs, merkle branch). A share carries exactly these,
 * so an edge finds the archived transactions of a found block from the share alone.
 */
import { utf8 } from '@scure/base';
import { P2pCodecError } from '../errors.ts';
import { bytesToHex, concatBytes } from '../hex.ts';
import { sha256d } from '../sha256.ts';
import { MAX_MANDATED_OUTPUTS, MAX_MANDATED_SCRIPT_BYTES, MAX_MERKLE_BRANCH } from '../sharechain/share.ts';
import { POOL_ID_BYTES } from './protocols.ts';
import { WireReader, WireWriter } from './wire.ts';

export const TEMPLATE_FORMAT_VERSION = 1;
/** A libp2p peer id in bytes: an Ed25519 key's identity multihash is 38 bytes; RSA ids are hashes (34). */
export const MAX_SIGNER_BYTES = 64;
/** Ed25519 signatures are 64 bytes; room for a key type with longer ones. */
export const MAX_SIGNATURE_BYTES = 128;
/** Largest template frame: the fields at their limits (about 1 KB). */
export const MAX_TEMPLATE_BYTES =
  1 + POOL_ID_BYTES + 1 + MAX_SIGNER_BYTES + 8 + 4 + 4 + 4 + 32 + 4 + 4 + 8 + 1 + MAX_MANDATED_OUTPUTS * (1 + MAX_MANDATED_SCRIPT_BYTES) + 1 + MAX_MERKLE_BRANCH * 32 + 1 + MAX_SIGNATURE_BYTES;
/** Longest validity an edge may give a template: past it a page stops mining on it, whatever the edge said. */
export const MAX_TEMPLATE_VALID_MS = 3_600_000;
/** A template issued this far past the reader's clock is refused (clock skew between edge and page). */
export const MAX_TEMPLATE_FUTURE_MS = 60_000;
/** What the signature covers: this tag, then the template's bytes before the signature. */
export const TEMPLATE_SIGN_TAG: Uint8Array = utf8.decode('otedama/template/1');
const TEMPLATE_ID_TAG: Uint8Array = utf8.decode('otedama/template-id/1');
/** Largest error text in a response. */
const MAX_ERROR_TEXT_BYTES = 200;
const MAX_U32 = 0xffff_ffff;

export interface CoinTemplate {
  readonly poolId: Uint8Array;
  /** The signing edge's libp2p peer id, as bytes (its multihash). */
  readonly signer: Uint8Array;
  /** When the edge built it (ms since the epoch). */
  readonly issuedAt: number;
  /** How long after issuedAt a miner may still use it (ms, at most MAX_TEMPLATE_VALID_MS). */
  readonly validForMs: number;
  /** Height of the block being mined (BIP34). */
  readonly height: number;
  /** The header's version field. */
  readonly headerVersion: number;
  /** The coin block it builds on (internal order). */
  readonly prevHash: Uint8Array;
  /** The header's time when the template was built (s); a miner may roll it forward. */
  readonly curtime: number;
  /** The coin's compact block target. */
  readonly bits: number;
  /** The coinbase value (subsidy + fees of the template's transactions). */
  readonly reward: bigint;
  /** Scripts the coinbase must carry, value 0 (the segwit witness commitment). */
  readonly mandatedOutputs: readonly Uint8Array[];
  /** Merkle branch from the coinbase (leaf 0) to the root, internal order. */
  readonly merkleBranch: readonly Uint8Array[];
}

export interface SignedTemplate {
  readonly template: CoinTemplate;
  /** The bytes the signature covers (SIGN_TAG || body). */
  readonly signedBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** The whole encoding. */
  readonly encoded: Uint8Array;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new P2pCodecError(`template: ${what}`);
}

function checkTemplate(t: CoinTemplate): void {
  check(t.poolId instanceof Uint8Array && t.poolId.length === POOL_ID_BYTES, `poolId must be ${POOL_ID_BYTES} bytes`);
  check(t.signer instanceof Uint8Array && t.signer.length >= 1 && t.signer.length <= MAX_SIGNER_BYTES, `signer must be 1..${MAX_SIGNER_BYTES} bytes`);
  check(Number.isSafeInteger(t.issuedAt) && t.issuedAt >= 0, 'issuedAt must be a non-negative integer of ms');
  check(Number.isInteger(t.validForMs) && t.validForMs >= 1 && t.validForMs <= MAX_TEMPLATE_VALID_MS, `validForMs must be 1..${MAX_TEMPLATE_VALID_MS}`);
  for (const f of ['height', 'headerVersion', 'curtime', 'bits'] as const) check(Number.isInteger(t[f]) && t[f] >= 0 && t[f] <= MAX_U32, `${f} must be a u32`);
  check(t.prevHash instanceof Uint8Array && t.prevHash.length === 32, 'prevHash must be 32 bytes');
  check(typeof t.reward === 'bigint' && t.reward >= 0n && t.reward < 1n << 64n, 'reward must be a u64 of sats');
  check(t.mandatedOutputs.length <= MAX_MANDATED_OUTPUTS, `at most ${MAX_MANDATED_OUTPUTS} mandated outputs`);
  for (const s of t.mandatedOutputs) check(s.length >= 1 && s.length <= MAX_MANDATED_SCRIPT_BYTES, `a mandated output script is 1..${MAX_MANDATED_SCRIPT_BYTES} bytes`);
  check(t.merkleBranch.length <= MAX_MERKLE_BRANCH, `at most ${MAX_MERKLE_BRANCH} merkle branch levels`);
  for (const b of t.merkleBranch) check(b.length === 32, 'a merkle branch hash is 32 bytes');
}

/** The template's bytes before the signature (what, prefixed by SIGN_TAG, is signed). */
export function encodeTemplateBody(t: CoinTemplate): Uint8Array {
  checkTemplate(t);
  const w = new WireWriter()
    .u8(TEMPLATE_FORMAT_VERSION)
    .bytes(t.poolId)
    .u8(t.signer.length)
    .bytes(t.signer)
    .uintBE(BigInt(t.issuedAt), 8)
    .u32(t.validForMs)
    .u32(t.height)
    .u32(t.headerVersion)
    .bytes(t.prevHash)
    .u32(t.curtime)
    .u32(t.bits)
    .uintBE(t.reward, 8)
    .u8(t.mandatedOutputs.length);
  for (const s of t.mandatedOutputs) w.u8(s.length).bytes(s);
  w.u8(t.merkleBranch.length);
  for (const b of t.merkleBranch) w.bytes(b);
  return w.finish();
}

/** SIGN_TAG || body: the message an edge signs. */
export function templateSigningBytes(body: Uint8Array): Uint8Array {
  return concatBytes(TEMPLATE_SIGN_TAG, body);
}

/** Signs a template with `sign` (the edge's libp2p key) and returns its encoding. */
export async function signTemplate(t: CoinTemplate, sign: (message: Uint8Array) => Uint8Array | Promise<Uint8Array>): Promise<SignedTemplate> {
  const body = encodeTemplateBody(t);
  const signedBytes = templateSigningBytes(body);
  const signature = await sign(signedBytes);
  check(signature.length >= 1 && signature.length <= MAX_SIGNATURE_BYTES, `signature must be 1..${MAX_SIGNATURE_BYTES} bytes`);
  const encoded = concatBytes(body, Uint8Array.of(signature.length), signature);
  return { template: t, signedBytes, signature, encoded };
}

/** Decodes a template (throws P2pCodecError naming the field); the signature is checked by verifyTemplate. */
export function decodeTemplate(bytes: Uint8Array): SignedTemplate {
  if (bytes.length > MAX_TEMPLATE_BYTES) throw new P2pCodecError(`template: ${bytes.length} bytes, more than the ${MAX_TEMPLATE_BYTES} allowed`);
  const r = new WireReader(bytes, 'template');
  const version = r.u8('version');
  if (version !== TEMPLATE_FORMAT_VERSION) throw new P2pCodecError(`template: unknown format version ${version} (this build reads ${TEMPLATE_FORMAT_VERSION})`);
  const poolId = r.bytesN(POOL_ID_BYTES, 'poolId');
  const signer = r.bytesN(r.count(1, 1, MAX_SIGNER_BYTES, 'signer length'), 'signer');
  const issued = r.uintBE(8, 'issuedAt');
  if (issued > BigInt(Number.MAX_SAFE_INTEGER)) throw new P2pCodecError('template: issuedAt is beyond any clock');
  const validForMs = r.u32('validForMs');
  if (validForMs < 1 || validForMs > MAX_TEMPLATE_VALID_MS) throw new P2pCodecError(`template: validForMs is ${validForMs}, must be from 1 to ${MAX_TEMPLATE_VALID_MS}`);
  const height = r.u32('height');
  const headerVersion = r.u32('headerVersion');
  const prevHash = r.bytesN(32, 'prevHash');
  const curtime = r.u32('curtime');
  const bits = r.u32('bits');
  const reward = r.uintBE(8, 'reward');
  const mandatedOutputs: Uint8Array[] = [];
  const mandated = r.count(1, 0, MAX_MANDATED_OUTPUTS, 'mandated output count');
  for (let i = 0; i < mandated; i++) mandatedOutputs.push(r.bytesN(r.count(1, 1, MAX_MANDATED_SCRIPT_BYTES, `mandated output ${i} length`), `mandated output ${i}`));
  const merkleBranch: Uint8Array[] = [];
  const levels = r.count(1, 0, MAX_MERKLE_BRANCH, 'merkle branch length');
  for (let i = 0; i < levels; i++) merkleBranch.push(r.bytesN(32, `merkle branch ${i}`));
  const bodyLength = bytes.length - r.remaining;
  const signature = r.bytesN(r.count(1, 1, MAX_SIGNATURE_BYTES, 'signature length'), 'signature');
  r.end();
  const template: CoinTemplate = {
    poolId,
    signer,
    issuedAt: Number(issued),
    validForMs,
    height,
    headerVersion,
    prevHash,
    curtime,
    bits,
    reward,
    mandatedOutputs,
    merkleBranch,
  };
  return { template, signedBytes: templateSigningBytes(bytes.subarray(0, bodyLength)), signature, encoded: bytes.slice() };
}

/** Why a template may not be mined on now, or undefined when it may. */
export function templateAgeProblem(t: CoinTemplate, now: number): string | undefined {
  if (t.issuedAt > now + MAX_TEMPLATE_FUTURE_MS) return `issued ${Math.round((t.issuedAt - now) / 1000)} s in the future`;
  const until = t.issuedAt + Math.min(t.validForMs, MAX_TEMPLATE_VALID_MS);
  if (now > until) return `stale: issued ${Math.round((now - t.issuedAt) / 1000)} s ago, valid for ${Math.round(t.validForMs / 1000)} s`;
  return undefined;
}

/** The coin work a template (or a share mined on it) describes: what the template archive is keyed by. */
export interface CoinWork {
  readonly prevHash: Uint8Array;
  readonly reward: bigint;
  readonly mandatedOutputs: readonly Uint8Array[];
  readonly merkleBranch: readonly Uint8Array[];
}

/** sha256d(tag || prevHash || reward u64 || mandated outputs || merkle branch), each list with its count. */
export function templateIdOf(w: CoinWork): Uint8Array {
  const out = new WireWriter().bytes(TEMPLATE_ID_TAG).bytes(w.prevHash).uintBE(w.reward, 8).u8(w.mandatedOutputs.length);
  for (const s of w.mandatedOutputs) out.u8(s.length).bytes(s);
  out.u8(w.merkleBranch.length);
  for (const b of w.merkleBranch) out.bytes(b);
  return sha256d(out.finish());
}

/** The template request protocol, one per pool: one request, one response per stream. */
export function templateProtocol(poolId: Uint8Array): string {
  check(poolId.length === POOL_ID_BYTES, `a pool id is ${POOL_ID_BYTES} bytes`);
  return `/otedama/${bytesToHex(poolId)}/template/1.0.0`;
}

const TEMPLATE_REQUEST_LATEST = 0x01;
const TEMPLATE_RESPONSE = 0x81;
const TEMPLATE_ERROR = 0xff;
/** Largest template response frame. */
export const MAX_TEMPLATE_RESPONSE_BYTES = 1 + MAX_TEMPLATE_BYTES;

export type TemplateResponse = { readonly type: 'template'; readonly template: SignedTemplate } | { readonly type: 'error'; readonly text: string };

export function encodeTemplateRequest(): Uint8Array {
  return Uint8Array.of(TEMPLATE_REQUEST_LATEST);
}

/** Checks a request frame (throws P2pCodecError when it is not the one request this protocol has). */
export function decodeTemplateRequest(bytes: Uint8Array): 'latest' {
  if (bytes.length !== 1 || bytes[0] !== TEMPLATE_REQUEST_LATEST) {
    throw new P2pCodecError(`template request: expected the single byte 0x01, got ${bytes.length} byte(s)${bytes.length ? ` starting 0x${bytes[0]!.toString(16).padStart(2, '0')}` : ''}`);
  }
  return 'latest';
}

export function encodeTemplateResponse(res: TemplateResponse): Uint8Array {
  if (res.type === 'template') return concatBytes(Uint8Array.of(TEMPLATE_RESPONSE), res.template.encoded);
  return new WireWriter().u8(TEMPLATE_ERROR).text(res.text, MAX_ERROR_TEXT_BYTES).finish();
}

export function decodeTemplateResponse(bytes: Uint8Array): TemplateResponse {
  if (bytes.length > MAX_TEMPLATE_RESPONSE_BYTES) throw new P2pCodecError(`template response: ${bytes.length} bytes, more than the ${MAX_TEMPLATE_RESPONSE_BYTES} allowed`);
  if (bytes.length === 0) throw new P2pCodecError('template response: empty');
  if (bytes[0] === TEMPLATE_RESPONSE) return { type: 'template', template: decodeTemplate(bytes.subarray(1)) };
  if (bytes[0] === TEMPLATE_ERROR) {
    const r = new WireReader(bytes.subarray(1), 'template response');
    const text = r.text(MAX_ERROR_TEXT_BYTES, 'text');
    r.end();
    return { type: 'error', text };
  }
  throw new P2pCodecError(`template response: unknown type 0x${bytes[0]!.toString(16).padStart(2, '0')}`);
}
