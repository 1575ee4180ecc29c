/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of API answers */
/**
 * /api/sharechain and friends through app.request(), over a real P2pNode and a real ShareChain
 * holding mined shares.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { bitsToTarget, bytesToHex, scriptToAddress } from '@otedama/core';
import { payee } from '../../../core/test/sharechain-fixtures.ts';
import { TestTemplateSource, makeTemplate } from '../../test/stratum-harness.ts';
import { Hono } from 'hono';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.ts';
import { edgeNetwork, type EdgeNetwork } from '../p2p/edge-network.ts';
import { createPoolChain } from '../p2p/pool-chain.ts';
import type { P2pNode } from '../p2p/p2p-node.ts';
import { chainHost, minerOn, startTestNode, testNetwork } from '../p2p/p2p-test-kit.ts';
import { openStorage, type Storage } from '../storage/open-storage.ts';
import { createApiRoutes } from './api.ts';

const net = testNetwork();
let dir: string;
let storage: Storage;
let node: P2pNode;
let network: EdgeNetwork;
// The edge's sharechain over a template on the test network's coin tip, with 3 mined shares.
const { info } = net.tip;
const source = new TestTemplateSource({ ...makeTemplate(), prevHash: net.tip.prevHash, height: info.height, bits: info.bits, target: bitsToTarget(info.bits), coinbaseValue: info.maxReward });
const sharechain = await createPoolChain({ params: net.params, source, logger: silentLogger });
const host = sharechain.host;
minerOn({ ...net, coin: sharechain.coin }, host).mine(3);
const view = { network: 'regtest' as const, template: () => source.current(), bootstrap: 0, logger: silentLogger };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otedama-sharechain-api-'));
  storage = await openStorage({ dataDir: dir });
  node = await startTestNode(host);
  network = edgeNetwork(sharechain, node, view);
});
afterEach(async () => {
  await network.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = 'ab12'.repeat(16);

function app(source: EdgeNetwork = network): Hono {
  const a = new Hono();
  createApiRoutes({
    store: storage.store,
    pool: { feeBp: 100, minPayoutSats: 1_000_000n, feeAddress: 'x', network: 'regtest' },
    dataDir: dir,
    sharechain: source,
    adminToken: { matches: (h) => h === `Bearer ${TOKEN}` },
    rateLimitPerMinute: 1000,
    logger: silentLogger,
  })(a);
  return a;
}
const fromIp = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe('GET /api/sharechain', () => {
  it('answers the pool id, this node, its peers, the tip, the window, the sync state and what the next block pays', async () => {
    const res = await app().request('/api/sharechain');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as any;
    expect(body).toEqual({
      poolId: bytesToHex(host.poolId),
      // This node serves no browser peers (no template publisher): no parameters for pages.
      params: null,
      network: 'regtest',
      templatesPublished: 0,
      peerId: node.peerId,
      listen: node.listenAddresses(),
      peers: 0,
      admittedPeers: 0,
      bans: 0,
      blocked: 0,
      tip: { id: bytesToHex(host.chain.tip!.id), height: 2 },
      windowShares: 3,
      heldShares: 3,
      sync: { state: 'idle', shares: 0, batches: 0 },
      serving: false,
      // Every share paid payee 1: it is owed the whole reward.
      nextPayouts: [{ address: scriptToAddress(payee(1).script, 'regtest'), sats: Number(info.maxReward), kind: 'direct', probability: 1, fraction: 1 }],
      nextBlock: { rewardSats: Number(info.maxReward), thresholdSats: Number(net.params.minPayoutSats), minPayoutSats: Number(net.params.minPayoutSats) },
    });
    expect(body.listen[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${node.peerId}$`));
    expect(await (await app().request('/api/sharechain/peers')).json()).toEqual({ peers: [] });
  });

  it('starts a re-sync only for loopback clients; with no peer it ends at once and says why', async () => {
    const denied = await app().request('/api/sharechain/sync', { method: 'POST' }, fromIp('203.0.113.9'));
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as any).error.code).toBe('forbidden');
    const res = await app().request('/api/sharechain/sync', { method: 'POST' }, fromIp('127.0.0.1'));
    expect(res.status).toBe(202);
    await expect.poll(() => network.summary().sync.state).toBe('failed');
    expect(network.summary().sync.message).toBe('no admitted peer to sync from');
    expect((await app().request('/api/sharechain/sync/cancel', { method: 'POST' }, fromIp('::1'))).status).toBe(200);
  });

  it('answers 409 to a re-sync with p2p off, and 404 to unknown routes', async () => {
    const off = edgeNetwork(sharechain, undefined, view);
    const res = await app(off).request('/api/sharechain/sync', { method: 'POST' }, fromIp('127.0.0.1'));
    expect(res.status).toBe(409);
    expect(((await res.json()) as any).error).toEqual({ code: 'p2p_disabled', message: expect.stringMatching(/runs without its libp2p node/) });
    expect(off.summary()).toMatchObject({ peerId: null, listen: [], peers: 0, tip: { height: 2 } });
    const unknown = await app().request('/api/sharechain/nope');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('not_found');
  });
});

describe('the operator blocks and unblocks a peer (admin API)', () => {
  const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const post = (path: string, body: unknown, headers: Record<string, string> = admin, ip = '127.0.0.1') =>
    app().request(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }, fromIp(ip));
  const errorOf = async (res: Response) => ({ status: res.status, ...((await res.json()) as any).error });

  it('cuts a connected peer off and refuses its redial until unblocked; GET /api/sharechain/bans lists it', async () => {
    const other = await startTestNode(chainHost(net));
    try {
      await other.raw.dial(node.raw.getMultiaddrs()[0]!);
      await expect.poll(() => node.peers().map((p) => p.id)).toContain(other.peerId);
      const blocked = await post('/api/admin/peers/block', { peer: other.peerId, reason: 'partition test' });
      expect(blocked.status).toBe(200);
      expect(await blocked.json()).toEqual({ peer: other.peerId, reason: 'partition test', untilMs: null, disconnected: true });
      await expect.poll(() => node.peers().map((p) => p.id)).not.toContain(other.peerId);
      // Its redial is refused once Noise has named it (the dialer may see the connection open, then closed).
      await other.raw.dial(node.raw.getMultiaddrs()[0]!).catch(() => undefined);
      await expect.poll(() => other.raw.getConnections(node.raw.peerId).length).toBe(0);
      expect(node.peers().map((p) => p.id)).not.toContain(other.peerId);
      expect(network.summary()).toMatchObject({ blocked: 1, bans: 0 });
      expect(await (await app().request('/api/sharechain/bans')).json()).toEqual({
        bans: [],
        blocks: [{ peer: other.peerId, reason: 'partition test', untilMs: null, source: 'operator' }],
      });

      const let_ = await post('/api/admin/peers/unblock', { peer: other.peerId });
      expect(await let_.json()).toEqual({ peer: other.peerId, wasBlocked: true, wasBanned: false });
      await other.raw.dial(node.raw.getMultiaddrs()[0]!);
      await expect.poll(() => node.peers().map((p) => p.id)).toContain(other.peerId);
      // A timed block ends by itself.
      expect(await (await post('/api/admin/peers/block', { peer: other.peerId, seconds: 60 })).json()).toMatchObject({ untilMs: expect.any(Number), reason: 'blocked by the operator' });
      expect(await (await post('/api/admin/peers/unblock', { peer: other.peerId })).json()).toMatchObject({ wasBlocked: true });
      expect(await (await post('/api/admin/peers/unblock', { peer: other.peerId })).json()).toMatchObject({ wasBlocked: false, wasBanned: false });
    } finally {
      await other.stop();
    }
  });

  it('needs loopback and the admin token; malformed requests get a reason; 409 with p2p off', async () => {
    const valid = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    expect(await errorOf(await post('/api/admin/peers/block', { peer: valid }, { 'content-type': 'application/json' }))).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await errorOf(await post('/api/admin/peers/block', { peer: valid }, admin, '203.0.113.9'))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await errorOf(await post('/api/admin/peers/block', 'not json'))).toMatchObject({ status: 400, code: 'invalid_body' });
    expect(await errorOf(await post('/api/admin/peers/block', [valid]))).toMatchObject({ status: 400, code: 'invalid_body' });
    expect(await errorOf(await post('/api/admin/peers/block', {}))).toMatchObject({ status: 400, code: 'invalid_peer', message: expect.stringMatching(/peer is missing/) });
    expect(await errorOf(await post('/api/admin/peers/block', { peer: '12D3KooWnope' }))).toMatchObject({ status: 400, code: 'invalid_peer', message: expect.stringMatching(/not a libp2p peer id/) });
    expect(await errorOf(await post('/api/admin/peers/block', { peer: valid, seconds: 0 }))).toMatchObject({ status: 400, field: 'seconds' });
    expect(await errorOf(await post('/api/admin/peers/block', { peer: valid, seconds: '10' }))).toMatchObject({ status: 400, field: 'seconds' });
    expect(await errorOf(await post('/api/admin/peers/block', { peer: valid, reason: 'x'.repeat(201) }))).toMatchObject({ status: 400, field: 'reason' });
    expect(await errorOf(await post('/api/admin/peers/block', { peer: valid, pad: 'x'.repeat(2000) }))).toMatchObject({ status: 413, code: 'body_too_large' });
    expect(await errorOf(await post('/api/admin/peers/block', { peer: node.peerId }))).toMatchObject({ status: 400, message: expect.stringMatching(/cannot block itself/) });
    expect(network.summary().blocked).toBe(0);
    const off = await app(edgeNetwork(sharechain, undefined, view)).request('/api/admin/peers/unblock', { method: 'POST', headers: admin, body: JSON.stringify({ peer: valid }) }, fromIp('::1'));
    expect(await errorOf(off)).toMatchObject({ status: 409, code: 'p2p_disabled' });
  });
});
