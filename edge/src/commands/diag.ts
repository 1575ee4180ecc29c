/**
 * `otedama diag`: a report to paste into a bug: the environment (Node, OS, cores, memory), the
 * configuration in effect, the database (reachable, schema version), the chain connection and
 * WebGPU availability. Works whether or not an edge is running; never changes anything (a
 * missing SQLite file is reported, not created).
 */
import { existsSync } from 'node:fs';
import { arch, cpus, freemem, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { JSON_FLAG, type Command } from '../command.ts';
import type { EdgeConfig } from '../config/config.ts';
import { redactUrl } from '../storage/postgres-driver.ts';
import { schemaVersion, MIGRATIONS } from '../storage/migrations.ts';
import { openDriver, SQLITE_FILE_NAME } from '../storage/open-storage.ts';
import { noPositionals } from './edge-api.ts';
import { rpcCheck } from './net-test.ts';
import { edgeConfigFromFlags, LOCATION_FLAGS } from './pool.ts';

/** Longest wait for Dawn to list adapters (a broken driver can hang). */
const GPU_PROBE_TIMEOUT_MS = 15_000;
const MIB = 1024 * 1024;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function databaseReport(config: EdgeConfig): Promise<Record<string, unknown>> {
  const backend = config.storage.databaseUrl ? 'postgres' : 'sqlite';
  const location = config.storage.databaseUrl ? redactUrl(config.storage.databaseUrl) : join(config.dataDir, SQLITE_FILE_NAME);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (backend === 'sqlite' && !existsSync(location)) {
    return { backend, location, ok: true, exists: false, schemaVersion: 0, latestVersion: latest, detail: 'not created yet (otedama pool creates it)' };
  }
  try {
    const driver = await withTimeout(openDriver({ dataDir: config.dataDir, ...(config.storage.databaseUrl ? { databaseUrl: config.storage.databaseUrl } : {}) }), 10_000, 'the database');
    try {
      const version = await schemaVersion(driver);
      return { backend, location, ok: true, exists: true, schemaVersion: version, latestVersion: latest, detail: version === latest ? 'up to date' : `${latest - version} migration(s) pending (otedama pool applies them)` };
    } finally {
      await driver.close();
    }
  } catch (err) {
    return { backend, location, ok: false, detail: (err as { reason?: string }).reason ?? (err as Error).message };
  }
}

async function webgpuReport(): Promise<Record<string, unknown>> {
  try {
    const { listNodeAdapters } = await import('@otedama/kernels/node-gpu');
    const adapters = await withTimeout(listNodeAdapters(['opengles']), GPU_PROBE_TIMEOUT_MS, 'Dawn');
    return {
      available: adapters.length > 0,
      backends: ['opengles'],
      adapters: adapters.map((a) => ({ backend: String(a.backend), description: a.description, vendor: a.vendor, isFallbackAdapter: a.isFallbackAdapter })),
      ...(adapters.length ? {} : { detail: 'no OpenGL ES adapter (otedama gpu list explains what to install)' }),
    };
  } catch (err) {
    return { available: false, backends: ['opengles'], adapters: [], detail: (err as Error).message };
  }
}

export const diagCommand: Command = {
  words: ['diag'],
  summary: 'report the environment, configuration, database, chain connection and WebGPU availability',
  usage: '[--config FILE] [--data-dir DIR] [--json]',
  flags: [...LOCATION_FLAGS, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const config = edgeConfigFromFlags(args.flags, io.env);
    const cpuList = cpus();
    const environment = {
      otedama: '0.1.0',
      node: process.versions.node,
      v8: process.versions.v8,
      os: `${platform()} ${release()} (${arch()})`,
      cores: cpuList.length,
      cpu: cpuList[0]?.model ?? 'unknown',
      memoryTotalMiB: Math.round(totalmem() / MIB),
      memoryFreeMiB: Math.round(freemem() / MIB),
    };
    const configSummary = {
      file: args.flags.config ? String(args.flags.config) : null,
      dataDir: config.dataDir,
      http: `${config.http.host}:${config.http.port}`,
      stratum: `${config.stratum.host}:${config.stratum.port}`,
      chain: config.chain.mode === 'simnet' ? `simnet (RPC port ${config.chain.simnet.rpcPort}, block difficulty ${config.chain.simnet.blockDifficulty})` : `rpc ${config.chain.rpcUrl}`,
      pool: { feeBp: config.pool.feeBp, minPayoutSats: Number(config.pool.minPayoutSats), payouts: 'sharechain', payoutAddress: config.pool.payoutAddress ?? null },
      metrics: config.metrics.port !== undefined ? `${config.metrics.host}:${config.metrics.port}` : 'on the HTTP port',
      log: `${config.log.level} (${config.log.format})`,
    };
    const [database, chain, webgpu] = await Promise.all([databaseReport(config), rpcCheck(config), webgpuReport()]);
    const report = { environment, config: configSummary, database, chain, webgpu };
    if (args.flags.json) {
      io.out(JSON.stringify(report));
      return 0;
    }
    const gpu = webgpu.available
      ? (webgpu.adapters as { backend: string; description: string }[]).map((a) => `${a.description || 'adapter'} (${a.backend})`).join(', ')
      : `not available: ${String(webgpu.detail)}`;
    io.out([
      'environment',
      `  otedama ${environment.otedama}, Node ${environment.node} (V8 ${environment.v8})`,
      `  ${environment.os}, ${environment.cores} cores (${environment.cpu})`,
      `  memory ${environment.memoryFreeMiB} MiB free of ${environment.memoryTotalMiB} MiB`,
      'configuration',
      `  file ${configSummary.file ?? '(none: defaults, environment, flags)'}`,
      `  data ${configSummary.dataDir}; HTTP ${configSummary.http}; Stratum ${configSummary.stratum}; metrics ${configSummary.metrics}`,
      `  chain ${configSummary.chain}`,
      `  operator fee ${configSummary.pool.feeBp} bp of every share, sharechain min payout ${configSummary.pool.minPayoutSats} sats`,
      'database',
      `  ${database.backend} at ${database.location}: ${database.ok ? `schema v${String(database.schemaVersion)} of ${String(database.latestVersion)}, ${String(database.detail)}` : `cannot open: ${String(database.detail)}`}`,
      'chain',
      `  ${chain.target}: ${chain.ok ? chain.detail : `no answer: ${chain.detail}`}`,
      'webgpu',
      `  ${gpu}`,
    ].join('\n'));
    return 0;
  },
};
