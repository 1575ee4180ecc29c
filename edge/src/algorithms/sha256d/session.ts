/** `otedama mine --algo sha256d`: Bitcoin's Stratum (version rolling on request), CPU threads and GPUs. */
import type { OtedamaError } from '@otedama/core';
import { CliUsageError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { CpuEngineName } from '../../miner/cpu-searcher.ts';
import { Miner } from '../../miner/miner.ts';
import { StratumClient } from '../../miner/stratum-client.ts';
import { compileWasmModule } from '../../miner/wasm-searcher.ts';
import { defaultMinerThreads, type MiningSession, type SessionInput } from '../edge-algorithm.ts';

/** The CPU engine to use: the one asked for, or for `auto` the best WASM build that loads here. */
async function resolveCpuEngine(asked: string, warn: (msg: string) => void): Promise<CpuEngineName> {
  if (asked !== 'auto') return asked as CpuEngineName;
  for (const kind of ['wasm-simd', 'wasm'] as const) {
    try {
      await compileWasmModule(kind);
      return kind;
    } catch (err) {
      warn(`${kind} unavailable: ${(err as OtedamaError).reason ?? (err as Error).message}`);
    }
  }
  warn('falling back to the slow JS reference engine');
  return 'js';
}

export async function sha256dSession(input: SessionInput, logger: Logger): Promise<MiningSession> {
  const log = logger.forComponent('mine');
  const threads = input.threads ?? defaultMinerThreads();
  if (threads === 0 && input.gpus.length === 0) throw new CliUsageError('--threads 0 needs --gpu (nothing would mine)');
  const client = new StratumClient({ pool: input.pool, user: input.user, password: input.password, versionRolling: input.versionRolling, tlsInsecure: input.tlsInsecure }, logger);
  const cpuEngine = threads > 0 ? await resolveCpuEngine(input.cpuEngine, (m) => log.warn(m)) : 'wasm';
  const miner = new Miner({ threads, cpuEngine, gpus: input.gpus }, client, logger);
  return { miner, client, cpu: threads ? `${threads} thread${threads === 1 ? '' : 's'} (${cpuEngine})` : 'off' };
}
