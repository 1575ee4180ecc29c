/** SHA-256d on the edge: its miner session, its `otedama hash` (header hash, nonce search) and its benchmark. */
import type { EdgeAlgorithm } from '../edge-algorithm.ts';
import { runSha256dBenchmark } from './benchmark.ts';
import { runSha256dHash, SHA256D_HASH_FLAGS } from './hash.ts';
import { sha256dSession } from './session.ts';

export const SHA256D_EDGE: EdgeAlgorithm = {
  name: 'sha256d',
  mine: { flags: [], session: sha256dSession },
  hash: { flags: SHA256D_HASH_FLAGS, exclusive: [], run: runSha256dHash },
  benchmark: { flags: [], exclusive: {}, run: runSha256dBenchmark },
};
