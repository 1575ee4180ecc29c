/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of API answers */
/**
 * Stratum miners mine into the sharechain, on real `otedama pool` processes (issue 10, items 4-6):
 * edge A runs simnet at a block difficulty below the chain's first share difficulty, so every
 * chain share is also a block (the share target is never harder than the block's); edges B and C
 * mine A's simnet over RPC (chain.rpc_url), B bootstrapping from C and C from A. Shares are found by core's reference
 * engine for a Stratum test client over TCP. Checked from outside: the Stratum replies, the API,
 * the metrics, the edges' databases (read with the edge's own store) and simnet's ledger:
 *
 *   - a connection mines for one payout address (a second is refused with the reason);
 *   - chain shares land in the chain, the database and /api/sharechain; pseudo-shares are still
 *     recorded; every block's coinbase paid exactly payouts(parent, reward) of the chain (the
 *     ledger equals the sum over the chain's shares, address by address);
 *   - a new job's coinbase is exactly payouts(tip, reward) and the commitment (rebuilt with core);
 *   - B and C (on A's simnet over RPC) serve no job before they synced the chain from a peer; B's
 *     chain shares reach A's and C's chains, and all agree on the tip and the next payouts;
 *   - a restart reloads the chain from the database (same tip); a SIGKILL right after the reply to
 *     a chain share loses nothing (SQLite, and PostgreSQL).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addressToScript,
  bytesToHex,
  concatBytes,
  decodeShare,
  hexToBytes,
  parseBlockTemplate,
  parseTx,
  ShareChain,
  type BlockTemplate,
} from '@otedama/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sharePayees } from '../src/accounting/share-payees.ts';
import { RpcClient } from '../src/chain/rpc-client.ts';
import { runCli } from '../src/cli.ts';
import type { CliIO } from '../src/command.ts';
import { silentLogger } from '../src/logger.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS } from '../src/simnet/simnet.ts';
import { freePort } from './cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from './edge-process.ts';
import { cleanJobAfter, jobOnCoinTip, loginChainMiner, mineChainShare, nextMessage, storedChain, type ChainMiner } from './sharechain-kit.ts';
import { REGTEST_ADDRESS, REGTEST_ADDRESS_2, type NotifyJob } from './stratum-harness.ts';
import { postgresBackend } from './storage-backends.ts';

const MINER = REGTEST_ADDRESS;
const OTHER = REGTEST_ADDRESS_2;
const OPERATOR = SIMNET_DEFAULT_PAYOUT_ADDRESS;
/** Below the chain's first share difficulty (2^-12): every chain share is a block. */
const BLOCK_DIFFICULTY = '0.0001';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  while (cleanup.length) await Promise.resolve(cleanup.pop()!()).catch(() => undefined);
}, 60_000);

async function api(edge: EdgeProcess, path: string): Promise<any> {
  const res = await fetch(edge.url + path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** `otedama node status` against the edge, in this process (cli-edge.test.ts covers the binary). */
async function nodeStatus(edge: EdgeProcess): Promise<string> {
  let out = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: () => {}, env: {}, logger: silentLogger, stopSignal: new AbortController().signal };
  expect(await runCli(['node', 'status', '--url', edge.url], io)).toBe(0);
  return out;
}

function rpcOf(edge: EdgeProcess, simnetDir = edge.dataDir): RpcClient {
  const rpc = new RpcClient({ url: edge.rpcUrl, cookieFile: join(simnetDir, 'simnet', '.cookie'), logger: silentLogger, retries: 0 });
  cleanup.push(() => rpc.close());
  return rpc;
}

/** A chain miner whose connection closes when the file ends. */
async function login(port: number, user: string, options: { waitForJob?: boolean } = {}): Promise<ChainMiner> {
  const m = await loginChainMiner(port, user, options);
  cleanup.push(() => m.client.close());
  return m;
}
const next = nextMessage;

async function template(rpc: RpcClient): Promise<BlockTemplate> {
  return parseBlockTemplate(await rpc.call('getblocktemplate', [{ rules: ['segwit'] }]));
}

/**
 * The coinbase of a job, as a miner with `en1` builds it (extranonce2 zeros), checked against
 * core: the payout outputs are exactly chain.payouts(tip, reward, prevhash, payees), then the
 * commitment (OP_RETURN "OTDM" pool id ...), then the template's mandated outputs.
 */
function expectJobPaysTheChain(job: NotifyJob, en1: string, chain: ShareChain, t: BlockTemplate, address: string): void {
  const coinbase = parseTx(hexToBytes(job.fields.coinb1 + en1 + '00000000' + job.fields.coinb2)).tx;
  const payees = sharePayees({ network: 'regtest', feeAddress: OPERATOR, feeBp: 100 })(address);
  const expected = chain.payouts(chain.tip?.id, t.coinbaseValue, t.prevHash, payees).outputs;
  expect(expected.length).toBeGreaterThan(0);
  const n = expected.length;
  expect(coinbase.outputs.slice(0, n).map((o) => [bytesToHex(o.script), o.value])).toEqual(expected.map((o) => [bytesToHex(o.script), o.value]));
  const commitment = coinbase.outputs[n]!;
  expect(commitment.value).toBe(0n);
  expect(bytesToHex(commitment.script.subarray(0, 38))).toBe(bytesToHex(concatBytes(new Uint8Array([0x6a, 0x44]), new TextEncoder().encode('OTDM'), chain.poolId)));
  expect(coinbase.outputs.slice(n + 1).map((o) => bytesToHex(o.script))).toEqual(t.defaultWitnessCommitment ? [bytesToHex(t.defaultWitnessCommitment)] : []);
}

let a: EdgeProcess;

describe('Stratum miners mine into the sharechain (real edges)', () => {
  it('a connection mines for one address; its chain shares land in the chain, the database and the API; every block pays payouts(parent, reward)', async () => {
    a = await startEdgeProcess(['--block-difficulty', BLOCK_DIFFICULTY]);
    cleanup.push(() => a.stop());
    const rpc = rpcOf(a);
    const m = await login(a.stratumPort, `${MINER}.w1`);
    // Workers of the same address are fine; another address on this connection is refused, with the reason.
    m.client.send({ id: 3, method: 'mining.authorize', params: [`${MINER}.w2`, ''] });
    expect((await next(m, (msg) => msg.id === 3)).result).toBe(true);
    m.client.send({ id: 4, method: 'mining.authorize', params: [`${OTHER}.x`, ''] });
    const refused = await next(m, (msg) => msg.id === 4);
    expect(refused.error[1]).toMatch(new RegExp(`one payout address per connection: this connection mines for ${MINER}; open another connection for ${OTHER}`));

    const before = (await rpc.call<{ blocks: number }>('getblockchaininfo')).blocks;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const seen = m.clean;
      ids.push(await mineChainShare(m));
      // Each is a block too: the next work is a clean job on the new coin block.
      await cleanJobAfter(m, seen);
    }
    await expect.poll(async () => (await api(a, '/api/sharechain')).tip?.height, { timeout: 10_000 }).toBe(2);
    const sc = await api(a, '/api/sharechain');
    expect(sc).toMatchObject({ tip: { id: ids[2], height: 2 }, windowShares: 3, heldShares: 3, serving: true });
    // The next block pays the window: the miner's shares name it (99 %) and the operator (1 %).
    expect(sc.nextPayouts.map((p: any) => [p.address, p.kind, p.fraction])).toEqual(
      [[MINER, 'direct', 0.99], [OPERATOR, 'direct', 0.01]].sort((x, y) => (bytesToHex(addressToScript(x[0] as string, 'regtest')) < bytesToHex(addressToScript(y[0] as string, 'regtest')) ? -1 : 1)),
    );
    expect(sc.nextPayouts.reduce((s: number, p: any) => s + p.sats, 0)).toBe(sc.nextBlock.rewardSats);
    // Pseudo-shares are still the per-worker books.
    const miner = await api(a, `/api/miners/${MINER}`);
    expect(miner).toMatchObject({ shares: 3, sharechain: { windowShares: 3, shares: 3, fraction: 0.99, kind: 'direct' } });
    expect(miner.workers.map((w: any) => w.worker)).toEqual(['w1']);
    // The operator sees the same in `otedama node status`.
    const status = await nodeStatus(a);
    expect(status).toMatch(/^tip: +height 2, /m);
    expect(status).toMatch(/^window: +3 shares \(3 held\)$/m);
    expect(status).toMatch(/^work: +serving Stratum jobs$/m);
    expect(status).toMatch(/^next block: .* to 2 addresses, lottery below /m);
    expect(status).toMatch(new RegExp(`^ +${MINER} +[\\d.]+ expected \\(99\\.00 % of the window, direct\\)$`, 'm'));
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/^otedama_sharechain_height 2$/m);
    expect(metrics).toMatch(/^otedama_sharechain_shares_total\{result="accepted"\} 3$/m);

    // The database holds the chain: the same tip, every share this edge's miners found.
    const { chain, origins } = await storedChain(a, rpc);
    expect(bytesToHex(chain.tip!.id)).toBe(ids[2]);
    expect(origins).toEqual({ local: 3, peer: 0 });
    // Every block paid exactly what the chain says its share's coinbase pays: simnet's ledger is
    // the sum, over the chain's shares, of payouts(parent, reward, prevhash, payees).
    expect((await rpc.call<{ blocks: number }>('getblockchaininfo')).blocks).toBe(before + 3);
    const owed = new Map<string, bigint>();
    for (let h = 0; h <= chain.height; h++) {
      const e = chain.bestAt(h)!;
      const s = decodeShare(e.encoded, 80);
      const prev = s.work.header.subarray(4, 36);
      const p = chain.payouts(e.parent?.id, s.work.reward, prev, s.meta.payees);
      for (const o of p.outputs) owed.set(bytesToHex(o.script), (owed.get(bytesToHex(o.script)) ?? 0n) + o.value);
    }
    const ledger = await rpc.call<Record<string, number>>('simnet_getbalances');
    const byScript = Object.fromEntries(Object.entries(ledger).filter(([, v]) => v > 0).map(([addr, v]) => [bytesToHex(addressToScript(addr, 'regtest')), BigInt(v)]));
    expect(byScript).toEqual(Object.fromEntries(owed));
  }, 120_000);

  it("a new job's coinbase is exactly payouts(tip, reward) and the commitment, rebuilt with core", async () => {
    const rpc = rpcOf(a);
    const { chain } = await storedChain(a, rpc);
    const t = await template(rpc);
    // A fresh connection gets the current work (the chain's tip, the current template).
    const m = await login(a.stratumPort, `${OTHER}.fresh`);
    expectJobPaysTheChain(m.job, m.en1, chain, t, OTHER);
  }, 60_000);

  it('edges on the same simnet serve no job before they synced the chain from a peer; then their miners mine into the same chain', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'otedama-chain-bc-'));
    cleanup.push(() => rmSync(configDir, { recursive: true, force: true }));
    // B and C mine A's simnet over RPC (chain.rpc_url), as they would a bitcoind.
    const config = join(configDir, 'rpc.yaml');
    writeFileSync(config, `chain:\n  mode: rpc\n  rpc_url: ${a.rpcUrl}\n  rpc_cookie_file: ${join(a.dataDir, 'simnet', '.cookie')}\n  poll_seconds: 1\npool:\n  payout_address: ${OPERATOR}\n`);
    const rpc = rpcOf(a);
    const aChain = await api(a, '/api/sharechain');
    // C's identity and address first (its node key is made at its first start), then C is away.
    const cArgs = ['--config', config, '--p2p-port', String(await freePort())];
    const c0 = await startEdgeProcess(cArgs);
    const cAddr = c0.p2pAddr!;
    const cDir = c0.dataDir;
    await new Promise<void>((resolve) => {
      process.kill(c0.pid, 'SIGTERM');
      void c0.exited.then(() => resolve());
    });
    cleanup.push(() => rmSync(cDir, { recursive: true, force: true }));

    // B's only peer is C, which is away: B takes connections and logins but sends no job.
    const b = await startEdgeProcess(['--config', config, '--bootstrap', cAddr]);
    cleanup.push(() => b.stop());
    const m = await login(b.stratumPort, `${OTHER}.b`, { waitForJob: false });
    await expect(m.client.until((msg) => msg.method === 'mining.notify', 3000)).rejects.toThrow(/no message within/);
    expect(await api(b, '/api/sharechain')).toMatchObject({ serving: false, tip: null });

    // C comes back, syncs A's chain, and B syncs it from C: only then does B's miner get its job, paying A's window.
    const c = await startEdgeProcess([...cArgs, '--bootstrap', a.p2pAddr!], { dataDir: cDir });
    cleanup.push(() => c.stop());
    await next(m, (msg) => msg.method === 'mining.notify', 30_000);
    const sb = await api(b, '/api/sharechain');
    expect(sb).toMatchObject({ poolId: aChain.poolId, serving: true, sync: { state: 'synced' }, tip: aChain.tip });
    const { chain } = await storedChain(a, rpc);
    expectJobPaysTheChain(m.job, m.en1, chain, await template(rpc), OTHER);
    // B's and C's databases hold what they synced.
    for (const e of [b, c]) {
      const stored = await storedChain(e, rpc);
      expect(bytesToHex(stored.chain.tip!.id)).toBe(aChain.tip.id);
      expect(stored.origins).toEqual({ local: 0, peer: 3 });
    }
    // A share found on B reaches A and C (B's peer is C, C's is A), and all agree on the tip and the next payouts.
    const id = await mineChainShare(m);
    for (const e of [a, c]) await expect.poll(async () => (await api(e, '/api/sharechain')).tip?.id, { timeout: 15_000 }).toBe(id);
    const expected = JSON.stringify((await api(a, '/api/sharechain')).nextPayouts);
    for (const e of [b, c]) await expect.poll(async () => JSON.stringify((await api(e, '/api/sharechain')).nextPayouts), { timeout: 10_000 }).toBe(expected);
    expect(JSON.parse(expected).map((p: any) => p.address)).toContain(OTHER);
  }, 150_000);

  it('a restart reloads the chain from the database; a SIGKILL right after the reply to a chain share loses nothing', async () => {
    const m = await login(a.stratumPort, `${MINER}.w1`);
    // The last test's block (found on B) may reach A after the job A sent with this login.
    await jobOnCoinTip(m, rpcOf(a));
    const id = await mineChainShare(m);
    process.kill(a.pid, 'SIGKILL');
    await a.exited;
    const dataDir = a.dataDir;
    a = await startEdgeProcess(['--block-difficulty', BLOCK_DIFFICULTY], { dataDir });
    cleanup.push(() => a.stop());
    const after = await api(a, '/api/sharechain');
    expect(after.tip.id).toBe(id);
    // A clean stop and start: the same tip, the same held shares.
    const held = after.heldShares;
    await a.stop();
    a = await startEdgeProcess(['--block-difficulty', BLOCK_DIFFICULTY], { dataDir });
    cleanup.push(() => a.stop());
    expect(await api(a, '/api/sharechain')).toMatchObject({ tip: { id }, heldShares: held });
  }, 120_000);

  it('on PostgreSQL too: chain shares are written, survive a SIGKILL after their reply, and load back', async () => {
    const pg = await postgresBackend();
    cleanup.push(() => pg.close());
    if (pg.skip) {
      console.warn(`PostgreSQL run skipped: ${pg.skip}`);
      return;
    }
    const db = await pg.fresh();
    cleanup.push(() => db.cleanup());
    const dataDir = mkdtempSync(join(tmpdir(), 'otedama-chain-pg-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const args = ['--block-difficulty', BLOCK_DIFFICULTY, '--database-url', db.databaseUrl!];
    const first = await startEdgeProcess(args, { dataDir });
    cleanup.push(() => first.stop());
    const m = await login(first.stratumPort, `${MINER}.pg`);
    const seen = m.clean;
    await mineChainShare(m);
    await cleanJobAfter(m, seen);
    const id = await mineChainShare(m);
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const e = await startEdgeProcess(args, { dataDir });
    cleanup.push(() => e.stop());
    expect(await api(e, '/api/sharechain')).toMatchObject({ tip: { id, height: 1 }, heldShares: 2 });
    const { origins } = await storedChain(e, rpcOf(e), db.databaseUrl);
    expect(origins).toEqual({ local: 2, peer: 0 });
  }, 120_000);
});

