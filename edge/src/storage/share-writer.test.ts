import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuplicateShareError, StorageError } from '../errors.ts';
import { openStorage } from './open-storage.ts';
import type { ShareRecord } from './pool-store.ts';
import { ShareWriter, type ShareSink } from './share-writer.ts';

function share(i: number): ShareRecord {
  return { time: i, address: 'a', worker: 'w', difficulty: 1, shareDiff: 1, jobId: String(i), height: 1, isBlock: false, hash: String(i) };
}

/** A sink that records batches; each commit waits for `delayMs` and fails when `fail` says so. */
function fakeSink(opts: { delayMs?: number; fail?: (batch: readonly ShareRecord[], n: number) => boolean } = {}) {
  const batches: string[][] = [];
  let n = 0;
  const sink: ShareSink = {
    async insertShares(shares) {
      const k = n++;
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
      if (opts.fail?.(shares, k)) throw new Error(`disk full in batch ${k}`);
      batches.push(shares.map((s) => s.hash));
    },
  };
  return { sink, batches };
}

describe('ShareWriter (group commit)', () => {
  it('resolves an append only after its batch is committed', async () => {
    const { sink, batches } = fakeSink({ delayMs: 20 });
    const w = new ShareWriter(sink, { flushMs: 5 });
    let acked = false;
    const p = w.append(share(1)).then(() => {
      acked = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(acked).toBe(false);
    expect(batches).toEqual([]);
    await p;
    expect(batches).toEqual([['1']]);
  });

  it('gathers the shares of a few milliseconds into one transaction', async () => {
    const { sink, batches } = fakeSink();
    const w = new ShareWriter(sink, { flushMs: 20 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => w.append(share(i))));
    expect(batches.length).toBe(1);
    expect(batches[0]!.length).toBe(100);
    expect(w.stats).toMatchObject({ committedShares: 100, committedBatches: 1, pending: 0, lastBatchSize: 100 });
  });

  it('commits at once when a batch is full, and batches arrivals during a commit', async () => {
    const { sink, batches } = fakeSink({ delayMs: 10 });
    const w = new ShareWriter(sink, { flushMs: 1000, maxBatch: 10 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 35 }, (_, i) => w.append(share(i))));
    // 10 full, 10, 10, then the last 5 — committed right after the previous commit, not after 1 s.
    expect(batches.map((b) => b.length)).toEqual([10, 10, 10, 5]);
    expect(performance.now() - started).toBeLessThan(500);
    expect(batches.flat()).toEqual(Array.from({ length: 35 }, (_, i) => String(i)));
  });

  it('rejects every promise of a failed batch with a StorageError, and carries on', async () => {
    const { sink, batches } = fakeSink({ fail: (_b, k) => k === 0 });
    const errors: number[] = [];
    const w = new ShareWriter(sink, { flushMs: 5, onError: (_e, size) => errors.push(size) });
    const first = await Promise.allSettled([w.append(share(1)), w.append(share(2))]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const reason = (first[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(StorageError);
    expect((reason as StorageError).reason).toMatch(/could not commit 2 shares: disk full in batch 0/);
    expect(errors).toEqual([2]);
    await w.append(share(3));
    expect(batches).toEqual([['3']]);
    expect(w.stats.failedBatches).toBe(1);
  });

  it('never strands a share appended by code resumed from an acknowledgement', async () => {
    const { sink, batches } = fakeSink();
    const w = new ShareWriter(sink, { flushMs: 1 });
    let chain = Promise.resolve();
    for (let i = 0; i < 20; i++) chain = chain.then(() => w.append(share(i)));
    await chain;
    expect(batches.flat().length).toBe(20);
  });

  it('refuses appends beyond maxPending (back-pressure)', async () => {
    const { sink } = fakeSink({ delayMs: 30 });
    const w = new ShareWriter(sink, { flushMs: 0, maxBatch: 2, maxPending: 3 });
    const accepted = [w.append(share(1)), w.append(share(2)), w.append(share(3))];
    await expect(w.append(share(4))).rejects.toThrow(/not keeping up \(3 shares waiting/);
    await Promise.all(accepted);
  });

  it('stop commits what is queued and refuses later appends; it is idempotent', async () => {
    const { sink, batches } = fakeSink();
    const w = new ShareWriter(sink, { flushMs: 10_000 });
    const p = w.append(share(1));
    await w.stop();
    await p;
    expect(batches).toEqual([['1']]);
    await expect(w.append(share(2))).rejects.toBeInstanceOf(StorageError);
    await w.stop();
  });

  it('reports committed batches to onCommit', async () => {
    const { sink } = fakeSink();
    const seen: number[] = [];
    const w = new ShareWriter(sink, {
      flushMs: 1,
      onCommit: (b) => {
        seen.push(b.length);
        throw new Error('observer bug');
      },
    });
    await Promise.all([w.append(share(1)), w.append(share(2))]);
    await w.append(share(3));
    expect(seen).toEqual([2, 1]);
  });

  it('a share the database refuses as already recorded rejects with DuplicateShareError; the rest of its batch commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-writer-'));
    const storage = await openStorage({ dataDir: dir });
    try {
      const committed: string[] = [];
      const w = new ShareWriter(storage.store, { flushMs: 5, onCommit: (b) => committed.push(...b.map((x) => x.jobId)) });
      const s1 = { ...share(1), hash: 'aa'.repeat(32) };
      const results = await Promise.allSettled([w.append(s1), w.append({ ...s1, jobId: 'other id' }), w.append({ ...share(2), hash: 'bb'.repeat(32) })]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateShareError);
      await expect(w.append({ ...s1, jobId: 'later' })).rejects.toBeInstanceOf(DuplicateShareError);
      expect(committed).toEqual(['1', '2']);
      expect(w.stats).toMatchObject({ committedShares: 2, refusedShares: 2, failedBatches: 0 });
      expect(await storage.store.shareCount()).toBe(2);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects nonsensical options', () => {
    expect(() => new ShareWriter(fakeSink().sink, { maxBatch: 0 })).toThrow(StorageError);
    expect(() => new ShareWriter(fakeSink().sink, { flushMs: -1 })).toThrow(StorageError);
  });
});
