/**
 * End to end on the embedded chain: simnet's templates over its RPC, the edge's sharechain of
 * simnet's pool, the Stratum server, a minerd-style client over TCP whose share (found by core's
 * reference engine) meets simnet's block target; the block is submitted, simnet accepts it and
 * pays the coinbase the sharechain decided (a chain's first share: its payees, the miner and the
 * operator's fee, take the reward), and the miner gets a clean job on top of the new block.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bitsToTarget, prevHashToStratum, hexToBytes, reverseBytes, targetToDifficulty } from '@otedama/core';
import { LineClient, REGTEST_ADDRESS, REGTEST_ADDRESS_2, TEST_DIFFICULTY, findShare, minerdLine, notifyToJob, testStratumConfig, waitFor } from '../../test/stratum-harness.ts';
import { connectChain, type ChainConnection } from '../chain/chain.ts';
import { defaultConfig } from '../config/config.ts';
import type { FoundBlock } from './job-manager.ts';
import { silentLogger } from '../logger.ts';
import { sharePayees } from '../accounting/share-payees.ts';
import { openPoolChain, type PoolChain } from '../p2p/pool-chain.ts';
import { RpcClient } from '../chain/rpc-client.ts';
import { chainAddressValidator, startStratum, type StratumService } from './stratum-service.ts';

let dataDir: string | undefined;
let chain: ChainConnection | undefined;
let service: StratumService | undefined;
let client: LineClient | undefined;
let sharechain: PoolChain | undefined;

afterEach(async () => {
  client?.close();
  await service?.stop({ reconnect: false });
  await sharechain?.stop();
  sharechain = undefined;
  await chain?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  client = undefined;
  service = undefined;
  chain = undefined;
  dataDir = undefined;
});

describe('Stratum on simnet', () => {
  it('a share meeting the block target becomes a simnet block that pays the coinbase; miners move on cleanly', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-stratum-simnet-'));
    const base = defaultConfig({});
    chain = await connectChain(
      { dataDir, chain: { ...base.chain, pollSeconds: 1, simnet: { rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 50 * 100_000_000 } } },
      silentLogger,
    );
    expect(chain.network).toBe('regtest');
    const blocks: FoundBlock[] = [];
    sharechain = await openPoolChain({ client: chain.client, source: chain.source, logger: silentLogger });
    service = await startStratum({
      config: testStratumConfig(),
      coinbaseTag: '/otedama-e2e/',
      logger: silentLogger,
      templateSource: chain.source,
      validateAddress: chainAddressValidator(chain.network, 'simnet'),
      chain: sharechain,
      // The operator (REGTEST_ADDRESS_2) takes 1 % of each share.
      payees: sharePayees({ network: chain.network, feeAddress: REGTEST_ADDRESS_2, feeBp: 100 }),
      onBlock: (b) => void blocks.push(b),
    });
    const startHeight = chain.source.current()!.height;

    client = await LineClient.connect(service.address.port);
    client.sendLine(minerdLine({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] }));
    const en1 = (await client.next()).result[1] as string;
    client.sendLine(minerdLine({ id: 2, method: 'mining.authorize', params: [`${REGTEST_ADDRESS}.e2e`, ''] }));
    expect((await client.next()).result).toBe(true);
    await client.next(); // set_difficulty
    const job = notifyToJob(await client.next());

    // Aim at simnet's block target (its compact bits round the target down a little).
    const blockDifficulty = targetToDifficulty(bitsToTarget(parseInt(job.fields.nbits, 16)));
    const s = await findShare(job, en1, '00000000', Math.max(blockDifficulty, TEST_DIFFICULTY) * 1.001);
    client.sendLine(`{"method": "mining.submit", "params": ["${REGTEST_ADDRESS}.e2e", "${job.jobId}", "00000000", "${job.fields.ntime}", "${s.nonce}"], "id":4}`);
    expect(await client.reply()).toEqual({ id: 4, result: true, error: null });

    await waitFor(() => blocks.length === 1, 10_000, 'the block report');
    expect(blocks[0]).toMatchObject({ accepted: true, height: startHeight, worker: `${REGTEST_ADDRESS}.e2e` });

    // The next template builds on our block: a clean job whose prevhash is the block we found.
    const next = notifyToJob(await client.until((m) => m.method === 'mining.notify' && m.params[8] === true, 10_000));
    expect(next.fields.prevhash).toBe(prevHashToStratum(reverseBytes(hexToBytes(blocks[0]!.hash))));
    expect(chain.source.current()!.height).toBe(startHeight + 1);

    // The coinbase paid the chain's payouts: the empty window leaves everything to the share's
    // payees, 99 % to the miner and 1 % to the operator, exactly as the job said.
    const reward = 50n * 100_000_000n;
    expect(blocks[0]!.payouts.outputs.reduce((a, o) => a + o.value, 0n)).toBe(reward);
    const rpc = new RpcClient({ url: chain.rpcUrl, cookieFile: chain.simnet!.cookieFile, logger: silentLogger, retries: 0 });
    try {
      const miner = (await rpc.call('simnet_getbalance', [REGTEST_ADDRESS])) as { sats: number };
      const operator = (await rpc.call('simnet_getbalance', [REGTEST_ADDRESS_2])) as { sats: number };
      expect([miner.sats, operator.sats]).toEqual([Number((reward * 9900n) / 10_000n), Number((reward * 100n) / 10_000n)]);
    } finally {
      rpc.close();
    }
    // The old job is stale now.
    const stale = await findShare(job, en1, '01000000', TEST_DIFFICULTY);
    client.sendLine(`{"method": "mining.submit", "params": ["${REGTEST_ADDRESS}.e2e", "${job.jobId}", "01000000", "${job.fields.ntime}", "${stale.nonce}"], "id":4}`);
    expect((await client.reply()).error[0]).toBe(21);
  });
});
