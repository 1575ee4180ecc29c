/**
 * The Ravencoin simnet end to end over real HTTP on 127.0.0.1: KawPow blocks mined by a CPU
 * light-evaluation miner through getblocktemplate and submitblock (and kawpowminer's pprpcsb),
 * checked by light evaluation, paid to Ravencoin regtest addresses, kept across a restart; bad
 * blocks refused with ravend's reasons; the answers shaped as ravend's (fixtures/ravend); a
 * published KawPow vector through getkawpowhash.
 */
import { bytesToHex, formatKawpowNonce, parseBlockTemplate, type BlockTemplate } from '@otedama/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kawpowVectors } from '../../../core/test/kawpow-vectors.ts';
import poolRequests from '../../test/fixtures/ravend/pool-requests.json' with { type: 'json' };
import ravendAnswers from '../../test/fixtures/ravend/ravend-answers.json' with { type: 'json' };
import { RVN_PAYOUT_ADDRESS, RVN_TEST_DIFFICULTY, kawpowHashHex, mineKawpowTemplate, solveKawpow, testKawpowLight } from '../../test/kawpow-helpers.ts';
import { RpcClient } from '../chain/rpc-client.ts';
import type { KawpowLight } from '../chain/kawpow-light.ts';
import { RpcError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { ravencoinSimnet } from './simnet-coin.ts';
import { Simnet } from './simnet.ts';

const REWARD = 5000 * 100_000_000;
/** A second Ravencoin regtest address: the mining address of ravend's pprpc blocks. */
const MINING_ADDRESS = '2N2JD6wb56AfK4tfmM6PwdVmoYk2dCKf4Br';
type Answer = { keys: string[]; when?: Record<string, string>; values?: Record<string, unknown>; simnet_extra?: string[] };
const answers = ravendAnswers.answers as unknown as Record<string, Answer>;

/** The keys ravend would send, in its order, minus the conditional ones absent here, plus simnet's own. */
function expectRavendKeys(method: string, result: Record<string, unknown>): void {
  const spec = answers[method]!;
  const expected = spec.keys.filter((k) => !(spec.when && k in spec.when) || k in result);
  expect(Object.keys(result).filter((k) => !(spec.simnet_extra ?? []).includes(k))).toEqual(expected);
  for (const [k, v] of Object.entries(spec.values ?? {})) expect(result[k]).toEqual(v);
}

let light: KawpowLight;
beforeAll(async () => {
  light = await testKawpowLight();
  await light.prepare(1);
}, 120_000);
afterAll(() => light?.dispose());

describe('Ravencoin simnet', () => {
  let dataDir: string;
  const running: Simnet[] = [];
  const clients: RpcClient[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-rvn-simnet-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of running.splice(0)) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startSimnet(miningAddress?: string): Promise<{ simnet: Simnet; rpc: RpcClient; post: (body: unknown) => Promise<unknown> }> {
    const simnet = new Simnet({
      dataDir,
      rpcPort: 0,
      blockDifficulty: RVN_TEST_DIFFICULTY,
      blockRewardSats: REWARD,
      coin: ravencoinSimnet(light),
      ...(miningAddress ? { miningAddress } : {}),
      logger: silentLogger,
    });
    running.push(simnet);
    await simnet.start();
    const rpc = new RpcClient({ url: simnet.rpcUrl, cookieFile: simnet.cookieFile, logger: silentLogger, retries: 0 });
    clients.push(rpc);
    const auth = `Basic ${Buffer.from(readFileSync(simnet.cookieFile, 'utf8')).toString('base64')}`;
    const post = async (body: unknown) => {
      const res = await fetch(simnet.rpcUrl, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return res.json();
    };
    return { simnet, rpc, post };
  }

  async function template(rpc: RpcClient): Promise<BlockTemplate> {
    return parseBlockTemplate(await rpc.call('getblocktemplate', [{ rules: ['segwit'] }]), { verifyTxids: true });
  }

  async function rpcError(p: Promise<unknown>): Promise<{ code: number; message: string }> {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(RpcError);
      return { code: (err as RpcError).rpcCode, message: (err as RpcError).rpcMessage };
    }
    throw new Error('expected an RPC error');
  }

  it('mines KawPow blocks over RPC by light evaluation, pays a Ravencoin address, and survives a restart', async () => {
    const { simnet, rpc } = await startSimnet();
    expect(simnet.dir).toBe(join(dataDir, 'simnet-ravencoin'));
    const t = await template(rpc);
    expect(t).toMatchObject({ height: 1, version: 0x30000000, coinbaseValue: BigInt(REWARD), transactions: [] });
    const block = await mineKawpowTemplate(light, t);
    expect(await rpc.call('submitblock', [block.hex])).toBeNull();
    expect(await rpc.call('submitblock', [block.hex])).toBe('duplicate');
    expect(await rpc.call('getbestblockhash')).toBe(block.hashHex);
    expect(block.hashHex).toBe(kawpowHashHex(block.header));
    expect(await rpc.call('simnet_getbalance', [RVN_PAYOUT_ADDRESS])).toEqual({ address: RVN_PAYOUT_ADDRESS, sats: REWARD, rvn: 5000 });

    const header = (await rpc.call('getblockheader', [block.hashHex])) as Record<string, unknown>;
    expectRavendKeys('getblockheader', header);
    expect(header).toMatchObject({ height: 1, nonce: 0, version: 0x30000000, versionHex: '30000000' });
    expect(await rpc.call('getblockheader', [block.hashHex, false])).toBe(bytesToHex(block.header));
    const full = (await rpc.call('getblock', [block.hashHex])) as Record<string, unknown>;
    expectRavendKeys('getblock', full);
    expect(full).toMatchObject({ headerhash: bytesToHex(block.headerHash), mixhash: bytesToHex(block.mixHash), nonce64: Number(block.nonce), nonce: 0, size: block.raw.length });
    const decoded = (await rpc.call('getblock', [block.hashHex, 2])) as { tx: { vout: { scriptPubKey: { addresses?: string[] } }[] }[] };
    expect(decoded.tx[0]!.vout[0]!.scriptPubKey.addresses).toEqual([RVN_PAYOUT_ADDRESS]);

    const second = await mineKawpowTemplate(light, await template(rpc));
    expect(await rpc.call('submitblock', [second.hex])).toBeNull();
    await simnet.stop();
    const again = await startSimnet();
    expect(await again.rpc.call('getblockcount')).toBe(2);
    expect(await again.rpc.call('getblockhash', [1])).toBe(block.hashHex);
    expect(await again.rpc.call('simnet_getbalances')).toEqual({ [RVN_PAYOUT_ADDRESS]: 2 * REWARD });
  });

  it("refuses bad blocks with ravend's reasons", async () => {
    const { rpc } = await startSimnet();
    const t = await template(rpc);
    // A final hash above the target.
    expect(await rpc.call('submitblock', [(await mineKawpowTemplate(light, t, { pow: 'fail' })).hex])).toBe('high-hash');
    // A final hash that meets the target, with a mix hash the header hash and nonce do not give:
    // the full check recomputes the mix.
    const good = await mineKawpowTemplate(light, t);
    const forged = good.raw.slice();
    forged[88]! ^= 0x01;
    expect(await rpc.call('submitblock', [bytesToHex(forged)])).toBe('invalid-mix-hash');
    // The header's height is not the block's.
    const lying = await mineKawpowTemplate(light, t, { editHeader: (h) => new DataView(h.buffer).setUint32(76, 5, true) });
    expect(await rpc.call('submitblock', [lying.hex])).toBe('bad-header-height');
    // A height more than 10 above the tip: refused before anything else, as ravend does.
    const far = await mineKawpowTemplate(light, t, { editHeader: (h) => new DataView(h.buffer).setUint32(76, 12, true) });
    expect(await rpcError(rpc.call('submitblock', [far.hex]))).toEqual({ code: -22, message: 'Block height is to large' });
    // Bitcoin's version: not a block once assets are deployed.
    const old = await mineKawpowTemplate(light, t, { editHeader: (h) => new DataView(h.buffer).setUint32(0, 0x20000000, true) });
    expect(await rpc.call('submitblock', [old.hex])).toBe('bad-version(0x20000000)');
    // An 80-byte Bitcoin header does not decode as a Ravencoin block.
    expect(await rpcError(rpc.call('submitblock', [good.hex.slice(0, 160) + good.hex.slice(240)]))).toEqual({ code: -22, message: 'Block decode failed' });
    expect(await rpc.call('submitblock', [good.hex])).toBeNull();
    expect(await rpc.call('getblockcount')).toBe(1);
  });

  it("answers getblocktemplate as ravend, and completes kawpowminer's pprpc work with pprpcsb", async () => {
    const { rpc, post } = await startSimnet(MINING_ADDRESS);
    const raw = (await rpc.call('getblocktemplate', [])) as Record<string, unknown>;
    expectRavendKeys('getblocktemplate', raw);
    expect(raw).toMatchObject({ rules: [], pprpcepoch: 0, height: 1 });
    // The same work for 30 s while the tip holds.
    expect(((await rpc.call('getblocktemplate', [{ rules: ['segwit'] }])) as { pprpcheader: string }).pprpcheader).toBe(raw.pprpcheader);

    const headerHash = Uint8Array.from(Buffer.from(raw.pprpcheader as string, 'hex'));
    const target = BigInt('0x' + (raw.target as string));
    const miss = solveKawpow(light, headerHash, 1, target, 'fail');
    expect(await rpcError(rpc.call('pprpcsb', [raw.pprpcheader, bytesToHex(miss.mixHash), formatKawpowNonce(miss.nonce)]))).toEqual({ code: -22, message: 'Block does not solve the boundary' });
    expect(await rpcError(rpc.call('pprpcsb', ['ab'.repeat(32), '00'.repeat(32), '0x1']))).toEqual({ code: -32602, message: 'Block header hash not found in block data' });
    expect(await rpcError(rpc.call('pprpcsb', [raw.pprpcheader, '00'.repeat(32), 'xyz']))).toEqual({ code: -32602, message: 'Invalid hex nonce' });

    const hit = solveKawpow(light, headerHash, 1, target);
    const submit = poolRequests.submissions['kawpowminer-getwork']
      .replace('{{HEADER_HASH}}', raw.pprpcheader as string)
      .replace('{{MIX_HASH}}', '0x' + bytesToHex(hit.mixHash))
      .replace('{{NONCE}}', formatKawpowNonce(hit.nonce));
    expect(await post(submit)).toMatchObject({ result: true, error: null, id: 40 });
    expect(await rpc.call('getbestblockhash')).toBe(bytesToHex(hit.finalHash));
    expect(await rpc.call('simnet_getbalance', [MINING_ADDRESS])).toMatchObject({ sats: REWARD });
    // The next tip's templates no longer hold that block.
    expect(await rpcError(rpc.call('pprpcsb', [raw.pprpcheader, bytesToHex(hit.mixHash), formatKawpowNonce(hit.nonce)]))).toMatchObject({ code: -32602 });
  });

  it('answers the requests of MiningCore, the stratum proxy and kawpowminer with the fields they read', async () => {
    const { post, rpc } = await startSimnet(MINING_ADDRESS);
    const pick = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
    for (const r of poolRequests.requests) {
      const reply = await post(r.body);
      const replies = (Array.isArray(reply) ? reply : [reply]) as { result: unknown; error: unknown }[];
      for (const one of replies) expect(one.error, `${r.from}: ${r.what}`).toBeNull();
      for (const field of r.reads) expect(replies.some((one) => pick(one.result, field) !== undefined), `${r.from} reads ${field}`).toBe(true);
    }
    for (const method of ['getblockchaininfo', 'getmininginfo', 'getnetworkinfo']) expectRavendKeys(method, (await rpc.call(method)) as Record<string, unknown>);
    expect(await rpc.call('getblockchaininfo')).toMatchObject({ chain: 'regtest', difficulty_algorithm: 'BTC', DGW_activation_height: 200, warnings: '' });

    // MiningCore's submit batch: submitblock with getblock of the block's hash.
    const block = await mineKawpowTemplate(light, await template(rpc));
    const batch = JSON.parse(poolRequests.submissions.miningcore.replace('{{BLOCK}}', block.hex).replace('{{HASH}}', block.hashHex)) as unknown;
    const [submitted, fetched] = (await post(batch)) as { result: unknown; error: unknown }[];
    expect(submitted).toMatchObject({ result: null, error: null });
    expect(fetched!.result).toMatchObject({ hash: block.hashHex, height: 1 });
  });

  it('validates Ravencoin addresses as ravend does without a wallet', async () => {
    const { rpc } = await startSimnet();
    const valid = (await rpc.call('validateaddress', [RVN_PAYOUT_ADDRESS])) as Record<string, unknown>;
    expectRavendKeys('validateaddress', valid);
    expect(valid).toEqual({ isvalid: true, address: RVN_PAYOUT_ADDRESS, scriptPubKey: '76a91453c0307d6851aa0ce7825ba883c6bd9ad242b48688ac' });
    expect(await rpc.call('validateaddress', ['RJYZeWxr1Ly8YgcvJU1qD5MR9jUtk14HkN'])).toEqual({ isvalid: false });
    expect(await rpc.call('validateaddress', ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080'])).toEqual({ isvalid: false });
    expect(await rpcError(rpc.call('simnet_getbalance', ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080']))).toMatchObject({ code: -5, message: expect.stringMatching(/Ravencoin has no bech32 addresses/) });
  });

  it('hashes a published KawPow vector through getkawpowhash', async () => {
    const { rpc } = await startSimnet();
    const v = kawpowVectors.vectors.find((x) => x.block_number === 0 && x.nonce_u64_hex === '0000000000000000')!;
    const r = (await rpc.call('getkawpowhash', [v.header_hash_hex, v.expected_mix_hash_hex, '0x' + v.nonce_u64_hex, 0, 'f'.repeat(64)])) as Record<string, unknown>;
    expectRavendKeys('getkawpowhash', r);
    expect(r).toEqual({ result: 'true', digest: v.expected_final_hash_hex, mix_hash: v.expected_mix_hash_hex, info: '', meets_target: 'true' });
    const wrong = (await rpc.call('getkawpowhash', [v.header_hash_hex, '00'.repeat(32), v.nonce_u64_hex, 0, '00'.repeat(32)])) as Record<string, unknown>;
    expect(wrong).toMatchObject({ result: 'false', meets_target: 'false' });
    expect(await rpcError(rpc.call('getkawpowhash', [v.header_hash_hex, v.expected_mix_hash_hex, '0x0', 11]))).toEqual({ code: -22, message: 'Block height is to large' });
    expect(await rpcError(rpc.call('getkawpowhash', [v.header_hash_hex, v.expected_mix_hash_hex, 'g', 0]))).toEqual({ code: -32602, message: 'Invalid nonce hex string' });
  });
});
