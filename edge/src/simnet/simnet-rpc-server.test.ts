/** The simnet JSON-RPC server through its real socket: auth, protocol errors, methods. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYOUT_ADDRESS, TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { silentLogger } from '../logger.ts';
import { SimnetChain } from './simnet-chain.ts';
import { SimnetRpcServer } from './simnet-rpc-server.ts';
import { Simnet } from './simnet.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: unknown;
}

function post(url: string, body: string | Buffer, auth?: string, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { hostname: u.hostname, port: u.port, path: '/', method, headers: { ...(auth ? { Authorization: 'Basic ' + Buffer.from(auth).toString('base64') } : {}), 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('simnet RPC server', () => {
  let dataDir: string;
  let simnet: Simnet;
  let cookie: string;
  const rpc = (body: unknown, auth = cookie) => post(simnet.rpcUrl, typeof body === 'string' ? body : JSON.stringify(body), auth);
  const call = async (method: string, params: unknown = []) => (await rpc({ jsonrpc: '1.0', id: 7, method, params })).json as { result: unknown; error: { code: number; message: string } | null; id: unknown };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-rpc-'));
    simnet = new Simnet({ dataDir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 5_000_000_000, rpcUser: 'alice', rpcPassword: 's3cret', logger: silentLogger, longPollTimeoutMs: 300 });
    await simnet.start();
    cookie = readFileSync(simnet.cookieFile, 'utf8');
  });
  afterAll(async () => {
    await simnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('auth', () => {
    it('accepts the cookie and the configured user/password', async () => {
      expect((await rpc({ id: 1, method: 'getblockcount' })).json).toEqual({ result: 0, error: null, id: 1 });
      expect((await rpc({ id: 1, method: 'getblockcount' }, 'alice:s3cret')).status).toBe(200);
    });
    it.each([[undefined], ['alice:wrong'], ['__cookie__:' + '0'.repeat(64)], ['nocolon'], ['alice:']])('answers 401 for %j', async (auth) => {
      const r = await post(simnet.rpcUrl, JSON.stringify({ id: 1, method: 'getblockcount' }), auth);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic realm="jsonrpc"');
    });
  });

  describe('protocol errors', () => {
    it('bad JSON is -32700 parse error', async () => {
      const r = await rpc('{"method": "getblockcount", ');
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ result: null, error: { code: -32700, message: 'Parse error' }, id: null });
    });
    it.each([['"just a string"'], ['42'], ['null'], ['{"id":1,"method":5}'], ['{"id":1,"method":"getblockcount","params":"x"}'], ['[]']])('invalid request %s is -32600', async (body) => {
      const r = await rpc(body);
      expect(r.status).toBe(400);
      expect((r.json as { error: { code: number } }).error.code).toBe(-32600);
    });
    it('unknown method is -32601 (HTTP 404 in 1.0, 200 in 2.0)', async () => {
      const r1 = await rpc({ id: 1, method: 'getwalletinfo' });
      expect(r1.status).toBe(404);
      expect(r1.json).toEqual({ result: null, error: { code: -32601, message: 'Method not found' }, id: 1 });
      const r2 = await rpc({ jsonrpc: '2.0', id: 'x', method: '__proto__' });
      expect(r2.status).toBe(200);
      expect(r2.json).toEqual({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 'x' });
    });
    it('GET is 405, oversize bodies are 413', async () => {
      expect((await post(simnet.rpcUrl, '', cookie, 'GET')).status).toBe(405);
      const big = JSON.stringify({ id: 1, method: 'submitblock', params: ['00'.repeat(3 * 1024 * 1024)] });
      const r = await post(simnet.rpcUrl, big, cookie).catch((e: Error) => ({ status: -1, text: e.message }) as Reply);
      expect([413, -1]).toContain(r.status);
      // The server is still fine.
      expect((await call('getblockcount')).result).toBe(0);
    });
    it('2.0 notifications get 204, batches get arrays', async () => {
      expect((await rpc({ jsonrpc: '2.0', method: 'getblockcount' })).status).toBe(204);
      const r = await rpc([{ jsonrpc: '2.0', id: 1, method: 'getblockcount' }, { jsonrpc: '2.0', id: 2, method: 'nope' }, 5]);
      expect(r.status).toBe(200);
      expect(r.json).toEqual([
        { jsonrpc: '2.0', result: 0, id: 1 },
        { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 2 },
        { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null },
      ]);
    });
    it.each<[string, unknown, RegExp]>([
      ['getblockhash', ['1'], /height must be an integer/],
      ['getblockhash', [99], /out of range/],
      ['getblockheader', [42], /blockhash must be a hex string/],
      ['getblockheader', ['abc'], /must be of length 64/],
      ['getblockheader', ['00'.repeat(32), 'yes'], /verbose must be a boolean/],
      ['submitblock', [123], /hexdata must be a hex string/],
      ['getblocktemplate', ['x'], /must be an object/],
      ['getblocktemplate', [{}], /segwit rule set/],
      ['getblocktemplate', [{ rules: ['segwit'], mode: 'proposal' }], /Invalid mode/],
      ['getblocktemplate', [{ rules: ['segwit'], longpollid: 5 }], /longpollid must be a string/],
      ['simnet_getbalance', [7], /address must be a string/],
      ['getblockcount', [1, 2], /at most 0 parameters/],
      ['getblockcount', { bogus: 1 }, /Unknown named parameter bogus/],
    ])('%s %j is -8 invalid parameter', async (method, params, message) => {
      const r = await call(method, params);
      expect(r.error?.code).toBe(-8);
      expect(r.error?.message).toMatch(message);
    });
    it('unknown blocks and bad addresses are -5 with a reason', async () => {
      expect((await call('getblockheader', ['11'.repeat(32)])).error).toEqual({ code: -5, message: 'Block not found' });
      const r = await call('simnet_getbalance', ['bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv']);
      expect(r.error?.code).toBe(-5);
      expect(r.error?.message).toBe('Invalid address: this is a mainnet address; simnet uses regtest addresses (bcrt1…, m…, n…, 2…)');
    });
  });

  describe('methods', () => {
    it('getblockchaininfo, getblockheader (verbose and hex), named params', async () => {
      const info = (await call('getblockchaininfo')).result as Record<string, unknown>;
      expect(info).toMatchObject({ chain: 'regtest', simnet: true, blocks: 0, initialblockdownload: false });
      const best = (await call('getbestblockhash')).result as string;
      expect(best).toBe(info.bestblockhash);
      const hdr = (await call('getblockheader', { blockhash: best })).result as Record<string, unknown>;
      expect(hdr).toMatchObject({ hash: best, height: 0, confirmations: 1, nTx: 1, versionHex: '20000000' });
      expect(hdr.previousblockhash).toBeUndefined();
      const hex = (await call('getblockheader', [best, false])).result as string;
      expect(hex).toMatch(/^[0-9a-f]{160}$/);
      expect((await call('getmininginfo')).result).toMatchObject({ blocks: 0, chain: 'regtest' });
      expect((await call('simnet_getbalance', [PAYOUT_ADDRESS])).result).toEqual({ address: PAYOUT_ADDRESS, sats: 0, btc: 0 });
      expect((await call('help')).result).toMatch(/getblocktemplate/);
    });

    it('getblocktemplate looks like bitcoind regtest and long-poll times out with the same template', async () => {
      const t = (await call('getblocktemplate', [{ rules: ['segwit'] }])).result as Record<string, unknown>;
      expect(t).toMatchObject({ height: 1, coinbasevalue: 5_000_000_000, transactions: [], default_witness_commitment: '6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9' });
      expect(t.bits).toMatch(/^[0-9a-f]{8}$/);
      expect(t.target).toMatch(/^[0-9a-f]{64}$/);
      const started = Date.now();
      const held = (await call('getblocktemplate', [{ rules: ['segwit'], longpollid: t.longpollid }])).result as Record<string, unknown>;
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(held.longpollid).toBe(t.longpollid);
    });
  });

  it('answers -28 while the chain loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-warmup-'));
    const server = new SimnetRpcServer({
      node: {
        isReady: () => false,
        chain: new SimnetChain({ blockDifficulty: 1, blockRewardSats: 1 }),
        now: () => 0,
        submit: () => Promise.resolve({ accepted: false, reason: 'inconclusive' }),
        onTip: () => () => undefined,
      },
      port: 0,
      cookieFile: join(dir, '.cookie'),
      logger: silentLogger,
    });
    await server.start();
    try {
      const auth = readFileSync(join(dir, '.cookie'), 'utf8');
      const r = await post(server.url, JSON.stringify({ id: 1, method: 'getblocktemplate', params: [{ rules: ['segwit'] }] }), auth);
      expect(r.json).toEqual({ result: null, error: { code: -28, message: 'Loading block index...' }, id: 1 });
    } finally {
      await server.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
