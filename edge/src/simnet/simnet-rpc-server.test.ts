/**
 * Simnet's JSON-RPC server through its real socket, as pool software uses bitcoind: the exact
 * requests ckpool sends (recorded from a real ckpool, edge/test/fixtures/rpc/ckpool-*.txt: bare-LF
 * headers, no id, a reply read line by line), NOMP's start-up batch and public-pool's named
 * params (fixtures/rpc/*-requests.json); then what a careless or hostile client sends (bad JSON,
 * wrong types and counts, bad hex, wrong-network addresses, oversized bodies), each answered as
 * bitcoind answers it.
 */
import { bytesToHex, parseBlockTemplate, reverseBytes, type BlockTemplate } from '@otedama/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYOUT_SCRIPT, TEST_DIFFICULTY, buildBlock, mineTemplate } from '../../test/chain-helpers.ts';
import { exchange, type RawResponse } from '../../test/raw-http.ts';
import { silentLogger } from '../logger.ts';
import { SimnetChain } from './simnet-chain.ts';
import { DEFAULT_MAX_BODY_BYTES, SimnetRpcServer } from './simnet-rpc-server.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS, Simnet } from './simnet.ts';

const FIXTURES = new URL('../../test/fixtures/rpc/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
/** The credentials ckpool sent in the recorded requests (Authorization: Basic dXNlcjpwYXNz). */
const USER = 'user';
const PASSWORD = 'pass';
const REWARD = 5_000_000_000;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: unknown;
}

/** A request as Node's http client sends it (NOMP's and this edge's way). */
function post(url: string, body: string, auth?: string, options: { method?: string; path?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { hostname: u.hostname, port: u.port, path: options.path ?? '/', method: options.method ?? 'POST', ...(auth ? { auth } : {}), headers: { 'Content-Length': Buffer.byteLength(body), ...options.headers } },
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

/** What ckpool does with a reply: the status line must be "HTTP/1.1 200 OK", the JSON is the first line starting with "{". */
function readLikeCkpool(data: Buffer): { statusLine: string; json: Record<string, unknown> } {
  const lines = data.toString('utf8').split('\n');
  const json = lines.find((l) => l.startsWith('{'));
  if (json === undefined) throw new Error('no line starting with { (ckpool would wait for one until it times out)');
  return { statusLine: lines[0]!.replace(/\r$/, ''), json: JSON.parse(json) as Record<string, unknown> };
}

type Result<T = unknown> = { result: T; error: { code: number; message: string } | null; id: unknown };

describe('simnet RPC server', () => {
  let dataDir: string;
  let simnet: Simnet;
  let cookie: string;
  let port: number;
  const rpc = (body: unknown, auth = cookie) => post(simnet.rpcUrl, typeof body === 'string' ? body : JSON.stringify(body), auth);
  const call = async <T = unknown>(method: string, params: unknown = []) => (await rpc({ jsonrpc: '1.0', id: 7, method, params })).json as Result<T>;
  const template = async (): Promise<BlockTemplate> => parseBlockTemplate((await call('getblocktemplate', [{ rules: ['segwit'] }])).result, { verifyTxids: true });
  /** Sends a fixture's bytes, with {{…}} filled in and Content-Length fixed to match. */
  const sendFixture = async (name: string, fill: Record<string, string> = {}) => {
    let text = fixture(name).toString('latin1');
    for (const [k, v] of Object.entries(fill)) text = text.replaceAll(`{{${k}}}`, v);
    if (text.includes('{{LENGTH}}')) text = text.replace('{{LENGTH}}', String(Buffer.byteLength(text.slice(text.indexOf('\n\n') + 2))));
    const r = await exchange(port, [Buffer.from(text, 'latin1')], { waitMs: 300 });
    return { raw: r.data, ...readLikeCkpool(r.data), response: r.responses[0] as RawResponse };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-rpc-'));
    simnet = new Simnet({ dataDir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: REWARD, rpcUser: USER, rpcPassword: PASSWORD, logger: silentLogger, longPollTimeoutMs: 300 });
    await simnet.start();
    cookie = readFileSync(simnet.cookieFile, 'utf8');
    port = Number(new URL(simnet.rpcUrl).port);
  });
  afterAll(async () => {
    await simnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('ckpool, byte for byte', () => {
    it('getblocktemplate: 200 OK, one JSON line, everything gen_gbtbase reads', async () => {
      expect(fixture('ckpool-getblocktemplate.txt').includes('\r')).toBe(false);
      const r = await sendFixture('ckpool-getblocktemplate.txt');
      expect(r.statusLine).toBe('HTTP/1.1 200 OK');
      expect(r.response.body.endsWith('\n')).toBe(true);
      expect(r.json).toMatchObject({ error: null, id: null });
      const t = r.json.result as Record<string, unknown>;
      for (const key of ['previousblockhash', 'target', 'bits']) expect(typeof t[key]).toBe('string');
      for (const key of ['version', 'curtime', 'height', 'coinbasevalue']) expect(typeof t[key]).toBe('number');
      expect(t.coinbaseaux).toEqual({});
      // ckpool refuses a template whose "!"-rules it does not understand; it understands segwit.
      expect((t.rules as string[]).filter((rule) => rule.startsWith('!'))).toEqual(['!segwit']);
    });

    it('validateaddress: the pool address is valid (script, segwit); mainnet and testnet donation addresses are not, with 200', async () => {
      const ok = await sendFixture('ckpool-validateaddress.txt');
      expect(ok.statusLine).toBe('HTTP/1.1 200 OK');
      expect(ok.json.result).toMatchObject({ isvalid: true, address: SIMNET_DEFAULT_PAYOUT_ADDRESS, isscript: true, iswitness: true, witness_version: 0 });
      const main = await sendFixture('ckpool-validateaddress-mainnet.txt');
      expect(main.statusLine).toBe('HTTP/1.1 200 OK');
      // Not read as bech32 on regtest (no "bcrt" prefix); as base58 its checksum fails, as in Core.
      expect(main.json.result).toEqual({ isvalid: false, error_locations: [], error: 'Invalid checksum or length of Base58 address (P2PKH or P2SH)' });
    });

    it('decoderawtransaction: the coinbase ckpool built decodes (ckpool aborts otherwise)', async () => {
      const r = await sendFixture('ckpool-decoderawtransaction.txt');
      expect(r.statusLine).toBe('HTTP/1.1 200 OK');
      const tx = r.json.result as { vin: { coinbase?: string }[]; vout: { scriptPubKey: { address?: string; type: string } }[]; size: number; weight: number };
      expect(tx.vin).toHaveLength(1);
      expect(tx.vin[0]!.coinbase).toMatch(/^[0-9a-f]+$/);
      expect(tx.vout.map((o) => o.scriptPubKey.type)).toEqual(['witness_v0_scripthash', 'nulldata']);
      expect(tx.vout[0]!.scriptPubKey.address).toBe(SIMNET_DEFAULT_PAYOUT_ADDRESS);
      expect(tx.weight).toBe(tx.size * 4);
      // Amounts are written as Core writes them.
      expect(r.response.body).toContain('"value":50.00000000,');
    });

    it('getbestblockhash, getblockcount, getblockhash', async () => {
      const best = await sendFixture('ckpool-getbestblockhash.txt');
      expect(best.json.result).toBe(simnet.chain.tip().hashHex);
      expect((await sendFixture('ckpool-getblockcount.txt')).json.result).toBe(simnet.chain.height);
      expect((await sendFixture('ckpool-getblockhash.txt')).json.result).toBe(simnet.chain.blockAt(0)!.hashHex);
    });

    it('submitblock: a block whose coinbase commits to witnesses without carrying the reserved value is completed, as bitcoind does', async () => {
      const t = await template();
      const block = await mineTemplate(t);
      // Re-serialize without the coinbase witness, as ckpool's block is.
      const bare = await buildBlock({ prevHash: t.prevHash, height: t.height, bits: t.bits, time: t.curtime, version: t.version, outputs: [{ script: PAYOUT_SCRIPT, value: t.coinbaseValue }], coinbaseWitness: false });
      expect(bare.hex.length).toBeLessThan(block.hex.length);
      const r = await sendFixture('ckpool-submitblock.txt', { BLOCK: bare.hex });
      expect(r.statusLine).toBe('HTTP/1.1 200 OK');
      expect(r.json).toEqual({ result: null, error: null, id: null });
      expect(simnet.chain.tip().hashHex).toBe(bare.hashHex);
      // Stored as bitcoind stores it: with the reserved value.
      expect(simnet.chain.tip().raw.length).toBe(block.raw.length);
      expect((await sendFixture('ckpool-submitblock.txt', { BLOCK: bare.hex })).json.result).toBe('duplicate');
    });
  });

  describe('NOMP', () => {
    const nomp = JSON.parse(fixture('nomp-requests.json').toString('utf8')) as Record<string, unknown>;

    it('its start-up batch: every call answers, and submitblock with no params is -1 (so NOMP knows it exists)', async () => {
      const r = await post(simnet.rpcUrl, JSON.stringify(nomp.detectCoinData), `${USER}:${PASSWORD}`);
      expect(r.status).toBe(200);
      const [validate, difficulty, mining, submit, chainInfo, netInfo] = r.json as Result<Record<string, unknown>>[];
      expect(validate!.result).toMatchObject({ isvalid: true, address: SIMNET_DEFAULT_PAYOUT_ADDRESS });
      expect(typeof difficulty!.result).toBe('number');
      expect(mining!.result).toMatchObject({ chain: 'regtest', networkhashps: expect.any(Number) });
      expect(submit!.error).toMatchObject({ code: -1, message: expect.stringMatching(/^submitblock "hexdata" \( "dummy" \)\n\nAttempts to submit new block to network\./) });
      expect(chainInfo!.result).toMatchObject({ chain: 'regtest', difficulty: expect.any(Number) });
      expect(netInfo!.result).toMatchObject({ protocolversion: expect.any(Number), connections: 0 });
      expect((r.json as Result[]).map((x) => x.id)).toEqual((nomp.detectCoinData as { id: number }[]).map((x) => x.id));
    });

    it('getblocktemplate, getpeerinfo, and getblock to check a block was accepted', async () => {
      const auth = `${USER}:${PASSWORD}`;
      expect(((await post(simnet.rpcUrl, JSON.stringify(nomp.getblocktemplate), auth)).json as Result<{ height: number }>).result.height).toBe(simnet.chain.height + 1);
      expect((await post(simnet.rpcUrl, JSON.stringify(nomp.getpeerinfo), auth)).json).toMatchObject({ result: [] });
      const hash = simnet.chain.tip().hashHex;
      const b = (await post(simnet.rpcUrl, JSON.stringify(nomp.getblock).replace('{{BLOCKHASH}}', hash), auth)).json as Result<{ hash: string; tx: string[] }>;
      expect(b.result.hash).toBe(hash);
      expect(b.result.tx).toEqual(simnet.chain.tip().txids);
    });
  });

  describe('public-pool (rpc-bitcoin)', () => {
    const pp = JSON.parse(fixture('public-pool-requests.json').toString('utf8')) as Record<string, Record<string, unknown>>;
    const send = (body: unknown) => post(simnet.rpcUrl, JSON.stringify(body), `${USER}:${PASSWORD}`, { headers: { 'Content-Type': 'application/json' } });

    it('getrpcinfo, getmininginfo, getblocktemplate with named params, submitblock with named params', async () => {
      expect((await send(pp.getrpcinfo)).json).toMatchObject({ result: { active_commands: [{ method: 'getrpcinfo', duration: expect.any(Number) }], logpath: expect.any(String) }, error: null, id: 'rpc-bitcoin' });
      expect((await send(pp.getmininginfo)).json).toMatchObject({ result: { blocks: simnet.chain.height }, id: 'rpc-bitcoin' });
      const t = parseBlockTemplate(((await send(pp.getblocktemplate)).json as Result).result);
      const block = await mineTemplate(t);
      const submitted = await send(JSON.parse(JSON.stringify(pp.submitblock).replace('{{BLOCK}}', block.hex)));
      expect(submitted.json).toEqual({ result: null, error: null, id: 'rpc-bitcoin' });
      expect(simnet.chain.tip().hashHex).toBe(block.hashHex);
    });

    it('the unpatched client\'s "jsonrpc": 1 is refused as Core 28 refuses it', async () => {
      const r = await send(pp.unpatched_getmininginfo);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ result: null, error: { code: -32600, message: 'jsonrpc field must be a string' }, id: null });
    });
  });

  describe('auth and HTTP', () => {
    it('accepts the cookie and the configured user/password', async () => {
      expect((await rpc({ id: 1, method: 'getblockcount' })).json).toMatchObject({ result: simnet.chain.height, error: null, id: 1 });
      expect((await rpc({ id: 1, method: 'getblockcount' }, `${USER}:${PASSWORD}`)).status).toBe(200);
    });
    it.each([[undefined], ['user:wrong'], ['__cookie__:' + '0'.repeat(64)], ['nocolon'], ['user:']])('answers 401 for %j', async (auth) => {
      const r = await post(simnet.rpcUrl, JSON.stringify({ id: 1, method: 'getblockcount' }), auth);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic realm="jsonrpc"');
    });
    it('GET is 405, another path is 404, a body over the limit is 413 (the server carries on)', async () => {
      expect((await post(simnet.rpcUrl, '', cookie, { method: 'GET' })).status).toBe(405);
      expect((await post(simnet.rpcUrl, '{}', cookie, { path: '/wallet/x' })).status).toBe(404);
      const big = await exchange(port, [`POST / HTTP/1.1\r\nContent-Length: ${DEFAULT_MAX_BODY_BYTES + 1}\r\n\r\n`]);
      expect(big.responses.map((x) => x.status)).toEqual([413]);
      expect((await call('getblockcount')).result).toBe(simnet.chain.height);
    });
  });

  describe('malformed input, answered as bitcoind answers it', () => {
    it('bad JSON is -32700 (HTTP 500); a top-level string is -32700 too', async () => {
      expect(await rpc('{"method": "getblockcount", ')).toMatchObject({ status: 500, json: { result: null, error: { code: -32700, message: 'Parse error' }, id: null } });
      expect(await rpc('"just a string"')).toMatchObject({ status: 500, json: { error: { code: -32700, message: 'Top-level object parse error' } } });
    });

    it.each<[string, unknown, number, RegExp]>([
      ['getblockhash', ['1'], -3, /Position 1 \(height\)": "JSON value of type string is not of expected type number/],
      ['getblockhash', [1.5], -1, /JSON integer out of range/],
      ['getblockhash', [99], -8, /Block height out of range/],
      ['getblockhash', [-1], -8, /Block height out of range/],
      ['getblockheader', [42], -3, /Position 1 \(blockhash\)/],
      ['getblockheader', ['abc'], -8, /^hash must be of length 64 \(not 3, for 'abc'\)$/],
      ['getblockheader', ['zz'.repeat(32)], -8, /^hash must be hexadecimal string/],
      ['getblockheader', ['00'.repeat(32), 'yes'], -3, /Position 2 \(verbose\)": "JSON value of type string is not of expected type bool/],
      ['getblockheader', ['11'.repeat(32)], -5, /^Block not found$/],
      ['getblock', ['11'.repeat(32)], -5, /^Block not found$/],
      ['getblock', ['00'.repeat(32), 'x'], -1, /JSON value of type string is not of expected type number/],
      ['submitblock', [123], -3, /Position 1 \(hexdata\)/],
      ['submitblock', ['zz'], -22, /^Block decode failed$/],
      ['submitblock', ['00'], -22, /^Block decode failed$/],
      ['submitblock', ['00'.repeat(80) + '00'], -22, /^Block does not start with a coinbase$/],
      ['submitblock', [], -1, /^submitblock "hexdata"/],
      ['getblocktemplate', ['x'], -3, /Position 1 \(template_request\)": "JSON value of type string is not of expected type object/],
      ['getblocktemplate', [{}], -8, /segwit rule set/],
      ['getblocktemplate', [{ rules: ['segwit'], mode: 'bogus' }], -8, /^Invalid mode$/],
      ['getblocktemplate', [{ rules: ['segwit'], mode: 5 }], -8, /^Invalid mode$/],
      ['getblocktemplate', [{ mode: 'proposal' }], -3, /^Missing data String key for proposal$/],
      ['getblocktemplate', [{ mode: 'proposal', data: 'zz' }], -22, /^Block decode failed$/],
      ['getblocktemplate', [{ rules: [5] }], -1, /not of expected type string/],
      ['getblocktemplate', [{ rules: ['segwit'], longpollid: 'abc' }], -8, /^longpollid must be of length 64/],
      ['decoderawtransaction', [], -1, /^decoderawtransaction "hexstring" \( iswitness \)/],
      ['decoderawtransaction', [7], -3, /Position 1 \(hexstring\)/],
      ['decoderawtransaction', ['zz'], -22, /^TX decode failed$/],
      ['decoderawtransaction', [''], -22, /^TX decode failed$/],
      ['decoderawtransaction', ['0'], -22, /^TX decode failed$/],
      ['decoderawtransaction', ['0100000001'], -22, /^TX decode failed$/],
      ['decoderawtransaction', ['00', 'yes'], -3, /Position 2 \(iswitness\)/],
      ['validateaddress', [], -1, /Return information about the given bitcoin address\./],
      ['validateaddress', [null], -3, /JSON value of type null is not of expected type string/],
      ['getrawtransaction', ['11'.repeat(32)], -5, /^No such mempool or blockchain transaction\. Use gettransaction for wallet transactions\.$/],
      ['getrawtransaction', ['11'.repeat(32), 0, '22'.repeat(32)], -5, /^Block hash not found$/],
      ['getnetworkhashps', [0], -8, /^Invalid nblocks/],
      ['getnetworkhashps', [120, 99], -8, /^Block does not exist at specified height$/],
      ['getblockcount', [1, 2], -1, /^getblockcount\n/],
      ['getblockcount', { bogus: 1 }, -8, /^Unknown named parameter bogus$/],
      ['simnet_getbalance', [7], -3, /Position 1 \(address\)/],
      ['preciousblock', ['11'.repeat(32)], -5, /^Block not found$/],
    ])('%s %j is %i', async (method, params, code, message) => {
      const r = await call(method, params);
      expect(r.error?.code).toBe(code);
      expect(r.error?.message).toMatch(message);
    });

    it('wrong-network addresses are not valid here, and simnet_getbalance names the reason', async () => {
      for (const a of ['bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx']) {
        expect((await call<{ isvalid: boolean }>('validateaddress', [a])).result.isvalid).toBe(false);
      }
      const r = await call('simnet_getbalance', ['bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv']);
      expect(r.error).toEqual({ code: -5, message: 'Invalid address: this is a mainnet address; simnet uses regtest addresses (bcrt1…, m…, n…, 2…)' });
    });
  });

  describe('methods', () => {
    it('getblock at every verbosity, getblockheader, getblockchaininfo, getrawtransaction, submitblock reasons, proposals', async () => {
      const t = await template();
      const block = await mineTemplate(t);
      // A proposal is judged without proof of work: the unsolved block is fine, a broken one is not.
      const unsolved = block.hex.slice(0, 152) + '00000000' + block.hex.slice(160);
      expect((await call('getblocktemplate', [{ mode: 'proposal', data: unsolved }])).result).toBeNull();
      const badRoot = block.hex.slice(0, 72) + (block.hex[72] === '0' ? '1' : '0') + block.hex.slice(73);
      expect((await call('getblocktemplate', [{ mode: 'proposal', data: badRoot }])).result).toBe('bad-txnmrklroot');
      expect((await call('submitblock', [block.hex])).result).toBeNull();
      expect((await call('getblocktemplate', [{ mode: 'proposal', data: block.hex }])).result).toBe('duplicate');
      expect((await call('getblocktemplate', [{ mode: 'proposal', data: unsolved }])).result).toBe('inconclusive-not-best-prevblk');

      const tip = simnet.chain.tip();
      expect((await call('getblock', [tip.hashHex, 0])).result).toBe(block.hex);
      expect((await call('getblock', [tip.hashHex, false])).result).toBe(block.hex);
      const v1 = (await call<Record<string, unknown>>('getblock', [tip.hashHex])).result;
      expect(v1).toMatchObject({ hash: tip.hashHex, height: tip.height, confirmations: 1, nTx: 1, tx: tip.txids, size: block.raw.length });
      expect(v1.weight).toBe((v1.strippedsize as number) * 3 + (v1.size as number));
      expect((await call('getblock', { blockhash: tip.hashHex, verbose: true })).result).toEqual(v1);
      const v2 = (await call<{ tx: { txid: string; hex: string; vin: { coinbase: string }[] }[] }>('getblock', [tip.hashHex, 2])).result;
      expect(v2.tx[0]).toMatchObject({ txid: tip.txids[0], vin: [{ coinbase: expect.any(String) }], hex: expect.stringMatching(/^02000000/) });
      expect((await call('getblockheader', [tip.hashHex, false])).result).toBe(block.hex.slice(0, 160));
      expect((await call('getblockheader', { blockhash: tip.hashHex })).result).toMatchObject({ hash: tip.hashHex, previousblockhash: bytesToHex(reverseBytes(t.prevHash)) });

      const raw = (await call<string>('getrawtransaction', [tip.txids[0]])).result;
      expect(v2.tx[0]!.hex).toBe(raw);
      expect((await call('getrawtransaction', [tip.txids[0], true])).result).toMatchObject({ txid: tip.txids[0], blockhash: tip.hashHex, confirmations: 1, blocktime: tip.time });
      expect((await call('getrawtransaction', [tip.txids[0], 1, tip.hashHex])).result).toMatchObject({ in_active_chain: true, txid: tip.txids[0] });
      expect((await call('getrawtransaction', [simnet.chain.blockAt(0)!.txids[0]])).error).toEqual({
        code: -5,
        message: 'The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved',
      });
      expect((await call('preciousblock', [tip.hashHex])).result).toBeNull();
      expect((await call<Record<string, unknown>>('getblockchaininfo')).result).toMatchObject({ chain: 'regtest', simnet: true, blocks: tip.height, bestblockhash: tip.hashHex, size_on_disk: expect.any(Number), initialblockdownload: false });
      expect((await call<number>('getnetworkhashps')).result).toBeGreaterThanOrEqual(0);
      expect((await call('getconnectioncount')).result).toBe(0);
      expect((await call('uptime')).result).toEqual(expect.any(Number));
    });

    it('help lists the commands by section and explains one', async () => {
      const all = (await call<string>('help')).result;
      expect(all).toMatch(/== Blockchain ==\n/);
      expect(all).toMatch(/^getblock "blockhash" \( verbosity \)$/m);
      expect(all).toMatch(/^validateaddress "address"$/m);
      expect(all).toMatch(/^getchaintips$/m);
      expect(all).not.toMatch(/invalidateblock|reconsiderblock/); // hidden, as in Core
      expect((await call<string>('help', ['invalidateblock'])).result).toMatch(/^invalidateblock "blockhash"\n\nPermanently marks a block as invalid/);
      expect((await call<string>('help', ['validateaddress'])).result).toMatch(/^validateaddress "address"\n\nReturn information about the given bitcoin address\.\n/);
      expect((await call('help', ['nope'])).result).toBe('help: unknown command: nope');
    });

    it('getblocktemplate looks like bitcoind regtest; a long-poll on the tip waits, a stale one answers at once', async () => {
      const t = (await call<Record<string, unknown>>('getblocktemplate', [{ rules: ['segwit'] }])).result;
      expect(t).toMatchObject({ height: simnet.chain.height + 1, coinbasevalue: REWARD, transactions: [], default_witness_commitment: '6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9', capabilities: ['proposal'] });
      const started = Date.now();
      const held = (await call<Record<string, unknown>>('getblocktemplate', [{ rules: ['segwit'], longpollid: t.longpollid }])).result;
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(held.longpollid).toBe(t.longpollid);
      const stale = `${simnet.chain.blockAt(0)!.hashHex}0`;
      expect((await call<Record<string, unknown>>('getblocktemplate', [{ rules: ['segwit'], longpollid: stale }])).result.longpollid).toBe(t.longpollid);
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
        invalidate: () => Promise.resolve(),
        reconsider: () => Promise.resolve(),
        precious: () => Promise.resolve(),
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
      expect(r.json).toEqual({ result: null, error: { code: -28, message: 'Loading block index…' }, id: 1 });
    } finally {
      await server.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
