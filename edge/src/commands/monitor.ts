/**
 * `otedama monitor`: a live terminal view of the running pool (hashrate, miners, shares,
 * blocks), redrawn every 2 s until Ctrl+C. `--once` prints one frame and exits (scripts, tests).
 */
import { JSON_FLAG, type Command } from '../command.ts';
import { EdgeClient } from './edge-client.ts';
import { EdgeClientError } from '../errors.ts';
import { noPositionals, URL_FLAG, type BlockJson, type MinerJson, type PoolStatsJson } from './edge-api.ts';
import { formatAgo, formatCoins, formatHashrate, formatWindowRate, table } from './format.ts';

/** Redraw period of the live view. */
const REFRESH_S = 2;
/** Rows of the miners and blocks lists. */
const LIST_ROWS = 5;
const CLEAR = '\x1b[2J\x1b[H';

interface Frame {
  stats: PoolStatsJson;
  miners: MinerJson[];
  blocks: BlockJson[];
}

async function fetchFrame(client: EdgeClient): Promise<Frame> {
  const [stats, miners, blocks] = await Promise.all([
    client.get<PoolStatsJson>('/api/pool/stats'),
    client.get<{ miners: MinerJson[] }>(`/api/pool/miners?limit=${LIST_ROWS}`),
    client.get<{ blocks: BlockJson[] }>(`/api/blocks?limit=${LIST_ROWS}`),
  ]);
  return { stats, miners: miners.miners, blocks: blocks.blocks };
}

export function renderFrame(f: Frame, url: string, now = Date.now()): string {
  const s = f.stats;
  const lines = [
    `Otedama monitor — ${url} — ${new Date(now).toLocaleTimeString()}   (Ctrl+C to quit)`,
    '',
    `hashrate  ${formatWindowRate(s.hashrate, 'm10')}  ${formatWindowRate(s.hashrate, 'h1')}  ${formatWindowRate(s.hashrate, 'h24')}`,
    `miners    ${s.activeMiners} active, ${s.activeWorkers} workers, ${s.stratum.connections} connections`,
    `shares    ${s.sharesTotal} total, ${s.sharesLast24h} in 24 h`,
    `blocks    ${s.blocksFound} found, chain height ${s.chain.height ?? '-'}; paid ${formatCoins(s.paidTotal)}, carried ${formatCoins(s.carriedTotal)}`,
    '',
    'top miners',
    f.miners.length
      ? table([['ADDRESS', '10 MIN', 'SHARES', 'BALANCE', 'LAST'], ...f.miners.map((m) => [m.address, formatHashrate(m.hashrate.m10), String(m.shares), formatCoins(m.balance), formatAgo(m.lastSeen, now)])])
      : '  none yet',
    '',
    'recent blocks',
    f.blocks.length
      ? table([['HEIGHT', 'STATUS', 'REWARD', 'FINDER', 'WHEN'], ...f.blocks.map((b) => [String(b.height), b.status, formatCoins(b.reward), `${b.finder}${b.worker ? '.' + b.worker : ''}`, formatAgo(b.time, now)])])
      : '  none yet',
  ];
  return lines.join('\n');
}

export const monitorCommand: Command = {
  words: ['monitor'],
  summary: 'live terminal view of the running pool: hashrate, miners, shares, blocks',
  usage: '[--url URL] [--once] [--json]',
  details: `Redraws every ${REFRESH_S} s; Ctrl+C quits. --once prints a single frame (with --json: the data).`,
  flags: [URL_FLAG, { name: 'once', type: 'boolean', help: 'print one frame and exit' }, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const client = new EdgeClient(String(args.flags.url));
    if (args.flags.once) {
      const f = await fetchFrame(client);
      io.out(args.flags.json ? JSON.stringify(f) : renderFrame(f, client.base));
      return 0;
    }
    // The first frame must work: a wrong --url fails at once instead of redrawing an error.
    let frame = await fetchFrame(client);
    while (!io.stopSignal.aborted) {
      io.out(args.flags.json ? JSON.stringify(frame) : CLEAR + renderFrame(frame, client.base));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, REFRESH_S * 1000);
        io.stopSignal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      if (io.stopSignal.aborted) break;
      try {
        frame = await fetchFrame(client);
      } catch (err) {
        if (!(err instanceof EdgeClientError)) throw err;
        io.err(`${err.reason}; retrying in ${REFRESH_S} s`);
      }
    }
    return 0;
  },
};
