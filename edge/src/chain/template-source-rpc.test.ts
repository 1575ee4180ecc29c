/**
 * The RPC template source: against simnet over real HTTP, against recorded bitcoind
 * getblocktemplate replies replayed by a loopback server, and against a scripted node for
 * polling, long-poll, warmup and failure behaviour.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvalidTemplateError,
  addressToScript,
  assembleCoinbase,
  bitsToTarget,
  blockHashDisplay,
  buildCoinbaseParts,
  bytesToHex,
  coinbaseHash,
  hashMeetsTarget,
  headerHash,
  hexToBytes,
  jobMerkleBranch,
  merkleRootFromBranch,
  parseBlock,
  parseBlockTemplate,
  parseTx,
  reverseBytes,
  serializeBlock,
  serializeHeader,
  witnessCommitmentScript,
  witnessMerkleRoot,
  wtxid,
  type Network,
  SHA256D,
  withNonce,
} from '@otedama/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PAYOUT_ADDRESS, TEST_DIFFICULTY, mineTemplate } from '../../test/chain-helpers.ts';
import { RpcTransportError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { RpcClient } from './rpc-client.ts';
import { blockForSubmit, jobHeader } from './template-work.ts';
import { Simnet } from '../simnet/simnet.ts';
import { RpcTemplateSource, networkFromChainName } from './template-source-rpc.ts';
import type { TemplateUpdate } from './template-source.ts';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

/** Independent of core's merkle code: a naive tree over display-order hex ids with node:crypto. */
function naiveMerkleRootDisplay(displayTxids: string[]): string {
  const dsha = (b: Buffer) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
  let level: Buffer[] = displayTxids.map((h) => Buffer.from(h, 'hex').reverse());
  while (level.length > 1) {
    if (level.length % 2) level.push(level[level.length - 1]!);
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(dsha(Buffer.concat([level[i]!, level[i + 1]!])));
    level = next;
  }
  return Buffer.from(level[0]!).reverse().toString('hex');
}

/** A loopback JSON-RPC node answering from a function; a handler may return HOLD to keep the reply. */
const HOLD = Symbol('hold');
async function fakeNode(handler: (method: string, params: unknown[]) => unknown): Promise<{ url: string; server: Server; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { id, method, params } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; method: string; params: unknown[] };
      calls.push(method + (method === 'getblocktemplate' && (params[0] as { longpollid?: string })?.longpollid ? '+lp' : ''));
      let out: unknown;
      try {
        out = handler(method, params);
      } catch (err) {
        const e = err as { code?: number; message: string };
        res.statusCode = 500;
        res.end(JSON.stringify({ result: null, error: { code: e.code ?? -1, message: e.message }, id }));
        return;
      }
      if (out === HOLD) return;
      res.end(JSON.stringify({ result: out, error: null, id }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server, calls };
}

interface RecordedJob {
  coinb1: string;
  coinb2: string;
  extranonce1: string;
  extranonce2: string;
  merkleBranch: string[];
  coinbaseHash: string;
  merkleRoot: string;
  blockHash: string;
  /** The header nonce, 8 hex digits of its u32 value (Stratum's form). */
  nonce: string;
  blockHex: string;
}

const rpcFailure = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('RpcTemplateSource', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const clientFor = (url: string, extra: Partial<ConstructorParameters<typeof RpcClient>[0]> = {}) => {
    const c = new RpcClient({ url, user: 'u', password: 'p', logger: silentLogger, backoffMs: 5, retries: 0, ...extra });
    cleanups.push(() => c.close());
    return c;
  };
  const sourceFor = (client: RpcClient, extra: Partial<ConstructorParameters<typeof RpcTemplateSource>[0]> = {}) => {
    const s = new RpcTemplateSource({ client, pollSeconds: 60, logger: silentLogger, ...extra });
    cleanups.push(() => s.stop());
    return s;
  };
  const closeServer = (server: Server) =>
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );

  describe('with simnet', () => {
    async function simnetSource(pollSeconds = 60, extra: Partial<ConstructorParameters<typeof RpcTemplateSource>[0]> = {}) {
      const dataDir = mkdtempSync(join(tmpdir(), 'otedama-tsrc-'));
      const simnet = new Simnet({ dataDir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 5_000_000_000, logger: silentLogger });
      await simnet.start();
      cleanups.push(async () => {
        await simnet.stop();
        rmSync(dataDir, { recursive: true, force: true });
      });
      const client = clientFor(simnet.rpcUrl, { user: undefined, password: undefined, cookieFile: simnet.cookieFile });
      const source = sourceFor(client, { pollSeconds, ...extra });
      const updates: TemplateUpdate[] = [];
      source.onTemplate((u) => updates.push(u));
      await source.start();
      return { simnet, client, source, updates };
    }

    it('starts with the first template and learns the network', async () => {
      const { source, updates } = await simnetSource();
      expect(source.network).toBe('regtest');
      expect(source.current()?.height).toBe(1);
      expect(updates).toHaveLength(1);
      expect(updates[0]!.newBlock).toBe(true);
      await source.start();
      expect(updates).toHaveLength(1);
    });

    it('long-poll delivers a block found elsewhere at once (polling every 60 s)', async () => {
      const { source, updates, client } = await simnetSource(60);
      const block = await mineTemplate(source.current()!);
      expect(await client.call('submitblock', [block.hex])).toBeNull();
      await expect.poll(() => updates.length, { timeout: 5000 }).toBe(2);
      expect(updates[1]!.newBlock).toBe(true);
      expect(updates[1]!.template.height).toBe(2);
      expect(bytesToHex(reverseBytes(updates[1]!.template.prevHash))).toBe(block.hashHex);
    });

    it('names the coin blocks passed over when the tip jumps (blocks found within one round trip), at most MAX_PASSED_BLOCKS', async () => {
      // No long-poll: the source hears of blocks found elsewhere only when it asks, as when two
      // come within one long-poll round trip.
      const { source, updates, client } = await simnetSource(60, { longPoll: false });
      const elsewhere = async () => {
        const block = await mineTemplate(parseBlockTemplate(await client.call('getblocktemplate', [{ rules: ['segwit'] }])));
        expect(await client.call('submitblock', [block.hex])).toBeNull();
        return block;
      };
      const header = async (hashHex: string) => client.call<{ bits: string }>('getblockheader', [hashHex, true]);
      const internal = (hashHex: string) => bytesToHex(reverseBytes(hexToBytes(hashHex)));
      const passedOf = (u: TemplateUpdate) => u.passed?.map((p) => ({ hash: bytesToHex(p.hash), nextHeight: p.nextHeight, nextBits: p.nextBits.toString(16).padStart(8, '0') }));

      // One block passed: block 1 found elsewhere, block 2 through the source (which asks at once).
      const b1 = await elsewhere();
      expect(updates).toHaveLength(1);
      const b2 = await mineTemplate(parseBlockTemplate(await client.call('getblocktemplate', [{ rules: ['segwit'] }])));
      expect(await source.submitBlock(b2.hex)).toEqual({ accepted: true });
      await expect.poll(() => updates.length, { timeout: 5000 }).toBe(2);
      expect(updates[1]!.template.height).toBe(3);
      expect(passedOf(updates[1]!)).toEqual([{ hash: internal(b1.hashHex), nextHeight: 2, nextBits: (await header(b2.hashHex)).bits }]);

      // Three passed (blocks 3, 4, 5): the newest two are named, oldest first.
      await elsewhere();
      const b4 = await elsewhere();
      const b5 = await elsewhere();
      const b6 = await mineTemplate(parseBlockTemplate(await client.call('getblocktemplate', [{ rules: ['segwit'] }])));
      expect(await source.submitBlock(b6.hex)).toEqual({ accepted: true });
      await expect.poll(() => updates.length, { timeout: 5000 }).toBe(3);
      expect(updates[2]!.template.height).toBe(7);
      expect(passedOf(updates[2]!)).toEqual([
        { hash: internal(b4.hashHex), nextHeight: 5, nextBits: (await header(b5.hashHex)).bits },
        { hash: internal(b5.hashHex), nextHeight: 6, nextBits: (await header(b6.hashHex)).bits },
      ]);

      // A tip that moved by one block names none.
      await source.submitBlock((await mineTemplate(source.current()!)).hex);
      await expect.poll(() => updates.length, { timeout: 5000 }).toBe(4);
      expect(updates[3]!.passed).toBeUndefined();
    });

    it('submitBlock reports accepted, duplicate and bitcoind reject reasons', async () => {
      const { source, simnet } = await simnetSource();
      const t = source.current()!;
      const block = await mineTemplate(t);
      expect(await source.submitBlock(block.hex)).toEqual({ accepted: true });
      expect(await source.submitBlock(block.hex)).toEqual({ accepted: true, reason: 'duplicate' });
      const stale = await mineTemplate(t, undefined, new Uint8Array(8).fill(2));
      expect(await source.submitBlock(stale.hex)).toEqual({ accepted: false, reason: 'inconclusive' });
      expect(await source.submitBlock('00')).toEqual({ accepted: false, reason: 'rpc error -22: Block decode failed' });
      await expect.poll(() => source.current()?.height, { timeout: 5000 }).toBe(2);
      expect(simnet.chain.balance(PAYOUT_ADDRESS)).toBe(5_000_000_000n);
    });
  });

  describe('recorded bitcoind templates', () => {
    const cases: [string, string, Network, string][] = [
      ['gbt-testnet3-1633977.json', 'test', 'testnet', 'tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54'],
      ['gbt-regtest-240.json', 'regtest', 'regtest', PAYOUT_ADDRESS],
      ['gbt-regtest-26-empty.json', 'regtest', 'regtest', 'mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc'],
    ];

    it.each(cases)('%s: parse, coinbase, merkle branch and root', async (file, chain, network, payout) => {
      const recorded = fixture(file) as Record<string, unknown>;
      const result = (recorded.result ?? recorded) as Record<string, unknown> & { transactions: { data: string; txid: string; hash: string }[] };
      const node = await fakeNode((method) => (method === 'getblockchaininfo' ? { chain } : result));
      closeServer(node.server);
      const source = sourceFor(clientFor(node.url), { longPoll: false });
      await source.start();
      expect(source.network).toBe(network);
      const t = source.current()!;

      // Parsing.
      expect(t.height).toBe(result.height);
      expect(t.coinbaseValue).toBe(BigInt(result.coinbasevalue as number));
      expect(bytesToHex(reverseBytes(t.prevHash))).toBe(result.previousblockhash);
      expect(t.target).toBe(BigInt('0x' + (result.target as string)));
      expect(t.transactions.map((x) => bytesToHex(reverseBytes(x.txid)))).toEqual(result.transactions.map((x) => x.txid));
      // The recording is real: each hash is the wtxid of its data, and the commitment covers them.
      const wtxids = result.transactions.map((x) => wtxid(parseTx(hexToBytes(x.data)).tx));
      expect(wtxids.map((w) => bytesToHex(reverseBytes(w)))).toEqual(result.transactions.map((x) => x.hash));
      expect(bytesToHex(witnessCommitmentScript(witnessMerkleRoot(wtxids)))).toBe(result.default_witness_commitment);

      // Coinbase: pays exactly the coinbase value, carries the node's commitment last.
      const parts = buildCoinbaseParts(t, { outputs: [{ script: addressToScript(payout, network), value: t.coinbaseValue }], extranonceBytes: 8, tag: '/otedama/' });
      const coinbase = assembleCoinbase(parts.coinb1, hexToBytes('f0000001'), hexToBytes('00000007'), parts.coinb2);
      const cbTx = parseTx(coinbase).tx;
      expect(cbTx.outputs.reduce((s, o) => s + o.value, 0n)).toBe(BigInt(result.coinbasevalue as number));
      expect(bytesToHex(cbTx.outputs[cbTx.outputs.length - 1]!.script)).toBe(result.default_witness_commitment);

      // Merkle: the Stratum branch folds to the root a full tree over all txids gives.
      const branch = jobMerkleBranch(t);
      const root = merkleRootFromBranch(coinbaseHash(coinbase), branch);
      const all = [bytesToHex(reverseBytes(coinbaseHash(coinbase))), ...result.transactions.map((x) => x.txid)];
      expect(bytesToHex(reverseBytes(root))).toBe(naiveMerkleRootDisplay(all));
      expect(branch.length).toBe(Math.ceil(Math.log2(all.length)));

      // The block for submitblock: header, witness coinbase, the node's transactions verbatim.
      const header = serializeHeader({ version: t.version, prevHash: t.prevHash, merkleRoot: root, time: t.curtime, bits: t.bits, nonce: 0 });
      const block = parseBlock(serializeBlock(header, coinbase, t));
      expect(block.txs.length).toBe(1 + t.transactions.length);
      expect(block.txs[0]!.hasWitness).toBe(true);
      block.txs.slice(1).forEach((x, i) => expect(bytesToHex(x.raw)).toBe(result.transactions[i]!.data));
    });

    it("gbt-regtest-240: reproduces js2pool's recorded merkle branch, root and block hash", () => {
      const job = fixture('gbt-regtest-240.job.json') as RecordedJob;
      const tpl = parseBlockTemplate(fixture('gbt-regtest-240.json'), { verifyTxids: true });
      expect(jobMerkleBranch(tpl).map(bytesToHex)).toEqual(job.merkleBranch);
      const coinbase = assembleCoinbase(hexToBytes(job.coinb1), hexToBytes(job.extranonce1), hexToBytes(job.extranonce2), hexToBytes(job.coinb2));
      expect(bytesToHex(coinbaseHash(coinbase))).toBe(job.coinbaseHash); // recorded in internal order
      const root = merkleRootFromBranch(coinbaseHash(coinbase), jobMerkleBranch(tpl));
      expect(bytesToHex(reverseBytes(root))).toBe(job.merkleRoot);
      const block = parseBlock(hexToBytes(job.blockHex));
      expect(blockHashDisplay(block.header)).toBe(job.blockHash);
      expect(hashMeetsTarget(headerHash(block.header), bitsToTarget(tpl.bits))).toBe(true);
      expect(bytesToHex(block.header.slice(36, 68))).toBe(bytesToHex(root));
      expect(block.txs.slice(1).map((x) => bytesToHex(x.raw))).toEqual(tpl.transactions.map((x) => bytesToHex(x.data)));
      // The SHA-256d module's job header is the recorded header before its nonce.
      expect(withNonce(jobHeader(SHA256D, tpl, root), parseInt(job.nonce, 16))).toEqual(block.header);
      const submitted = parseBlock(blockForSubmit(SHA256D, block.header, coinbase, tpl));
      expect(submitted.header).toEqual(block.header);
      expect(submitted.txs.map((x) => bytesToHex(x.tx.inputs[0]!.prevTxid))).toEqual(block.txs.map((x) => bytesToHex(x.tx.inputs[0]!.prevTxid)));
    });
  });

  describe('polling and long-poll against a scripted node', () => {
    const base = fixture('gbt-regtest-26-empty.json') as Record<string, unknown>;
    const prev2 = '11'.repeat(32);
    /** A started source on a scripted node, polling every 50 ms, with the updates it emitted. */
    async function pollingSource(node: Awaited<ReturnType<typeof fakeNode>>) {
      closeServer(node.server);
      const source = sourceFor(clientFor(node.url), { pollSeconds: 0.05 });
      const updates: TemplateUpdate[] = [];
      source.onTemplate((u) => updates.push(u));
      await source.start();
      return { source, updates };
    }

    it('emits on content changes only, and newBlock only when the tip moves', async () => {
      let tpl: Record<string, unknown> = { ...base };
      delete tpl.longpollid;
      const node = await fakeNode((m) => (m === 'getblockchaininfo' ? { chain: 'regtest' } : tpl));
      const { source, updates } = await pollingSource(node);
      tpl = { ...tpl, curtime: (tpl.curtime as number) + 5 };
      await new Promise((r) => setTimeout(r, 200));
      expect(updates).toHaveLength(1);
      expect(source.current()!.curtime).toBe(tpl.curtime);
      tpl = { ...tpl, coinbasevalue: 5_000_001_000 };
      await expect.poll(() => updates.length).toBe(2);
      expect(updates[1]!.newBlock).toBe(false);
      tpl = { ...tpl, previousblockhash: prev2, height: 27 };
      await expect.poll(() => updates.length).toBe(3);
      expect(updates[2]!.newBlock).toBe(true);
      expect(node.calls.filter((c) => c.endsWith('+lp'))).toEqual([]);
    });

    it("a node's malformed or failing header answers cost only the lookup: the template still goes out", async () => {
      let tpl: Record<string, unknown> = { ...base };
      delete tpl.longpollid;
      let header: unknown = null;
      const node = await fakeNode((m) => {
        if (m === 'getblockchaininfo') return { chain: 'regtest' };
        if (m === 'getblockheader') {
          if (header instanceof Error) throw header;
          return header;
        }
        return tpl;
      });
      const { updates } = await pollingSource(node);
      const answers: unknown[] = [
        null,
        { height: 28, bits: 'zz', previousblockhash: prev2 },
        { height: 28, bits: '207fffff', previousblockhash: 'not-a-hash' },
        { height: -1, bits: '207fffff', previousblockhash: prev2 },
        { height: 5, bits: '207fffff', previousblockhash: prev2 },
        rpcFailure(-5, 'Block not found'),
      ];
      for (const [i, answer] of answers.entries()) {
        header = answer;
        // The tip jumps by two blocks each time: a lookup is due, and fails.
        tpl = { ...tpl, previousblockhash: String(i + 2).padStart(2, '0').repeat(32), height: (tpl.height as number) + 3 };
        await expect.poll(() => updates.length).toBe(i + 2);
        expect(updates[i + 1]!.newBlock).toBe(true);
        expect(updates[i + 1]!.passed).toBeUndefined();
      }
      expect(node.calls.filter((c) => c.startsWith('getblockheader')).length).toBeGreaterThanOrEqual(answers.length);
    });

    it('falls back to polling when the node refuses long-poll', async () => {
      let tpl: Record<string, unknown> = { ...base };
      const node = await fakeNode((m, p) => {
        if (m === 'getblockchaininfo') return { chain: 'regtest' };
        if ((p[0] as { longpollid?: string }).longpollid) throw rpcFailure(-8, 'longpoll not supported');
        return tpl;
      });
      const { updates } = await pollingSource(node);
      tpl = { ...tpl, previousblockhash: prev2, height: 27, longpollid: 'next' };
      await expect.poll(() => updates.length).toBe(2);
      expect(node.calls.filter((c) => c.endsWith('+lp')).length).toBe(1);
    });

    it('holds a long-poll until the node answers, and stop() cancels it', async () => {
      let release: (() => void) | undefined;
      const tpl: Record<string, unknown> = { ...base };
      const node = await fakeNode((m, p) => {
        if (m === 'getblockchaininfo') return { chain: 'regtest' };
        if ((p[0] as { longpollid?: string }).longpollid) {
          release = () => undefined;
          return HOLD;
        }
        return tpl;
      });
      closeServer(node.server);
      const source = sourceFor(clientFor(node.url), { pollSeconds: 60 });
      await source.start();
      await expect.poll(() => release !== undefined).toBe(true);
      const started = Date.now();
      await source.stop();
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('waits through -28 warmup, then starts', async () => {
      let warm = 3;
      const node = await fakeNode((m) => {
        if (warm-- > 0) throw rpcFailure(-28, 'Loading block index...');
        return m === 'getblockchaininfo' ? { chain: 'regtest' } : base;
      });
      closeServer(node.server);
      const source = sourceFor(clientFor(node.url), { longPoll: false });
      await source.start();
      expect(source.current()?.height).toBe(26);
    });

    it('start() rejects with the reason: unreachable, a bad template, an unknown chain', async () => {
      const dead = await fakeNode(() => null);
      const url = dead.url;
      await new Promise<void>((r) => dead.server.close(() => r()));
      const unreachable = sourceFor(clientFor(url), { startTimeoutMs: 300 });
      await expect(unreachable.start()).rejects.toBeInstanceOf(RpcTransportError);

      const garbage = await fakeNode((m) => (m === 'getblockchaininfo' ? { chain: 'regtest' } : { ...base, bits: 'nope' }));
      closeServer(garbage.server);
      const bad = sourceFor(clientFor(garbage.url));
      const err = await bad.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTemplateError);
      expect((err as InvalidTemplateError).field).toBe('bits');

      const alien = await fakeNode(() => ({ chain: 'dogecoin' }));
      closeServer(alien.server);
      await expect(sourceFor(clientFor(alien.url)).start()).rejects.toThrow(/unknown chain "dogecoin"/);
    });
  });

  it('maps bitcoind chain names to networks', () => {
    expect(networkFromChainName('main')).toBe('mainnet');
    expect(networkFromChainName('test')).toBe('testnet');
    expect(networkFromChainName('testnet4')).toBe('testnet');
    expect(networkFromChainName('signet')).toBe('testnet');
    expect(networkFromChainName('regtest')).toBe('regtest');
  });
});

