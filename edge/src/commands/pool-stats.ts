/**
 * `otedama stats` / `otedama pool stats|miners|payouts`: the pool's books as a running edge
 * reports them through its HTTP API (`--json` prints the API's answer unchanged).
 */
import { JSON_FLAG, type Command, type CliIO } from '../command.ts';
import type { ParsedArgs } from '../cli-args.ts';
import { EdgeClient } from './edge-client.ts';
import { LIMIT_FLAG, noPositionals, OFFSET_FLAG, URL_FLAG, type MinerJson, type PayoutJson, type PoolStatsJson } from './edge-api.ts';
import { formatAgo, formatCoins, formatHashrate, formatWindowRate, table } from './format.ts';

export function formatPoolStats(s: PoolStatsJson, now = Date.now()): string {
  const last = s.lastBlock ? `${s.lastBlock.height} (${s.lastBlock.hash.slice(0, 16)}…, ${s.lastBlock.status}, ${formatAgo(s.lastBlock.time, now)})` : 'none yet';
  return [
    `network:    ${s.pool.network}, height ${s.chain.height ?? '-'}`,
    `hashrate:   ${formatWindowRate(s.hashrate, 'm10')}  ${formatWindowRate(s.hashrate, 'h1')}  ${formatWindowRate(s.hashrate, 'h24')}`,
    `miners:     ${s.activeMiners} active, ${s.activeWorkers} workers, ${s.stratum.connections} Stratum connections`,
    `shares:     ${s.sharesTotal} total, ${s.sharesLast24h} in 24 h`,
    `blocks:     ${s.blocksFound} found; last ${last}`,
    `paid:       ${formatCoins(s.paidTotal)}   carried: ${formatCoins(s.carriedTotal)}`,
    `payouts:    PPLNS over ${s.pool.pplnsWindow} shares, fee ${s.pool.feePercent}%, minimum ${formatCoins(s.pool.minPayoutSats)}`,
  ].join('\n');
}

async function runStats(args: ParsedArgs, io: CliIO): Promise<number> {
  noPositionals(args.positionals);
  const stats = await new EdgeClient(String(args.flags.url)).get<PoolStatsJson>('/api/pool/stats');
  io.out(args.flags.json ? JSON.stringify(stats) : formatPoolStats(stats));
  return 0;
}

const statsFlags = [URL_FLAG, JSON_FLAG];

export const statsCommand: Command = {
  words: ['stats'],
  summary: "the running pool's hashrate, miners, shares, blocks and payouts (= otedama pool stats)",
  usage: '[--url URL] [--json]',
  flags: statsFlags,
  run: runStats,
};

export const poolStatsCommand: Command = { ...statsCommand, words: ['pool', 'stats'], summary: "the running pool's hashrate, miners, shares, blocks and payouts" };

function pageQuery(args: ParsedArgs): string {
  return `limit=${Number(args.flags.limit)}&offset=${Number(args.flags.offset)}`;
}

export const poolMinersCommand: Command = {
  words: ['pool', 'miners'],
  summary: 'miners of the running pool (last 24 h) with hashrates and balances',
  usage: '[--url URL] [--limit N] [--offset N] [--json]',
  flags: [URL_FLAG, LIMIT_FLAG, OFFSET_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const res = await new EdgeClient(String(args.flags.url)).get<{ miners: MinerJson[] }>(`/api/pool/miners?${pageQuery(args)}`);
    if (args.flags.json) io.out(JSON.stringify(res));
    else if (res.miners.length === 0) io.out('no miners in the last 24 hours');
    else {
      io.out(table([
        ['ADDRESS', 'WORKERS', '10 MIN', '1 H', '24 H', 'SHARES', 'BALANCE', 'LAST SHARE'],
        ...res.miners.map((m) => [m.address, String(m.workers), formatHashrate(m.hashrate.m10), formatHashrate(m.hashrate.h1), formatHashrate(m.hashrate.h24), String(m.shares), formatCoins(m.balance), formatAgo(m.lastSeen)]),
      ]));
    }
    return 0;
  },
};

export const poolPayoutsCommand: Command = {
  words: ['pool', 'payouts'],
  summary: 'coinbase payouts of the blocks the running pool found, newest first',
  usage: '[--url URL] [--address ADDR] [--limit N] [--offset N] [--json]',
  flags: [URL_FLAG, { name: 'address', type: 'string', help: 'only payouts to this address', metavar: 'ADDR' }, LIMIT_FLAG, OFFSET_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const address = args.flags.address ? `&address=${encodeURIComponent(String(args.flags.address))}` : '';
    const res = await new EdgeClient(String(args.flags.url)).get<{ payouts: PayoutJson[] }>(`/api/pool/payouts?${pageQuery(args)}${address}`);
    if (args.flags.json) io.out(JSON.stringify(res));
    else if (res.payouts.length === 0) io.out('no payouts yet (a block must be found first)');
    else {
      io.out(table([
        ['HEIGHT', 'STATUS', 'ADDRESS', 'KIND', 'VALUE', 'CARRIED PAID', 'WHEN'],
        ...res.payouts.map((p) => [String(p.height), p.status, p.address, p.kind, formatCoins(p.value), formatCoins(p.carriedPaid), formatAgo(p.time)]),
      ]));
    }
    return 0;
  },
};
