/**
 * Process metrics with the names Prometheus' client libraries use: resident memory, V8 heap,
 * CPU seconds, start time and uptime, open handles, and event-loop lag (from
 * perf_hooks.monitorEventLoopDelay, reset at each scrape so it describes the last interval).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MetricsRegistry } from './metrics.ts';

/** Event-loop delay sampling resolution in milliseconds. */
const EVENT_LOOP_RESOLUTION_MS = 10;

export interface ProcessMetrics {
  /** Stops the event-loop monitor (idempotent). */
  stop(): void;
}

export function registerProcessMetrics(registry: MetricsRegistry, now: () => number = Date.now): ProcessMetrics {
  const startSeconds = (now() - process.uptime() * 1000) / 1000;
  const rss = registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' });
  const heapUsed = registry.gauge({ name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.' });
  const heapTotal = registry.gauge({ name: 'nodejs_heap_total_bytes', help: 'V8 heap allocated, in bytes.' });
  const external = registry.gauge({ name: 'nodejs_external_memory_bytes', help: 'Memory of C++ objects bound to JavaScript objects, in bytes.' });
  const cpuTotal = registry.counter({ name: 'process_cpu_seconds_total', help: 'User and system CPU time spent, in seconds.' });
  const cpuUser = registry.counter({ name: 'process_cpu_user_seconds_total', help: 'User CPU time spent, in seconds.' });
  const cpuSystem = registry.counter({ name: 'process_cpu_system_seconds_total', help: 'System CPU time spent, in seconds.' });
  const start = registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch, in seconds.' });
  const uptime = registry.gauge({ name: 'otedama_uptime_seconds', help: 'Seconds since the edge process started.' });
  const lagMean = registry.gauge({ name: 'nodejs_eventloop_lag_seconds', help: 'Mean event-loop delay since the previous scrape, in seconds.' });
  const lagP99 = registry.gauge({ name: 'nodejs_eventloop_lag_p99_seconds', help: '99th percentile event-loop delay since the previous scrape, in seconds.' });
  const lagMax = registry.gauge({ name: 'nodejs_eventloop_lag_max_seconds', help: 'Largest event-loop delay since the previous scrape, in seconds.' });
  let monitor: IntervalHistogram | undefined = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  monitor.enable();
  start.set(startSeconds);
  registry.collect(() => {
    const mem = process.memoryUsage();
    rss.set(mem.rss);
    heapUsed.set(mem.heapUsed);
    heapTotal.set(mem.heapTotal);
    external.set(mem.external);
    // CPU time only grows: the counters advance by the difference since the last scrape.
    const cpu = process.cpuUsage();
    const advance = (c: typeof cpuTotal, seconds: number) => c.inc(Math.max(0, seconds - c.get()));
    advance(cpuUser, cpu.user / 1e6);
    advance(cpuSystem, cpu.system / 1e6);
    advance(cpuTotal, (cpu.user + cpu.system) / 1e6);
    uptime.set(process.uptime());
    if (monitor && monitor.count > 0) {
      lagMean.set(monitor.mean / 1e9);
      lagP99.set(monitor.percentile(99) / 1e9);
      lagMax.set(monitor.max / 1e9);
      monitor.reset();
    }
  });
  return {
    stop() {
      monitor?.disable();
      monitor = undefined;
    },
  };
}
