/**
 * Runs a nonce range through a search kernel that filters hits on the GPU, for any algorithm:
 * the range is cut into dispatches, two kept in flight, each copying the kernel's hit counter
 * and hit slots into its own staging buffer (double buffering), and the host maps only the
 * counter plus the first few slots. A dispatch whose hits overflow the slots is searched again
 * in halves, so a result holds the hits of the lowest nonces, ascending, and `total` counts
 * every hit (the kernel's counter counts past the slots).
 *
 * The kernel's results buffer is `u32 counter, then slots of hitWords words`; the engine says
 * how to write a dispatch's parameters and record its pass, and how to decode one hit.
 */
import { EngineUnavailableError } from './errors.ts';
import { DeviceWatch, MAP_MODE_READ, USAGE_COPY_DST, USAGE_COPY_SRC, USAGE_MAP_READ, USAGE_STORAGE } from './gpu-work.ts';

/** The atomic hit counter in front of the slots. */
const COUNTER_BYTES = 4;
/** Dispatches kept in flight: one executing while the previous one is read back. */
const IN_FLIGHT = 2;

export interface HitFormat<H> {
  /** Label prefix of the buffers ("otedama kawpow"). */
  readonly label: string;
  /** Hit slots the kernel fills. */
  readonly slots: number;
  /** u32 words per hit. */
  readonly hitWords: number;
  /** Hits mapped together with the counter; more take a second map. */
  readonly headHits: number;
  /** Decodes the hit whose words start at `words[offset]`. */
  decode(words: Uint32Array, offset: number): H;
}

/** Position of a hit in the range being searched (its nonce minus the range's start). */
export type HitPosition<H> = (hit: H) => number;

/**
 * Records one dispatch of `count` nonces at `position` in the range: writes its parameters
 * (queue writes land before the encoder's commands) and records the compute pass.
 */
export type EncodeDispatch = (encoder: GPUCommandEncoder, position: number, count: number) => void;

export interface RangeHits<H> {
  /** The hits of the lowest positions, ascending, at most maxHits. */
  readonly hits: H[];
  /** Every hit in the range, including those not returned. */
  readonly total: number;
}

interface InFlight {
  readonly position: number;
  readonly count: number;
  readonly staging: GPUBuffer;
  readonly mapped: Promise<void>;
}

export class HitDispatcher<H> {
  private readonly results: GPUBuffer;
  /** IN_FLIGHT staging buffers for the pipelined dispatches, plus one for re-searches. */
  private readonly staging: GPUBuffer[];
  private readonly spareStaging: GPUBuffer;
  private readonly resultsBytes: number;
  private readonly headBytes: number;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly watch: DeviceWatch,
    private readonly format: HitFormat<H>,
  ) {
    this.resultsBytes = COUNTER_BYTES + format.slots * format.hitWords * 4;
    this.headBytes = alignUp(COUNTER_BYTES + format.headHits * format.hitWords * 4, 4);
    this.results = device.createBuffer({ label: `${format.label} hits`, size: this.resultsBytes, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    this.staging = Array.from({ length: IN_FLIGHT }, (_, i) =>
      device.createBuffer({ label: `${format.label} staging ${i}`, size: this.resultsBytes, usage: USAGE_MAP_READ | USAGE_COPY_DST }),
    );
    this.spareStaging = device.createBuffer({ label: `${format.label} staging spare`, size: this.resultsBytes, usage: USAGE_MAP_READ | USAGE_COPY_DST });
  }

  /** The buffer the kernel binds as its hit list. */
  get resultsBuffer(): GPUBuffer {
    return this.results;
  }

  /** Destroys the buffers; a run in flight then fails (its maps are rejected). Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const buffer of [this.results, ...this.staging, this.spareStaging]) buffer.destroy();
  }

  /**
   * Searches positions [0, count) in dispatches of at most `dispatchSize`, keeping the lowest
   * `maxHits` hits. One run at a time: callers serialise runs (the buffers are shared).
   */
  async run(count: number, dispatchSize: number, maxHits: number, encode: EncodeDispatch, position: HitPosition<H>): Promise<RangeHits<H>> {
    const hits: H[] = [];
    let total = 0;
    const inFlight: InFlight[] = [];
    let next = 0;
    let slot = 0;
    const byPosition = (a: H, b: H): number => position(a) - position(b);

    const settle = async (done: InFlight): Promise<void> => {
      const need = maxHits - hits.length;
      // Once maxHits hits are in, later dispatches only tell whether there were more.
      const readback = await this.read(done.staging, done.mapped, need > 0);
      total += readback.count;
      if (need <= 0 || readback.count === 0) return;
      if (readback.count <= this.format.slots) {
        hits.push(...readback.hits.sort(byPosition).slice(0, need));
      } else {
        // The slots overflowed, so the stored hits are an arbitrary subset: search this
        // dispatch's range again in halves to report the lowest positions.
        hits.push(...(await this.lowest(done.position, done.count, need, encode, byPosition)));
      }
    };

    while (next < count || inFlight.length > 0) {
      if (next < count && inFlight.length < IN_FLIGHT) {
        const n = Math.min(dispatchSize, count - next);
        const staging = this.staging[slot]!;
        slot = (slot + 1) % IN_FLIGHT;
        inFlight.push({ position: next, count: n, staging, mapped: this.submit(next, n, staging, encode) });
        next += n;
        continue;
      }
      await settle(inFlight.shift()!);
    }
    return { hits, total };
  }

  /** Encodes and submits one dispatch; resolves when the staging buffer's head is mapped. */
  private submit(position: number, count: number, staging: GPUBuffer, encode: EncodeDispatch): Promise<void> {
    const { device } = this;
    if (this.destroyed) return Promise.reject(new EngineUnavailableError('webgpu', 'engine was disposed'));
    // An invalid command buffer would still let the staging buffer map, with a zero counter:
    // a silent "no hits". The error scope turns that into an error instead.
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder({ label: `${this.format.label} search` });
    encoder.clearBuffer(this.results, 0, COUNTER_BYTES);
    encode(encoder, position, count);
    encoder.copyBufferToBuffer(this.results, 0, staging, 0, this.resultsBytes);
    device.queue.submit([encoder.finish()]);
    const rejected = device.popErrorScope().then((error) => {
      if (error) throw new EngineUnavailableError('webgpu', `the GPU rejected a search dispatch: ${error.message}`);
    });
    const mapped = Promise.allSettled([staging.mapAsync(MAP_MODE_READ, 0, this.headBytes), rejected]).then(([map, scope]) => {
      if (scope.status === 'rejected') {
        if (map.status === 'fulfilled') staging.unmap(); // keep the buffer reusable
        throw scope.reason;
      }
      if (map.status === 'rejected') throw map.reason;
    });
    mapped.catch(() => undefined); // awaited (through the watch) by the reader
    return mapped;
  }

  /** Reads the counter and, when `wanted`, every stored hit from a staging buffer being mapped. */
  private async read(staging: GPUBuffer, mapped: Promise<void>, wanted: boolean): Promise<{ count: number; hits: H[] }> {
    await this.watch.race(mapped);
    const { format } = this;
    let words = new Uint32Array(staging.getMappedRange(0, this.headBytes));
    const count = words[0]!;
    // Slots are filled in no particular order, so either every stored hit is read or none:
    // none when the caller needs no more, or when the slots overflowed (it re-searches then).
    const read = wanted && count <= format.slots ? count : 0;
    if (read > format.headHits) {
      staging.unmap();
      const bytes = COUNTER_BYTES + read * format.hitWords * 4;
      await this.watch.race(staging.mapAsync(MAP_MODE_READ, 0, alignUp(bytes, 4)));
      words = new Uint32Array(staging.getMappedRange(0, alignUp(bytes, 4)));
    }
    const hits: H[] = [];
    for (let i = 0; i < read; i++) hits.push(format.decode(words, 1 + i * format.hitWords));
    staging.unmap();
    return { count, hits };
  }

  /** The lowest `need` hits of [position, position + count), searching halves until each fits the slots. */
  private async lowest(position: number, count: number, need: number, encode: EncodeDispatch, order: (a: H, b: H) => number): Promise<H[]> {
    const mapped = this.submit(position, count, this.spareStaging, encode);
    const readback = await this.read(this.spareStaging, mapped, true);
    if (readback.count <= this.format.slots) return readback.hits.sort(order).slice(0, need);
    const half = Math.ceil(count / 2);
    const low = await this.lowest(position, half, need, encode, order);
    if (low.length >= need) return low;
    return low.concat(await this.lowest(position + half, count - half, need - low.length, encode, order));
  }
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
