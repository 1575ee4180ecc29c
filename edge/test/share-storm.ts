/**
 * Child process of the SIGKILL durability test: opens the storage (SQLite in --data-dir, or
 * PostgreSQL at --database-url), runs a storm of share appends from many concurrent "miners"
 * through the group-commit ShareWriter, and prints the hash of every acknowledged share on its
 * own line — the moment a Stratum server would answer the miner "accepted". Runs until killed.
 *
 *   node --import ./edge/bin/register.mjs edge/test/share-storm.ts --data-dir DIR --round N
 */
import { openStorage } from '../src/storage/open-storage.ts';
import { ShareWriter } from '../src/storage/share-writer.ts';

/** Concurrent appenders: like miners on many Stratum connections. */
const MINERS = 64;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const databaseUrl = arg('database-url');
const dataDir = arg('data-dir') ?? '.';
const round = arg('round') ?? '0';
const storage = await openStorage({ ...(databaseUrl ? { databaseUrl } : {}), dataDir });
const writer = new ShareWriter(storage.store, { flushMs: 5 });
process.stdout.write('ready\n');

async function miner(m: number): Promise<void> {
  for (let n = 0; ; n++) {
    const hash = `r${round}-m${m}-${n}`;
    await writer.append({
      time: Date.now(), address: `addr${m % 8}`, worker: `w${m}`, difficulty: 1 + (n % 7), shareDiff: 10,
      jobId: String(n), height: 1, isBlock: false, hash,
    });
    process.stdout.write(hash + '\n');
  }
}

await Promise.all(Array.from({ length: MINERS }, (_, m) => miner(m)));
