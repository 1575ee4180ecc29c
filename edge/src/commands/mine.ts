/**
 * `otedama mine --wallet ADDR`: a headless Stratum V1 miner (CPU threads running the WASM
 * hasher, GPUs running the WGSL kernel through the `webgpu` package) for our edge or any pool,
 * with a live status line and a local control endpoint for `otedama mining start|stop|status`.
 * `--algo sha256d` (default) speaks Bitcoin's Stratum; `--algo kawpow` the KawPow dialect of
 * Ravencoin pools (kawpowminer's). Each algorithm's miner and pool client come from its edge
 * module (algorithms/<name>/session.ts).
 */
import { hostname } from 'node:os';
import { getAlgorithm, OtedamaError } from '@otedama/core';
import { defaultMinerThreads, type SessionInput } from '../algorithms/edge-algorithm.ts';
import { algorithmFlags, edgeAlgorithm } from '../algorithms/registry.ts';
import type { Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { DEFAULT_CONTROL_PORT, startControlServer } from '../miner/control-server.ts';
import { CPU_ENGINES } from '../miner/cpu-searcher.ts';
import { LiveLine, formatStatusLine, loggerAroundLiveLine } from '../miner/live-line.ts';
import { DEFAULT_POOL_URL, formatPoolUrl, parsePoolUrl } from '../miner/pool-url.ts';

export { defaultMinerThreads } from '../algorithms/edge-algorithm.ts';

/** A worker name from the host name: letters, digits, '-' and '_' only. */
export function defaultWorkerName(): string {
  const name = hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  return name || 'otedama';
}

/** "0,1" -> [0, 1]. */
export function parseGpuList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new CliUsageError('--gpu expects adapter indices such as 0 or 0,1 (see otedama gpu list)');
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) throw new CliUsageError(`--gpu expects adapter indices such as 0 or 0,1 (got "${p}")`);
    const n = Number(p);
    if (out.includes(n)) throw new CliUsageError(`--gpu lists adapter ${n} twice`);
    out.push(n);
  }
  return out;
}

function checkWallet(wallet: string): void {
  if (!wallet) throw new CliUsageError('missing --wallet ADDR (the payout address the pool credits)');
  if (wallet.length > 128 || !/^[\x21-\x7e]+$/.test(wallet) || /["\\]/.test(wallet)) {
    throw new CliUsageError('--wallet must be one word of printable characters (a payout address)');
  }
}

export const mineCommand: Command = {
  words: ['mine'],
  summary: 'mine on a Stratum pool (sha256d or kawpow) with the CPU (WASM) and GPUs (WebGPU)',
  usage: '--wallet ADDR [--worker NAME] [--pool stratum+tcp://host:port] [--threads N] [--gpu 0,1] [flags]',
  details: [
    'Connects to the pool (our edge by default), authorizes as ADDR.WORKER and hashes until Ctrl+C.',
    'Control a running miner with otedama mining status|stop|start (127.0.0.1, --control-port).',
    '',
    'Examples:',
    '  otedama mine --wallet bcrt1qexample --worker rig1',
    '  otedama mine --wallet 1BitcoinAddr --pool stratum+tcps://pool.example.com:4333 --threads 4 --gpu 0',
    '  otedama mine --algo kawpow --wallet RAvenAddr --pool stratum+tcp://rvn.pool.example:3636 --gpu 0',
    '',
    'KawPow: each epoch (7,500 blocks) needs its light cache (16-150 MiB, kept in --data-dir) and, on a',
    'GPU, its DAG (1-5 GiB, built on the GPU in chunks with progress); mining starts when they are ready.',
  ].join('\n'),
  flags: [
    { name: 'wallet', type: 'string', help: 'payout address (the pool username is ADDR.WORKER)', metavar: 'ADDR' },
    { name: 'worker', type: 'string', help: 'worker name (default: this host name)', metavar: 'NAME' },
    { name: 'algo', type: 'string', default: 'sha256d', help: 'proof-of-work algorithm: sha256d (Bitcoin Stratum) or kawpow (Ravencoin Stratum)', metavar: 'NAME' },
    { name: 'pool', type: 'string', default: DEFAULT_POOL_URL, help: 'pool URL: stratum+tcp://host:port or stratum+tcps://host:port', metavar: 'URL' },
    { name: 'password', type: 'string', default: 'x', help: 'pool password', metavar: 'X' },
    {
      name: 'threads',
      type: 'integer',
      min: 0,
      max: 1024,
      help: `CPU threads, 0 for GPUs only (default: half the cores, ${defaultMinerThreads()} here; kawpow with --gpu: 0)`,
      metavar: 'N',
    },
    { name: 'cpu-engine', type: 'string', default: 'auto', choices: ['auto', ...CPU_ENGINES], help: 'CPU hasher: auto picks wasm-simd, else wasm (kawpow: no js)', metavar: 'ENGINE' },
    { name: 'gpu', type: 'string', help: 'GPU adapter indices to mine with, e.g. 0 or 0,1 (see otedama gpu list)', metavar: 'LIST' },
    { name: 'control-port', type: 'integer', default: DEFAULT_CONTROL_PORT, min: 0, max: 65535, help: 'local control endpoint port on 127.0.0.1 (0: any free port)', metavar: 'P' },
    { name: 'version-rolling', type: 'boolean', help: 'ask the pool for version rolling (mining.configure, BIP310)' },
    { name: 'tls-insecure', type: 'boolean', help: 'accept a stratum+tcps pool certificate that does not verify (self-signed)' },
    { name: 'stats-interval', type: 'duration', default: 5, help: 'seconds between status lines', metavar: 'DURATION' },
    ...algorithmFlags('mine'),
  ],
  async run(args, io) {
    const f = args.flags;
    if (args.positionals.length) throw new CliUsageError(`unexpected argument "${args.positionals[0]}" (flags only; see otedama mine --help)`);
    let algo;
    try {
      algo = getAlgorithm(String(f.algo));
    } catch (err) {
      throw new CliUsageError((err as OtedamaError).reason);
    }
    const wallet = f.wallet === undefined ? '' : String(f.wallet);
    checkWallet(wallet);
    const worker = f.worker === undefined ? defaultWorkerName() : String(f.worker);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(worker)) throw new CliUsageError('--worker must be 1-64 letters, digits, "-" or "_"');
    let pool;
    try {
      pool = parsePoolUrl(String(f.pool));
    } catch (err) {
      throw new CliUsageError((err as OtedamaError).reason);
    }
    const gpus = f.gpu === undefined ? [] : parseGpuList(String(f.gpu));

    const live = new LiveLine(process.stdout, (line) => io.out(line));
    const logger = live.isTTY ? loggerAroundLiveLine(io.logger, live) : io.logger;
    const log = logger.forComponent('mine');
    const user = `${wallet}.${worker}`;
    const input: SessionInput = {
      pool,
      user,
      password: String(f.password),
      threads: f.threads === undefined ? undefined : Number(f.threads),
      gpus,
      cpuEngine: String(f['cpu-engine']),
      versionRolling: !!f['version-rolling'],
      tlsInsecure: !!f['tls-insecure'],
      flags: f,
      env: io.env,
    };
    const { miner, client, cpu } = await edgeAlgorithm(algo, 'otedama mine').mine.session(input, logger);

    const stop = new AbortController();
    let exitCode = 0;
    let fatalReason: string | null = null;
    const onSignal = () => stop.abort();
    io.stopSignal.addEventListener('abort', onSignal, { once: true });
    client.on('fatal', (err) => {
      fatalReason = err.reason;
      exitCode = 1;
      stop.abort();
    });

    const control = await startControlServer(
      { status: () => miner.status(), pause: () => miner.pause(), resume: () => miner.resume(), stop: () => stop.abort() },
      Number(f['control-port']),
      logger,
    );
    let statsTimer: ReturnType<typeof setInterval> | undefined;
    try {
      await miner.start();
      log.info('mining', {
        algo: algo.name,
        pool: formatPoolUrl(pool),
        user,
        cpu,
        gpus: gpus.length ? gpus.map((g) => `gpu${g}`).join(',') : 'none',
        control: control.url,
      });
      client.start();
      statsTimer = setInterval(() => live.update(formatStatusLine(miner.status())), Number(f['stats-interval']) * 1000);
      if (!stop.signal.aborted) await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    } finally {
      if (statsTimer) clearInterval(statsTimer);
      io.stopSignal.removeEventListener('abort', onSignal);
      await miner.stop();
      await client.stop();
      await control.close();
      live.done();
    }
    const s = miner.status();
    io.out(`stopped: ${s.shares.accepted} accepted, ${s.shares.rejected} rejected, ${s.shares.stale} stale shares in ${s.uptimeSeconds} s`);
    if (fatalReason) io.err(`otedama mine: error: ${fatalReason}`);
    return exitCode;
  },
};
