/**
 * `otedama rig` end to end: the real binary starts two headless Debian Chromium browsers against
 * a real edge; both earn accepted shares for the address; one browser's process is killed and
 * the rig restarts it and its shares go on; Ctrl+C (SIGINT) stops the rig with a summary. The
 * --json lines are what the test reads. An address of another chain is refused before any
 * browser starts.
 */
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { edgeForFile, MINER_ADDRESS } from '../../web/e2e/edge-fixture.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const edge = edgeForFile();

interface Row {
  browser: number;
  state: string;
  pid?: number;
  accepted: number;
  restarts: number;
  hashrate: number;
}
interface Line {
  type: 'consent' | 'stats' | 'event' | 'summary';
  browsers?: Row[];
  total?: { accepted: number; restarts: number };
  browser?: number;
  text?: string;
}

function otedama(args: string[]): { child: ChildProcess; lines: Line[]; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [`${ROOT}edge/bin/otedama.mjs`, ...args], { cwd: ROOT, env: { ...process.env, OTEDAMA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let buffered = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Line);
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, stderr: () => err, exited };
}

const lastStats = (lines: Line[]) => lines.filter((l) => l.type === 'stats').at(-1)?.browsers ?? [];

test('a rig of two browsers earns accepted shares, survives a killed browser, and prints a summary on SIGINT', async () => {
  test.setTimeout(300_000);
  const rig = otedama(['rig', '--browsers', '2', '--threads', '1', '--url', edge.url, '--address', MINER_ADDRESS, '--json', '--stats-interval', '1s']);
  try {
    await expect.poll(() => rig.lines[0]?.type, { timeout: 60_000 }).toBe('consent');
    expect(rig.lines[0]).toMatchObject({ operatorConsents: true, browsers: 2, address: MINER_ADDRESS });
    // Both browsers mine and earn accepted shares.
    await expect.poll(() => lastStats(rig.lines).filter((r) => r.state === 'mining' && r.accepted > 0).length, { timeout: 180_000 }).toBe(2);
    const res = await fetch(new URL(`/api/miners/${MINER_ADDRESS}`, edge.url));
    expect(res.status).toBe(200);

    // Kill browser 1's Chromium: the rig restarts it and its shares go on.
    const before = lastStats(rig.lines).find((r) => r.browser === 1)!;
    expect(before.pid).toBeGreaterThan(0);
    process.kill(before.pid!, 'SIGKILL');
    await expect.poll(() => rig.lines.some((l) => l.type === 'event' && l.browser === 1 && /restarting/.test(l.text ?? '')), { timeout: 30_000 }).toBe(true);
    await expect
      .poll(
        () => {
          const row = lastStats(rig.lines).find((r) => r.browser === 1);
          return !!row && row.restarts === 1 && row.state === 'mining' && row.pid !== before.pid && row.accepted > before.accepted;
        },
        { timeout: 180_000 },
      )
      .toBe(true);

    rig.child.kill('SIGINT');
    expect(await rig.exited).toBe(0);
    const summary = rig.lines.at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary.browsers).toHaveLength(2);
    expect(summary.total!.restarts).toBe(1);
    expect(summary.total!.accepted).toBeGreaterThan(before.accepted);
  } finally {
    if (rig.child.exitCode === null) rig.child.kill('SIGKILL');
  }
});

test("an address of another chain than the pool's is refused before any browser starts", async () => {
  const rig = otedama(['rig', '--browsers', '1', '--url', edge.url, '--address', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4']);
  expect(await rig.exited).toBe(2);
  expect(rig.stderr()).toMatch(/--address is not an address of the pool's chain \(regtest\)/);
});
