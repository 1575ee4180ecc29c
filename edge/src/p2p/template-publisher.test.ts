/**
 * Templates between real libp2p nodes on 127.0.0.1, from a real simnet: the edge gossips each
 * template signed with its key (a page verifies it with the edge's peer id alone), re-issues it
 * before it goes stale, answers template requests, archives what it published, charges a peer
 * for a malformed request, and answers nothing to a peer that has not proved the pool id.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import {
  bytesEqual,
  bytesToHex,
  decodeTemplate,
  decodeTemplateResponse,
  encodeTemplateRequest,
  jobMerkleBranch,
  templateIdOf,
  templateProtocol,
  templatesTopic,
  type SignedTemplate,
} from '@otedama/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { connectChain, type ChainConnection } from '../chain/chain.ts';
import { defaultConfig } from '../config/config.ts';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { silentLogger } from '../logger.ts';
import type { P2pNode } from './p2p-node.ts';
import { addrOf, bareNode, emptyChainHost, startTestNode } from './p2p-test-kit.ts';
import { TemplateArchive } from './template-archive.ts';
import { TemplatePublisher } from './template-publisher.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function simnet(): Promise<ChainConnection> {
  const dir = mkdtempSync(join(tmpdir(), 'otedama-templates-'));
  const base = defaultConfig({});
  const conn = await connectChain({ dataDir: dir, chain: { ...base.chain, pollSeconds: 1, simnet: { rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 50 * 100_000_000 } } }, silentLogger);
  cleanup.push(async () => {
    await conn.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return conn;
}

async function node(...args: Parameters<typeof startTestNode>): Promise<P2pNode> {
  const n = await startTestNode(...args);
  cleanup.push(() => n.stop());
  return n;
}

async function request(from: Pick<P2pNode['raw'], 'dialProtocol'>, to: string, pool: Uint8Array, frame = encodeTemplateRequest()) {
  const stream = await from.dialProtocol(peerIdFromString(to), templateProtocol(pool));
  const lp = lpStream(stream);
  await lp.write(frame);
  return decodeTemplateResponse((await lp.read()).subarray());
}

describe('template publisher', () => {
  it('gossips signed templates of the coin node, re-issues them, answers requests and archives them', async () => {
    const chain = await simnet();
    const host = emptyChainHost('pool A');
    const privateKey = await generateKeyPair('Ed25519');
    const archive = new TemplateArchive();
    const publisher = new TemplatePublisher({ poolId: host.poolId, privateKey, source: chain.source, archive, logger: silentLogger, validForMs: 2000 });
    const edge = await node(host, { privateKey, extensions: [publisher] });
    const page = await node(emptyChainHost('pool A'), { bootstrap: [addrOf(edge)] });
    const heard: SignedTemplate[] = [];
    page.raw.services.pubsub.addEventListener('message', (e) => {
      if (e.detail.topic === templatesTopic(host.poolId)) heard.push(decodeTemplate(e.detail.data));
    });
    page.raw.services.pubsub.subscribe(templatesTopic(host.poolId));
    await expect.poll(() => page.isAdmitted(edge.peerId), { timeout: 10_000 }).toBe(true);

    // Re-issued every half of its validity: at least two arrive within a few seconds.
    await expect.poll(() => heard.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const coin = chain.source.current()!;
    const edgeKey = peerIdFromString(edge.peerId).publicKey!;
    for (const t of heard) {
      expect(await edgeKey.verify(t.signedBytes, t.signature)).toBe(true);
      expect(bytesEqual(t.template.signer, peerIdFromString(edge.peerId).toMultihash().bytes)).toBe(true);
      expect(t.template).toMatchObject({ height: coin.height, bits: coin.bits, reward: coin.coinbaseValue, validForMs: 2000 });
      expect(t.template.mandatedOutputs.map(bytesToHex)).toEqual([bytesToHex(coin.defaultWitnessCommitment!)]);
      expect(t.template.merkleBranch.map(bytesToHex)).toEqual(jobMerkleBranch(coin).map(bytesToHex));
    }
    expect(heard[1]!.template.issuedAt).toBeGreaterThan(heard[0]!.template.issuedAt);
    // Archived with its transactions (the node re-polls: the archive holds an equal template, not the same object).
    expect(bytesToHex(archive.get(templateIdOf(heard[0]!.template))!.prevHash)).toBe(bytesToHex(coin.prevHash));

    // A request gets the latest.
    const res = await request(page.raw, edge.peerId, host.poolId);
    expect(res.type).toBe('template');
    expect(res.type === 'template' && res.template.template.height).toBe(coin.height);

    // A malformed request is answered with the reason and costs the peer.
    const bad = await request(page.raw, edge.peerId, host.poolId, Uint8Array.of(9, 9)).catch((e: Error) => e);
    expect(bad instanceof Error || (bad.type === 'error' && /single byte 0x01/.test(bad.text))).toBe(true);
    await expect.poll(() => edge.guard.penalty(page.peerId), { timeout: 5000 }).toBeGreaterThan(0);
  });

  it('answers no template request of a peer that has not proved the pool id', async () => {
    const chain = await simnet();
    const host = emptyChainHost('pool A');
    const privateKey = await generateKeyPair('Ed25519');
    const publisher = new TemplatePublisher({ poolId: host.poolId, privateKey, source: chain.source, archive: new TemplateArchive(), logger: silentLogger });
    const edge = await node(host, { privateKey, extensions: [publisher] });
    const bare = await bareNode();
    cleanup.push(async () => bare.stop());
    await bare.dial(multiaddr(addrOf(edge)));
    const answer = await request(bare, edge.peerId, host.poolId).then(
      () => 'answered',
      (err: Error) => `no answer (${err.name})`,
    );
    expect(answer).toMatch(/^no answer/);
    expect(publisher.latest()).toBeDefined();
  });
});
