import { sha256, sha256d, signTemplate, decodeTemplate, type CoinTemplate, type SignedTemplate } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { TemplateBook } from './template-book.ts';

const pool = sha256(new TextEncoder().encode('pool A'));
const T0 = 1_700_000_000_000;

async function signed(over: Partial<CoinTemplate> = {}): Promise<SignedTemplate> {
  const t: CoinTemplate = {
    poolId: pool,
    signer: Uint8Array.of(0, 1, 2),
    issuedAt: T0,
    validForMs: 60_000,
    height: 10,
    headerVersion: 0x20000000,
    prevHash: sha256d(Uint8Array.of(1)),
    curtime: T0 / 1000,
    bits: 0x207fffff,
    reward: 5_000_000_000n,
    mandatedOutputs: [],
    merkleBranch: [],
    ...over,
  };
  return decodeTemplate((await signTemplate(t, () => new Uint8Array(64))).encoded);
}

describe('TemplateBook', () => {
  it('accepts only this pool, trusted edges, fresh templates; mines on the highest, newest', async () => {
    let now = T0;
    const book = new TemplateBook(pool, () => now);
    book.trust(['edgeA']);
    expect(book.check(await signed({ poolId: sha256(Uint8Array.of(9)) }), 'edgeA')).toEqual({ result: 'other-pool' });
    expect(book.check(await signed(), 'mallory')).toEqual({ result: 'untrusted', signer: 'mallory' });
    const first = await signed();
    expect(book.accept(first, 'edgeA')).toBe(true);
    expect(book.check(await signed(), 'edgeA')).toEqual({ result: 'older' });
    expect(book.check(await signed({ height: 9, issuedAt: T0 + 1 }), 'edgeA')).toEqual({ result: 'older' });
    now += 1000;
    const newer = await signed({ issuedAt: T0 + 500, reward: 5_000_000_100n });
    expect(book.accept(newer, 'edgeA')).toBe(true);
    expect(book.current()).toBe(newer);
    const next = await signed({ height: 11, issuedAt: T0 + 600, prevHash: sha256d(Uint8Array.of(2)) });
    expect(book.accept(next, 'edgeA')).toBe(true);
    expect(TemplateBook.workKey(next.template)).not.toBe(TemplateBook.workKey(newer.template));
    // Past its validity the page stops mining on it and says why.
    now = T0 + 600 + 60_001;
    expect(book.current()).toBeUndefined();
    expect(book.last()!.stale).toMatch(/^stale/);
    expect(book.check(await signed({ height: 12 }), 'edgeA')).toMatchObject({ result: 'stale' });
  });
});
