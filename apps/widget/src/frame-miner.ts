/**
 * What the frame loads when the visitor clicks Start: the web app's miner runtime (apps/web
 * miner-runtime.ts: the same engines, chain check, one-tab lock and courtesy watcher as the web
 * app) with the widget's settings. Everything here is miner code: nothing imports it before the
 * click (frame.ts imports it dynamically).
 */
import { formatHashrate } from '@otedama/core';
import { openMinerRuntime } from '@otedama/web/miner-runtime';
import { MAX_INTENSITY } from '@otedama/web/settings';
import type { MinerStats } from '@otedama/web/miner';
import type { WidgetOptions } from './widget-options.ts';

/**
 * Courtesy for a visitor who came to read a site, not to mine: pause while the tab is hidden
 * (the web app only slows down: there the person chose to mine) and while the device runs on
 * battery (the web app halves). CPU pressure slows it as in the web app.
 */
export const WIDGET_COURTESY = { whenHidden: 'pause', onBattery: 'pause' } as const;
/** The Stratum worker name the pool sees for widget miners. */
export const WIDGET_WORKER = 'widget';

export interface WidgetStats extends MinerStats {
  hashrateText: string;
}

export interface WidgetRun {
  stop(): Promise<void>;
}

export interface WidgetMinerRequest {
  options: WidgetOptions;
  /** CPU threads (the frame has clamped them to half the cores). */
  threads: number;
  /** The site allowed the GPU and the visitor ticked it. */
  gpu: boolean;
  cores: number;
  onStats(stats: WidgetStats): void;
}

/** Checks the address against the pool's chain, takes the one-tab lock and starts mining; throws with the reason. */
export async function startWidgetMiner(req: WidgetMinerRequest): Promise<WidgetRun> {
  const runtime = await openMinerRuntime({
    wanted: {
      address: req.options.address,
      algorithm: req.options.algo,
      threads: req.threads,
      gpu: req.gpu,
      intensity: MAX_INTENSITY,
      edges: [],
      ...WIDGET_COURTESY,
    },
    cores: req.cores,
    worker: WIDGET_WORKER,
  });
  try {
    await runtime.start({
      onStats: (s) => req.onStats({ ...s, hashrateText: formatHashrate(s.hashrate) }),
      onEvent: () => {},
    });
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return { stop: () => runtime.stop() };
}
