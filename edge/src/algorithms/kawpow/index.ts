/** KawPow on the edge: its miner session (Ravencoin Stratum), its `otedama hash` (one nonce by light evaluation, or a full header) and its benchmark. */
import type { EdgeAlgorithm } from '../edge-algorithm.ts';
import { KAWPOW_BENCH_EXCLUSIVE, KAWPOW_BENCH_FLAGS, runKawpowBench } from './benchmark.ts';
import { KAWPOW_HASH_EXCLUSIVE, KAWPOW_HASH_FLAGS, runKawpowHashCommand } from './hash.ts';
import { KAWPOW_MINE_FLAGS, kawpowSession } from './session.ts';

export const KAWPOW_EDGE: EdgeAlgorithm = {
  name: 'kawpow',
  mine: { flags: KAWPOW_MINE_FLAGS, session: kawpowSession },
  hash: { flags: KAWPOW_HASH_FLAGS, exclusive: KAWPOW_HASH_EXCLUSIVE, run: runKawpowHashCommand },
  benchmark: { flags: KAWPOW_BENCH_FLAGS, exclusive: KAWPOW_BENCH_EXCLUSIVE, run: runKawpowBench },
};
