import { describe, expect, it } from 'vitest';
import { allocatorSummary, parseMemoryDump, summariseSmaps } from './memory-dump.ts';

const MB = 1024 * 1024;
const hex = (n: number) => n.toString(16);

describe('parseMemoryDump', () => {
  it('merges each process dump, names the page process and counts its threads', () => {
    const events = [
      { ph: 'I', pid: 1, name: 'TracingStartedInBrowser', args: { data: { frames: [{ processId: 7, isOutermostMainFrame: false }, { processId: 42, isOutermostMainFrame: true }] } } },
      { ph: 'M', pid: 42, tid: 1, name: 'thread_name', args: { name: 'CrRendererMain' } },
      { ph: 'M', pid: 42, tid: 2, name: 'thread_name', args: { name: 'DedicatedWorker thread' } },
      { ph: 'M', pid: 42, tid: 3, name: 'thread_name', args: { name: 'DedicatedWorker thread' } },
      // Totals and allocators of one process arrive in separate events.
      { ph: 'v', pid: 42, name: 'periodic_interval', args: { dumps: { process_totals: { private_footprint_bytes: hex(80 * MB), is_peak_rss_resettable: true } } } },
      {
        ph: 'v',
        pid: 42,
        name: 'periodic_interval',
        args: {
          dumps: {
            allocators: {
              malloc: { attrs: { size: { type: 'scalar', units: 'bytes', value: hex(30 * MB) } } },
              'malloc/allocated_objects': { attrs: { size: { type: 'scalar', units: 'bytes', value: hex(20 * MB) } } },
              'v8/main': { attrs: { size: { type: 'scalar', units: 'bytes', value: hex(7 * MB) } } },
              'blink_gc/main': { attrs: { object_count: { type: 'scalar', units: 'objects', value: 'ff' } } },
            },
          },
        },
      },
      { ph: 'v', pid: 3, name: 'periodic_interval', args: { dumps: { allocators: { gpu: { attrs: { size: { type: 'scalar', units: 'bytes', value: hex(MB) } } } } } } },
    ];
    const dump = parseMemoryDump(events);
    expect(dump.pagePid).toBe(42);
    expect([...dump.processes.keys()].sort()).toEqual([3, 42]);
    const page = dump.processes.get(42)!;
    expect(page.totals).toEqual({ private_footprint_bytes: 80 * MB });
    expect(page.allocators).toEqual({ malloc: 30 * MB, 'malloc/allocated_objects': 20 * MB, 'v8/main': 7 * MB });
    expect(page.threads).toEqual({ CrRendererMain: 1, 'DedicatedWorker thread': 2 });
  });

  it('skips what is not a dump or not a byte count, and gives nothing for a trace without dumps', () => {
    const dump = parseMemoryDump([
      null,
      'text',
      { ph: 'X', pid: 1, name: 'RunTask' },
      { ph: 'v', pid: 5, name: 'periodic_interval', args: { dumps: { allocators: { malloc: { attrs: { size: { units: 'bytes', value: 'not hex' } } }, cc: null, v8: { attrs: { size: { units: 'bytes', value: hex(MB) } } } } } } },
    ]);
    expect(dump.pagePid).toBeUndefined();
    expect(dump.processes.get(5)!.allocators).toEqual({ v8: MB });
    expect(parseMemoryDump([]).processes.size).toBe(0);
  });
});

describe('summariseSmaps', () => {
  it('sums PSS by kind of mapping and names the largest', () => {
    const smaps = [
      '55a000000000-55a010000000 r-xp 00000000 08:01 1234  /usr/lib/chromium/chromium',
      'Rss:               40960 kB',
      'Pss:               20480 kB',
      'Shared_Clean:      40000 kB',
      'Private_Clean:       960 kB',
      '7f0000000000-7f0004000000 rw-p 00000000 00:00 0 ',
      'Rss:               30720 kB',
      'Pss:               30720 kB',
      'Private_Dirty:     30720 kB',
      '7f1000000000-7f1000400000 rw-s 00000000 00:01 99  /memfd:shared-memory-region (deleted)',
      'Rss:                4096 kB',
      'Pss:                4096 kB',
      '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0  [stack]',
      'Rss:                 132 kB',
      'Pss:                 132 kB',
      'VmFlags: rd wr mr mw me gd ac',
    ].join('\n');
    const m = summariseSmaps(smaps);
    expect(m.rss).toBe((40960 + 30720 + 4096 + 132) * 1024);
    expect(m.pss).toBe((20480 + 30720 + 4096 + 132) * 1024);
    expect(m.uss).toBe((960 + 30720) * 1024);
    expect(m.filePss).toBe(20 * MB);
    expect(m.anonymousPss).toBe((30720 + 132) * 1024);
    expect(m.sharedMemoryPss).toBe(4 * MB);
    expect(m.top.map((t) => t.mapping)).toEqual(['anonymous', 'chromium', 'shared memory', '[stack]']);
  });
});

describe('allocatorSummary', () => {
  it('keeps the top-level allocators, V8 by isolate group and malloc split into live objects and thread caches', () => {
    const s = allocatorSummary({
      pid: 1,
      totals: {},
      threads: {},
      allocators: {
        malloc: 30 * MB,
        'malloc/allocated_objects': 20 * MB,
        'malloc/partitions/allocator/thread_cache': 4 * MB,
        v8: 10 * MB,
        'v8/main': 6 * MB,
        'v8/workers': 4 * MB,
        tiny: 1024,
        'partition_alloc/partitions/array_buffer': 2 * MB,
      },
    });
    expect(s).toEqual({ malloc: 30 * MB, 'malloc/allocated_objects': 20 * MB, v8: 10 * MB, 'v8/main': 6 * MB, 'v8/workers': 4 * MB, 'malloc/thread_caches': 4 * MB, 'partition_alloc/array_buffer': 2 * MB });
    expect(Object.keys(s)[0]).toBe('malloc');
  });
});
