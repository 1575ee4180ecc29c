/**
 * `otedama node block|unblock PEER` and `otedama node bans`: the operator cuts a peer of the
 * pool's network off (its connections close, it is neither dialed nor accepted) and lets it back,
 * through the running edge's admin API (loopback, with the admin token from its data folder, as
 * `otedama profile`). A block lasts until unblocked (or `--for`), and not past a restart: peers
 * kept out for good go in `p2p.deny_peers`. `node bans` lists the blocks and the bans the edge
 * gave misbehaving peers; `node unblock` lifts either.
 */
import { readAdminToken } from '../api/admin-token.ts';
import { JSON_FLAG, type CliIO, type Command } from '../command.ts';
import type { FlagSpec, ParsedArgs } from '../cli-args.ts';
import { defaultDataDir } from '../config/config.ts';
import { CliUsageError } from '../errors.ts';
import { peerIdReason } from '../p2p/multiaddrs.ts';
import { EdgeClient } from './edge-client.ts';
import { noPositionals, URL_FLAG, type BansJson } from './edge-api.ts';
import { table } from './format.ts';

const DATA_DIR_FLAG: FlagSpec = { name: 'data-dir', type: 'string', help: "the running edge's data folder, where its admin token is (default $OTEDAMA_DATA_DIR or ~/.otedama)", metavar: 'DIR' };

/** The one positional, a peer id; a usage error naming what is wrong otherwise. */
function peerArg(args: ParsedArgs, words: string): string {
  const [peer, extra] = args.positionals;
  if (!peer) throw new CliUsageError(`otedama ${words} needs the peer id (as otedama node peers lists it)`);
  if (extra !== undefined) throw new CliUsageError(`unexpected argument "${extra}"`);
  const reason = peerIdReason(peer);
  if (reason) throw new CliUsageError(`${peer} ${reason}`);
  return peer;
}

/** The admin token of the edge on --data-dir. */
function adminHeaders(args: ParsedArgs, io: CliIO): Record<string, string> {
  const dataDir = args.flags['data-dir'] ? String(args.flags['data-dir']) : defaultDataDir(io.env);
  const token = readAdminToken(dataDir);
  if (!token) throw new CliUsageError(`no admin token in ${dataDir} (admin.token): is an edge running on that data folder? pass its --data-dir`);
  return { authorization: `Bearer ${token}` };
}

function until(untilMs: number | null): string {
  return untilMs === null ? 'until unblocked' : `until ${new Date(untilMs).toISOString()}`;
}

export const nodeBlockCommand: Command = {
  words: ['node', 'block'],
  summary: 'cut a peer of the pool network off: close its connections, refuse it until unblocked',
  usage: 'PEER_ID [--for 10m] [--reason TEXT] [--data-dir DIR] [--url URL] [--json]',
  details:
    'The block lasts until `otedama node unblock PEER_ID` (or --for), and ends when the edge restarts:\nadd the peer to p2p.deny_peers in the configuration to keep it out for good.\nThe edge accepts this only from its own machine (loopback), with the token in <data dir>/admin.token.',
  flags: [
    { name: 'for', type: 'duration', help: 'how long (e.g. 90s, 10m, 2h); default until unblocked', metavar: 'D' },
    { name: 'reason', type: 'string', help: 'why, for the log and node bans (at most 200 characters)', metavar: 'TEXT' },
    DATA_DIR_FLAG,
    URL_FLAG,
    JSON_FLAG,
  ],
  async run(args, io) {
    const peer = peerArg(args, 'node block');
    const raw = args.flags.for;
    const seconds = typeof raw === 'number' ? Math.round(raw) : undefined;
    if (seconds !== undefined && seconds < 1) throw new CliUsageError(`--for must be at least 1s (got ${raw}s)`);
    const body = { peer, ...(seconds !== undefined ? { seconds } : {}), ...(args.flags.reason !== undefined ? { reason: String(args.flags.reason) } : {}) };
    const res = await new EdgeClient(String(args.flags.url)).post<{ peer: string; reason: string; untilMs: number | null; disconnected: boolean }>('/api/admin/peers/block', undefined, adminHeaders(args, io), body);
    io.out(args.flags.json ? JSON.stringify(res) : `blocked ${res.peer} ${until(res.untilMs)}${res.disconnected ? ' (its connections were closed)' : ' (it was not connected)'}`);
    return 0;
  },
};

export const nodeUnblockCommand: Command = {
  words: ['node', 'unblock'],
  summary: 'let a blocked or banned peer of the pool network back in',
  usage: 'PEER_ID [--data-dir DIR] [--url URL] [--json]',
  details: 'Lifts the operator\'s block (p2p.deny_peers too, until the edge restarts) and any ban, and forgives the peer\'s penalties.\nA bootstrap peer is dialed again at once.',
  flags: [DATA_DIR_FLAG, URL_FLAG, JSON_FLAG],
  async run(args, io) {
    const peer = peerArg(args, 'node unblock');
    const res = await new EdgeClient(String(args.flags.url)).post<{ peer: string; wasBlocked: boolean; wasBanned: boolean }>('/api/admin/peers/unblock', undefined, adminHeaders(args, io), { peer });
    const lifted = [res.wasBlocked ? 'block' : '', res.wasBanned ? 'ban' : ''].filter(Boolean).join(' and ');
    io.out(args.flags.json ? JSON.stringify(res) : lifted ? `${res.peer} may connect again (lifted its ${lifted})` : `${res.peer} was neither blocked nor banned`);
    return 0;
  },
};

export const nodeBansCommand: Command = {
  words: ['node', 'bans'],
  summary: "peers the running edge keeps out: the operator's blocks and its bans",
  usage: '[--url URL] [--json]',
  flags: [URL_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const res = await new EdgeClient(String(args.flags.url)).get<BansJson>('/api/sharechain/bans');
    if (args.flags.json) {
      io.out(JSON.stringify(res));
      return 0;
    }
    if (!res.blocks.length && !res.bans.length) {
      io.out('no peer is blocked or banned');
      return 0;
    }
    io.out(
      table([
        ['PEER', 'KIND', 'UNTIL', 'REASON'],
        ...res.blocks.map((b) => [b.peer, b.source === 'config' ? 'deny_peers' : 'blocked', b.untilMs === null ? 'unblocked' : new Date(b.untilMs).toISOString(), b.reason]),
        ...res.bans.map((b) => [b.peer, `banned (${b.offence})`, new Date(b.untilMs).toISOString(), b.reason]),
      ]),
    );
    return 0;
  },
};
