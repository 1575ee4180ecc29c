/**
 * Simnet end to end over real HTTP on 127.0.0.1: mine a block with core's JS reference engine,
 * submit it over RPC, see the height and the payout balance, restart from disk and find both.
 */
import { hexToBytes, parseBlockTemplate, reverseBytes, type BlockTemplate } from '@otedama/core';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAYOUT_ADDRESS, TEST_DIFFICULTY, buildBlock, mineTemplate } from '../../test/chain-helpers.ts';
import { SimnetError, SimnetStoreError } from '../errors.ts';
import { createLogger, silentLogger } from '../logger.ts';
import { RpcClient } from '../chain/rpc-client.ts';
import { Simnet } from './simnet.ts';

const REWARD = 50 * 100_000_000;

describe('Simnet', () => {
  let dataDir: string;
  const running: Simnet[] = [];
  const clients: RpcClient[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-simnet-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of running.splice(0)) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startSimnet(extra: Partial<ConstructorParameters<typeof Simnet>[0]> = {}): Promise<{ simnet: Simnet; rpc: RpcClient }> {
    const simnet = new Simnet({ dataDir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: REWARD, logger: silentLogger, ...extra });
    running.push(simnet);
    await simnet.start();
    const rpc = new RpcClient({ url: simnet.rpcUrl, cookieFile: simnet.cookieFile, logger: silentLogger, retries: 0 });
    clients.push(rpc);
    return { simnet, rpc };
  }

  async function template(rpc: RpcClient): Promise<BlockTemplate> {
    return parseBlockTemplate(await rpc.call('getblocktemplate', [{ rules: ['segwit'] }]), { verifyTxids: true });
  }

  it('mines a block over RPC, credits the payout, and survives a restart', async () => {
    const { simnet, rpc } = await startSimnet();
    expect(await rpc.call('getblockcount')).toBe(0);
    const cookie = readFileSync(simnet.cookieFile, 'utf8');
    expect(cookie).toMatch(/^__cookie__:[0-9a-f]{64}$/);
    expect(statSync(simnet.cookieFile).mode & 0o777).toBe(0o600);

    const t = await template(rpc);
    expect(t.height).toBe(1);
    expect(t.coinbaseValue).toBe(BigInt(REWARD));
    expect(t.transactions).toEqual([]);
    const block = await mineTemplate(t);
    expect(await rpc.call('submitblock', [block.hex])).toBeNull();
    expect(await rpc.call('submitblock', [block.hex])).toBe('duplicate');
    expect(await rpc.call('getblockcount')).toBe(1);
    expect(await rpc.call('getbestblockhash')).toBe(block.hashHex);
    expect(await rpc.call('simnet_getbalance', [PAYOUT_ADDRESS])).toEqual({ address: PAYOUT_ADDRESS, sats: REWARD, btc: 50 });
    expect(await rpc.call('simnet_getbalances')).toEqual({ [PAYOUT_ADDRESS]: REWARD });
    // A second block on top.
    const second = await mineTemplate(await template(rpc));
    expect(await rpc.call('submitblock', [second.hex])).toBeNull();

    await simnet.stop();
    expect(existsSync(simnet.cookieFile)).toBe(false);
    const again = await startSimnet();
    expect(await again.rpc.call('getblockcount')).toBe(2);
    expect(await again.rpc.call('getblockhash', [1])).toBe(block.hashHex);
    expect(await again.rpc.call('getbestblockhash')).toBe(second.hashHex);
    expect(await again.rpc.call('simnet_getbalance', [PAYOUT_ADDRESS])).toEqual({ address: PAYOUT_ADDRESS, sats: 2 * REWARD, btc: 100 });
    expect(readFileSync(again.simnet.cookieFile, 'utf8')).not.toBe(cookie);
  });

  it('answers submitblock with bitcoind reasons', async () => {
    const { rpc } = await startSimnet();
    const t = await template(rpc);
    const stale = await mineTemplate(t, undefined, new Uint8Array(8).fill(1));
    const block = await mineTemplate(t);
    expect(await rpc.call('submitblock', [block.hex])).toBeNull();
    expect(await rpc.call('submitblock', [stale.hex])).toBe('inconclusive');
    // Tamper with the header's merkle root: the hash changes, so PoW fails first (as in bitcoind).
    const next = await mineTemplate(await template(rpc));
    const tampered = next.hex.slice(0, 72) + (next.hex[72] === '0' ? '1' : '0') + next.hex.slice(73);
    expect(await rpc.call('submitblock', [tampered])).toMatch(/high-hash|bad-txnmrklroot/);
    await expect(rpc.call('submitblock', ['00'])).rejects.toMatchObject({ rpcCode: -22, rpcMessage: 'Block decode failed' });
    await expect(rpc.call('submitblock', ['zz'])).rejects.toMatchObject({ rpcCode: -22 });
  });

  it('reorganizes like bitcoind: a competing branch with more work, invalidateblock and reconsiderblock over RPC, kept across a restart', async () => {
    const { simnet, rpc } = await startSimnet();
    const t1 = await template(rpc);
    const a1 = await mineTemplate(t1);
    expect(await rpc.call('submitblock', [a1.hex])).toBeNull();
    // A competing block at height 1 paying another address: kept on a side branch.
    const other = 'mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc';
    const otherScript = hexToBytes('76a91401f15a4cc063dae4f4d56b89bfbc8bcc9ae5387c88ac');
    const b1 = await buildBlock({ prevHash: t1.prevHash, height: 1, bits: t1.bits, time: t1.curtime + 1, outputs: [{ script: otherScript, value: BigInt(REWARD) }] });
    expect(await rpc.call('submitblock', [b1.hex])).toBe('inconclusive');
    expect(await rpc.call('getbestblockhash')).toBe(a1.hashHex);
    expect(await rpc.call('getblockheader', [b1.hashHex])).toMatchObject({ height: 1, confirmations: -1 });
    // Its second block outworks the active chain; a long poll on the old tip wakes up.
    const held = rpc.call('getblocktemplate', [{ rules: ['segwit'], longpollid: (await template(rpc)).longpollId }], { timeoutMs: 20_000 });
    const b2 = await buildBlock({ prevHash: reverseBytes(hexToBytes(b1.hashHex)), height: 2, bits: t1.bits, time: t1.curtime + 2, outputs: [{ script: otherScript, value: BigInt(REWARD) }] });
    expect(await rpc.call('submitblock', [b2.hex])).toBeNull();
    expect(parseBlockTemplate(await held).prevHash).toEqual(reverseBytes(hexToBytes(b2.hashHex)));
    expect(await rpc.call('getblockhash', [1])).toBe(b1.hashHex);
    expect(await rpc.call('getblockheader', [a1.hashHex])).toMatchObject({ confirmations: -1 });
    expect(await rpc.call('getblockheader', [b1.hashHex])).toMatchObject({ confirmations: 2, nextblockhash: b2.hashHex });
    expect(await rpc.call('simnet_getbalances')).toEqual({ [other]: 2 * REWARD });
    expect(await rpc.call('getchaintips')).toEqual([
      { height: 2, hash: b2.hashHex, branchlen: 0, status: 'active' },
      { height: 1, hash: a1.hashHex, branchlen: 1, status: 'valid-fork' },
    ]);

    // invalidateblock b1: b2 goes with it and a1 is the tip again; reconsiderblock undoes it.
    expect(await rpc.call('invalidateblock', [b1.hashHex])).toBeNull();
    expect(await rpc.call('getbestblockhash')).toBe(a1.hashHex);
    expect(await rpc.call('simnet_getbalance', [PAYOUT_ADDRESS])).toMatchObject({ sats: REWARD });
    const onB2 = await buildBlock({ prevHash: reverseBytes(hexToBytes(b2.hashHex)), height: 3, bits: t1.bits, time: t1.curtime + 3, outputs: [{ script: otherScript, value: 1n }] });
    expect(await rpc.call('submitblock', [onB2.hex])).toBe('bad-prevblk');
    await simnet.stop();

    // The marks are in the block file: a restart comes back to the same tip.
    const again = await startSimnet();
    expect(await again.rpc.call('getbestblockhash')).toBe(a1.hashHex);
    expect((await again.rpc.call<{ status: string }[]>('getchaintips')).map((x) => x.status)).toEqual(['invalid', 'active']);
    expect(await again.rpc.call('reconsiderblock', [b2.hashHex])).toBeNull();
    expect(await again.rpc.call('getbestblockhash')).toBe(b2.hashHex);
    expect(await again.rpc.call('preciousblock', [a1.hashHex])).toBeNull(); // less work: no change
    expect(await again.rpc.call('getbestblockhash')).toBe(b2.hashHex);

    // Bad input gets bitcoind's errors.
    await expect(again.rpc.call('invalidateblock', ['ab'.repeat(32)])).rejects.toMatchObject({ rpcCode: -5, rpcMessage: 'Block not found' });
    await expect(again.rpc.call('reconsiderblock', ['xyz'])).rejects.toMatchObject({ rpcCode: -8 });
    await expect(again.rpc.call('invalidateblock', [await again.rpc.call('getblockhash', [0])])).rejects.toMatchObject({ rpcCode: -8, rpcMessage: /genesis/ });
    await expect(again.rpc.call('invalidateblock', [])).rejects.toMatchObject({ rpcCode: -1 });
  });

  it('recovers from a torn last line and refuses a corrupted block file', async () => {
    const first = await startSimnet();
    const b = await mineTemplate(await template(first.rpc));
    expect(await first.rpc.call('submitblock', [b.hex])).toBeNull();
    await first.simnet.stop();
    const file = join(dataDir, 'simnet', 'blocks.jsonl');
    appendFileSync(file, '{"height":2,"hash":"ab');
    const warnings: string[] = [];
    const second = await startSimnet({ logger: createLogger({ level: 'warn', write: (l) => warnings.push(l) }) });
    expect(await second.rpc.call('getblockcount')).toBe(1);
    expect(warnings.join('\n')).toMatch(/torn last line/);
    await second.simnet.stop();

    // Flip one byte of the stored block 1: its re-validation fails and simnet says where.
    const lines = readFileSync(file, 'utf8').split('\n');
    const stored = JSON.parse(lines[1]!) as { block: string };
    stored.block = stored.block.slice(0, 200) + (stored.block[200] === 'a' ? 'b' : 'a') + stored.block.slice(201);
    lines[1] = JSON.stringify({ ...JSON.parse(lines[1]!), block: stored.block });
    writeFileSync(file, lines.join('\n'));
    const broken = new Simnet({ dataDir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: REWARD, logger: silentLogger });
    await expect(broken.start()).rejects.toBeInstanceOf(SimnetStoreError);
    await expect(broken.start()).rejects.toThrow(/height 1: .*(fails validation|not a block)/);
    await broken.stop();
  });

  it('reports a busy port clearly, and start/stop are idempotent', async () => {
    const { simnet } = await startSimnet();
    await simnet.start();
    const port = Number(new URL(simnet.rpcUrl).port);
    const other = new Simnet({ dataDir: join(dataDir, 'other'), rpcPort: port, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: REWARD, logger: silentLogger });
    await expect(other.start()).rejects.toBeInstanceOf(SimnetError);
    await expect(other.start()).rejects.toThrow(/in use/);
    await other.stop();
    await simnet.stop();
    await simnet.stop();
  });

  it('long-poll returns as soon as a block is found', async () => {
    const { rpc } = await startSimnet();
    const t = await template(rpc);
    const started = Date.now();
    const held = rpc.call('getblocktemplate', [{ rules: ['segwit'], longpollid: t.longpollId }], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    const block = await mineTemplate(t);
    expect(await rpc.call('submitblock', [block.hex])).toBeNull();
    const next = parseBlockTemplate(await held);
    expect(next.height).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
