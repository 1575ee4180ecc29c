/**
 * The JS reference engine: the same nonce search as the WASM and WebGPU engines, in plain
 * TypeScript (midstate once per job, one compression pair per nonce). Slow, obviously right,
 * and the yardstick every other engine is compared with.
 */
import { checkSearch, type NonceSearchEngine, type SearchHit, type SearchOptions, type SearchResult, type Sha256dSearchJob } from './engine.ts';
import { EngineUnavailableError } from './errors.ts';
import { hashToBigInt } from './target.ts';
import { yieldToEventLoop } from './schedule.ts';
import { SHA256_IV, blockWords, sha256CompressWords, sha256Midstate } from './sha256.ts';

/** Nonces between yields to the event loop, so a long search never freezes a page. */
const YIELD_EVERY_NONCES = 1 << 16;

function bswap32(x: number): number {
  return ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

export class Sha256dReferenceEngine implements NonceSearchEngine {
  readonly name = 'js' as const;
  readonly algo = 'sha256d' as const;
  private disposed = false;

  async search(job: Sha256dSearchJob, startNonce: number, count: number, options?: SearchOptions): Promise<SearchResult> {
    const maxHits = checkSearch(job, startNonce, count, options);
    if (this.disposed) throw new EngineUnavailableError('js', 'engine was disposed');
    const mid = sha256Midstate(job.header);
    const block2 = new Uint32Array(16);
    const tail = blockWords(padTail(job.header), 0);
    block2.set(tail);
    const block3 = new Uint32Array(16);
    block3[8] = 0x80000000;
    block3[15] = 256;
    const state = new Uint32Array(8);
    const hits: SearchHit[] = [];
    let truncated = false;
    for (let i = 0; i < count; i++) {
      const nonce = (startNonce + i) >>> 0;
      block2[3] = bswap32(nonce);
      state.set(mid);
      sha256CompressWords(state, block2);
      block3.set(state, 0);
      state.set(SHA256_IV);
      sha256CompressWords(state, block3);
      // Quick reject on the top word: the LE uint256's top 32 bits are bswap(H7).
      const top = bswap32(state[7]!);
      if (top <= Number(job.target >> 224n)) {
        const hash = new Uint8Array(32);
        for (let w = 0; w < 8; w++) {
          hash[w * 4] = state[w]! >>> 24;
          hash[w * 4 + 1] = (state[w]! >>> 16) & 0xff;
          hash[w * 4 + 2] = (state[w]! >>> 8) & 0xff;
          hash[w * 4 + 3] = state[w]! & 0xff;
        }
        if (hashToBigInt(hash) <= job.target) {
          if (hits.length < maxHits) hits.push({ nonce, hash });
          else truncated = true;
        }
      }
      if ((i & (YIELD_EVERY_NONCES - 1)) === YIELD_EVERY_NONCES - 1) await yieldToEventLoop();
    }
    return { hits, tried: count, truncated };
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** Header bytes 64..79 followed by SHA-256 padding for an 80-byte message (one 64-byte block). */
function padTail(header: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(header.subarray(64, 80));
  block[16] = 0x80;
  block[62] = 0x02; // 640 bits
  block[63] = 0x80;
  return block;
}

export function createReferenceSha256dEngine(): NonceSearchEngine {
  return new Sha256dReferenceEngine();
}
