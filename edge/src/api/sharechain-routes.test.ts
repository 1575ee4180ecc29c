/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of API answers */
/**
 * /api/sharechain and friends through app.request(), over a real P2pNode and a real ShareChain
 * holding mined shares.
 */
import { bytesToHex } from '@otedama/core';
import { Hono } from 'hono';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.ts';
import { edgeNetwork, type EdgeNetwork } from '../p2p/edge-network.ts';
import type { P2pNode } from '../p2p/p2p-node.ts';
import { chainHost, minerOn, startTestNode, testNetwork } from '../p2p/p2p-test-kit.ts';
import { openStorage, type Storage } from '../storage/open-storage.ts';
import { createApiRoutes } from './api.ts';

const net = testNetwork();
let dir: string;
let storage: Storage;
let node: P2pNode;
let network: EdgeNetwork;
const host = chainHost(net);
minerOn(net, host).mine(3);
const sharechain = { params: net.params, chain: host.chain, host, stop: () => undefined };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otedama-sharechain-api-'));
  storage = await openStorage({ dataDir: dir });
  node = await startTestNode(host);
  network = edgeNetwork(sharechain, node);
});
afterEach(async () => {
  await network.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function app(source: EdgeNetwork = network): Hono {
  const a = new Hono();
  createApiRoutes({
    store: storage.store,
    pool: { feePercent: 1, minPayoutSats: 1_000_000n, pplnsWindow: 100, feeAddress: 'x', network: 'regtest' },
    dataDir: dir,
    sharechain: source,
    rateLimitPerMinute: 1000,
    logger: silentLogger,
  })(a);
  return a;
}
const fromIp = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe('GET /api/sharechain', () => {
  it('answers the pool id, this node, its peers, the tip, the window and the sync state', async () => {
    const res = await app().request('/api/sharechain');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as any;
    expect(body).toEqual({
      poolId: bytesToHex(host.poolId),
      peerId: node.peerId,
      listen: node.listenAddresses(),
      peers: 0,
      admittedPeers: 0,
      bans: 0,
      tip: { id: bytesToHex(host.chain.tip!.id), height: 2 },
      windowShares: 3,
      sync: { state: 'idle', shares: 0, batches: 0 },
      nextPayouts: null,
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
    const off = edgeNetwork(sharechain, undefined);
    const res = await app(off).request('/api/sharechain/sync', { method: 'POST' }, fromIp('127.0.0.1'));
    expect(res.status).toBe(409);
    expect(((await res.json()) as any).error).toEqual({ code: 'p2p_disabled', message: expect.stringMatching(/runs without its libp2p node/) });
    expect(off.summary()).toMatchObject({ peerId: null, listen: [], peers: 0, tip: { height: 2 } });
    const unknown = await app().request('/api/sharechain/nope');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('not_found');
  });
});
