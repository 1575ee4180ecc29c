/**
 * Where the pool's network is: the edges' GET /api/sharechain answers. Each names the pool (its
 * id and its consensus parameters, which the page checks against the id), the edge's peer id and
 * the addresses it listens on; a page dials the WebSockets ones (`/ws`, `/wss`) and trusts that
 * peer id's templates. Edges that describe different pools are refused together: a page never
 * mixes pools.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { hexToBytes } from '@otedama/core';
import { PeerNetworkError } from '../errors.ts';

export interface EdgeEntry {
  /** The edge's HTTP origin (where its API answered). */
  readonly origin: string;
  readonly peerId: string;
  /** Its WebSockets multiaddrs (ending in /p2p/<peerId>), the page's own host first. */
  readonly dial: readonly string[];
  readonly poolId: string;
  readonly params: Uint8Array;
  /** Address network of the coin ('regtest', 'mainnet', ...). */
  readonly network: string;
}

export interface PoolDirectory {
  readonly poolId: string;
  readonly params: Uint8Array;
  readonly network: string;
  readonly edges: readonly EdgeEntry[];
  /** Edges that did not answer or answered something unusable, with why. */
  readonly problems: readonly string[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Reads one edge's /api/sharechain answer; throws PeerNetworkError naming what is missing. */
export function parseSharechainApi(json: unknown, origin: string): EdgeEntry {
  const j = json as Record<string, unknown> | null;
  const bad = (what: string) => new PeerNetworkError(`${origin}/api/sharechain: ${what}`);
  if (!j || typeof j !== 'object') throw bad('not a JSON object');
  const { poolId, params, peerId, listen, network } = j;
  if (typeof poolId !== 'string' || !HEX64.test(poolId)) throw bad('"poolId" is not 64 hex digits');
  if (typeof params !== 'string' || !/^([0-9a-f]{2}){20,200}$/.test(params)) throw bad('"params" (the pool parameters, hex) is missing: this edge does not serve browser peers yet');
  if (typeof peerId !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(peerId)) throw bad('"peerId" is not a libp2p peer id');
  if (typeof network !== 'string' || !network) throw bad('"network" is missing');
  if (!Array.isArray(listen)) throw bad('"listen" is not a list of multiaddrs');
  const host = new URL(origin).hostname;
  const dial: string[] = [];
  for (const a of listen) {
    if (typeof a !== 'string') continue;
    let parts;
    try {
      parts = multiaddr(a).getComponents();
    } catch {
      continue;
    }
    if (!parts.some((c) => c.name === 'ws' || c.name === 'wss')) continue;
    if (parts.some((c) => c.name === 'p2p-circuit')) continue;
    const withId = parts.some((c) => c.name === 'p2p') ? a : `${a}/p2p/${peerId}`;
    // The page reached this edge at `host`: an address on that host comes first.
    if (parts[0]?.value === host) dial.unshift(withId);
    else dial.push(withId);
  }
  if (!dial.length) throw bad('"listen" has no WebSockets address (/ws or /wss) a browser can dial');
  return { origin, peerId, dial, poolId, params: hexToBytes(params), network };
}

/**
 * Asks every origin's /api/sharechain (at once); the pool is the one the first answering edge
 * describes; an edge describing another pool is a problem, not a second pool. Throws
 * PeerNetworkError when no edge describes a pool.
 */
export async function discoverPool(origins: readonly string[], fetchJson: (url: string) => Promise<unknown>): Promise<PoolDirectory> {
  const answers = await Promise.all(
    origins.map(async (origin) => {
      try {
        return { origin, entry: parseSharechainApi(await fetchJson(`${origin}/api/sharechain`), origin) };
      } catch (err) {
        return { origin, problem: `${origin}: ${err instanceof PeerNetworkError ? err.reason : err instanceof Error ? err.message : String(err)}` };
      }
    }),
  );
  const problems: string[] = [];
  const edges: EdgeEntry[] = [];
  for (const a of answers) {
    if (!a.entry) {
      problems.push(a.problem!);
      continue;
    }
    if (edges.length && a.entry.poolId !== edges[0]!.poolId) {
      problems.push(`${a.origin} runs another pool (${a.entry.poolId.slice(0, 16)}…, not ${edges[0]!.poolId.slice(0, 16)}…): left out`);
      continue;
    }
    if (!edges.some((e) => e.peerId === a.entry.peerId)) edges.push(a.entry);
  }
  const first = edges[0];
  if (!first) throw new PeerNetworkError(`no edge describes a sharechain to join (${problems.join('; ') || 'no edge to ask'})`);
  return { poolId: first.poolId, params: first.params, network: first.network, edges, problems };
}
