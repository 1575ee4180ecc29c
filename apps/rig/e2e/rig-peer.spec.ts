/**
 * `otedama rig` on an edge whose pool is a peer network (p2p on, as `npm start` runs it): its
 * browser is a peer like any page. The rig's JSON shows the browser's peers; the edge admits it
 * over libp2p WebSockets and counts no Stratum connection; the browser's shares reach the
 * edge's chain and pay the rig's address; SIGINT ends with a summary.
 */
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { edgeForFile, MINER_ADDRESS, stratumConnections } from '../../web/e2e/edge-fixture.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const edge = edgeForFile([], { peers: true });

interface Line {
  type: string;
  browsers?: { state: string; accepted: number; peers: number }[];
}
const api = async <T>(path: string): Promise<T> => (await (await fetch(new URL(path, edge.url))).json()) as T;

test('a rig browser is a peer of the pool: peers in its table, admitted by the edge, its shares in the chain for the address', async () => {
  test.setTimeout(240_000);
  const child = spawn(process.execPath, [`${ROOT}edge/bin/otedama.mjs`, 'rig', '--browsers', '1', '--threads', '1', '--url', edge.url, '--address', MINER_ADDRESS, '--json', '--stats-interval', '1s'], {
    cwd: ROOT,
    env: { ...process.env, OTEDAMA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Line);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const row = () => lines.filter((l) => l.type === 'stats').at(-1)?.browsers?.[0];
  try {
    await expect.poll(() => row()?.state, { timeout: 90_000 }).toBe('mining');
    await expect.poll(() => row()?.peers ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);
    const admitted = async () => (await api<{ peers: { admitted: boolean; transports: string[] }[] }>('/api/sharechain/peers')).peers.filter((p) => p.admitted && p.transports.includes('websockets')).length;
    await expect.poll(admitted, { timeout: 30_000 }).toBe(1);
    expect(await stratumConnections(edge)).toBe(0);
    await expect.poll(async () => (await api<{ tip: { height: number } | null }>('/api/sharechain')).tip?.height ?? 0, { timeout: 120_000 }).toBeGreaterThan(0);
    const payouts = (await api<{ nextPayouts: { address: string }[] | null }>('/api/sharechain')).nextPayouts ?? [];
    expect(payouts.map((p) => p.address)).toContain(MINER_ADDRESS);
    await expect.poll(() => row()?.accepted ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(lines.at(-1)?.type).toBe('summary');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
