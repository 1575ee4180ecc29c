/** The node's lifecycle on real sockets: a port in use is a clear error, stop releases everything. */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { P2pError } from '../errors.ts';
import { p2pListenAddrs } from './multiaddrs.ts';
import { emptyChainHost, startTestNode } from './p2p-test-kit.ts';

const chain = emptyChainHost('pool A');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('P2pNode lifecycle', () => {
  it('a listen port in use is a P2pError naming the address; stop releases it for the next node', async () => {
    const port = await freePort();
    const listen = [`/ip4/127.0.0.1/tcp/${port}`];
    const first = await startTestNode(chain, { listen });
    const err = await startTestNode(chain, { listen }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(P2pError);
    expect((err as P2pError).reason).toBe(`cannot listen on /ip4/127.0.0.1/tcp/${port}: the port is in use (another otedama?); choose another port with --p2p-port or p2p.listen`);
    await first.stop();
    await first.stop();
    const again = await startTestNode(chain, { listen });
    expect(again.listenAddresses()[0]).toBe(`/ip4/127.0.0.1/tcp/${port}/p2p/${again.peerId}`);
    await again.stop();
  });

  it('listens on TCP and WebSockets by default, on the next port', async () => {
    expect(p2pListenAddrs({ host: '127.0.0.1', port: 4733, listen: [] })).toEqual(['/ip4/127.0.0.1/tcp/4733', '/ip4/127.0.0.1/tcp/4734/ws']);
    expect(p2pListenAddrs({ host: '::', port: 0, listen: [] })).toEqual(['/ip6/::/tcp/0', '/ip6/::/tcp/0/ws']);
    expect(p2pListenAddrs({ host: 'localhost', port: 9, listen: ['/ip4/0.0.0.0/tcp/1'] })).toEqual(['/ip4/0.0.0.0/tcp/1']);
    const node = await startTestNode(chain, { listen: p2pListenAddrs({ host: '127.0.0.1', port: 0, listen: [] }) });
    try {
      expect(node.listenAddresses().map((a) => a.replace(/\/tcp\/\d+/, '/tcp/N'))).toEqual([`/ip4/127.0.0.1/tcp/N/p2p/${node.peerId}`, `/ip4/127.0.0.1/tcp/N/ws/p2p/${node.peerId}`]);
    } finally {
      await node.stop();
    }
  });
});
