/**
 * The sync protocol's messages (syncProtocol(poolId)): one request frame, one response frame
 * per stream. A peer asks for the other's chain status, for shares by id (missing parents), or
 * for the shares after a locator (its chain's recent ids, newest first, as Bitcoin's
 * getheaders), in bounded batches: at most MAX_SYNC_BATCH_SHARES shares and
 * MAX_SYNC_RESPONSE_BYTES per response, `more` set when the answerer holds more after them.
 *
 *   request   0x01 status
 *             0x02 shares   u8 n (1..MAX_SYNC_IDS), n x 32-byte share id
 *             0x03 after    u8 n (0..MAX_LOCATOR_IDS = 101), n x 32-byte id, u16 max (1..MAX_SYNC_BATCH_SHARES)
 *   response  0x81 status   u8 hasTip, [32-byte tip id, u32 height, 32-byte cumulative work, u32 window shares]
 *             0x82 shares   u8 more, u16 n, n x (u16 length 1..MAX_SHARE_BYTES, share bytes)
 *             0xff error    u8 code, u8 length, UTF-8 text
 *
 * Integers are big-endian. Shares travel as their own encoding (the sharechain's), opaque here.
 */
import { P2pCodecError } from '../errors.ts';
import { MAX_LOCATOR_IDS } from '../sharechain/sharechain.ts';
import { SHARE_ID_BYTES } from '../sharechain/share.ts';
import { MAX_SHARE_BYTES } from './protocols.ts';
import { WireReader, WireWriter } from './wire.ts';

/** Share ids in one by-id request: a share's missing ancestors are fetched a few at a time. */
export const MAX_SYNC_IDS = 64;
/** Shares in one response: 8,640 shares (a day at 10 s) come in 17 batches. */
export const MAX_SYNC_BATCH_SHARES = 512;
/** Largest response frame: 512 shares of under 1 KB fit. */
export const MAX_SYNC_RESPONSE_BYTES = 512 * 1024;
/** Largest request frame: an `after` request with a full locator (MAX_LOCATOR_IDS = 101) is 3,236 bytes. */
export const MAX_SYNC_REQUEST_BYTES = 4096;
/** Longest error text, UTF-8 bytes. */
const MAX_ERROR_TEXT_BYTES = 200;
/** Bytes a `shares` response spends before its shares, and per share beside its bytes. */
const SHARES_HEADER_BYTES = 4;
const SHARE_LENGTH_BYTES = 2;
const WORK_BYTES = 32;

const REQUEST = { status: 0x01, shares: 0x02, after: 0x03 } as const;
const RESPONSE = { status: 0x81, shares: 0x82, error: 0xff } as const;

export const SYNC_ERROR = { malformed: 1, rateLimited: 2, unavailable: 3, internal: 4 } as const;
export type SyncErrorCode = keyof typeof SYNC_ERROR;

export type SyncRequest =
  | { readonly type: 'status' }
  | { readonly type: 'shares'; readonly ids: readonly Uint8Array[] }
  | { readonly type: 'after'; readonly locator: readonly Uint8Array[]; readonly max: number };

export interface ChainTip {
  readonly id: Uint8Array;
  readonly height: number;
  /** Cumulative work of the chain up to the tip. */
  readonly work: bigint;
  /** Shares in the payout window at the tip. */
  readonly windowShares: number;
}

export type SyncResponse =
  | { readonly type: 'status'; readonly tip: ChainTip | undefined }
  | { readonly type: 'shares'; readonly shares: readonly Uint8Array[]; readonly more: boolean }
  | { readonly type: 'error'; readonly code: SyncErrorCode | 'unknown'; readonly text: string };

function checkId(id: Uint8Array, field: string): Uint8Array {
  if (id.length !== SHARE_ID_BYTES) throw new P2pCodecError(`sync: ${field} must be ${SHARE_ID_BYTES} bytes (got ${id.length})`);
  return id;
}

function checkCount(n: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(n) || n < min || n > max) throw new P2pCodecError(`sync: ${field} is ${n}, must be from ${min} to ${max}`);
}

export function encodeSyncRequest(req: SyncRequest): Uint8Array {
  const w = new WireWriter().u8(REQUEST[req.type]);
  switch (req.type) {
    case 'status':
      break;
    case 'shares':
      checkCount(req.ids.length, 1, MAX_SYNC_IDS, 'id count');
      w.u8(req.ids.length);
      for (const id of req.ids) w.bytes(checkId(id, 'share id'));
      break;
    case 'after':
      checkCount(req.locator.length, 0, MAX_LOCATOR_IDS, 'locator length');
      checkCount(req.max, 1, MAX_SYNC_BATCH_SHARES, 'max');
      w.u8(req.locator.length);
      for (const id of req.locator) w.bytes(checkId(id, 'locator id'));
      w.u16(req.max);
      break;
  }
  return w.finish();
}

export function decodeSyncRequest(bytes: Uint8Array): SyncRequest {
  if (bytes.length > MAX_SYNC_REQUEST_BYTES) throw new P2pCodecError(`sync request: ${bytes.length} bytes, more than the ${MAX_SYNC_REQUEST_BYTES} allowed`);
  const r = new WireReader(bytes, 'sync request');
  const type = r.u8('type');
  let req: SyncRequest;
  switch (type) {
    case REQUEST.status:
      req = { type: 'status' };
      break;
    case REQUEST.shares: {
      const n = r.count(1, 1, MAX_SYNC_IDS, 'id count');
      const ids: Uint8Array[] = [];
      for (let i = 0; i < n; i++) ids.push(r.bytesN(SHARE_ID_BYTES, `share id ${i}`));
      req = { type: 'shares', ids };
      break;
    }
    case REQUEST.after: {
      const n = r.count(1, 0, MAX_LOCATOR_IDS, 'locator length');
      const locator: Uint8Array[] = [];
      for (let i = 0; i < n; i++) locator.push(r.bytesN(SHARE_ID_BYTES, `locator id ${i}`));
      req = { type: 'after', locator, max: r.count(2, 1, MAX_SYNC_BATCH_SHARES, 'max') };
      break;
    }
    default:
      throw new P2pCodecError(`sync request: unknown type 0x${type.toString(16).padStart(2, '0')}`);
  }
  r.end();
  return req;
}

/** Bytes a `shares` response holding these shares takes (to stay under MAX_SYNC_RESPONSE_BYTES). */
export function sharesResponseBytes(shares: readonly Uint8Array[]): number {
  return shares.reduce((n, s) => n + SHARE_LENGTH_BYTES + s.length, SHARES_HEADER_BYTES);
}

/** How many of `shares`, from the first, fit one response of at most maxBytes and MAX_SYNC_BATCH_SHARES. */
export function sharesThatFit(shares: readonly Uint8Array[], maxBytes = MAX_SYNC_RESPONSE_BYTES): number {
  let bytes = SHARES_HEADER_BYTES;
  let n = 0;
  for (const s of shares) {
    if (n >= MAX_SYNC_BATCH_SHARES || bytes + SHARE_LENGTH_BYTES + s.length > maxBytes) break;
    bytes += SHARE_LENGTH_BYTES + s.length;
    n++;
  }
  return n;
}

export function encodeSyncResponse(res: SyncResponse): Uint8Array {
  const w = new WireWriter().u8(RESPONSE[res.type]);
  switch (res.type) {
    case 'status':
      if (!res.tip) return w.u8(0).finish();
      checkCount(res.tip.height, 0, 0xffff_ffff, 'tip height');
      checkCount(res.tip.windowShares, 0, 0xffff_ffff, 'window shares');
      return w.u8(1).bytes(checkId(res.tip.id, 'tip id')).u32(res.tip.height).uintBE(res.tip.work, WORK_BYTES).u32(res.tip.windowShares).finish();
    case 'shares': {
      checkCount(res.shares.length, 0, MAX_SYNC_BATCH_SHARES, 'share count');
      const size = sharesResponseBytes(res.shares);
      if (size > MAX_SYNC_RESPONSE_BYTES) throw new P2pCodecError(`sync: a response of ${size} bytes is over the ${MAX_SYNC_RESPONSE_BYTES} allowed (use sharesThatFit)`);
      w.u8(res.more ? 1 : 0).u16(res.shares.length);
      for (const s of res.shares) {
        checkCount(s.length, 1, MAX_SHARE_BYTES, 'share length');
        w.u16(s.length).bytes(s);
      }
      return w.finish();
    }
    case 'error':
      return w.u8(res.code === 'unknown' ? 0 : SYNC_ERROR[res.code]).text(res.text, MAX_ERROR_TEXT_BYTES).finish();
  }
}

export function decodeSyncResponse(bytes: Uint8Array): SyncResponse {
  if (bytes.length > MAX_SYNC_RESPONSE_BYTES) throw new P2pCodecError(`sync response: ${bytes.length} bytes, more than the ${MAX_SYNC_RESPONSE_BYTES} allowed`);
  const r = new WireReader(bytes, 'sync response');
  const type = r.u8('type');
  let res: SyncResponse;
  switch (type) {
    case RESPONSE.status: {
      const has = r.u8('hasTip');
      if (has > 1) throw new P2pCodecError(`sync response: hasTip is ${has}, must be 0 or 1`);
      res = {
        type: 'status',
        tip: has ? { id: r.bytesN(SHARE_ID_BYTES, 'tip id'), height: r.u32('height'), work: r.uintBE(WORK_BYTES, 'work'), windowShares: r.u32('window shares') } : undefined,
      };
      break;
    }
    case RESPONSE.shares: {
      const more = r.u8('more');
      if (more > 1) throw new P2pCodecError(`sync response: more is ${more}, must be 0 or 1`);
      const n = r.count(2, 0, MAX_SYNC_BATCH_SHARES, 'share count');
      const shares: Uint8Array[] = [];
      for (let i = 0; i < n; i++) shares.push(r.bytesN(r.count(2, 1, MAX_SHARE_BYTES, `share ${i} length`), `share ${i}`));
      res = { type: 'shares', shares, more: more === 1 };
      break;
    }
    case RESPONSE.error: {
      const code = r.u8('code');
      const name = (Object.keys(SYNC_ERROR) as SyncErrorCode[]).find((k) => SYNC_ERROR[k] === code) ?? 'unknown';
      res = { type: 'error', code: name, text: r.text(MAX_ERROR_TEXT_BYTES, 'text') };
      break;
    }
    default:
      throw new P2pCodecError(`sync response: unknown type 0x${type.toString(16).padStart(2, '0')}`);
  }
  r.end();
  return res;
}
