/**
 * A rig: N headless Chromium browsers on the operator's machine, each mining in one page of the
 * web app for one payout address. Each browser has a slot that outlives its processes: a crashed
 * browser (process killed, page crashed) or a stalled one (rig-health.ts) is replaced with
 * backoff (the web miner's RestartPolicy: at once after a healthy run, then doubling up to a
 * minute). Counters add up over a slot's browsers. A page that refuses the settings ends the rig
 * (RigSetupError): every browser would refuse them.
 */
import { RestartPolicy } from '@otedama/web/watchdog';
import { RigSetupError } from './errors.ts';
import { RigBrowser, type MiningTarget, type PageStats, type RigBrowserOptions } from './rig-browser.ts';
import { stallReason } from './rig-health.ts';

/** First restart delay (ms) of a browser that failed soon after starting. */
export const RESTART_BASE_MS = 1_000;
/** Longest restart delay (ms). */
export const RESTART_CAP_MS = 60_000;
/** A browser that mined this long (ms) before failing restarts without backoff. */
export const HEALTHY_RUN_MS = 60_000;
/** How often (ms) the rig looks for stalled browsers. */
const HEALTH_CHECK_MS = 5_000;

export interface RigOptions extends MiningTarget {
  browsers: number;
}

export type SlotState = 'starting' | 'mining' | 'restarting' | 'stopped';

export interface RigRow {
  /** 1-based. */
  browser: number;
  state: SlotState;
  pid: number | undefined;
  hashrate: number;
  hashes: number;
  accepted: number;
  rejected: number;
  stale: number;
  restarts: number;
  peers: number;
  /** Why it is paused or restarting, when it is. */
  note: string;
}

export interface RigSnapshot {
  /** Milliseconds since the rig started. */
  elapsedMs: number;
  rows: RigRow[];
  total: Omit<RigRow, 'browser' | 'state' | 'pid' | 'note'>;
}

export interface RigEvent {
  browser: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface RigDeps {
  onEvent(event: RigEvent): void;
  now?: () => number;
  /** Builds a browser (tests and other launchers). */
  newBrowser?: (options: RigBrowserOptions) => RigBrowser;
}

interface Slot {
  index: number;
  state: SlotState;
  browser: RigBrowser | undefined;
  /** Counters of the slot's earlier browsers. */
  base: { hashes: number; accepted: number; rejected: number; stale: number };
  current: PageStats | undefined;
  restarts: number;
  launchedAt: number;
  lastStatsAt: number | undefined;
  lastProgressAt: number | undefined;
  note: string;
  policy: RestartPolicy;
  /** Resolves when the current browser ends (crash, stall, stop). */
  ended: Promise<string>;
  end: (reason: string) => void;
  wake: () => void;
}

export class Rig {
  private readonly slots: Slot[] = [];
  private readonly now: () => number;
  private startedAt = 0;
  private stopping = false;
  private healthTimer: ReturnType<typeof setInterval> | undefined;
  private fatal: ((err: Error) => void) | undefined;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly options: RigOptions,
    private readonly deps: RigDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Launches every browser and keeps them mining. Resolves once each has started mining (or is
   * being restarted); rejects with RigSetupError when a page refuses the settings (the rig has
   * then stopped).
   */
  async start(): Promise<void> {
    this.startedAt = this.now();
    const failed = new Promise<never>((_, reject) => (this.fatal = reject));
    failed.catch(() => undefined);
    const firstRuns: Promise<void>[] = [];
    for (let i = 1; i <= this.options.browsers; i++) {
      const slot = this.newSlot(i);
      this.slots.push(slot);
      let firstDone!: () => void;
      firstRuns.push(new Promise<void>((r) => (firstDone = r)));
      this.loops.push(this.run(slot, firstDone));
    }
    this.healthTimer = setInterval(() => this.checkHealth(), HEALTH_CHECK_MS);
    try {
      await Promise.race([Promise.all(firstRuns), failed]);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Per browser and total, now. */
  snapshot(): RigSnapshot {
    const rows = this.slots.map((s): RigRow => {
      const c = s.current;
      return {
        browser: s.index,
        state: s.state,
        pid: s.browser?.pid,
        hashrate: s.state === 'mining' ? (c?.hashrate ?? 0) : 0,
        hashes: s.base.hashes + (c?.hashes ?? 0),
        accepted: s.base.accepted + (c?.accepted ?? 0),
        rejected: s.base.rejected + (c?.rejected ?? 0),
        stale: s.base.stale + (c?.stale ?? 0),
        restarts: s.restarts,
        peers: c?.peers ?? 0,
        note: s.note,
      };
    });
    const sum = (k: 'hashrate' | 'hashes' | 'accepted' | 'rejected' | 'stale' | 'restarts' | 'peers') => rows.reduce((a, r) => a + r[k], 0);
    return {
      elapsedMs: this.now() - this.startedAt,
      rows,
      total: { hashrate: sum('hashrate'), hashes: sum('hashes'), accepted: sum('accepted'), rejected: sum('rejected'), stale: sum('stale'), restarts: sum('restarts'), peers: sum('peers') },
    };
  }

  /** Stops every browser (the page's Stop, then the process); resolves with the last snapshot. Idempotent. */
  async stop(): Promise<RigSnapshot> {
    if (!this.stopping) {
      this.stopping = true;
      clearInterval(this.healthTimer);
      for (const s of this.slots) s.wake();
      await Promise.all(this.slots.map((s) => s.browser?.close()));
      for (const s of this.slots) {
        s.end('stopped');
        s.state = 'stopped';
        s.note = '';
      }
      await Promise.allSettled(this.loops);
    }
    const last = this.snapshot();
    for (const r of last.rows) r.hashrate = 0;
    last.total.hashrate = 0;
    return last;
  }

  private newSlot(index: number): Slot {
    const slot: Slot = {
      index,
      state: 'starting',
      browser: undefined,
      base: { hashes: 0, accepted: 0, rejected: 0, stale: 0 },
      current: undefined,
      restarts: 0,
      launchedAt: 0,
      lastStatsAt: undefined,
      lastProgressAt: undefined,
      note: '',
      policy: new RestartPolicy({ baseMs: RESTART_BASE_MS, capMs: RESTART_CAP_MS, healthyMs: HEALTHY_RUN_MS }),
      ended: Promise.resolve(''),
      end: () => {},
      wake: () => {},
    };
    return slot;
  }

  private event(slot: Slot, level: RigEvent['level'], text: string): void {
    this.deps.onEvent({ browser: slot.index, level, text });
  }

  /** One slot's life: launch, mine until the browser ends, wait out the backoff, again. */
  private async run(slot: Slot, firstDone: () => void): Promise<void> {
    while (!this.stopping) {
      slot.ended = new Promise<string>((resolve) => (slot.end = resolve));
      slot.state = 'starting';
      slot.launchedAt = this.now();
      slot.lastStatsAt = undefined;
      slot.lastProgressAt = undefined;
      slot.current = undefined;
      const { browsers: _count, ...target } = this.options;
      const browser = (this.deps.newBrowser ?? ((o) => new RigBrowser(o)))({
        ...target,
        onStats: (stats) => this.onStats(slot, browser, stats),
        onExit: (reason) => slot.end(reason),
      });
      slot.browser = browser;
      slot.policy.started(this.now());
      let reason: string;
      try {
        await browser.launch();
        if (this.stopping) break;
        slot.state = 'mining';
        slot.note = '';
        this.event(slot, 'info', `mining (Chromium pid ${browser.pid ?? '?'})`);
        firstDone();
        reason = await slot.ended;
      } catch (err) {
        if (this.stopping) break;
        if (err instanceof RigSetupError) {
          this.event(slot, 'error', err.reason);
          await browser.close();
          firstDone();
          this.fatal?.(err);
          return;
        }
        reason = `could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      }
      if (this.stopping) break;
      await browser.close();
      // Fold this browser's counters into the slot's before the next one starts from zero.
      const c = slot.current as PageStats | undefined; // set by onStats meanwhile
      if (c) {
        slot.base = { hashes: slot.base.hashes + c.hashes, accepted: slot.base.accepted + c.accepted, rejected: slot.base.rejected + c.rejected, stale: slot.base.stale + c.stale };
      }
      slot.current = undefined;
      slot.restarts++;
      const delay = slot.policy.failed(this.now());
      slot.state = 'restarting';
      slot.note = reason;
      this.event(slot, 'warn', `${reason}; restarting it in ${(delay / 1000).toFixed(1)} s (restart ${slot.restarts})`);
      firstDone();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        slot.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    // Stopped: a launch that was under way when stop() closed the browser has finished now.
    await slot.browser?.close();
  }

  private onStats(slot: Slot, browser: RigBrowser, stats: PageStats): void {
    if (slot.browser !== browser || this.stopping) return;
    const now = this.now();
    if (stats.hashes > (slot.current?.hashes ?? 0)) slot.lastProgressAt = now;
    slot.lastStatsAt = now;
    slot.current = stats;
    if (slot.state === 'mining') slot.note = stats.duty === 0 ? `paused: ${stats.throttleReason ?? ''}` : stats.throttleReason ? `throttled: ${stats.throttleReason}` : stats.connection === 'authorized' ? '' : stats.connection;
  }

  private checkHealth(): void {
    const now = this.now();
    for (const slot of this.slots) {
      if (slot.state !== 'mining' || !slot.browser) continue;
      const why = stallReason({ now, launchedAt: slot.launchedAt, lastStatsAt: slot.lastStatsAt, lastProgressAt: slot.lastProgressAt, connection: slot.current?.connection, duty: slot.current?.duty });
      if (why) slot.browser.kill(`stalled: ${why}`);
    }
  }
}
