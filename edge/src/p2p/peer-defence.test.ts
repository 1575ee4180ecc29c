/**
 * Hostile peers over real libp2p connections on 127.0.0.1. Each hostile peer is a real P2pNode
 * of the same pool (it passes the handshake) whose libp2p node the test then drives to
 * misbehave with raw streams or raw publishes: oversized gossip frames and messages, oversized
 * and malformed sync requests, request floods. Each is answered, charged, cut off and banned as
 * peer-guard.ts says, and its redial is refused.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import {
  decodeSyncResponse,
  encodeSyncRequest,
  MAX_GOSSIP_DATA_BYTES,
  MAX_GOSSIP_FRAME_BYTES,
  MAX_SYNC_REQUEST_BYTES,
  sharesTopic,
  syncProtocol,
  type SyncResponse,
} from '@otedama/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../metrics/metrics.ts';
import { createP2pMetrics } from '../metrics/p2p-metrics.ts';
import type { P2pNode } from './p2p-node.ts';
import { addrOf, emptyChainHost, frame, startTestNode } from './p2p-test-kit.ts';
import { BAN_SCORE, PENALTY } from './peer-guard.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

const chain = emptyChainHost('pool A');

/** A victim and a hostile peer of its pool, admitted to each other. */
async function pair(options: Parameters<typeof startTestNode>[1] = {}): Promise<{ victim: P2pNode; hostile: P2pNode; metrics: ReturnType<typeof createP2pMetrics> }> {
  const metrics = createP2pMetrics(new MetricsRegistry());
  const victim = await startTestNode(chain, { metrics, ...options });
  cleanup.push(() => victim.stop());
  const hostile = await startTestNode(chain, { bootstrap: [addrOf(victim)], bootstrapRedialMs: 60_000 });
  cleanup.push(() => hostile.stop());
  await expect.poll(() => victim.isAdmitted(hostile.peerId) && hostile.isAdmitted(victim.peerId), { timeout: 10_000 }).toBe(true);
  // Gossip flows once each side has the other's subscription.
  const subscribed = (a: P2pNode, b: P2pNode) => a.raw.services.pubsub.getSubscribers(sharesTopic(chain.poolId)).some((p) => p.toString() === b.peerId);
  await expect.poll(() => subscribed(victim, hostile) && subscribed(hostile, victim), { timeout: 10_000 }).toBe(true);
  return { victim, hostile, metrics };
}

async function expectBannedAndCut(victim: P2pNode, hostile: P2pNode): Promise<void> {
  await expect.poll(() => victim.guard.isBanned(hostile.peerId), { timeout: 10_000 }).toBe(true);
  await expect.poll(() => victim.raw.getConnections(peerIdFromString(hostile.peerId)).length, { timeout: 10_000 }).toBe(0);
  // Its redial is refused by the gater as soon as its peer id is known (after Noise): the victim
  // never opens a connection for it, so nothing of it reaches the handshake or any protocol.
  const opened: string[] = [];
  victim.raw.addEventListener('connection:open', (evt) => opened.push(evt.detail.remotePeer.toString()));
  await hostile.raw.dial(multiaddr(addrOf(victim)), { signal: AbortSignal.timeout(5000) }).then(
    () => 'dialed',
    () => 'refused',
  );
  await expect.poll(() => hostile.raw.getConnections(peerIdFromString(victim.peerId)).length, { timeout: 10_000 }).toBe(0);
  expect(opened).not.toContain(hostile.peerId);
  expect(victim.isAdmitted(hostile.peerId)).toBe(false);
}

/** One raw sync exchange: writes `bytes` as is, reads one length-prefixed answer. */
async function rawSync(from: P2pNode, to: P2pNode, bytes: Uint8Array): Promise<SyncResponse> {
  const stream = await from.raw.dialProtocol(peerIdFromString(to.peerId), syncProtocol(chain.poolId));
  stream.send(bytes);
  const answer = await lpStream(stream).read({ signal: AbortSignal.timeout(5000) });
  await stream.close();
  return decodeSyncResponse(answer.subarray());
}

function lp(body: Uint8Array): Uint8Array {
  return Uint8Array.from([...frame(body.length, 0), ...body]);
}

describe('peer defence', () => {
  it('an oversized gossipsub frame closes the connection and bans the sender', async () => {
    const { victim, hostile, metrics } = await pair();
    const stream = await hostile.raw.dialProtocol(peerIdFromString(victim.peerId), victim.raw.services.pubsub.protocols[0]!);
    // Only the length prefix and a few bytes: the victim acts on the prefix, before reading 256 KiB.
    stream.send(frame(MAX_GOSSIP_FRAME_BYTES + 1, 64));
    await expectBannedAndCut(victim, hostile);
    expect(victim.guard.bans()).toEqual([expect.objectContaining({ peer: hostile.peerId, offence: 'oversized-frame' })]);
    expect(metrics.bansTotal.get({ offence: 'oversized-frame' })).toBe(1);
  });

  it('a gossip message over the size limit bans its publisher, unread by the chain', async () => {
    const { victim, hostile } = await pair();
    const before = chain.calls.length;
    await hostile.raw.services.pubsub.publish(sharesTopic(chain.poolId), new Uint8Array(MAX_GOSSIP_DATA_BYTES + 1));
    await expectBannedAndCut(victim, hostile);
    expect(victim.guard.bans()[0]).toMatchObject({ offence: 'oversized-message' });
    expect(chain.calls.slice(before)).not.toContain('receiveShare');
  });

  it('an oversized sync request frame closes the stream and bans', async () => {
    const { victim, hostile } = await pair();
    const stream = await hostile.raw.dialProtocol(peerIdFromString(victim.peerId), syncProtocol(chain.poolId));
    stream.send(frame(MAX_SYNC_REQUEST_BYTES + 1));
    await expectBannedAndCut(victim, hostile);
    expect(victim.guard.bans()[0]).toMatchObject({ offence: 'oversized-frame' });
  });

  it('malformed sync requests are answered with a clear error and cost score until the ban', async () => {
    const { victim, hostile } = await pair();
    const malformed: [Uint8Array, RegExp][] = [
      [Uint8Array.of(0x7f), /unknown type 0x7f/],
      [Uint8Array.of(0x02, 200), /id count is 200, must be from 1 to 64/],
      [Uint8Array.of(0x02, 2, 1, 2, 3), /share id 0 needs 32 bytes but only 3 remain/],
      [Uint8Array.of(0x03, 0, 0, 0), /max is 0, must be from 1 to 512/],
      [new Uint8Array(0), /type needs 1 byte/],
    ];
    const answers: SyncResponse[] = [];
    for (const [bytes, reason] of malformed.slice(0, -1)) {
      const res = await rawSync(hostile, victim, lp(bytes));
      answers.push(res);
      expect(res).toEqual({ type: 'error', code: 'malformed', text: expect.stringMatching(reason) });
    }
    // Four malformed requests: charged, visible in its score, not yet banned.
    const score = victim.peers().find((p) => p.id === hostile.peerId)!.score;
    expect(score).toBeLessThanOrEqual(-4 * PENALTY.malformedRequest + 1);
    expect(score).toBeGreaterThan(BAN_SCORE);
    // A well-formed request is still answered.
    expect(await rawSync(hostile, victim, lp(encodeSyncRequest({ type: 'status' })))).toEqual({ type: 'status', tip: undefined });
    const [bytes, reason] = malformed.at(-1)!;
    expect(await rawSync(hostile, victim, lp(bytes)).catch(() => undefined)).toEqual(expect.objectContaining({ text: expect.stringMatching(reason) }));
    await expectBannedAndCut(victim, hostile);
  });

  it('sync requests over the rate are refused with a rate-limited error', async () => {
    const { victim, hostile } = await pair({ rateLimits: { syncPerSecond: 0.01, syncBurst: 3 } });
    const status = lp(encodeSyncRequest({ type: 'status' }));
    for (let i = 0; i < 3; i++) expect(await rawSync(hostile, victim, status)).toEqual({ type: 'status', tip: undefined });
    expect(await rawSync(hostile, victim, status)).toEqual({ type: 'error', code: 'rateLimited', text: 'too many sync requests; slow down' });
    expect(victim.guard.penalty(hostile.peerId)).toBeGreaterThan(0);
  });
});
