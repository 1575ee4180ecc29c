/**
 * `otedama profile --duration 60s`: asks the running edge (loopback admin API, with the admin
 * token from its data folder) to CPU-profile itself and prints where the .cpuprofile was written.
 */
import { readAdminToken } from '../api/admin-token.ts';
import { JSON_FLAG, type Command } from '../command.ts';
import { defaultDataDir } from '../config/config.ts';
import { EdgeClient } from './edge-client.ts';
import { CliUsageError } from '../errors.ts';
import { MAX_PROFILE_SECONDS } from '../api/cpu-profiler.ts';
import { noPositionals, URL_FLAG } from './edge-api.ts';

/** Slack on top of the profile's duration for writing the file and answering. */
const ANSWER_SLACK_MS = 30_000;

export const profileCommand: Command = {
  words: ['profile'],
  summary: 'CPU-profile the running edge and print the .cpuprofile path',
  usage: '[--duration 60s] [--url URL] [--json]',
  details: 'The file lies in <data dir>/profiles; open it in Chrome DevTools › Performance or in speedscope.\nThe edge only accepts this from its own machine (loopback), with the token it writes to <data dir>/admin.token.',
  flags: [
    { name: 'duration', type: 'duration', default: '60s', help: `how long to profile (1s to ${MAX_PROFILE_SECONDS / 60}m)`, metavar: 'D' },
    { name: 'data-dir', type: 'string', help: "the running edge's data folder, where its admin token is (default $OTEDAMA_DATA_DIR or ~/.otedama)", metavar: 'DIR' },
    URL_FLAG,
    JSON_FLAG,
  ],
  async run(args, io) {
    noPositionals(args.positionals);
    const raw = args.flags.duration;
    const seconds = Math.round(typeof raw === 'number' ? raw : 60);
    if (seconds < 1 || seconds > MAX_PROFILE_SECONDS) throw new CliUsageError(`--duration must be from 1s to ${MAX_PROFILE_SECONDS}s (got ${seconds}s)`);
    const dataDir = args.flags['data-dir'] ? String(args.flags['data-dir']) : defaultDataDir(io.env);
    const token = readAdminToken(dataDir);
    if (!token) throw new CliUsageError(`no admin token in ${dataDir} (admin.token): is an edge running on that data folder? pass its --data-dir`);
    if (!args.flags.json) io.err(`profiling the edge for ${seconds} s…`);
    const res = await new EdgeClient(String(args.flags.url)).post<{ path: string; seconds: number }>(`/api/admin/profile?seconds=${seconds}`, seconds * 1000 + ANSWER_SLACK_MS, { authorization: `Bearer ${token}` });
    if (args.flags.json) io.out(JSON.stringify(res));
    else io.out(`${res.path}\nopen it in Chrome DevTools › Performance or speedscope (https://www.speedscope.app)`);
    return 0;
  },
};
