/**
 * The real `otedama pool` serves browser peers: with p2p on, its GET /api/sharechain describes
 * the network as a page reads it (the pool parameters whose SHA-256d is the pool id, the address
 * network, a WebSockets address a browser can dial), and a libp2p peer of the pool that proved
 * the pool id gets a template signed with the edge's key over the template protocol and an answer
 * over the introduction protocol; a peer of another pool gets neither. With --no-p2p none of it is served (no parameters, no peer id,
 * no listen address) and pages keep Stratum over WebSocket.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import {
  bytesEqual,
  bytesToHex,
  decodeIntroductionResponse,
  decodePoolParams,
  decodeTemplateResponse,
  encodeIntroductionRequest,
  encodeTemplateRequest,
  hexToBytes,
  introductionProtocol,
  poolIdHex,
  templateProtocol,
} from '@otedama/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharechainJson } from '../src/commands/edge-api.ts';
import type { P2pNode } from '../src/p2p/p2p-node.ts';
import { emptyChainHost, startTestNode } from '../src/p2p/p2p-test-kit.ts';
import { runCliHere } from './cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from './edge-process.ts';

let edge: EdgeProcess;
let off: EdgeProcess;
let page: P2pNode | undefined;
let stranger: P2pNode | undefined;

beforeAll(async () => {
  [edge, off] = await Promise.all([startEdgeProcess(), startEdgeProcess(['--no-p2p'])]);
}, 60_000);
afterAll(async () => {
  await page?.stop();
  await stranger?.stop();
  await Promise.all([edge, off].map((e) => e?.stop()));
}, 30_000);

async function sharechain(e: EdgeProcess): Promise<SharechainJson> {
  const res = await fetch(`${e.url}/api/sharechain`);
  expect(res.status).toBe(200);
  return (await res.json()) as SharechainJson;
}

async function ask<T>(node: P2pNode, to: string, protocol: string, frame: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> {
  const stream = await node.raw.dialProtocol(peerIdFromString(to), protocol);
  const lp = lpStream(stream);
  await lp.write(frame);
  return decode((await lp.read()).subarray());
}

describe('otedama pool serves browser peers', () => {
  it('describes its peer network in GET /api/sharechain, and a peer of the pool gets a signed template and introductions', async () => {
    const s = await sharechain(edge);
    expect(s.network).toBe('regtest');
    // The parameters are the pool's: the page checks them against the id the same way.
    expect(s.params).toMatch(/^([0-9a-f]{2})+$/);
    expect(poolIdHex(decodePoolParams(hexToBytes(s.params!)))).toBe(s.poolId);
    // A WebSockets address with the edge's peer id: what a browser dials.
    expect(s.listen.some((a) => /\/tcp\/\d+\/ws\/p2p\//.test(a) && a.endsWith(`/p2p/${s.peerId}`))).toBe(true);

    const poolId = hexToBytes(s.poolId);
    page = await startTestNode({ ...emptyChainHost('browser'), poolId }, { bootstrap: [edge.p2pAddr!] });
    await expect.poll(() => page!.isAdmitted(s.peerId!), { timeout: 20_000 }).toBe(true);

    const res = await ask(page, s.peerId!, templateProtocol(poolId), encodeTemplateRequest(), decodeTemplateResponse);
    expect(res.type, res.type === 'error' ? res.text : '').toBe('template');
    if (res.type !== 'template') return;
    const signed = res.template;
    // Signed by the edge's libp2p key: a page checks it with the peer id alone.
    const edgeId = peerIdFromString(s.peerId!);
    expect(await edgeId.publicKey!.verify(signed.signedBytes, signed.signature)).toBe(true);
    expect(bytesEqual(signed.template.signer, edgeId.toMultihash().bytes)).toBe(true);
    expect(bytesToHex(signed.template.poolId)).toBe(s.poolId);
    const health = (await (await fetch(`${edge.url}/health`)).json()) as { chain: { height: number } };
    expect(signed.template.height).toBe(health.chain.height);
    expect(signed.template.validForMs).toBeGreaterThan(0);

    // The introducer answers (no other page holds a relay reservation here yet).
    const intro = await ask(page, s.peerId!, introductionProtocol(poolId), encodeIntroductionRequest(8), decodeIntroductionResponse);
    expect(intro).toEqual({ type: 'peers', peers: [] });

    // A peer of another pool is refused at the handshake: it gets no template.
    stranger = await startTestNode(emptyChainHost('another pool'), { bootstrap: [edge.p2pAddr!] });
    const refused = await ask(stranger, s.peerId!, templateProtocol(poolId), encodeTemplateRequest(), decodeTemplateResponse).then(
      (r) => `answered ${r.type}`,
      (err: Error) => `no answer (${err.name})`,
    );
    expect(refused).toMatch(/^no answer/);
    expect(stranger.isAdmitted(s.peerId!)).toBe(false);

    // The operator sees it too.
    const status = await runCliHere(['node', 'status', '--url', edge.url]);
    expect(status.stdout).toMatch(/^browsers: +pages join as peers \(\d+ signed templates gossiped\)$/m);
  });

  it('with --no-p2p describes no peer network: pages mine through Stratum over WebSocket', async () => {
    const s = await sharechain(off);
    expect(off.p2pAddr).toBeUndefined();
    expect(s).toMatchObject({ params: null, peerId: null, listen: [], templatesPublished: 0, network: 'regtest' });
    expect((await runCliHere(['node', 'status', '--url', off.url])).stdout).toMatch(/^browsers: +pages mine through Stratum over WebSocket/m);
    // The Stratum feed a page falls back to answers.
    const ws = new WebSocket(`${off.url.replace('http', 'ws')}/ws/stratum`);
    const lines: string[] = [];
    ws.addEventListener('message', (e) => lines.push(String(e.data)));
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve());
      ws.addEventListener('error', () => reject(new Error('/ws/stratum did not open')));
    });
    ws.send(`${JSON.stringify({ id: 1, method: 'mining.subscribe', params: ['browser-peers-test'] })}\n`);
    await expect.poll(() => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: unknown; error: unknown }).find((m) => m.id === 1), { timeout: 10_000 }).toMatchObject({ id: 1, error: null });
    ws.close();
  });
});
