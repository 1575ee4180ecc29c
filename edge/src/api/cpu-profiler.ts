/**
 * CPU-profiles this process for a while with the V8 inspector (node:inspector's Profiler
 * domain) and writes a `.cpuprofile` file that Chrome DevTools (Performance panel) and
 * speedscope open. One profile at a time; the folder keeps the newest MAX_PROFILES_KEPT.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Profiles kept in the folder (a busy operator's day; a script that loops cannot fill the disk). */
export const MAX_PROFILES_KEPT = 20;
/** Bounds of an admin CPU profile, in seconds (the API's `seconds` and `otedama profile --duration`). */
export const MAX_PROFILE_SECONDS = 600;
/** Sampling interval of the profiler in microseconds (V8's default is 1000). */
const SAMPLING_INTERVAL_US = 500;

export class CpuProfiler {
  private running = false;

  constructor(private readonly folder: string) {}

  get busy(): boolean {
    return this.running;
  }

  /** Profiles for `seconds` and resolves with the written file's path. Throws when one is already running. */
  async profile(seconds: number, signal?: AbortSignal): Promise<string> {
    if (this.running) throw new Error('a CPU profile is already being recorded');
    this.running = true;
    const session = new Session();
    session.connect();
    try {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      await session.post('Profiler.start');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      const { profile } = await session.post('Profiler.stop');
      await mkdir(this.folder, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const path = join(this.folder, `cpu-${stamp}.cpuprofile`);
      await writeFile(path, JSON.stringify(profile));
      await this.prune();
      return path;
    } finally {
      session.disconnect();
      this.running = false;
    }
  }

  /** Deletes the oldest profiles beyond MAX_PROFILES_KEPT (names sort by time). */
  private async prune(): Promise<void> {
    const files = (await readdir(this.folder)).filter((f) => /^cpu-.*\.cpuprofile$/.test(f)).sort();
    for (const f of files.slice(0, Math.max(0, files.length - MAX_PROFILES_KEPT))) await rm(join(this.folder, f), { force: true });
  }
}
