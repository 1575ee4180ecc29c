import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '@otedama/core';
import { buildLightCacheHere, buildLightCacheInWorker, BUILD_CHUNK_STEPS } from './kawpow-build.ts';
import { KawpowContext, type LightCacheProgress } from './kawpow-context.ts';
import { compileKawpowModule } from './kawpow.ts';
import { compileSha256dModule } from './sha256d.ts';
import { BuildCancelledError, LightCacheNotBuiltError } from './errors.ts';

describe('light-cache builds', () => {
  it('report progress in keccak-512 steps, rising to the total, on this thread', async () => {
    const module = await compileKawpowModule(true);
    const context = KawpowContext.create(module, 0);
    expect(() => context.hash(new Uint8Array(32), 0n, 0)).toThrow(LightCacheNotBuiltError);
    const seen: LightCacheProgress[] = [];
    await buildLightCacheHere(context, { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((p, i) => p.epoch === 0 && p.total === 4 * 262139 && (i === 0 || p.done > seen[i - 1]!.done))).toBe(true);
    expect(seen[0]!.done).toBe(BUILD_CHUNK_STEPS);
    expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
    expect(context.built).toBe(true);
  });

  it('stop at the next slice when aborted on this thread, and say so', async () => {
    const module = await compileKawpowModule(false);
    const context = KawpowContext.create(module, 0);
    const abort = new AbortController();
    let slices = 0;
    const build = buildLightCacheHere(context, {
      signal: abort.signal,
      onProgress: () => {
        if (++slices === 3) abort.abort(new Error('the user stopped it'));
      },
    });
    await expect(build).rejects.toBeInstanceOf(BuildCancelledError);
    await expect(build).rejects.toMatchObject({ code: 'cancelled', cause: new Error('the user stopped it') });
    expect(slices).toBe(3);
    expect(context.built).toBe(false);
  });

  it('terminate the worker when aborted mid-build, and never resolve afterwards', async () => {
    const module = await compileKawpowModule(true);
    const abort = new AbortController();
    const seen: number[] = [];
    const build = buildLightCacheInWorker(module, 1, {
      signal: abort.signal,
      onProgress: (p) => {
        seen.push(p.done);
        if (seen.length === 2) abort.abort();
      },
    });
    await expect(build).rejects.toBeInstanceOf(BuildCancelledError);
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.length).toBe(count);
  });

  it('refuse to start when already aborted', async () => {
    const module = await compileKawpowModule(true);
    await expect(buildLightCacheInWorker(module, 0, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(BuildCancelledError);
  });

  it('a module that is not the KawPow hasher is refused with EngineUnavailableError', async () => {
    const sha256d = await compileSha256dModule(false);
    expect(() => KawpowContext.create(sha256d, 0)).toThrow(EngineUnavailableError);
  });
});
