/**
 * `otedama mining start|stop|status`: control a running `otedama mine` through its local
 * control endpoint (127.0.0.1, --control-port, default 4049). `stop` pauses hashing and keeps
 * the pool connection (`--exit` ends the miner instead); `start` resumes.
 */
import { JSON_FLAG, type Command } from '../command.ts';
import type { FlagSpec } from '../cli-args.ts';
import { CliUsageError } from '../errors.ts';
import { callMinerControl } from '../miner/control-client.ts';
import { DEFAULT_CONTROL_PORT } from '../miner/control-server.ts';
import { formatHashrate } from '@otedama/core';
import { formatPreparing } from '../miner/live-line.ts';
import type { MinerStatus } from '../miner/miner-lifecycle.ts';

const PORT_FLAG: FlagSpec = {
  name: 'control-port',
  type: 'integer',
  default: DEFAULT_CONTROL_PORT,
  min: 1,
  max: 65535,
  help: 'control port of the running miner on 127.0.0.1',
  metavar: 'P',
};

function noPositionals(positionals: string[]): void {
  if (positionals.length) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
}

/** The human form of `mining status`. */
export function formatMinerStatus(s: MinerStatus): string {
  const lines = [
    `state:     ${s.state}${s.paused ? ' (otedama mining start resumes)' : ''}`,
    `pool:      ${s.pool.pool} (${s.pool.state}) as ${s.pool.user}`,
    `hashrate:  ${formatHashrate(s.hashrate.total)}`,
    ...s.hashrate.devices.map(
      (d) => `  ${d.name.padEnd(6)} ${formatHashrate(d.hashesPerSecond).padStart(12)}  ${d.kind}${d.threads ? `, ${d.threads} thread${d.threads === 1 ? '' : 's'}` : ''}${d.description ? `, ${d.description}` : ''}${d.error ? `, failed: ${d.error}` : ''}`,
    ),
    `shares:    ${s.shares.accepted} accepted, ${s.shares.rejected} rejected, ${s.shares.stale} stale, ${s.shares.lost} lost${s.shares.blocks ? `, ${s.shares.blocks} block candidates` : ''}`,
    `job:       ${s.job ? `${s.job.id} at difficulty ${s.job.difficulty}${s.job.height !== undefined ? `, height ${s.job.height} (epoch ${s.job.epoch})` : ''}` : 'none yet'}`,
    ...(s.preparing ?? []).map((p) => `building:  ${formatPreparing(p)}`),
    `uptime:    ${s.uptimeSeconds} s`,
  ];
  if (s.shares.lastRejectReason) lines.push(`last reject: ${s.shares.lastRejectReason}`);
  return lines.join('\n');
}

export const miningStatusCommand: Command = {
  words: ['mining', 'status'],
  summary: 'show the hashrate and shares of the running otedama miner',
  usage: '[--control-port P] [--json]',
  flags: [PORT_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const status = (await callMinerControl(Number(args.flags['control-port']), 'status')) as MinerStatus;
    io.out(args.flags.json ? JSON.stringify(status) : formatMinerStatus(status));
    return 0;
  },
};

export const miningStopCommand: Command = {
  words: ['mining', 'stop'],
  summary: 'pause the running otedama miner (keeps the pool connection; --exit ends it)',
  usage: '[--control-port P] [--exit]',
  flags: [PORT_FLAG, { name: 'exit', type: 'boolean', help: 'end the miner process instead of pausing it' }],
  async run(args, io) {
    noPositionals(args.positionals);
    const port = Number(args.flags['control-port']);
    if (args.flags.exit) {
      await callMinerControl(port, 'stop');
      io.out('miner is stopping');
    } else {
      await callMinerControl(port, 'pause');
      io.out('miner paused (still connected to the pool); resume with otedama mining start');
    }
    return 0;
  },
};

export const miningStartCommand: Command = {
  words: ['mining', 'start'],
  summary: 'resume a paused otedama miner',
  usage: '[--control-port P]',
  details: 'To start a new miner, run otedama mine --wallet ADDR.',
  flags: [PORT_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    await callMinerControl(Number(args.flags['control-port']), 'resume');
    io.out('miner resumed');
    return 0;
  },
};
