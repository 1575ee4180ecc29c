/** `otedama pool` (also plain `otedama`): runs the edge until interrupted. */
import type { Command } from '../command.ts';
import { defaultConfig } from '../config.ts';
import { CliUsageError } from '../errors.ts';
import { startEdge } from '../main.ts';

export const poolCommand: Command = {
  words: ['pool'],
  summary: 'run the pool edge: web miner, Stratum port, simnet (the default command)',
  usage: '[flags]',
  details: 'Everything listens on 127.0.0.1 unless --host says otherwise.',
  flags: [
    { name: 'host', type: 'string', default: '127.0.0.1', help: 'address to listen on', metavar: 'ADDR' },
    { name: 'http-port', type: 'integer', default: 8080, min: 0, max: 65535, help: 'HTTP port (web app, API)', metavar: 'PORT' },
    { name: 'stratum-port', type: 'integer', default: 3333, min: 0, max: 65535, help: 'Stratum V1 TCP port', metavar: 'PORT' },
    { name: 'rpc-port', type: 'integer', default: 18443, min: 0, max: 65535, help: "simnet's JSON-RPC port", metavar: 'PORT' },
    { name: 'payout-address', type: 'string', help: 'address the coinbase pays (default: simnet\'s own)', metavar: 'ADDR' },
    { name: 'block-difficulty', type: 'number', help: 'simnet block difficulty (default 0.05)', metavar: 'D' },
    { name: 'data-dir', type: 'string', help: 'data folder (default $OTEDAMA_DATA_DIR or ~/.otedama)', metavar: 'DIR' },
  ],
  async run(args, io) {
    const config = defaultConfig(io.env);
    config.http.host = String(args.flags.host);
    config.stratum.host = String(args.flags.host);
    config.http.port = Number(args.flags['http-port']);
    config.stratum.port = Number(args.flags['stratum-port']);
    config.chain.simnet.rpcPort = Number(args.flags['rpc-port']);
    if (args.flags['payout-address']) config.pool.payoutAddress = String(args.flags['payout-address']);
    if (args.flags['block-difficulty'] !== undefined) {
      const d = Number(args.flags['block-difficulty']);
      if (!(d > 0)) throw new CliUsageError(`--block-difficulty must be positive (got ${d})`);
      config.chain.simnet.blockDifficulty = d;
    }
    if (args.flags['data-dir']) config.dataDir = String(args.flags['data-dir']);
    const edge = await startEdge(config, io.logger);
    io.out(`Otedama is running. Open ${edge.httpUrl} to mine in your browser.`);
    io.out(`Stratum: ${edge.stratumUrl}   simnet RPC: ${edge.rpcUrl}   data: ${config.dataDir}`);
    io.out('Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => io.stopSignal.addEventListener('abort', () => resolve(), { once: true }));
    await edge.stop();
    return 0;
  },
};
