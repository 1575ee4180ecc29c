/**
 * `otedama mine --algo kawpow`: the KawPow dialect of Ravencoin pools (kawpowminer's), with each
 * epoch's light cache kept in the data folder and the DAG built on every GPU.
 */
import { join } from 'node:path';
import type { FlagSpec } from '../../cli-args.ts';
import { LIGHT_CACHE_DIR, diskLightCacheStore } from '../../chain/light-cache-store.ts';
import { defaultDataDir } from '../../config/config.ts';
import { CliUsageError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { KawpowMiner } from '../../miner/kawpow-miner.ts';
import { KawpowStratumClient } from '../../miner/stratum-client-kawpow.ts';
import { defaultMinerThreads, type MiningSession, type SessionInput } from '../edge-algorithm.ts';

export const KAWPOW_MINE_FLAGS: readonly FlagSpec[] = [
  { name: 'data-dir', type: 'string', help: 'kawpow: where light caches are kept, in <DIR>/kawpow (default $OTEDAMA_DATA_DIR or ~/.otedama)', metavar: 'DIR' },
];

export async function kawpowSession(input: SessionInput, logger: Logger): Promise<MiningSession> {
  if (input.versionRolling) throw new CliUsageError('--version-rolling is SHA-256d\'s (BIP310); KawPow miners only choose the nonce');
  if (input.cpuEngine === 'js') throw new CliUsageError('--cpu-engine js: KawPow has no JS engine on the CPU; use auto, wasm or wasm-simd');
  // A GPU mines KawPow about 10^5 times faster than a CPU thread can by light evaluation: with
  // GPUs the CPU stays free unless --threads asks for it.
  const threads = input.threads ?? (input.gpus.length ? 0 : defaultMinerThreads());
  if (threads === 0 && input.gpus.length === 0) throw new CliUsageError('--threads 0 needs --gpu (nothing would mine)');
  const simd = input.cpuEngine === 'auto' ? 'auto' : input.cpuEngine === 'wasm-simd';
  const dataDir = input.flags['data-dir'] ? String(input.flags['data-dir']) : defaultDataDir(input.env);
  const client = new KawpowStratumClient({ pool: input.pool, user: input.user, password: input.password, tlsInsecure: input.tlsInsecure }, logger);
  const miner = new KawpowMiner({ threads, gpus: input.gpus, simd, store: diskLightCacheStore(join(dataDir, LIGHT_CACHE_DIR)) }, client, logger);
  if (threads > 0) {
    logger
      .forComponent('mine')
      .warn('KawPow on the CPU hashes by light evaluation: a few hundred hashes per second per thread, for test chains; a real pool needs --gpu');
  }
  return { miner, client, cpu: threads ? `${threads} thread${threads === 1 ? '' : 's'} (KawPow light evaluation)` : 'off' };
}
