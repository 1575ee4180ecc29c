/**
 * What the browser benchmarks share: the harness Vite server on a free port, Chromium on a
 * software adapter, and the CPU time of the browser's processes (to report rates per
 * CPU-second, steadier than per wall second on a shared machine).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { LAVAPIPE_ARGS, SWIFTSHADER_ARGS } from '../../playwright.config.ts';

export const ADAPTER_ARGS: Record<string, string[]> = { lavapipe: LAVAPIPE_ARGS, swiftshader: SWIFTSHADER_ARGS };

/** The harness server (kernels/e2e/vite.harness.config.ts) on a free port, and its base URL. */
export async function startHarnessServer(): Promise<{ server: ViteDevServer; base: string }> {
  const server = await createServer({
    configFile: fileURLToPath(new URL('../e2e/vite.harness.config.ts', import.meta.url)),
    server: { port: 0, host: '127.0.0.1' },
  });
  await server.listen();
  return { server, base: server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5178/' };
}

/** Chromium with the software adapter `adapter` (lavapipe or swiftshader). */
export async function launchAdapter(adapter: string): Promise<Browser> {
  const args = ADAPTER_ARGS[adapter];
  if (!args) throw new Error(`unknown adapter "${adapter}" (known: ${Object.keys(ADAPTER_ARGS).join(', ')})`);
  return chromium.launch({ executablePath: process.env.OTEDAMA_CHROMIUM ?? '/usr/bin/chromium', args });
}

/** CPU seconds (user + system) used so far by every descendant process of `pid` (Linux /proc). */
export function descendantCpuSeconds(pid: number): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid ... utime(14) stime(15), 1-based.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  let ticks = 0;
  for (const s of stats.values()) {
    for (let q = s.ppid; q > 1; q = stats.get(q)?.ppid ?? 0) {
      if (q === pid) {
        ticks += s.ticks;
        break;
      }
    }
  }
  return ticks / ticksPerSecond;
}

/**
 * Waits until `phase()` in the page reads `measuring <id>`, then until it no longer does, and
 * returns the browser's CPU seconds per wall second over that window (undefined when the
 * phase was never seen, e.g. the page failed first).
 */
export async function cpuShareOfPhase(page: Page, read: string, id: string, timeoutMs: number): Promise<number | undefined> {
  const reached = await page
    .waitForFunction(([r, i]) => {
      const state = (window as unknown as Record<string, { phase?: string; status?: string } | undefined>)[r!];
      return state?.phase === `measuring ${i}` || (state?.status !== undefined && state.status !== 'running');
    }, [read, id] as const, { timeout: timeoutMs, polling: 50 })
    .then(() => page.evaluate(([r, i]) => (window as unknown as Record<string, { phase?: string } | undefined>)[r!]?.phase === `measuring ${i}`, [read, id] as const));
  if (!reached) return undefined;
  const cpu0 = descendantCpuSeconds(process.pid);
  const t0 = performance.now();
  await page.waitForFunction(([r, i]) => (window as unknown as Record<string, { phase?: string } | undefined>)[r!]?.phase !== `measuring ${i}`, [read, id] as const, {
    timeout: timeoutMs,
    polling: 50,
  });
  return (descendantCpuSeconds(process.pid) - cpu0) / ((performance.now() - t0) / 1000);
}
