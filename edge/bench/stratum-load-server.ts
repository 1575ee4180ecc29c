/**
 * The edge's Stratum server as a child process of the load bench (so its RSS and CPU are its
 * own): startStratum with a fixed template, difficulty pinned at BENCH_DIFFICULTY (vardiff
 * min = max), no bans, no per-IP limit, 127.0.0.1 only. Talks to the parent over IPC.
 */
import { difficultyToTarget, scriptToAddress, sha256d, targetToBits, type BlockTemplate } from '@otedama/core';
import { defaultConfig } from '../src/config/config.ts';
import { createLogger } from '../src/logger.ts';
import { singleAddressPayouts } from '../src/accounting/payout-provider.ts';
import { chainAddressValidator, startStratum } from '../src/stratum/stratum-service.ts';
import type { SubmitBlockResult, TemplateSource, TemplateUpdate } from '../src/chain/template-source.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createShareAccounting } from '../src/accounting/share-accounting.ts';
import { openStorage, type Storage } from '../src/storage/open-storage.ts';
import { ShareWriter } from '../src/storage/share-writer.ts';
import type { StratumHooks } from '../src/stratum/stratum-session.ts';
import { BENCH_DIFFICULTY, type ServerMessage } from './stratum-load-protocol.ts';

/** Durable accounting as the edge runs it: group commit, the reply waits for the commit. */
async function openAccounting(): Promise<{ hooks?: StratumHooks; close(): Promise<void> }> {
  const mode = process.env.OTEDAMA_BENCH_STORAGE ?? 'sqlite';
  if (mode === 'none') return { close: async () => {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'otedama-bench-'));
  const storage: Storage = await openStorage({
    dataDir,
    ...(mode === 'postgres' ? { databaseUrl: process.env.OTEDAMA_BENCH_DATABASE_URL! } : {}),
  });
  const writer = new ShareWriter(storage.store);
  return {
    hooks: createShareAccounting({ writer }),
    async close() {
      await writer.stop();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function send(msg: ServerMessage): void {
  process.send?.(msg);
}

class FixedTemplateSource implements TemplateSource {
  constructor(private readonly template: BlockTemplate) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  current(): BlockTemplate {
    return this.template;
  }
  onTemplate(_listener: (u: TemplateUpdate) => void): () => void {
    return () => {};
  }
  async submitBlock(): Promise<SubmitBlockResult> {
    return { accepted: false, reason: 'bench' };
  }
}

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  // The block target is far harder than the share target: no share is a block.
  const target = difficultyToTarget(1e6);
  const template: BlockTemplate = {
    height: 1000,
    version: 0x20000000,
    prevHash: sha256d(new Uint8Array([1, 2, 3])),
    bits: targetToBits(target),
    target,
    curtime: now,
    mintime: now - 600,
    coinbaseValue: 50n * 100_000_000n,
    transactions: [],
  };
  const stratum = defaultConfig({}).stratum;
  const address = scriptToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(1)]), 'regtest')!;
  const accounting = await openAccounting();
  const service = await startStratum({
    ...(accounting.hooks ? { hooks: accounting.hooks } : {}),
    config: {
      ...stratum,
      host: '127.0.0.1',
      port: 0,
      initialDifficulty: BENCH_DIFFICULTY,
      vardiff: { ...stratum.vardiff, minDifficulty: BENCH_DIFFICULTY, maxDifficulty: BENCH_DIFFICULTY },
      // One address opens every connection here, and the bench measures capacity: no limits.
      maxConnectionsPerIp: 1_000_000,
      maxConnections: 1_000_000,
      banThreshold: 1e12,
      idleTimeoutSeconds: 3600,
    },
    coinbaseTag: '/otedama-bench/',
    logger: createLogger({ level: 'warn' }),
    templateSource: new FixedTemplateSource(template),
    validateAddress: chainAddressValidator('regtest', 'simnet'),
    payouts: singleAddressPayouts(address, 'regtest'),
  });
  send({ type: 'ready', port: service.address.port });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stats') {
      const s = service.stats();
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      send({
        type: 'stats',
        connections: s.connections,
        authorized: s.authorized,
        accepted: s.sharesAccepted,
        rejected: s.sharesRejected,
        rejectedByReason: { ...s.rejectedByReason },
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
      });
    } else if (msg.type === 'stop') {
      void service
        .stop({ reconnect: false })
        .then(() => accounting.close())
        .then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err) => {
  send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
