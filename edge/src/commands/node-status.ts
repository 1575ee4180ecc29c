/**
 * `otedama node status|peers|sync`: the running edge's chain and its place in the pool's
 * network, from /health and /api/sharechain. `node sync` asks the edge to re-sync its sharechain
 * from its peers and follows the progress until the run ends (Ctrl+C stops the run).
 */
import { JSON_FLAG, type CliIO, type Command } from '../command.ts';
import { EdgeClientError } from '../errors.ts';
import { EdgeClient } from './edge-client.ts';
import { noPositionals, URL_FLAG, type HealthJson, type PeerJson, type SharechainJson, type SyncProgressJson } from './edge-api.ts';
import { formatCoins, table } from './format.ts';

/** How often `node sync` reads the progress. */
const SYNC_POLL_MS = 500;

/** /api/sharechain, or undefined from an edge that predates it (404). */
async function sharechainOf(client: EdgeClient): Promise<SharechainJson | undefined> {
  try {
    return await client.get<SharechainJson>('/api/sharechain');
  } catch (err) {
    if (err instanceof EdgeClientError && err.status === 404) return undefined;
    throw err;
  }
}

export function formatSync(s: SyncProgressJson): string {
  const parts: string[] = [s.state];
  if (s.state === 'syncing') {
    parts.push(`${s.shares}${s.expected ? `/${s.expected}` : ''} shares`);
    if (s.percent !== undefined) parts.push(`${s.percent}%`);
    if (s.etaSeconds !== undefined) parts.push(`ETA ${s.etaSeconds} s`);
    if (s.peer) parts.push(`from ${s.peer}`);
  } else if (s.state !== 'idle') {
    parts.push(`${s.shares} shares fetched in ${s.batches} batch${s.batches === 1 ? '' : 'es'}`);
    if (s.message) parts.push(s.message);
  }
  return parts.join(', ');
}

/** Payout lines shown at most (the largest); the rest are summed. */
const NEXT_PAYOUT_LINES = 5;

/** "next block: 50.00 BTC, threshold 0.01 BTC" and the largest expected payouts. */
export function formatNextPayouts(sc: Pick<SharechainJson, 'nextPayouts' | 'nextBlock'>): string[] {
  if (!sc.nextPayouts || !sc.nextBlock) return sc.nextBlock === undefined ? [] : ['next block: no payout yet (no share in the window, or no template)'];
  const top = [...sc.nextPayouts].sort((a, b) => b.sats - a.sats);
  const lines = [`next block: ${formatCoins(sc.nextBlock.rewardSats)} to ${top.length} address${top.length === 1 ? '' : 'es'}, lottery below ${formatCoins(sc.nextBlock.thresholdSats)}`];
  for (const p of top.slice(0, NEXT_PAYOUT_LINES)) {
    const how = p.kind === 'direct' ? 'direct' : `lottery ${(p.probability * 100).toFixed(1)} %`;
    lines.push(`           ${p.address}  ${formatCoins(p.sats)} expected (${(p.fraction * 100).toFixed(2)} % of the window, ${how})`);
  }
  if (top.length > NEXT_PAYOUT_LINES) lines.push(`           … and ${top.length - NEXT_PAYOUT_LINES} more`);
  return lines;
}

export const nodeStatusCommand: Command = {
  words: ['node', 'status'],
  summary: "the running edge: chain, pool id, peer id, listen addresses, peers, sharechain tip, window, sync and next payouts",
  usage: '[--url URL] [--json]',
  flags: [URL_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const client = new EdgeClient(String(args.flags.url));
    const h = await client.get<HealthJson>('/health');
    const sc = await sharechainOf(client);
    if (args.flags.json) {
      io.out(JSON.stringify({ status: h.status, uptimeSeconds: h.uptimeSeconds, chain: h.chain ?? null, stratumUrl: h.stratumUrl ?? null, database: h.database ?? null, sharechain: sc ?? null }));
      return 0;
    }
    const lines = [
      `status:    ${h.status}, up ${h.uptimeSeconds} s`,
      `chain:     ${h.chain?.mode ?? '-'} (${h.chain?.network ?? '-'}), mining height ${h.chain?.height ?? '-'}`,
      `node RPC:  ${h.chain?.rpcUrl ?? '-'}`,
      `stratum:   ${h.stratumUrl ?? '-'}, ${h.stratum?.connections ?? 0} connections`,
      `database:  ${h.database ? `${h.database.backend}, schema v${h.database.schemaVersion}` : '-'}`,
    ];
    if (sc) {
      lines.push(
        `pool id:   ${sc.poolId}`,
        `peer id:   ${sc.peerId ?? 'p2p off'}`,
        ...(sc.listen.length ? sc.listen.map((a, i) => `${i ? '           ' : 'listen:    '}${a}`) : ['listen:    -']),
        `peers:     ${sc.peers} connected, ${sc.admittedPeers} admitted${sc.bans ? `, ${sc.bans} banned` : ''}${sc.blocked ? `, ${sc.blocked} blocked` : ''}`,
        `tip:       ${sc.tip ? `height ${sc.tip.height}, ${sc.tip.id}` : 'no share yet'}`,
        `window:    ${sc.windowShares} shares${sc.heldShares !== undefined ? ` (${sc.heldShares} held)` : ''}`,
        `sync:      ${formatSync(sc.sync)}`,
        ...(sc.params === undefined
          ? []
          : [`browsers:  ${sc.params ? `pages join as peers (${sc.templatesPublished ?? 0} signed templates gossiped)` : 'pages mine through Stratum over WebSocket (no browser peers served)'}`]),
        ...(sc.serving === undefined ? [] : [`work:      ${sc.serving ? 'serving Stratum jobs' : 'not serving yet: syncing the sharechain from the bootstrap peers'}`]),
        ...formatNextPayouts(sc),
      );
    }
    io.out(lines.join('\n'));
    return 0;
  },
};

export const nodePeersCommand: Command = {
  words: ['node', 'peers'],
  summary: "the running edge's libp2p peers: id, addresses, transport, latency, score",
  usage: '[--url URL] [--json]',
  flags: [URL_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const { peers } = await new EdgeClient(String(args.flags.url)).get<{ peers: PeerJson[] }>('/api/sharechain/peers');
    if (args.flags.json) {
      io.out(JSON.stringify({ peers }));
      return 0;
    }
    if (!peers.length) {
      io.out('no peers connected (a network of one; add peers with --bootstrap or p2p.bootstrap_nodes)');
      return 0;
    }
    io.out(
      table([
        ['PEER', 'TRANSPORT', 'DIR', 'LATENCY', 'SCORE', 'ADMITTED', 'ADDRESS'],
        ...peers.map((p) => [
          p.id,
          [...new Set(p.transports)].join(','),
          p.direction === 'inbound' ? 'in' : 'out',
          p.latencyMs === undefined ? '-' : `${p.latencyMs} ms`,
          p.score.toFixed(1),
          p.admitted ? 'yes' : 'no',
          p.addresses.join(' '),
        ]),
      ]),
    );
    return 0;
  },
};

async function followSync(client: EdgeClient, io: CliIO, json: boolean): Promise<SyncProgressJson> {
  let last = '';
  for (;;) {
    const { sync } = (await sharechainOf(client)) ?? { sync: { state: 'failed', shares: 0, batches: 0, message: 'the edge has no /api/sharechain' } as SyncProgressJson };
    const line = formatSync(sync);
    if (!json && line !== last) io.err(line);
    last = line;
    if (sync.state !== 'syncing') return sync;
    if (io.stopSignal.aborted) {
      await client.post('/api/sharechain/sync/cancel');
      io.stopSignal.throwIfAborted();
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, SYNC_POLL_MS);
      io.stopSignal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}

export const nodeSyncCommand: Command = {
  words: ['node', 'sync'],
  summary: 'ask the running edge to re-sync its sharechain from its peers, and show the progress',
  usage: '[--url URL] [--json]',
  details:
    'Progress (shares, percent, ETA) goes to stderr; the result to stdout. Ctrl+C cancels the run on the edge.\n' +
    'Every share the sync brings is verified, added to the chain and written to the edge\'s database.\n' +
    'The edge accepts this only from the loopback interface.',
  flags: [URL_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const client = new EdgeClient(String(args.flags.url));
    await client.post('/api/sharechain/sync');
    let done: SyncProgressJson;
    try {
      done = await followSync(client, io, Boolean(args.flags.json));
    } catch (err) {
      if (!io.stopSignal.aborted) throw err;
      done = (await sharechainOf(client))?.sync ?? { state: 'cancelled', shares: 0, batches: 0 };
    }
    // What the edge holds now: a synced share is in the edge's database as well as in its chain.
    const after = await sharechainOf(client).catch(() => undefined);
    const held = after ? `; tip ${after.tip ? `at height ${after.tip.height}` : 'none'}, ${after.heldShares ?? '?'} shares held and stored` : '';
    io.out(args.flags.json ? JSON.stringify({ sync: done, tip: after?.tip ?? null, heldShares: after?.heldShares ?? null }) : `sync ${formatSync(done)}${held}`);
    return done.state === 'synced' ? 0 : 1;
  },
};
