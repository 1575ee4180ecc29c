/**
 * `otedama mining benchmark`: hashes per second of each engine, single-thread and N-thread,
 * each beside baselines measured in the same run on the same header: node:crypto SHA-256
 * applied twice, and hash-wasm's SHA-256 applied twice. Every CPU figure comes from worker
 * threads searching disjoint nonce ranges of one header, counted after a warm-up.
 */
import { cpus } from 'node:os';
import { DIFF1_TARGET, hexToBytes } from '@otedama/core';
import { splitNonceSpace, startCpuPool } from './cpu-pool.ts';
import { BASELINES, type CpuSearcherKind } from './cpu-searcher.ts';
import { openGpu, type GpuListing, listGpuAdapters } from './gpu-devices.ts';

/** The Bitcoin genesis header: every engine and baseline hashes this header's nonce range. */
export const BENCH_HEADER_HEX =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';

export const BENCH_ENGINES = ['js', 'wasm', 'wasm-simd', 'webgpu'] as const;
export type BenchEngine = (typeof BENCH_ENGINES)[number];

export interface BenchmarkEntry {
  readonly algo: 'sha256d';
  readonly engine: string;
  readonly threads: number;
  readonly hashesPerSecond: number;
}

export interface BenchmarkReport {
  readonly results: BenchmarkEntry[];
  readonly baselines: BenchmarkEntry[];
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly date: string;
  /** Measured seconds per figure (after the warm-up). */
  readonly seconds: number;
  /** Engines that were asked for but cannot run here, with why. */
  readonly skipped: { readonly engine: string; readonly reason: string }[];
}

export interface BenchmarkOptions {
  readonly engines: readonly BenchEngine[];
  /** N of the N-thread figures. */
  readonly threads: number;
  readonly seconds: number;
  /** Seconds of hashing before counting (default min(1, seconds / 2)). */
  readonly warmupSeconds?: number;
  /** Adapter index for webgpu (default 0). */
  readonly gpuIndex?: number;
  /** Adapters already listed by the caller (saves listing them again). */
  readonly gpuListing?: GpuListing;
  readonly signal?: AbortSignal;
  /** Progress lines ("measuring wasm x2 ..."). */
  readonly progress?: (line: string) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function machineInfo(): BenchmarkReport['machine'] {
  const list = cpus();
  return { cpus: list.length, model: (list[0]?.model ?? 'unknown').trim(), node: process.version };
}

/** Hashes per second of `kind` on `threads` worker threads over disjoint nonce ranges. */
export async function measureCpu(kind: CpuSearcherKind, threads: number, seconds: number, warmupSeconds: number, signal?: AbortSignal): Promise<number> {
  const header = hexToBytes(BENCH_HEADER_HEX, 80);
  const pool = await startCpuPool({ kind, threads });
  try {
    splitNonceSpace(threads).forEach((r, i) => pool.assign(i, { workId: 1, header, target: DIFF1_TARGET, start: r.start, end: r.end }));
    await sleep(warmupSeconds * 1000, signal);
    const h0 = pool.totalHashes();
    const t0 = performance.now();
    await sleep(seconds * 1000, signal);
    const h1 = pool.totalHashes();
    const t1 = performance.now();
    return (h1 - h0) / ((t1 - t0) / 1000);
  } finally {
    await pool.stop();
  }
}

/** Hashes per second of the WGSL kernel on one adapter (searches back to back, as the miner runs it). */
export async function measureWebGpu(seconds: number, warmupSeconds: number, gpuIndex: number, listing?: GpuListing, signal?: AbortSignal): Promise<number> {
  const header = hexToBytes(BENCH_HEADER_HEX, 80);
  const gpu = await openGpu(gpuIndex, listing);
  try {
    const job = { header, target: DIFF1_TARGET };
    const batch = Math.max(1 << 20, (gpu.engine.dispatchNonces ?? 1 << 21) * 4);
    let nonce = 0;
    let counted = 0;
    let counting = false;
    const run = async (untilMs: number) => {
      while (performance.now() < untilMs && !signal?.aborted) {
        if (nonce + batch > 0x1_0000_0000) nonce = 0;
        const r = await gpu.engine.search(job, nonce, batch);
        nonce += batch;
        if (counting) counted += r.tried;
      }
    };
    await run(performance.now() + warmupSeconds * 1000);
    counting = true;
    const t0 = performance.now();
    await run(t0 + seconds * 1000);
    return counted / ((performance.now() - t0) / 1000);
  } finally {
    gpu.close();
  }
}

/**
 * Runs the benchmark. Thread counts are 1 and N (just 1 when N is 1); for each, baselines and
 * engines run one after the other so that a busy machine skews them alike. webgpu is skipped
 * with a reason when no adapter exists; the caller decides whether that is an error.
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkReport> {
  const seconds = options.seconds;
  const warmup = options.warmupSeconds ?? Math.min(1, seconds / 2);
  const threadCounts = options.threads > 1 ? [1, options.threads] : [1];
  const cpuEngines = options.engines.filter((e): e is Exclude<BenchEngine, 'webgpu'> => e !== 'webgpu');
  const results: BenchmarkEntry[] = [];
  const baselines: BenchmarkEntry[] = [];
  const skipped: { engine: string; reason: string }[] = [];
  const say = options.progress ?? (() => {});
  const unavailable = new Set<string>();

  for (const threads of threadCounts) {
    for (const kind of [...BASELINES, ...cpuEngines] as CpuSearcherKind[]) {
      if (options.signal?.aborted || unavailable.has(kind)) continue;
      say(`measuring ${kind} on ${threads} thread${threads === 1 ? '' : 's'} (${seconds} s)`);
      try {
        const hps = await measureCpu(kind, threads, seconds, warmup, options.signal);
        const entry: BenchmarkEntry = { algo: 'sha256d', engine: kind, threads, hashesPerSecond: Math.round(hps) };
        ((BASELINES as readonly string[]).includes(kind) ? baselines : results).push(entry);
      } catch (err) {
        unavailable.add(kind);
        skipped.push({ engine: kind, reason: (err as { reason?: string }).reason ?? (err as Error).message });
      }
    }
  }

  if (options.engines.includes('webgpu') && !options.signal?.aborted) {
    const listing = options.gpuListing ?? (await listGpuAdapters());
    const index = options.gpuIndex ?? 0;
    if (!listing.adapters[index]) {
      skipped.push({ engine: 'webgpu', reason: listing.adapters.length ? `there is no GPU ${index}` : `no WebGPU adapter: ${listing.reason ?? 'none found'}` });
    } else {
      const a = listing.adapters[index]!;
      say(`measuring webgpu on gpu${index} (${a.description || a.device}, ${a.backend}) (${seconds} s)`);
      try {
        const hps = await measureWebGpu(seconds, warmup, index, listing, options.signal);
        results.push({ algo: 'sha256d', engine: 'webgpu', threads: 1, hashesPerSecond: Math.round(hps) });
      } catch (err) {
        skipped.push({ engine: 'webgpu', reason: (err as { reason?: string }).reason ?? (err as Error).message });
      }
    }
  }

  return { results, baselines, machine: machineInfo(), date: new Date().toISOString(), seconds, skipped };
}

/** Rows in reading order: per thread count the baselines then the engines, the GPU last. */
export function orderedEntries(report: Pick<BenchmarkReport, 'results' | 'baselines'>): BenchmarkEntry[] {
  const all = [...report.baselines, ...report.results];
  const cpu = all.filter((e) => e.engine !== 'webgpu');
  const threads = [...new Set(cpu.map((e) => e.threads))].sort((a, b) => a - b);
  return [...threads.flatMap((t) => cpu.filter((e) => e.threads === t)), ...all.filter((e) => e.engine === 'webgpu')];
}

/** The human table: MH/s per engine and thread count, with the ratio to each baseline at the same thread count. */
export function formatBenchmarkTable(report: BenchmarkReport): string {
  const mhs = (h: number) => (h / 1e6).toFixed(h >= 1e8 ? 0 : h >= 1e7 ? 1 : 2);
  const base = (engine: string, threads: number) => report.baselines.find((b) => b.engine === engine && b.threads === threads)?.hashesPerSecond;
  const ratio = (h: number, b: number | undefined) => (b ? `${(h / b).toFixed(2)}x` : '-');
  const rows: string[][] = [['engine', 'threads', 'MH/s', 'vs node-crypto', 'vs hash-wasm']];
  for (const e of orderedEntries(report)) {
    // webgpu is one device; compare it with the best CPU baselines (N threads).
    const t = e.engine === 'webgpu' ? Math.max(1, ...report.baselines.map((b) => b.threads)) : e.threads;
    rows.push([
      e.engine,
      e.engine === 'webgpu' ? 'gpu' : String(e.threads),
      mhs(e.hashesPerSecond),
      ratio(e.hashesPerSecond, base('node-crypto', t)),
      ratio(e.hashesPerSecond, base('hash-wasm', t)),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const m = report.machine;
  const lines = [
    `sha256d, ${report.seconds} s per figure, ${m.cpus} CPU${m.cpus === 1 ? '' : 's'} (${m.model}), Node ${m.node}, ${report.date}`,
    '',
    fmt(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(fmt),
  ];
  for (const s of report.skipped) lines.push(`skipped ${s.engine}: ${s.reason}`);
  return lines.join('\n');
}
