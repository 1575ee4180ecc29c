/**
 * `otedama profile --duration 60s`: asks the running edge (loopback admin API) to CPU-profile
 * itself and prints where the .cpuprofile was written.
 */
import { JSON_FLAG, type Command } from '../command.ts';
import { EdgeClient } from './edge-client.ts';
import { CliUsageError } from '../errors.ts';
import { MAX_PROFILE_SECONDS } from '../api/api.ts';
import { noPositionals, URL_FLAG } from './edge-api.ts';

/** Slack on top of the profile's duration for writing the file and answering. */
const ANSWER_SLACK_MS = 30_000;

export const profileCommand: Command = {
  words: ['profile'],
  summary: 'CPU-profile the running edge and print the .cpuprofile path',
  usage: '[--duration 60s] [--url URL] [--json]',
  details: 'The file lies in <data dir>/profiles; open it in Chrome DevTools › Performance or in speedscope.\nThe edge only accepts this from its own machine (loopback).',
  flags: [{ name: 'duration', type: 'duration', default: '60s', help: `how long to profile (1s to ${MAX_PROFILE_SECONDS / 60}m)`, metavar: 'D' }, URL_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const raw = args.flags.duration;
    const seconds = Math.round(typeof raw === 'number' ? raw : 60);
    if (seconds < 1 || seconds > MAX_PROFILE_SECONDS) throw new CliUsageError(`--duration must be from 1s to ${MAX_PROFILE_SECONDS}s (got ${seconds}s)`);
    if (!args.flags.json) io.err(`profiling the edge for ${seconds} s…`);
    const res = await new EdgeClient(String(args.flags.url)).post<{ path: string; seconds: number }>(`/api/admin/profile?seconds=${seconds}`, seconds * 1000 + ANSWER_SLACK_MS);
    if (args.flags.json) io.out(JSON.stringify(res));
    else io.out(`${res.path}\nopen it in Chrome DevTools › Performance or speedscope (https://www.speedscope.app)`);
    return 0;
  },
};
