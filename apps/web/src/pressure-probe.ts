/**
 * CPU pressure that is not the miner's own. The Compute Pressure API reports the whole device,
 * the miner's load included: on a 2-core machine one busy worker reads 'critical' by itself, so a
 * throttle fed by the raw reading would slow the miner because it mines. This probe tells the two
 * apart by measuring pressure while the miner rests.
 *
 *   - A raw reading below 'serious' is an upper bound on what others cause: it is believed at once
 *     (it can only lower the verdict, never raise it).
 *   - A raw reading of 'serious' or 'critical' proves nothing by itself. PRESSURE_PROBE_DELAY_MS
 *     later (a short burst passes without a probe; at least PRESSURE_PROBE_MIN_GAP_MS after the
 *     last probe) every engine rests for PRESSURE_PROBE_REST_MS, and the state the browser reports
 *     at the end of that rest is the verdict: pressure without the miner. While the raw reading
 *     stays high, the probe repeats every PRESSURE_PROBE_EVERY_MS (at most 5 % of the mining time
 *     on such a device), so outside load that starts or ends is noticed within a minute.
 *   - Browsers report pressure to visible pages only: forget() drops everything (a probe in flight
 *     is then void) and nothing is probed until a reading comes again.
 *
 * Why the state at the end of the rest: browsers deliver a pressure record when the state
 * changes. If the miner's own load made it 'critical', it falls within a second or two of the
 * rest (Chromium samples the CPU about once a second) and that record arrives; if it stays
 * 'critical' no record comes, and the last one still holds: the device is busy without the miner.
 *
 * Pure: timers and the miner's rest are injected.
 */

export type PressureState = 'nominal' | 'fair' | 'serious' | 'critical';

export const PRESSURE_RANK: Readonly<Record<PressureState, number>> = { nominal: 0, fair: 1, serious: 2, critical: 3 };
/** How long the miner rests for one probe (ms): a couple of the browser's ~1 s CPU samples without it. */
export const PRESSURE_PROBE_REST_MS = 3_000;
/** Wait after the raw reading turns high before probing (ms): a burst shorter than this costs nothing. */
export const PRESSURE_PROBE_DELAY_MS = 5_000;
/** Fewest ms between two probes, whatever the readings do. */
export const PRESSURE_PROBE_MIN_GAP_MS = 20_000;
/** Period of the probe while the raw reading stays high (ms): 3 s in 60 s is 5 % of the mining time. */
export const PRESSURE_PROBE_EVERY_MS = 60_000;

const isHigh = (s: PressureState | undefined): boolean => s !== undefined && PRESSURE_RANK[s] >= PRESSURE_RANK.serious;

export interface PressureProbeOptions {
  /** Parks every engine for `ms`; resolves when they may mine again. */
  rest(ms: number): Promise<void>;
  /** The verdict changed (pressure without the miner; undefined when unknown). */
  onVerdict(state: PressureState | undefined): void;
  /** A probe started or ended (for the page: the dashboard shows it). */
  onResting?(resting: boolean): void;
  log?(text: string): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export class PressureProbe {
  private raw: PressureState | undefined;
  private verdictState: PressureState | undefined;
  private timer: unknown;
  private resting = false;
  /** Bumped by forget()/stop(): a probe that started before is void. */
  private generation = 0;
  private lastProbeAt = -Infinity;
  private stopped = false;
  private concluded = '';

  constructor(private readonly o: PressureProbeOptions) {}

  /** Pressure without the miner, as last measured; undefined when unknown. */
  get verdict(): PressureState | undefined {
    return this.verdictState;
  }

  /** A raw reading from the browser (the whole device, the miner included). */
  reading(state: PressureState): void {
    if (this.stopped) return;
    this.raw = state;
    if (this.resting) return;
    if (this.verdictState === undefined ? !isHigh(state) : PRESSURE_RANK[state] < PRESSURE_RANK[this.verdictState]) this.setVerdict(state);
    if (isHigh(state)) this.schedule(Math.max(this.o.now() + PRESSURE_PROBE_DELAY_MS, this.lastProbeAt + PRESSURE_PROBE_MIN_GAP_MS));
    else this.cancel();
  }

  /** The tab went out of view: readings stop, so everything known is dropped. */
  forget(): void {
    this.generation++;
    this.cancel();
    this.raw = undefined;
    this.setVerdict(undefined);
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.cancel();
  }

  private setVerdict(state: PressureState | undefined): void {
    if (state === this.verdictState) return;
    this.verdictState = state;
    this.o.onVerdict(state);
  }

  private cancel(): void {
    if (this.timer !== undefined) this.o.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Plans a probe at `at` (ms) unless one is planned or running already. */
  private schedule(at: number): void {
    if (this.timer !== undefined || this.resting) return;
    this.timer = this.o.setTimeout(() => {
      this.timer = undefined;
      void this.probe();
    }, Math.max(0, at - this.o.now()));
  }

  private async probe(): Promise<void> {
    if (this.stopped || !isHigh(this.raw)) return;
    const generation = this.generation;
    const before = this.raw!;
    this.resting = true;
    this.lastProbeAt = this.o.now();
    this.o.onResting?.(true);
    try {
      await this.o.rest(PRESSURE_PROBE_REST_MS);
    } catch {
      // The miner stopped meanwhile: nothing was measured.
    } finally {
      this.resting = false;
      if (!this.stopped) this.o.onResting?.(false);
    }
    if (this.stopped || generation !== this.generation || this.raw === undefined) return;
    const without = this.raw;
    this.setVerdict(without);
    const conclusion = isHigh(without)
      ? `CPU pressure stays ${without} while the miner rests: the device is busy with other work`
      : `CPU pressure (${before} while mining) was the miner's own load: ${without} while it rests, so no throttle`;
    if (conclusion !== this.concluded) {
      this.concluded = conclusion;
      this.o.log?.(conclusion);
    }
    if (isHigh(this.raw)) this.schedule(this.lastProbeAt + PRESSURE_PROBE_EVERY_MS);
  }
}
