import { describe, expect, it } from 'vitest';
import { blockText, duration, nextPayoutText, nextShareText, percent, windowText } from './earnings-text.ts';
import type { FoundBlockView, PayoutLine } from './page-chain.ts';

const direct: PayoutLine = { amount: 1_234_000n, paid: 1_234_000n, kind: 'direct', odds: { num: 1n, den: 1n }, bonus: 0n };
const ticket: PayoutLine = { amount: 250_000n, paid: 0n, kind: 'lottery', odds: { num: 1n, den: 4n }, bonus: 0n };
const none: PayoutLine = { amount: 0n, paid: 0n, kind: 'none', odds: { num: 0n, den: 1n }, bonus: 0n };

describe('earnings in words', () => {
  it('says what the next block pays and why', () => {
    expect(nextPayoutText(direct, 1_000_000n, 'another miner')).toBe('If another miner finds the next block: 0.01234 BTC, paid straight to your address (your part of the window\'s work is above the 0.01 BTC threshold).');
    expect(nextPayoutText(ticket, 1_000_000n, 'another miner')).toMatch(/your part is 0.0025 BTC, below the 0.01 BTC minimum a coinbase pays. So you hold a lottery ticket: a 25 % chance to be paid 0.01 BTC/);
    expect(nextPayoutText(none, 1_000_000n, 'this page')).toMatch(/^If this page finds the next block: nothing yet/);
  });

  it('explains each found block for this address', () => {
    const b = (me: PayoutLine, foundByMe = false): FoundBlockView => ({ key: 'k', height: 40, time: 1_000_000, foundByMe, me, threshold: 1_000_000n, reward: 5_000_000_000n });
    expect(blockText(b(direct), 1_000_000 + 120_000)).toBe("Block at share 40 (2 min ago): paid you 0.01234 BTC, your part of the window's work.");
    expect(blockText(b({ ...ticket, paid: 1_000_000n }), 1_030_000)).toMatch(/ticket \(25 % chance\) won: paid 0.01 BTC/);
    expect(blockText(b(ticket), 1_030_000)).toMatch(/did not win this time/);
    expect(blockText(b(none), 1_030_000)).toMatch(/had no shares in the window/);
    expect(blockText(b({ ...direct, bonus: 25_000_000n }, true), 1_030_000)).toMatch(/found by this page: paid you .* finder's bonus/);
  });

  it('turns hashes into time at a hashrate, and numbers into readable ones', () => {
    expect(nextShareText(48_000_000, 1_200_000)).toMatch(/about 40 s at this device's speed \(a share takes about 48.0 M hashes now/);
    expect(nextShareText(48_000_000, 0)).toMatch(/start mining/);
    expect(nextShareText(undefined, 5)).toMatch(/waiting for a template/);
    expect(duration(7200)).toBe('2.0 h');
    expect(percent(1n, 3n)).toBe('33 %');
    expect(percent(1n, 300n)).toBe('0.33 %');
    expect(percent(1n, 10_000_000n)).toBe('<0.01 %');
    expect(windowText(12, 340, 35_000)).toBe('The window holds 340 share(s); 12 are yours, 3.5 % of its work. Every block pays the window by work.');
  });
});
