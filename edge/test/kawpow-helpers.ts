/**
 * Test support for KawPow chains: the edge's light evaluation with light caches shared by test
 * files (a folder in the OS temp dir; a damaged file is caught by its checksum and rebuilt), and
 * a CPU miner that finds KawPow blocks for a template by light evaluation, as a pool's miner
 * would (coinbase, job header, header hash, nonces until the final hash meets the target).
 */
import {
  addressToScript,
  assembleCoinbase,
  buildCoinbaseParts,
  bytesToHex,
  coinbaseHash,
  coinbaseMerkleBranch,
  KAWPOW,
  kawpowHashMeetsTarget,
  merkleRootFromBranch,
  reverseBytes,
  withKawpowSolution,
  type BlockTemplate,
  type CoinbaseOutput,
} from '@otedama/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { KawpowLight } from '../src/chain/kawpow-light.ts';
import { RpcClient } from '../src/chain/rpc-client.ts';
import { RpcTemplateSource } from '../src/chain/template-source-rpc.ts';
import { silentLogger } from '../src/logger.ts';
import { ravencoinSimnet } from '../src/simnet/simnet-coin.ts';
import { Simnet } from '../src/simnet/simnet.ts';
import { LIGHT_CACHE_DIR } from '../src/chain/light-cache-store.ts';
import { blockForSubmit, jobHeader } from '../src/chain/template-work.ts';

/** A data folder shared by test runs for its light caches only (epoch 0: 16 MiB), kept between test files and runs. */
export const TEST_KAWPOW_DATA_DIR = join(tmpdir(), 'otedama-test-kawpow');
/** Its light-cache folder, where the edge keeps them under a data folder. */
export const TEST_LIGHT_CACHE_DIR = join(TEST_KAWPOW_DATA_DIR, LIGHT_CACHE_DIR);
/** Ravencoin simnet test difficulty: a target of about 2^253, about 8 light hashes per block. */
export const RVN_TEST_DIFFICULTY = 2 ** -29;
/** A Ravencoin regtest P2PKH address (Ravencoin src/test/data/base58_keys_valid.json, a testnet key). */
export const RVN_PAYOUT_ADDRESS = 'mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs';
export const RVN_PAYOUT_SCRIPT = addressToScript(RVN_PAYOUT_ADDRESS, 'regtest', 'ravencoin');
/** Bound on light hashes per test block (at about 8 expected, a miss this long means a bug). */
const MAX_TRIES = 2000;

/** A light evaluation over the shared light-cache folder (the caller disposes it). */
export function testKawpowLight(): Promise<KawpowLight> {
  return KawpowLight.create({ cacheDir: TEST_LIGHT_CACHE_DIR, cachedEpochs: 2 });
}

/**
 * The test file's light evaluation over the shared light-cache folder: created before its tests
 * (with the epoch of `prepareHeight` ready, when given) and disposed after them. Call at the top
 * level of a test file; the getter returns it inside tests.
 */
export function useTestKawpowLight(prepareHeight?: number): () => KawpowLight {
  let light: KawpowLight | undefined;
  beforeAll(async () => {
    light = await testKawpowLight();
    if (prepareHeight !== undefined) await light.prepare(prepareHeight);
  }, 120_000);
  afterAll(() => light?.dispose());
  return () => {
    if (!light) throw new Error('the test KawpowLight is used before its beforeAll ran');
    return light;
  };
}

export interface KawpowSolution {
  readonly nonce: bigint;
  readonly mixHash: Uint8Array;
  readonly finalHash: Uint8Array;
}

/**
 * Light-evaluates nonces from `start` until the final hash meets `target` (or, with 'fail',
 * until one misses it); the epoch of `height` must be prepared.
 */
export function solveKawpow(light: KawpowLight, headerHash: Uint8Array, height: number, target: bigint, want: 'meet' | 'fail' = 'meet', start = 0n): KawpowSolution {
  for (let nonce = start; nonce < start + BigInt(MAX_TRIES); nonce++) {
    const { mixHash, finalHash } = light.hash(headerHash, nonce, height);
    if (kawpowHashMeetsTarget(finalHash, target) === (want === 'meet')) return { nonce, mixHash, finalHash };
  }
  throw new Error(`no nonce ${want === 'meet' ? 'meets' : 'misses'} the target in ${MAX_TRIES} light hashes`);
}

export interface MinedKawpowBlock extends KawpowSolution {
  readonly raw: Uint8Array;
  readonly hex: string;
  /** Block hash as RPC prints it (the final hash). */
  readonly hashHex: string;
  readonly header: Uint8Array;
  readonly headerHash: Uint8Array;
}

export interface KawpowBlockOptions {
  readonly outputs?: readonly CoinbaseOutput[];
  /** Extranonce bytes in the coinbase (default 8 zero bytes). */
  readonly extranonce?: Uint8Array;
  readonly pow?: 'meet' | 'fail';
  /** Change the job header before mining (to break a rule on purpose). */
  readonly editHeader?: (header: Uint8Array) => void;
  /** Header time (default the template's curtime). */
  readonly time?: number;
}

/** Mines a block on a parsed Ravencoin template by light evaluation (default: all to RVN_PAYOUT_SCRIPT). */
export async function mineKawpowTemplate(light: KawpowLight, t: BlockTemplate, options: KawpowBlockOptions = {}): Promise<MinedKawpowBlock> {
  await light.prepare(t.height);
  const parts = buildCoinbaseParts(t, { outputs: options.outputs ?? [{ script: RVN_PAYOUT_SCRIPT, value: t.coinbaseValue }], extranonceBytes: 8, tag: '/otedama-test/' });
  const en = options.extranonce ?? new Uint8Array(8);
  const coinbase = assembleCoinbase(parts.coinb1, en.slice(0, 4), en.slice(4), parts.coinb2);
  const root = merkleRootFromBranch(coinbaseHash(coinbase), coinbaseMerkleBranch(t.transactions.map((x) => x.txid)));
  const job = jobHeader(KAWPOW, t, root, options.time ?? t.curtime);
  options.editHeader?.(job);
  const headerHash = KAWPOW.header.jobInput(job);
  const solution = solveKawpow(light, headerHash, new DataView(job.buffer).getUint32(76, true), t.target, options.pow ?? 'meet');
  const header = withKawpowSolution(job, solution.nonce, solution.mixHash);
  const raw = blockForSubmit(KAWPOW, header, coinbase, t);
  return { ...solution, raw, hex: bytesToHex(raw), hashHex: bytesToHex(solution.finalHash), header, headerHash };
}

/** The display hash of a KawPow header's block (reversed internal hash). */
export function kawpowHashHex(header: Uint8Array): string {
  return bytesToHex(reverseBytes(KAWPOW.hashHeader(header)));
}

export interface RavencoinTestChain {
  readonly simnet: Simnet;
  readonly rpc: RpcClient;
  readonly source: RpcTemplateSource;
}

/**
 * A Ravencoin simnet in a fresh temporary folder at `blockDifficulty` and its template source
 * (as an edge reads it); each part's stop is pushed onto `cleanup` (run it last-in first-out).
 */
export async function startRavencoinTestChain(light: KawpowLight, blockDifficulty: number, cleanup: (() => unknown)[]): Promise<RavencoinTestChain> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otedama-rvn-chain-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const simnet = new Simnet({ dataDir, rpcPort: 0, blockDifficulty, blockRewardSats: 5000e8, coin: ravencoinSimnet(light), logger: silentLogger });
  await simnet.start();
  cleanup.push(() => simnet.stop());
  const rpc = new RpcClient({ url: simnet.rpcUrl, cookieFile: simnet.cookieFile, logger: silentLogger, retries: 0 });
  cleanup.push(() => rpc.close());
  const source = new RpcTemplateSource({ client: rpc, pollSeconds: 1, logger: silentLogger, algorithm: KAWPOW, coin: 'ravencoin' });
  await source.start();
  cleanup.push(() => source.stop());
  return { simnet, rpc, source };
}
