/** `otedama node status`: the chain the running edge mines on (height, network), from /health. */
import { JSON_FLAG, type Command } from '../command.ts';
import { EdgeClient } from './edge-client.ts';
import { noPositionals, URL_FLAG, type HealthJson } from './edge-api.ts';

export const nodeStatusCommand: Command = {
  words: ['node', 'status'],
  summary: "the running edge's chain: height, network, RPC endpoint, Stratum and database",
  usage: '[--url URL] [--json]',
  flags: [URL_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const h = await new EdgeClient(String(args.flags.url)).get<HealthJson>('/health');
    if (args.flags.json) {
      io.out(JSON.stringify({ status: h.status, uptimeSeconds: h.uptimeSeconds, chain: h.chain ?? null, stratumUrl: h.stratumUrl ?? null, database: h.database ?? null }));
      return 0;
    }
    io.out([
      `status:    ${h.status}, up ${h.uptimeSeconds} s`,
      `chain:     ${h.chain?.mode ?? '-'} (${h.chain?.network ?? '-'}), mining height ${h.chain?.height ?? '-'}`,
      `node RPC:  ${h.chain?.rpcUrl ?? '-'}`,
      `stratum:   ${h.stratumUrl ?? '-'}, ${h.stratum?.connections ?? 0} connections`,
      `database:  ${h.database ? `${h.database.backend}, schema v${h.database.schemaVersion}` : '-'}`,
    ].join('\n'));
    return 0;
  },
};
