/**
 * bench.html: the hash rate of one engine in this page, beside core's JS reference measured in
 * the same page load (the baseline). WebGPU dispatches are auto-tuned first.
 */
import type { NonceSearchEngine } from '@otedama/core';
import { autoTuneDispatchNonces } from '../src/dispatch-tuner.ts';
import { isHarnessEngine, openHarnessEngine } from './harness-engines.ts';
import { runPage } from './page-run.ts';

export interface BenchFigure {
  readonly engine: string;
  readonly description: string;
  readonly mhs: number;
  readonly dispatchNonces?: number;
}

export interface BenchResults {
  status: 'running' | 'done' | 'failed';
  /**
   * `measuring <engine>` while a figure's timed loop runs, so that a driver can sample the
   * browser's CPU time around exactly that window.
   */
  phase?: string;
  error?: string;
  figures: BenchFigure[];
}

declare global {
  interface Window {
    __bench?: BenchResults;
  }
}

const params = new URLSearchParams(location.search);
const engineName = params.get('engine') ?? 'webgpu';
const seconds = Number(params.get('seconds') ?? 5);
const results: BenchResults = { status: 'running', figures: [] };
window.__bench = results;
const out = document.getElementById('out')!;

function intParam(key: string): number | undefined {
  const v = params.get(key);
  return v === null ? undefined : Number(v);
}

/** A fixed header and target 1: (almost surely) no hits, so only hashing is measured. */
const job = { header: Uint8Array.from({ length: 80 }, (_, i) => (i * 37 + 11) & 0xff), target: 1n };

/** Million hashes per second over about `forSeconds`; the driver can sample CPU meanwhile. */
async function hashRate(engine: NonceSearchEngine, chunk: number, forSeconds: number): Promise<number> {
  let nonces = 0;
  let start = 0;
  results.phase = `measuring ${engine.name}`;
  const t0 = performance.now();
  while (performance.now() - t0 < forSeconds * 1000) {
    await engine.search(job, start, chunk);
    nonces += chunk;
    start = (start + chunk) % 0x8000_0000;
  }
  const mhs = nonces / ((performance.now() - t0) / 1000) / 1e6;
  results.phase = `measured ${engine.name}`;
  return mhs;
}

async function main(): Promise<void> {
  if (!isHarnessEngine(engineName)) throw new Error(`unknown engine "${engineName}"`);
  const npi = intParam('npi');
  const wg = intParam('wg');
  const opened = await openHarnessEngine(engineName, {
    ...(npi === undefined ? {} : { noncesPerInvocation: npi }),
    ...(wg === undefined ? {} : { workgroupSize: wg }),
  });
  try {
    let chunk = 1 << 17;
    let dispatchNonces: number | undefined;
    const engine = opened.engine;
    if ('dispatchGranularity' in engine) {
      const tuned = await autoTuneDispatchNonces(engine as Parameters<typeof autoTuneDispatchNonces>[0], {
        targetMs: intParam('targetMs') ?? 75,
      });
      dispatchNonces = tuned.dispatchNonces;
      chunk = dispatchNonces * 8; // pipelining inside a search is part of the figure
    }
    const mhs = await hashRate(engine, chunk, seconds);
    results.figures.push({ engine: engine.name, description: opened.description, mhs, ...(dispatchNonces ? { dispatchNonces } : {}) });
  } finally {
    opened.close();
  }
  const reference = await openHarnessEngine('js');
  results.figures.push({ engine: 'js (baseline)', description: reference.description, mhs: await hashRate(reference.engine, 1 << 14, Math.min(seconds, 2)) });
  reference.close();
}

runPage(main, results, out);
