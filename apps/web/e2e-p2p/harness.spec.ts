/**
 * The world the browser-peer tests live in: a private network namespace with two addresses, two
 * edges on them that find each other, and Chromium pages that open a direct WebRTC channel with
 * no STUN server (host candidates on the namespace's addresses). If this fails, every other p2p
 * test would fail for the same reason; it says which part of the world is missing.
 */
import { expect, test } from '@playwright/test';
import { openPeerPage, removeDataDir, startEdgePair, type PeerEdge } from './peer-fixture.ts';
import { NETNS_ADDRESSES } from './netns.ts';

let edges: PeerEdge[] = [];
test.afterAll(async () => {
  for (const e of edges.reverse()) {
    await e.stop();
    removeDataDir(e);
  }
});

test('two edges on the namespace addresses admit each other; two pages open a direct data channel without STUN', async ({ browser }) => {
  edges = await startEdgePair();
  const [a, b] = edges as [PeerEdge, PeerEdge];
  expect(new URL(a.url).hostname).toBe(NETNS_ADDRESSES[0]);
  expect(new URL(b.url).hostname).toBe(NETNS_ADDRESSES[1]);
  await expect.poll(async () => (await a.api()).admittedPeers, { timeout: 30_000 }).toBe(1);
  expect((await b.api()).poolId).toBe((await a.api()).poolId);

  const one = await openPeerPage(browser, a);
  const two = await openPeerPage(browser, b);
  try {
    // Offer/answer with every candidate gathered (no trickle): what libp2p's WebRTC transport signals through a relay.
    const offer = await one.page.evaluate(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const channel = pc.createDataChannel('probe');
      const w = window as unknown as { pc: RTCPeerConnection; channel: RTCDataChannel; got: string[] };
      w.pc = pc;
      w.channel = channel;
      w.got = [];
      channel.onmessage = (e) => w.got.push(String(e.data));
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      return pc.localDescription!.sdp;
    });
    expect(offer).toMatch(/a=candidate:.* 10\.99\.0\.\d+ /);
    const answer = await two.page.evaluate(async (sdp) => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const w = window as unknown as { pc: RTCPeerConnection };
      w.pc = pc;
      pc.ondatachannel = (e) => (e.channel.onmessage = (m) => e.channel.send(`echo ${String(m.data)}`));
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      return pc.localDescription!.sdp;
    }, offer);
    await one.page.evaluate(async (sdp) => {
      const w = window as unknown as { pc: RTCPeerConnection; channel: RTCDataChannel };
      await w.pc.setRemoteDescription({ type: 'answer', sdp });
      await new Promise<void>((r) => (w.channel.readyState === 'open' ? r() : w.channel.addEventListener('open', () => r())));
      w.channel.send('hello');
    }, answer);
    await expect.poll(() => one.page.evaluate(() => (window as unknown as { got: string[] }).got), { timeout: 15_000 }).toEqual(['echo hello']);
  } finally {
    await one.close();
    await two.close();
  }
});
