/**
 * One browser of a rig: a headless Chromium process (playwright-core's launchServer, so the rig
 * knows its pid) with one page of the web app (the edge's URL), set up and started the way a
 * person would (address, algorithm, threads, GPU, Start): the operator consents by running the
 * rig. The page's figures come from the web app's `otedama:stats` event (apps/web
 * miner-runtime.ts), passed to Node through a binding.
 *
 * It reports its end once (`onExit`): the process died, the page crashed, or the rig killed it
 * (a stall). `close()` stops mining in the page (Stop), then closes the browser.
 */
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { RigSetupError } from './errors.ts';

/** The web app's stats event (apps/web/src/miner-runtime.ts MINER_STATS_EVENT; a rig test keeps them equal). */
export const STATS_EVENT = 'otedama:stats';
/** The binding the page's stats reach Node through. */
const STATS_BINDING = '__otedamaRigStats';
/** Longest wait (ms) for the page to load and for Start to be taken. */
const PAGE_TIMEOUT_MS = 90_000;
/** Longest wait (ms) for the page to find a WebGPU adapter when --gpu asks for one. */
const GPU_PROBE_MS = 30_000;
/** Time (ms) the page gets to stop its miner before the browser is closed. */
const STOP_GRACE_MS = 3_000;

/** The figures a page reports (apps/web MinerStats, the parts the rig shows). */
export interface PageStats {
  hashrate: number;
  hashes: number;
  accepted: number;
  rejected: number;
  stale: number;
  connection: string;
  duty: number;
  throttleReason?: string;
  gpuAdapter?: string;
  /** Peers of the sharechain network the page is connected to (0 on a Stratum-only pool). */
  peers?: number;
}

/** What every browser of a rig does: which page, for whom, with what, in which Chromium. */
export interface MiningTarget {
  /** The pool edge's web app. */
  url: string;
  address: string;
  algo: string;
  /** CPU threads (0 with gpu). */
  threads: number;
  gpu: boolean;
  executablePath: string;
  switches: string[];
}

export interface RigBrowserOptions extends MiningTarget {
  onStats(stats: PageStats): void;
  /** Called once when the browser ends without close(): why. */
  onExit(reason: string): void;
}

/** A number the page sent, or 0. */
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** The stats a page sent, read defensively (it is data from a page). */
export function readPageStats(raw: unknown): PageStats | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const stats: PageStats = {
    hashrate: num(r.hashrate),
    hashes: num(r.hashes),
    accepted: num(r.accepted),
    rejected: num(r.rejected),
    stale: num(r.stale),
    connection: typeof r.connection === 'string' ? r.connection.slice(0, 200) : '',
    duty: typeof r.duty === 'number' && r.duty >= 0 && r.duty <= 1 ? r.duty : 1,
    peers: num(r.peers),
  };
  if (typeof r.throttleReason === 'string') stats.throttleReason = r.throttleReason.slice(0, 200);
  if (typeof r.gpuAdapter === 'string') stats.gpuAdapter = r.gpuAdapter.slice(0, 200);
  return stats;
}

export class RigBrowser {
  private server: BrowserServer | undefined;
  private browser: Browser | undefined;
  private page: Page | undefined;
  private closing = false;
  private exited = false;

  constructor(private readonly options: RigBrowserOptions) {}

  /** The Chromium process id, once launched. */
  get pid(): number | undefined {
    return this.server?.process().pid;
  }

  /**
   * Starts Chromium, opens the page and starts mining. Throws RigSetupError when the page refuses
   * the settings (restarting would not help), another Error for anything else.
   */
  async launch(): Promise<void> {
    const o = this.options;
    this.server = await chromium.launchServer({
      executablePath: o.executablePath,
      args: o.switches,
      headless: true,
      // The rig stops its browsers itself on Ctrl+C, after a summary.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    this.server.process().once('exit', (code, signal) => this.exit(`Chromium exited (${signal ?? `code ${code}`})`));
    this.browser = await chromium.connect(this.server.wsEndpoint());
    this.browser.on('disconnected', () => this.exit('the browser disconnected'));
    const context = await this.browser.newContext();
    await context.exposeBinding(STATS_BINDING, (_source, raw: unknown) => {
      const stats = readPageStats(raw);
      if (stats && !this.closing) o.onStats(stats);
    });
    // The page's CPU-pressure courtesy is off in a rig: on a machine the operator gives to mining,
    // the browsers' own load reads as "critical" pressure and would halve every one of them (the
    // web app's throttle cannot yet tell its own load from other work); the operator sizes the
    // rig with --browsers and --threads instead.
    await context.addInitScript({ content: `delete globalThis.PressureObserver; addEventListener(${JSON.stringify(STATS_EVENT)}, (e) => window.${STATS_BINDING}(e.detail));` });
    const page = await context.newPage();
    this.page = page;
    page.on('crash', () => this.exit('the page crashed'));
    await page.goto(o.url, { timeout: PAGE_TIMEOUT_MS });
    await page.locator('#address').fill(o.address, { timeout: PAGE_TIMEOUT_MS });
    await page.locator('#algorithm').selectOption(o.algo);
    await page.locator('#threads').fill(String(o.threads));
    if (o.gpu) {
      try {
        await page.locator('#gpu:not([disabled])').waitFor({ timeout: GPU_PROBE_MS });
      } catch {
        const why = (await page.locator('#gpu-adapter').textContent().catch(() => '')) ?? '';
        throw new RigSetupError(`--gpu: the page found no WebGPU adapter in this Chromium (${why.trim() || 'no answer'})`);
      }
      await page.locator('#gpu').check();
    }
    // The operator's machine: keep mining when the (headless) tab counts as hidden or on battery.
    await page.locator('details summary').first().click();
    await page.locator('#when-hidden').selectOption('run');
    await page.locator('#on-battery').selectOption('run');
    await page.locator('#start').click();
    const outcome = await Promise.race([
      page.locator('#mining-indicator').waitFor({ state: 'visible', timeout: PAGE_TIMEOUT_MS }).then(() => 'mining' as const),
      page.locator('#setup-error').filter({ hasText: /\S/ }).waitFor({ timeout: PAGE_TIMEOUT_MS }).then(() => 'refused' as const),
    ]);
    if (outcome === 'refused') {
      const text = ((await page.locator('#setup-error').textContent()) ?? '').trim();
      throw new RigSetupError(`the page refused to start: ${text}`);
    }
  }

  /** Ends the browser now without the page's Stop (a stalled page); reports `reason` through onExit. */
  kill(reason: string): void {
    this.exit(reason);
    this.server?.process().kill('SIGKILL');
  }

  /**
   * Stops mining in the page (Stop), then closes the browser; never throws. Safe to call again
   * (a launch that was still under way is closed by the next call).
   */
  async close(): Promise<void> {
    const first = !this.closing;
    this.closing = true;
    const page = this.page;
    if (first && page && !page.isClosed() && !this.exited) {
      await page
        .locator('#stop')
        .click({ timeout: STOP_GRACE_MS })
        .then(() => page.locator('#mining-indicator').waitFor({ state: 'hidden', timeout: STOP_GRACE_MS }))
        .catch(() => undefined);
    }
    await this.browser?.close().catch(() => undefined);
    await this.server?.close().catch(() => undefined);
  }

  private exit(reason: string): void {
    if (this.exited || this.closing) return;
    this.exited = true;
    this.options.onExit(reason);
  }
}
