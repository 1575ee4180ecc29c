import { describe, expect, it } from 'vitest';
import { PeerNetworkError } from '../errors.ts';
import { discoverPool, parseSharechainApi } from './pool-directory.ts';

const ID = '12D3KooWHB6Bdxvod7QGpZD6HpCa892JXBFZxCsA3rdroZzP8bVx';
const ID2 = '12D3KooWCx3qsf1Np7Tsn24etYXXVFSJjs3Cvkd5M9jy45UYj8WT';
const api = (over: Record<string, unknown> = {}) => ({
  poolId: 'ab'.repeat(32),
  params: '00'.repeat(40),
  network: 'regtest',
  peerId: ID,
  listen: [`/ip4/10.0.0.9/tcp/4734/ws/p2p/${ID}`, `/ip4/10.99.0.1/tcp/4733/p2p/${ID}`, `/ip4/10.99.0.1/tcp/4734/ws/p2p/${ID}`],
  ...over,
});

describe('pool directory', () => {
  it("reads an edge's WebSockets addresses, the page's host first", () => {
    const e = parseSharechainApi(api(), 'http://10.99.0.1:8080');
    expect(e.dial).toEqual([`/ip4/10.99.0.1/tcp/4734/ws/p2p/${ID}`, `/ip4/10.0.0.9/tcp/4734/ws/p2p/${ID}`]);
    expect(e.params).toHaveLength(40);
  });

  it('names what an answer lacks', () => {
    const o = 'http://e:1';
    expect(() => parseSharechainApi(null, o)).toThrow(/not a JSON object/);
    expect(() => parseSharechainApi(api({ params: undefined }), o)).toThrow(/does not serve browser peers yet/);
    expect(() => parseSharechainApi(api({ peerId: 'x' }), o)).toThrow(/not a libp2p peer id/);
    expect(() => parseSharechainApi(api({ listen: [`/ip4/1.2.3.4/tcp/1/p2p/${ID}`] }), o)).toThrow(/no WebSockets address/);
    expect(() => parseSharechainApi(api({ poolId: 'zz' }), o)).toThrow(PeerNetworkError);
  });

  it('joins the first pool described; another pool and dead edges are problems, not pools', async () => {
    const answers: Record<string, unknown> = {
      'http://a/api/sharechain': api(),
      'http://b/api/sharechain': api({ poolId: 'cd'.repeat(32), peerId: ID2 }),
    };
    const dir = await discoverPool(['http://a', 'http://b', 'http://c'], async (u) => {
      if (!(u in answers)) throw new Error('connection refused');
      return answers[u];
    });
    expect(dir.edges.map((e) => e.origin)).toEqual(['http://a']);
    expect(dir.problems).toEqual([expect.stringMatching(/^http:\/\/b runs another pool/), 'http://c: connection refused']);
    await expect(discoverPool(['http://c'], async () => Promise.reject(new Error('down')))).rejects.toThrow(/no edge describes a sharechain to join \(http:\/\/c: down\)/);
  });
});
