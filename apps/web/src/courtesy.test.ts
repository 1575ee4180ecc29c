import { describe, expect, it } from 'vitest';
import { BATTERY_THROTTLE, BUSY_REASON, checkCourtesyPrefs, courtesyThrottle, DEFAULT_COURTESY_PREFS, HIDDEN_THROTTLE, PRESSURE_SAMPLE_INTERVAL_MS, SERIOUS_PRESSURE_THROTTLE, CRITICAL_PRESSURE_THROTTLE, watchCourtesy, type BatteryLike, type CourtesyEnv, type CourtesyPrefs, type CourtesyState, type CourtesyThrottle, type PressureRecordLike } from './courtesy.ts';
import { PRESSURE_PROBE_DELAY_MS, PRESSURE_PROBE_EVERY_MS, PRESSURE_PROBE_MIN_GAP_MS, PRESSURE_PROBE_REST_MS } from './pressure-probe.ts';
import { CourtesyError } from './errors.ts';

const prefs = (whenHidden: CourtesyPrefs['whenHidden'], onBattery: CourtesyPrefs['onBattery']): CourtesyPrefs => ({ whenHidden, onBattery });
const visible: CourtesyState = { hidden: false };
const onBattery = (level: number): CourtesyState['battery'] => ({ charging: false, level });

function courtesyErrorOf(fn: () => unknown): CourtesyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CourtesyError);
    expect((err as CourtesyError).name).toBe('CourtesyError');
    return err as CourtesyError;
  }
  throw new Error('expected a CourtesyError');
}

describe('courtesyThrottle', () => {
  it('runs at full speed when nothing calls for courtesy', () => {
    expect(courtesyThrottle(visible)).toEqual({ factor: 1 });
    expect(courtesyThrottle({ hidden: false, battery: { charging: true, level: 0.05 }, pressure: 'fair' })).toEqual({ factor: 1 });
    expect(courtesyThrottle({ hidden: false, pressure: 'nominal' })).toEqual({ factor: 1 });
  });

  it('defaults to throttling both when hidden and on battery', () => {
    expect(DEFAULT_COURTESY_PREFS).toEqual({ whenHidden: 'throttle', onBattery: 'throttle' });
  });

  describe('hidden tab', () => {
    it('throttles to a quarter by default', () => {
      expect(courtesyThrottle({ hidden: true })).toEqual({ factor: HIDDEN_THROTTLE, reason: 'tab hidden' });
      expect(HIDDEN_THROTTLE).toBe(0.25);
    });
    it('pauses when the person asked for a pause', () => {
      expect(courtesyThrottle({ hidden: true }, prefs('pause', 'throttle'))).toEqual({ factor: 0, reason: 'tab hidden' });
    });
    it('keeps mining when the person asked to run', () => {
      expect(courtesyThrottle({ hidden: true }, prefs('run', 'throttle'))).toEqual({ factor: 1 });
    });
  });

  describe('battery', () => {
    it('throttles to half on battery and names the charge', () => {
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.43) })).toEqual({ factor: BATTERY_THROTTLE, reason: 'on battery (43 %)' });
      expect(courtesyThrottle({ hidden: false, battery: onBattery(1) })).toEqual({ factor: 0.5, reason: 'on battery (100 %)' });
    });
    it('pauses below 20 % and not at 20 %', () => {
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.1) })).toEqual({ factor: 0, reason: 'on battery (10 %)' });
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.19) })).toEqual({ factor: 0, reason: 'on battery (19 %)' });
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.2) })).toEqual({ factor: 0.5, reason: 'on battery (20 %)' });
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0) })).toEqual({ factor: 0, reason: 'on battery (0 %)' });
    });
    it('pauses on any charge when the person asked for a pause', () => {
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.9) }, prefs('throttle', 'pause'))).toEqual({ factor: 0, reason: 'on battery (90 %)' });
    });
    it('ignores the battery, even nearly empty, when the person asked to run', () => {
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.05) }, prefs('throttle', 'run'))).toEqual({ factor: 1 });
    });
    it('never throttles while charging', () => {
      expect(courtesyThrottle({ hidden: false, battery: { charging: true, level: 0.01 } }, prefs('throttle', 'pause'))).toEqual({ factor: 1 });
    });
    it('treats a level that is not a number in 0..1 as unknown: throttles, names no charge, does not pause', () => {
      for (const level of [NaN, Infinity, -0.1, 1.5, '0.1' as unknown as number, undefined as unknown as number]) {
        expect(courtesyThrottle({ hidden: false, battery: { charging: false, level } })).toEqual({ factor: 0.5, reason: 'on battery' });
      }
      expect(courtesyThrottle({ hidden: false, battery: { charging: false, level: NaN } }, prefs('throttle', 'pause'))).toEqual({ factor: 0, reason: 'on battery' });
    });
    it('ignores a battery whose charging flag is not a boolean', () => {
      expect(courtesyThrottle({ hidden: false, battery: { charging: 'no' as unknown as boolean, level: 0.1 } })).toEqual({ factor: 1 });
    });
  });

  describe('CPU pressure', () => {
    it('throttles under serious pressure, more under critical, and never pauses for it', () => {
      expect(courtesyThrottle({ hidden: false, pressure: 'serious' })).toEqual({ factor: SERIOUS_PRESSURE_THROTTLE, reason: `${BUSY_REASON} (CPU pressure: serious)` });
      expect(courtesyThrottle({ hidden: false, pressure: 'critical' })).toEqual({ factor: CRITICAL_PRESSURE_THROTTLE, reason: `${BUSY_REASON} (CPU pressure: critical)` });
      expect(CRITICAL_PRESSURE_THROTTLE).toBeGreaterThan(0);
      expect(CRITICAL_PRESSURE_THROTTLE).toBeLessThan(SERIOUS_PRESSURE_THROTTLE);
    });
    it('ignores states it does not know', () => {
      for (const pressure of ['overload', '', 'toString', 'constructor', 3, null]) {
        expect(courtesyThrottle({ hidden: false, pressure: pressure as CourtesyState['pressure'] })).toEqual({ factor: 1 });
      }
    });
  });

  describe('several conditions', () => {
    it('lets the most restrictive one win and name itself', () => {
      expect(courtesyThrottle({ hidden: true, battery: onBattery(0.43) })).toEqual({ factor: 0.25, reason: 'tab hidden' });
      expect(courtesyThrottle({ hidden: true, battery: onBattery(0.1) })).toEqual({ factor: 0, reason: 'on battery (10 %)' });
      expect(courtesyThrottle({ hidden: true, pressure: 'critical' })).toEqual({ factor: 0.25, reason: 'tab hidden' });
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.6), pressure: 'critical' })).toEqual({ factor: 0.5, reason: 'on battery (60 %)' });
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.15), pressure: 'critical' })).toEqual({ factor: 0, reason: 'on battery (15 %)' });
      expect(courtesyThrottle({ hidden: true, battery: onBattery(0.6), pressure: 'serious' }, prefs('run', 'throttle'))).toEqual({
        factor: 0.5,
        reason: 'on battery (60 %)',
      });
    });
    it('names the first of hidden, battery, pressure when they tie', () => {
      expect(courtesyThrottle({ hidden: true, battery: onBattery(0.1), pressure: 'critical' }, prefs('pause', 'throttle'))).toEqual({ factor: 0, reason: 'tab hidden' });
      expect(courtesyThrottle({ hidden: false, battery: onBattery(0.5), pressure: 'serious' })).toEqual({ factor: 0.5, reason: 'on battery (50 %)' });
    });
  });

  describe('malformed input', () => {
    it('refuses preferences it does not know, naming the field', () => {
      expect(courtesyErrorOf(() => courtesyThrottle(visible, prefs('sometimes' as never, 'run'))).reason).toBe(
        'whenHidden must be one of pause, throttle, run (got "sometimes")',
      );
      expect(courtesyErrorOf(() => courtesyThrottle(visible, { whenHidden: 'run' } as CourtesyPrefs)).reason).toBe(
        'onBattery must be one of pause, throttle, run (got undefined)',
      );
      expect(courtesyErrorOf(() => checkCourtesyPrefs(null)).reason).toMatch(/must be an object/);
    });
    it('takes the courtesy fields out of a whole settings record', () => {
      expect(checkCourtesyPrefs({ address: 'x', threads: 2, whenHidden: 'pause', onBattery: 'run' })).toEqual({ whenHidden: 'pause', onBattery: 'run' });
    });
    it('refuses a state without a boolean hidden flag', () => {
      expect(courtesyErrorOf(() => courtesyThrottle({} as CourtesyState)).reason).toBe('state.hidden must be a boolean (got undefined)');
      expect(courtesyErrorOf(() => courtesyThrottle({ hidden: 'yes' } as unknown as CourtesyState)).reason).toMatch(/hidden must be a boolean/);
      expect(courtesyErrorOf(() => courtesyThrottle(undefined as unknown as CourtesyState)).reason).toMatch(/must be an object/);
    });
  });
});

// ---- watchCourtesy with stand-ins for the browser's objects (the real ones run in e2e/courtesy.spec.ts)

class FakeDocument extends EventTarget {
  visibilityState = 'visible';
  listeners = 0;
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.listeners++;
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.listeners--;
    super.removeEventListener(...args);
  }
  setHidden(hidden: boolean): void {
    this.visibilityState = hidden ? 'hidden' : 'visible';
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

class FakeBattery extends EventTarget implements BatteryLike {
  charging = true;
  level = 1;
  set(charging: boolean, level: number): void {
    this.charging = charging;
    this.level = level;
    this.dispatchEvent(new Event('chargingchange'));
  }
}

/** A PressureObserver stand-in: `emit` delivers records as the browser would. */
function fakePressure(options: { knownSources?: string[]; observe?: () => Promise<void>; throwOnConstruct?: boolean } = {}) {
  const instances: { callback: (r: PressureRecordLike[]) => void; observed: unknown[]; disconnected: boolean }[] = [];
  class FakePressureObserver {
    static knownSources = options.knownSources;
    private readonly me: (typeof instances)[number];
    constructor(callback: (r: PressureRecordLike[]) => void) {
      if (options.throwOnConstruct) throw new TypeError('Illegal constructor');
      this.me = { callback, observed: [], disconnected: false };
      instances.push(this.me);
    }
    observe(source: string, opts: unknown): Promise<void> {
      this.me.observed.push([source, opts]);
      return options.observe ? options.observe() : Promise.resolve();
    }
    disconnect(): void {
      this.me.disconnected = true;
    }
  }
  const emit = (...states: string[]) => instances.at(-1)!.callback(states.map((state) => ({ source: 'cpu', state })));
  return { PressureObserver: FakePressureObserver, instances, emit };
}

/** A hand-driven clock for the pressure probes. */
function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      timers.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h: unknown) => void timers.delete(h as number),
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    get pending() {
      return timers.size;
    },
  };
}

/** The miner's side of a probe: rests on the manual clock and records them. */
function restingMiner(clock: ReturnType<typeof manualClock>) {
  const rests: { at: number; ms: number }[] = [];
  const probing: boolean[] = [];
  return {
    rests,
    probing,
    env: {
      probe: (ms: number) => {
        rests.push({ at: clock.now(), ms });
        return new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
      },
      onProbe: (resting: boolean) => probing.push(resting),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      now: clock.now,
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function watch(env: CourtesyEnv, p: CourtesyPrefs = DEFAULT_COURTESY_PREFS) {
  const seen: CourtesyThrottle[] = [];
  const logs: string[] = [];
  const watcher = watchCourtesy({ ...env, log: (level, text) => logs.push(`${level}: ${text}`) }, p, (t) => seen.push(t));
  return { watcher, seen, logs };
}

describe('watchCourtesy', () => {
  it('reports the initial throttle at once, then each change of visibility, and only changes', () => {
    const doc = new FakeDocument();
    doc.visibilityState = 'hidden';
    const { watcher, seen } = watch({ document: doc });
    expect(seen).toEqual([{ factor: 0.25, reason: 'tab hidden' }]);
    doc.setHidden(false);
    doc.setHidden(false);
    doc.setHidden(true);
    expect(seen).toEqual([{ factor: 0.25, reason: 'tab hidden' }, { factor: 1 }, { factor: 0.25, reason: 'tab hidden' }]);
    expect(watcher.state()).toEqual({ hidden: true });
    expect(watcher.throttle()).toEqual({ factor: 0.25, reason: 'tab hidden' });
  });

  it('works, and never throws, in a browser without any of the APIs', () => {
    const { watcher, seen } = watch({});
    expect(seen).toEqual([{ factor: 1 }]);
    expect(watcher.state()).toEqual({ hidden: false });
    watcher.stop();
  });

  it('follows the battery: charging, level, and pause below 20 %', async () => {
    const battery = new FakeBattery();
    const { watcher, seen } = watch({ navigator: { getBattery: () => Promise.resolve(battery) } });
    await flush();
    expect(watcher.state().battery).toEqual({ charging: true, level: 1 });
    battery.set(false, 0.43);
    battery.level = 0.1;
    battery.dispatchEvent(new Event('levelchange'));
    battery.set(true, 0.1);
    expect(seen).toEqual([{ factor: 1 }, { factor: 0.5, reason: 'on battery (43 %)' }, { factor: 0, reason: 'on battery (10 %)' }, { factor: 1 }]);
    watcher.stop();
    battery.set(false, 0.05);
    expect(seen).toHaveLength(4);
  });

  it('logs, and carries on, when the battery cannot be read', async () => {
    const failing = watch({ navigator: { getBattery: () => Promise.reject(new DOMException('not allowed', 'NotAllowedError')) } });
    const throwing = watch({
      navigator: {
        getBattery: () => {
          throw new TypeError('Illegal invocation');
        },
      },
    });
    await flush();
    expect(failing.logs).toEqual(['info: battery status unavailable (NotAllowedError: not allowed); mining ignores the battery']);
    expect(throwing.logs).toEqual(['info: battery status unavailable (TypeError: Illegal invocation); mining ignores the battery']);
    expect(failing.seen).toEqual([{ factor: 1 }]);
  });

  it('attaches nothing when the battery arrives after stop()', async () => {
    const battery = new FakeBattery();
    let resolve!: (b: BatteryLike) => void;
    const { watcher, seen } = watch({ navigator: { getBattery: () => new Promise((r) => (resolve = r)) } });
    watcher.stop();
    resolve(battery);
    await flush();
    battery.set(false, 0.1);
    expect(seen).toEqual([{ factor: 1 }]);
    expect(watcher.state().battery).toBeUndefined();
  });

  it('acts on CPU pressure only when it stays high while the miner rests: its own load never throttles', async () => {
    const clock = manualClock();
    const miner = restingMiner(clock);
    const pressure = fakePressure({ knownSources: ['cpu'] });
    const { watcher, seen, logs } = watch({ PressureObserver: pressure.PressureObserver, ...miner.env });
    await flush();
    expect(pressure.instances[0]!.observed).toEqual([['cpu', { sampleInterval: PRESSURE_SAMPLE_INTERVAL_MS }]]);
    expect(logs).toEqual(['info: watching CPU pressure: mining slows down when other work keeps the device busy']);
    const busy = { factor: CRITICAL_PRESSURE_THROTTLE, reason: `${BUSY_REASON} (CPU pressure: critical)` };

    // The miner's own load: critical while it mines, nominal as soon as it rests.
    pressure.emit('fair');
    pressure.emit('critical');
    expect(seen).toEqual([{ factor: 1 }]);
    clock.advance(PRESSURE_PROBE_DELAY_MS - 1);
    expect(miner.rests).toEqual([]);
    clock.advance(1);
    expect(miner.rests).toEqual([{ at: PRESSURE_PROBE_DELAY_MS, ms: PRESSURE_PROBE_REST_MS }]);
    expect(miner.probing).toEqual([true]);
    pressure.emit('nominal');
    clock.advance(PRESSURE_PROBE_REST_MS);
    await flush();
    expect(miner.probing).toEqual([true, false]);
    expect(seen).toEqual([{ factor: 1 }]);
    expect(logs.at(-1)).toBe("info: CPU pressure (critical while mining) was the miner's own load: nominal while it rests, so no throttle");
    expect(watcher.state().pressure).toBe('nominal');

    // Mining again: critical again, still no throttle; the next probe waits for the minimum gap.
    pressure.emit('critical');
    expect(seen).toEqual([{ factor: 1 }]);
    clock.advance(PRESSURE_PROBE_MIN_GAP_MS - PRESSURE_PROBE_REST_MS - 1);
    expect(miner.rests).toHaveLength(1);
    clock.advance(1);
    expect(miner.rests).toHaveLength(2);
    // Other work: the pressure stays critical through the rest (no record comes), so it is theirs.
    clock.advance(PRESSURE_PROBE_REST_MS);
    await flush();
    expect(seen).toEqual([{ factor: 1 }, busy]);
    expect(logs.at(-1)).toBe('info: CPU pressure stays critical while the miner rests: the device is busy with other work');

    // While the device reads busy, the probe repeats every minute (start to start) and follows what others do.
    clock.advance(PRESSURE_PROBE_EVERY_MS - PRESSURE_PROBE_REST_MS - 1);
    expect(miner.rests).toHaveLength(2);
    clock.advance(1);
    expect(miner.rests).toHaveLength(3);
    pressure.emit('serious');
    clock.advance(PRESSURE_PROBE_REST_MS);
    await flush();
    expect(seen.at(-1)).toEqual({ factor: SERIOUS_PRESSURE_THROTTLE, reason: `${BUSY_REASON} (CPU pressure: serious)` });

    // A low reading with the miner running bounds the others' load: believed at once, probes stop.
    pressure.emit('fair');
    expect(seen.at(-1)).toEqual({ factor: 1 });
    expect(clock.pending).toBe(0);
    // Unknown states and other sources are ignored.
    pressure.instances[0]!.callback([{ source: 'cpu', state: 'meltdown' }, { source: 'gpu', state: 'critical' }]);
    expect(clock.pending).toBe(0);
    expect(seen.at(-1)).toEqual({ factor: 1 });
    watcher.stop();
    expect(pressure.instances[0]!.disconnected).toBe(true);
  });

  it('a short burst of pressure costs no probe', async () => {
    const clock = manualClock();
    const miner = restingMiner(clock);
    const pressure = fakePressure();
    const { seen } = watch({ PressureObserver: pressure.PressureObserver, ...miner.env });
    pressure.emit('critical');
    clock.advance(PRESSURE_PROBE_DELAY_MS / 2);
    pressure.emit('nominal');
    clock.advance(PRESSURE_PROBE_EVERY_MS);
    expect(miner.rests).toEqual([]);
    expect(seen).toEqual([{ factor: 1 }]);
  });

  it('drops pressure when the tab is hidden (browsers stop reporting it there); a probe in flight is void', async () => {
    const clock = manualClock();
    const miner = restingMiner(clock);
    const doc = new FakeDocument();
    const pressure = fakePressure();
    const { watcher, seen } = watch({ document: doc, PressureObserver: pressure.PressureObserver, ...miner.env }, prefs('run', 'throttle'));
    pressure.emit('critical');
    clock.advance(PRESSURE_PROBE_DELAY_MS + PRESSURE_PROBE_REST_MS);
    await flush();
    expect(seen).toEqual([{ factor: 1 }, { factor: CRITICAL_PRESSURE_THROTTLE, reason: `${BUSY_REASON} (CPU pressure: critical)` }]);
    // Hidden: the reading goes, the throttle with it, and the planned probe too.
    doc.setHidden(true);
    expect(watcher.state()).toEqual({ hidden: true });
    expect(seen.at(-1)).toEqual({ factor: 1 });
    expect(clock.pending).toBe(0);
    // Visible again: a probe starts, the tab hides during it, its result counts for nothing.
    doc.setHidden(false);
    pressure.emit('critical');
    clock.advance(PRESSURE_PROBE_MIN_GAP_MS);
    expect(miner.rests).toHaveLength(2);
    doc.setHidden(true);
    clock.advance(PRESSURE_PROBE_REST_MS);
    await flush();
    expect(watcher.state().pressure).toBeUndefined();
    expect(seen.at(-1)).toEqual({ factor: 1 });
  });

  it('without a way to rest the miner it does not act on pressure (it could not tell whose it is)', async () => {
    const pressure = fakePressure();
    const { seen, logs } = watch({ PressureObserver: pressure.PressureObserver });
    expect(pressure.instances).toHaveLength(0);
    expect(logs).toEqual(["info: CPU pressure ignored: without resting the miner its own load cannot be told from other work"]);
    expect(seen).toEqual([{ factor: 1 }]);
  });

  it('clears a planned probe on stop() and reports nothing after it', () => {
    const clock = manualClock();
    const miner = restingMiner(clock);
    const pressure = fakePressure();
    const { watcher, seen } = watch({ PressureObserver: pressure.PressureObserver, ...miner.env });
    pressure.emit('serious');
    expect(clock.pending).toBe(1);
    watcher.stop();
    watcher.stop();
    expect(clock.pending).toBe(0);
    pressure.emit('critical');
    clock.advance(PRESSURE_PROBE_EVERY_MS);
    expect(miner.rests).toEqual([]);
    expect(seen).toEqual([{ factor: 1 }]);
  });

  it('skips pressure where the browser has no cpu source, and logs where observe() fails', async () => {
    const noCpu = fakePressure({ knownSources: ['thermals'] });
    watch({ PressureObserver: noCpu.PressureObserver, probe: () => Promise.resolve() });
    expect(noCpu.instances).toHaveLength(0);

    const probe = () => Promise.resolve();
    const refused = fakePressure({ observe: () => Promise.reject(new DOMException('blocked by permissions policy', 'NotAllowedError')) });
    const a = watch({ PressureObserver: refused.PressureObserver, probe });
    const broken = fakePressure({ throwOnConstruct: true });
    const b = watch({ PressureObserver: broken.PressureObserver, probe });
    await flush();
    expect(a.logs).toEqual(['info: CPU pressure unavailable (NotAllowedError: blocked by permissions policy); mining ignores it']);
    expect(b.logs).toEqual(['info: CPU pressure unavailable (TypeError: Illegal constructor); mining ignores it']);
    expect(a.seen).toEqual([{ factor: 1 }]);
  });

  it('applies new preferences at once and refuses bad ones', () => {
    const doc = new FakeDocument();
    doc.visibilityState = 'hidden';
    const { watcher, seen } = watch({ document: doc });
    watcher.setPrefs(prefs('pause', 'throttle'));
    watcher.setPrefs(prefs('run', 'throttle'));
    expect(seen).toEqual([{ factor: 0.25, reason: 'tab hidden' }, { factor: 0, reason: 'tab hidden' }, { factor: 1 }]);
    expect(courtesyErrorOf(() => watcher.setPrefs(prefs('never' as never, 'run'))).reason).toMatch(/^whenHidden must be one of/);
    expect(courtesyErrorOf(() => watchCourtesy({}, prefs('run', 'x' as never), () => {})).reason).toMatch(/^onBattery must be one of/);
  });

  it('removes its visibility listener on stop()', () => {
    const doc = new FakeDocument();
    const { watcher, seen } = watch({ document: doc });
    expect(doc.listeners).toBe(1);
    watcher.stop();
    expect(doc.listeners).toBe(0);
    doc.setHidden(true);
    expect(seen).toEqual([{ factor: 1 }]);
  });

  it('hands out copies: changing what state() or onChange returned changes nothing inside', async () => {
    const battery = new FakeBattery();
    battery.charging = false;
    battery.level = 0.5;
    const { watcher, seen } = watch({ navigator: { getBattery: () => Promise.resolve(battery) } });
    await flush();
    watcher.state().battery!.level = 0.01;
    seen.at(-1)!.factor = 1;
    battery.dispatchEvent(new Event('levelchange'));
    expect(seen).toHaveLength(2);
    expect(watcher.throttle()).toEqual({ factor: 0.5, reason: 'on battery (50 %)' });
  });
});
