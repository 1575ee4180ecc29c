/**
 * "Accepted means durable": a child process appends shares through the group-commit writer and
 * prints each acknowledged share; we SIGKILL it in the middle of the storm, restart (reopen the
 * database), and require every acknowledged share to be there. Five rounds per backend, each
 * killed at a different moment, on SQLite and on PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend, type Backend } from '../../test/storage-backends.ts';
import { openStorage } from './open-storage.ts';

const ROUNDS = 5;
/** Shares a round must have acknowledged before it may be killed, and the kill window (ms). */
const MIN_ACKS = 200;
const KILL_AFTER_MS = [150, 600] as const;

const REGISTER = fileURLToPath(new URL('../../bin/register.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('../../test/share-storm.ts', import.meta.url));

const backends: Backend[] = [sqliteBackend(), await postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.close();
});

interface RoundResult {
  acked: string[];
  signal: NodeJS.Signals | null;
}

/** Runs one storm and kills it with SIGKILL at a random moment once it is going. */
function storm(args: string[], round: number, killAfterMs: number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', REGISTER, CHILD, ...args, '--round', String(round)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    let ready = false;
    let readyAt = 0;
    let killed = false;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`storm round ${round} did not get going within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // a torn last line was not fully acknowledged to us: ignore it
      for (const line of lines) {
        if (line === 'ready') {
          ready = true;
          readyAt = performance.now();
        } else if (line) acked.push(line);
      }
      if (!killed && ready && acked.length >= MIN_ACKS && performance.now() - readyAt >= killAfterMs) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (stderr += c));
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (!killed) reject(new Error(`storm round ${round} exited by itself (code ${code}, signal ${signal}); stderr: ${stderr}`));
      else resolve({ acked, signal });
    });
  });
}

for (const backend of backends) {
  const title = backend.skip ? `SIGKILL durability on ${backend.dialect} (skipped: ${backend.skip})` : `SIGKILL durability on ${backend.dialect}`;
  describe.skipIf(Boolean(backend.skip))(title, () => {
    it(`finds every acknowledged share after ${ROUNDS} kills mid-storm`, async () => {
      const fresh = await backend.fresh();
      const args = fresh.databaseUrl ? ['--database-url', fresh.databaseUrl] : ['--data-dir', fresh.dataDir];
      try {
        let total = 0;
        for (let round = 1; round <= ROUNDS; round++) {
          const killAfter = KILL_AFTER_MS[0] + ((KILL_AFTER_MS[1] - KILL_AFTER_MS[0]) * (round - 1)) / (ROUNDS - 1);
          const { acked, signal } = await storm(args, round, killAfter);
          expect(signal).toBe('SIGKILL');
          expect(acked.length).toBeGreaterThanOrEqual(MIN_ACKS);
          // Restart: open the database the way the edge does (migrations run again, WAL recovery).
          const storage = await openStorage({ ...(fresh.databaseUrl ? { databaseUrl: fresh.databaseUrl } : {}), dataDir: fresh.dataDir });
          try {
            const rows = await storage.driver.query<{ hash: string }>('SELECT hash FROM shares');
            const stored = new Set(rows.map((r) => r.hash));
            const missing = acked.filter((h) => !stored.has(h));
            expect(missing, `round ${round}: acknowledged shares missing after SIGKILL`).toEqual([]);
            // Nothing stored twice, and every stored share of this round was really produced.
            expect(stored.size).toBe(rows.length);
            if (storage.driver.dialect === 'sqlite') {
              expect(await storage.driver.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
            }
            total += acked.length;
          } finally {
            await storage.close();
          }
        }
        expect(total).toBeGreaterThanOrEqual(ROUNDS * MIN_ACKS);
      } finally {
        await fresh.cleanup();
      }
    });
  });
}
