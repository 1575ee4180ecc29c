/**
 * The pool-id handshake between real libp2p nodes on 127.0.0.1: same pool admitted both ways,
 * another pool refused with its pool id in the log, and a peer that never proves its pool id
 * gets nothing read, delivered or answered before it is dropped.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { bytesToHex, encodeSyncRequest, sharesTopic, syncProtocol } from '@otedama/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { P2pNode } from './p2p-node.ts';
import { addrOf, bareNode, captureLog, emptyChainHost, startTestNode } from './p2p-test-kit.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});
async function node(...args: Parameters<typeof startTestNode>): Promise<P2pNode> {
  const n = await startTestNode(...args);
  cleanup.push(() => n.stop());
  return n;
}

describe('pool-id handshake', () => {
  it('admits two peers of the same pool both ways; the dialer bootstraps', async () => {
    const logB = captureLog();
    const b = await node(emptyChainHost('pool A'), { logger: logB.logger });
    const a = await node(emptyChainHost('pool A'), { bootstrap: [addrOf(b)] });
    await expect.poll(() => a.isAdmitted(b.peerId) && b.isAdmitted(a.peerId), { timeout: 10_000 }).toBe(true);
    expect(logB.find('peer admitted').map((e) => e.peer)).toEqual([a.peerId]);
    expect(a.peers()).toEqual([expect.objectContaining({ id: b.peerId, admitted: true, direction: 'outbound', transports: ['tcp'] })]);
  });

  it('refuses a peer of another pool, names its pool id in the log, and keeps it away', async () => {
    const logA = captureLog();
    const logC = captureLog();
    const a = await node(emptyChainHost('pool A'), { logger: logA.logger });
    const chainC = emptyChainHost('pool C');
    const c = await node(chainC, { logger: logC.logger });
    await c.raw.dial(multiaddr(addrOf(a)));
    await expect.poll(() => logA.find('peer refused').length, { timeout: 10_000 }).toBe(1);
    const [refusedAtA] = logA.find('peer refused');
    expect(refusedAtA).toMatchObject({ peer: c.peerId, poolId: bytesToHex(chainC.poolId), ourPoolId: a.poolId });
    expect(String(refusedAtA!.reason)).toContain(`another pool (pool id ${bytesToHex(chainC.poolId)})`);
    await expect.poll(() => logC.find('peer refused')[0]?.poolId, { timeout: 10_000 }).toBe(a.poolId);
    await expect.poll(() => a.raw.getConnections().length, { timeout: 10_000 }).toBe(0);
    expect(a.isAdmitted(c.peerId) || c.isAdmitted(a.peerId)).toBe(false);
    // The gater refuses its redial (no handshake loop with a misconfigured bootstrap list).
    await expect(c.raw.dial(multiaddr(addrOf(a)))).rejects.toThrow();
    expect(a.guard.isBanned(c.peerId)).toBe(true);
  });

  it('holds the streams of a peer that skips the handshake, answers nothing, then drops it', async () => {
    const log = captureLog();
    const chain = emptyChainHost('pool A');
    const a = await node(chain, { logger: log.logger });
    const bare = await bareNode();
    cleanup.push(async () => bare.stop());
    await bare.dial(multiaddr(addrOf(a)));
    // Gossip: subscribe and publish on the pool's topic, as a member would.
    bare.services.pubsub.subscribe(sharesTopic(chain.poolId));
    // Sync: a well-formed request on the pool's sync protocol.
    const stream = await bare.dialProtocol(peerIdFromString(a.peerId), syncProtocol(chain.poolId));
    const lp = lpStream(stream);
    await lp.write(encodeSyncRequest({ type: 'after', locator: [], max: 10 }));
    const answer = lp.read().then(
      (b) => `answered ${b.byteLength} bytes`,
      (err: Error) => `no answer (${err.name})`,
    );
    await bare.services.pubsub.publish(sharesTopic(chain.poolId), new Uint8Array(100)).catch(() => undefined);
    expect(await answer).toMatch(/^no answer/);
    await expect.poll(() => log.find('peer refused')[0]?.reason, { timeout: 10_000 }).toBe('no handshake within 1.5 s');
    await expect.poll(() => a.raw.getConnections().length, { timeout: 10_000 }).toBe(0);
    expect(chain.calls).toEqual([]);
  });

  it('keeps a peer without the handshake away, but not one whose streams fail while it is reached', async () => {
    const log = captureLog();
    const a = await node(emptyChainHost('pool A'), { logger: log.logger });
    // A node whose muxer resets every stream it is offered: opening the handshake fails with a
    // reset, as on a connection going away (an edge restarting, a loaded machine). No offence.
    const resetting = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux({ maxInboundStreams: 0 })],
    });
    cleanup.push(async () => resetting.stop());
    await a.raw.dial(resetting.getMultiaddrs()[0]!);
    await expect.poll(() => log.find('peer refused').find((e) => e.peer === resetting.peerId.toString())?.reason, { timeout: 10_000 }).toMatch(/handshake stream could not be opened/);
    expect(a.guard.isBanned(resetting.peerId.toString())).toBe(false);
    // A node that answers streams but has no handshake protocol: it does not speak it, kept away.
    const bare = await bareNode();
    cleanup.push(async () => bare.stop());
    await a.raw.dial(bare.getMultiaddrs()[0]!);
    await expect.poll(() => log.find('peer refused').find((e) => e.peer === bare.peerId.toString())?.reason, { timeout: 10_000 }).toMatch(/does not speak \/otedama\/handshake/);
    expect(a.guard.isBanned(bare.peerId.toString())).toBe(true);
  });
});
