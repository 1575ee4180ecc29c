import { describe, expect, it } from 'vitest';
import { describeSpan, fetchPoolFigures, formatSats, readPoolFigures } from './pool-figures.ts';
import { PoolApiError } from './errors.ts';

// Shapes as edge/src/api/api.ts writes them (bigints below 2^53 become numbers).
const STATS = {
  pool: { feePercent: 1, minPayoutSats: 1000000, pplnsWindow: 1000, network: 'regtest' },
  chain: { height: 42 },
  stratum: { connections: 2 },
  hashrate: { m10: 5_100_000, h1: 1_000_000, h24: 50_000, seconds: { m10: 40, h1: 40, h24: 40 } },
  activeMiners: 2,
  activeWorkers: 3,
  sharesTotal: 100,
  sharesLast24h: 100,
  blocksFound: 1,
  paidTotal: 4_950_000_000,
  carriedTotal: 0,
};
const MINER = { address: 'bcrt1q…', workers: [], lastSeen: 1, shares: 10, hashrate: { m10: 2_000_000, h1: 1, h24: 1 }, balance: 120, paid: 2_475_000_000, firstSeen: 1, estimate: { windowFraction: 0.25, nextBlockSats: '1237500000' } };

describe('readPoolFigures', () => {
  it('reads the edge replies', () => {
    expect(readPoolFigures(STATS, MINER, 200)).toEqual({
      poolHashrate: 5_100_000,
      poolHashrateSeconds: 40,
      activeMiners: 2,
      blocksFound: 1,
      height: 42,
      miner: { hashrate: 2_000_000, balanceSats: '120', paidSats: '2475000000', nextBlockSats: '1237500000', windowFraction: 0.25 },
    });
  });
  it('says "no shares yet" for an unknown miner', () => {
    expect(readPoolFigures(STATS, { error: { code: 'unknown_miner', message: 'no shares' } }, 404)).toMatchObject({ noSharesYet: true, activeMiners: 2 });
  });
  it('works without an estimate and with satoshis as decimal strings', () => {
    const { estimate: _, ...old } = MINER;
    expect(readPoolFigures(STATS, { ...old, balance: '99999999999999999999' }, 200).miner).toEqual({ hashrate: 2_000_000, balanceSats: '99999999999999999999', paidSats: '2475000000' });
  });
  it('refuses what is not the edge JSON, with a reason', () => {
    expect(() => readPoolFigures(null, MINER, 200)).toThrow(PoolApiError);
    expect(() => readPoolFigures('<html>', MINER, 200)).toThrow(/not a JSON object/);
    expect(() => readPoolFigures(STATS, [], 200)).toThrow(/no balance/);
    expect(() => readPoolFigures(STATS, { ...MINER, balance: -5 }, 200)).toThrow(/no balance/);
    expect(() => readPoolFigures(STATS, { error: { code: 'rate_limited', message: 'too many requests' } }, 429)).toThrow(/HTTP 429: too many requests/);
  });
  it('reads a hashrate without the seconds it was averaged over (an older edge), and ignores bad seconds', () => {
    expect(readPoolFigures({ ...STATS, hashrate: { m10: 7, h1: 1, h24: 1 } }, MINER, 200)).not.toHaveProperty('poolHashrateSeconds');
    expect(readPoolFigures({ ...STATS, hashrate: { m10: 7, h1: 1, h24: 1, seconds: { m10: -3 } } }, MINER, 200)).not.toHaveProperty('poolHashrateSeconds');
    expect(readPoolFigures({ ...STATS, hashrate: { m10: 7, h1: 1, h24: 1, seconds: 'x' } }, MINER, 200).poolHashrate).toBe(7);
  });
  it('says how long a figure was averaged over', () => {
    expect([describeSpan(40), describeSpan(570), describeSpan(3600), describeSpan(86_400)]).toEqual(['over 40 s', 'over 10 min', 'over 60 min', 'over 24 h']);
  });
  it('drops figures of the wrong type instead of showing garbage', () => {
    const f = readPoolFigures({ hashrate: 'fast', activeMiners: -1, blocksFound: NaN, chain: 'x' }, { ...MINER, hashrate: null, estimate: { windowFraction: 7, nextBlockSats: 'lots' } }, 200);
    expect(f).toEqual({ miner: { balanceSats: '120', paidSats: '2475000000' } });
  });
});

describe('fetchPoolFigures', () => {
  const reply = (status: number, body: unknown) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  it('asks both routes of the given origin', async () => {
    const asked: string[] = [];
    const f = await fetchPoolFigures('http://127.0.0.1:1', 'bcrt1q/x', async (url) => {
      asked.push(String(url));
      return String(url).includes('/miners/') ? reply(200, MINER) : reply(200, STATS);
    });
    expect(asked.sort()).toEqual(['http://127.0.0.1:1/api/miners/bcrt1q%2Fx', 'http://127.0.0.1:1/api/pool/stats']);
    expect(f.blocksFound).toBe(1);
  });
  it('turns network errors and non-JSON replies into PoolApiError', async () => {
    await expect(fetchPoolFigures('http://x', 'a', async () => Promise.reject(new TypeError('Failed to fetch')))).rejects.toThrow(/cannot reach http:\/\/x: Failed to fetch/);
    await expect(fetchPoolFigures('http://x', 'a', async () => reply(502, '<html>bad gateway</html>'))).rejects.toThrow(/HTTP 502 without JSON/);
    await expect(fetchPoolFigures('http://x', 'a', async (u) => (String(u).includes('stats') ? reply(500, { error: {} }) : reply(200, MINER)))).rejects.toThrow(/HTTP 500/);
  });
});

describe('formatSats', () => {
  it('writes coins with up to 8 decimals', () => {
    expect(formatSats('0')).toBe('0.00 BTC');
    expect(formatSats('1')).toBe('0.00000001 BTC');
    expect(formatSats('5000000000')).toBe('50.00 BTC');
    expect(formatSats('123456789')).toBe('1.23456789 BTC');
    expect(formatSats('000120')).toBe('0.0000012 BTC');
  });
});
