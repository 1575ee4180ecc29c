/**
 * Hostile (an operator's slip): two edges on one data folder (issue 9, item 9). Before the fix a
 * second `otedama pool` on the same folder opened the running one's database and, on its way
 * out, deleted its RPC cookie. Now the second refuses to start, naming the folder and the
 * holder's pid, and touches nothing; a holder killed with SIGKILL leaves no stale lock.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcClient } from '../../src/chain/rpc-client.ts';
import { silentLogger } from '../../src/logger.ts';
import { DataDirLock } from '../../src/storage/data-dir-lock.ts';
import { runOtedama } from '../cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from '../edge-process.ts';

const dirs: string[] = [];
const edges: EdgeProcess[] = [];
afterEach(async () => {
  for (const e of edges.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hostile: two edges on one data folder', () => {
  it('the second refuses with the folder and the pid and deletes nothing; after a SIGKILL the folder is free again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'otedama-shared-dir-'));
    dirs.push(dataDir);
    const first = await startEdgeProcess([], { dataDir });
    edges.push(first);
    const cookie = join(dataDir, 'simnet', '.cookie');
    const cookieText = readFileSync(cookie, 'utf8');
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8');

    const second = await runOtedama(['pool', '--http-port', '0', '--stratum-port', '0', '--rpc-port', '0', '--data-dir', dataDir], { timeoutMs: 30_000 });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`the data folder ${dataDir} is in use by another otedama (pid ${first.pid})`);
    // Nothing of the running edge's was touched: cookie, admin token, RPC, HTTP.
    expect(readFileSync(cookie, 'utf8')).toBe(cookieText);
    expect(readFileSync(join(dataDir, 'admin.token'), 'utf8')).toBe(token);
    const rpc = new RpcClient({ url: first.rpcUrl, cookieFile: cookie, logger: silentLogger, retries: 0 });
    try {
      expect(await rpc.call<number>('getblockcount')).toBe(0);
    } finally {
      rpc.close();
    }
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    // The lock is the kernel's: a holder killed outright leaves the folder free (no stale lock).
    process.kill(first.pid, 'SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const lock = DataDirLock.acquire(dataDir);
    lock.release();
  });
});
