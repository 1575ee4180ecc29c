/**
 * Where a page's megabytes are, from Chromium's own accounting (memory-infra) and the kernel's
 * (/proc/PID/smaps): a global memory dump requested over the DevTools protocol, read back from
 * the trace it is written to. Each process's dump lists its allocators (V8 per isolate group,
 * Blink's garbage-collected heap, PartitionAlloc, malloc, the compositor's tiles, shared memory,
 * ...) with the bytes each holds; the trace also says which renderer process draws the page.
 * Used by p2p-browser-bench.ts (the memory part); Linux only (smaps).
 */
import type { CDPSession } from '@playwright/test';
import { readFileSync } from 'node:fs';

/** One process's dump. */
export interface ProcessDump {
  pid: number;
  /** process_totals, bytes: private_footprint_bytes (what Chrome's task manager shows) and peak resident set. */
  totals: Record<string, number>;
  /** Every allocator node's `size` attribute, bytes, by its full path ("v8/main/heap/old_space"). */
  allocators: Record<string, number>;
  /** Its threads' names, with how many of each (workers, service worker, compositor, thread pool). */
  threads: Record<string, number>;
}

/** A dump of every process of the browser, and which of them renders the page whose session asked. */
export interface MemoryDump {
  /** The renderer process of the page's main frame (from the trace), if the trace named it. */
  pagePid: number | undefined;
  processes: Map<number, ProcessDump>;
}

type RawAttr = { type: string; units: string; value: unknown };
type TraceEvent = {
  ph: string;
  pid: number;
  tid?: number;
  name: string;
  args?: {
    dumps?: { process_totals?: Record<string, unknown>; allocators?: Record<string, { attrs?: Record<string, RawAttr> }> };
    name?: string;
    data?: { frames?: { processId: number; isOutermostMainFrame?: boolean }[] };
  };
};

/** memory-infra writes its figures as hex strings ("1a2b"); undefined for anything else. */
function bytesOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^(0x)?[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * One detailed memory dump of every process of the browser, garbage-collected first
 * (deterministic), requested through a page's CDP session: tracing started from a page target
 * says which process renders its frames (TracingStartedInBrowser), which tracing from the
 * browser target does not. Takes a second or two.
 */
export async function requestMemoryDump(pageCdp: CDPSession): Promise<MemoryDump> {
  const events: unknown[] = [];
  const onData = (e: { value: unknown[] }) => events.push(...e.value);
  pageCdp.on('Tracing.dataCollected', onData);
  const complete = new Promise<void>((resolve) => pageCdp.once('Tracing.tracingComplete', () => resolve()));
  await pageCdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      recordMode: 'recordAsMuchAsPossible',
      // devtools.timeline for TracingStartedInBrowser (frame -> renderer process).
      includedCategories: ['disabled-by-default-memory-infra', 'disabled-by-default-devtools.timeline'],
      excludedCategories: ['*'],
      // No periodic dumps: only the one requested below (the protocol's type says string values; Chromium reads a list).
      memoryDumpConfig: { triggers: [] } as unknown as Record<string, string>,
    },
  });
  const { success } = await pageCdp.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
  await pageCdp.send('Tracing.end');
  await complete;
  pageCdp.off('Tracing.dataCollected', onData);
  if (!success) throw new Error('Chromium refused the memory dump (Tracing.requestMemoryDump: success false)');

  return parseMemoryDump(events);
}

/**
 * The processes' dumps in a memory-infra trace (its events, as Tracing.dataCollected delivers
 * them): each process's 'v' events merged (totals and allocators come in separate ones), thread
 * names from the metadata, and the page's renderer from TracingStartedInBrowser. Events of other
 * kinds are ignored; a trace with no dump gives no processes.
 */
export function parseMemoryDump(events: readonly unknown[]): MemoryDump {
  const processes = new Map<number, ProcessDump>();
  const of = (pid: number) => {
    const d = processes.get(pid) ?? { pid, totals: {}, allocators: {}, threads: {} };
    processes.set(pid, d);
    return d;
  };
  const threadNames = new Map<string, string>();
  let pagePid: number | undefined;
  for (const e of events as TraceEvent[]) {
    if (typeof e !== 'object' || e === null) continue;
    if (e.name === 'TracingStartedInBrowser') pagePid = (e.args?.data?.frames?.find((f) => f.isOutermostMainFrame) ?? e.args?.data?.frames?.[0])?.processId ?? pagePid;
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) threadNames.set(`${e.pid}/${e.tid}`, e.args.name);
    // A process's dump comes in several 'v' events (totals, allocators): merged here.
    const raw = e.ph === 'v' ? e.args?.dumps : undefined;
    if (!raw) continue;
    const d = of(e.pid);
    for (const [k, v] of Object.entries(raw.process_totals ?? {})) {
      const n = /_bytes$|_size$/.test(k) ? bytesOf(v) : undefined;
      if (n !== undefined) d.totals[k] = n;
    }
    for (const [path, node] of Object.entries(raw.allocators ?? {})) {
      const size = node?.attrs?.size;
      const n = size?.units === 'bytes' ? bytesOf(size.value) : undefined;
      if (n !== undefined) d.allocators[path] = n;
    }
  }
  for (const [key, name] of threadNames) {
    const d = processes.get(Number(key.split('/')[0]));
    if (d) d.threads[name] = (d.threads[name] ?? 0) + 1;
  }
  return { pagePid, processes };
}

/** The kernel's view of one process, bytes: proportional set size, resident set, and PSS by kind of mapping. */
export interface ProcessMaps {
  pss: number;
  rss: number;
  /** Unique set size: pages only this process maps (Private_Clean + Private_Dirty), whatever else runs on the machine. */
  uss: number;
  /** Code and data files mapped (the chromium binary, libraries, ICU data, fonts): shared with every Chromium process on the machine. */
  filePss: number;
  /** Private anonymous memory (heaps, stacks, V8 pages). */
  anonymousPss: number;
  /** Shared memory segments (compositor tiles, IPC buffers). */
  sharedMemoryPss: number;
  /** The largest mappings by PSS (files by name, "anonymous", "shared memory"), with --memory-dump. */
  top: { mapping: string; pss: number }[];
}

/** A process's /proc/PID/smaps, summed by kind of mapping. */
export function processMaps(pid: number): ProcessMaps {
  return summariseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
}

/** The text of an smaps file, summed by kind of mapping (lines it does not know are skipped). */
export function summariseSmaps(smaps: string): ProcessMaps {
  const groups = new Map<string, number>();
  const out: ProcessMaps = { pss: 0, rss: 0, uss: 0, filePss: 0, anonymousPss: 0, sharedMemoryPss: 0, top: [] };
  let name = 'anonymous';
  let kind: 'filePss' | 'anonymousPss' | 'sharedMemoryPss' = 'anonymousPss';
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1]!.trim();
      const shm = path.startsWith('/memfd:') || path.startsWith('/dev/shm/') || path.startsWith('/SYSV');
      kind = shm ? 'sharedMemoryPss' : path.startsWith('/') ? 'filePss' : 'anonymousPss';
      // Files by their base name; anonymous regions ("", "[heap]", "[stack]", "[anon:...]") as they are.
      name = shm ? 'shared memory' : path.startsWith('/') ? path.replace(/^.*\//, '') : path || 'anonymous';
      continue;
    }
    const m = /^(Pss|Rss|Private_Clean|Private_Dirty):\s+(\d+) kB/.exec(line);
    if (!m) continue;
    const bytes = Number(m[2]) * 1024;
    if (m[1] !== 'Pss') {
      if (m[1] === 'Rss') out.rss += bytes;
      else out.uss += bytes;
      continue;
    }
    out.pss += bytes;
    out[kind] += bytes;
    groups.set(name, (groups.get(name) ?? 0) + bytes);
  }
  out.top = [...groups].map(([mapping, pss]) => ({ mapping, pss })).sort((a, b) => b.pss - a.pss).slice(0, 12);
  return out;
}

/**
 * The page process's allocators worth naming, bytes (top-level memory-infra nodes, V8 split by
 * isolate group, malloc split into what is live and what the allocator holds free). Nodes
 * overlap: cc's tiles are shared memory, Blink's objects live in blink_gc and partition_alloc.
 */
export function allocatorSummary(d: ProcessDump): Record<string, number> {
  const a = d.allocators;
  const out: Record<string, number> = {};
  for (const [path, size] of Object.entries(a)) if (!path.includes('/') && size >= 256 * 1024) out[path] = size;
  for (const part of ['main', 'workers', 'shared']) if (a[`v8/${part}`]) out[`v8/${part}`] = a[`v8/${part}`]!;
  if (a['malloc/allocated_objects'] !== undefined) out['malloc/allocated_objects'] = a['malloc/allocated_objects'];
  const threadCaches = Object.entries(a).filter(([p]) => /^malloc\/partitions\/[^/]+\/thread_cache$/.test(p)).reduce((s, [, v]) => s + v, 0);
  if (threadCaches) out['malloc/thread_caches'] = threadCaches;
  if (a['partition_alloc/partitions/array_buffer']) out['partition_alloc/array_buffer'] = a['partition_alloc/partitions/array_buffer'];
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]));
}
