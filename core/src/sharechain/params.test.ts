import { describe, expect, it } from 'vitest';
import { PoolParamsError } from '../errors.ts';
import { bytesToHex, reverseBytes } from '../hex.ts';
import {
  BITCOIN_GENESIS_HASHES,
  REAL_COIN_DEFAULTS,
  bitcoinPoolParams,
  encodePoolParams,
  poolId,
  poolIdHex,
  simnetPoolParams,
  validatePoolParams,
  type PoolParams,
} from './params.ts';

describe('pool params', () => {
  it('has valid defaults for every Bitcoin network and for simnet', () => {
    for (const n of Object.keys(BITCOIN_GENESIS_HASHES) as (keyof typeof BITCOIN_GENESIS_HASHES)[]) {
      const p = bitcoinPoolParams(n);
      expect(bytesToHex(reverseBytes(p.genesisHash))).toBe(BITCOIN_GENESIS_HASHES[n]);
    }
    expect(bitcoinPoolParams('mainnet').shareIntervalMs).toBe(10_000);
    expect(bitcoinPoolParams('regtest').shareIntervalMs).toBe(2_000);
    expect(simnetPoolParams(new Uint8Array(32)).asertHalfLifeMs).toBe(60 * 2_000);
  });

  it('encodes every parameter: the pool id changes when any one changes', () => {
    const base = bitcoinPoolParams('mainnet');
    const ids = new Set([poolIdHex(base)]);
    const changes: Partial<PoolParams>[] = [
      { genesisHash: new Uint8Array(32) },
      { shareIntervalMs: 10_001 },
      { asertHalfLifeMs: 600_001 },
      { initialShareBits: 0x1b00fffe },
      { maxShareBits: 0x1d00fffe },
      { maxTargetMultiple: 29 },
      { windowSpread: 2 },
      { maxWindowShares: 8641 },
      { windowMaxAgeMs: 72 * 3600_000 + 1 },
      { maxUncles: 2 },
      { maxUncleDepth: 2 },
      { uncleCreditBp: 8999 },
      { finderBonusBp: 51 },
      { maxPayoutOutputs: 59 },
      { minPayoutSats: REAL_COIN_DEFAULTS.minPayoutSats + 1n },
      { dustLimitSats: 547n },
      { maxFutureMs: 60_001 },
    ];
    for (const c of changes) ids.add(poolIdHex(validatePoolParams({ ...base, ...c })));
    expect(ids.size).toBe(changes.length + 1);
    expect(poolId(base)).toHaveLength(32);
    // magic 12, version 1, format 1, name 1+7, genesis 32, 4 x u32, 2 x u16, 2 x u32, 2 x u8, 3 x u16, 2 x u64, u32
    expect(encodePoolParams(base)).toHaveLength(110);
  });

  it('rejects parameters that cannot make a pool, naming the field', () => {
    const base = bitcoinPoolParams('mainnet');
    const bad: [Partial<PoolParams>, string][] = [
      [{ shareFormatVersion: 2 }, 'shareFormatVersion'],
      [{ algorithm: 'scrypt' }, 'algorithm'],
      [{ genesisHash: new Uint8Array(31) }, 'genesisHash'],
      [{ shareIntervalMs: 0 }, 'shareIntervalMs'],
      [{ asertHalfLifeMs: 5_000 }, 'asertHalfLifeMs'],
      [{ initialShareBits: 0x1d00fffe | 0x00800000 }, 'initialShareBits'],
      [{ initialShareBits: 0x1e00ffff }, 'initialShareBits'],
      [{ maxShareBits: 0x1d000fff }, 'maxShareBits'],
      [{ maxUncles: 4 }, 'maxUncles'],
      [{ uncleCreditBp: 10_001 }, 'uncleCreditBp'],
      [{ maxPayoutOutputs: 0 }, 'maxPayoutOutputs'],
      [{ minPayoutSats: 100n }, 'minPayoutSats'],
      [{ dustLimitSats: -1n }, 'dustLimitSats'],
    ];
    for (const [change, field] of bad) {
      let err: unknown;
      try {
        validatePoolParams({ ...base, ...change });
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(PoolParamsError);
      expect((err as PoolParamsError).field).toBe(field);
    }
  });
});
