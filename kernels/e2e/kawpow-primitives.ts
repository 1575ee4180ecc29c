/**
 * The KawPow kernel's inner functions run on the GPU one at a time (kawpow-primitives.wgsl),
 * as the `primitives` of core's shared compliance suite: keccak-f800, the seed and final
 * keccaks, the lanes' initial registers, KISS99, and random math (generated from the same
 * snippets as the period programs). Used by the Node test and the browser harness alike.
 */
import { progpowProgram, type Kiss99State } from '@otedama/core';
import type { KawpowPrimitives } from '../../core/test/kawpow-compliance.ts';
import { MAP_MODE_READ, USAGE_COPY_DST, USAGE_COPY_SRC, USAGE_MAP_READ, USAGE_STORAGE } from '../src/gpu-work.ts';
import { kawpowSearchWgsl, randomMathWgsl } from '../src/kawpow/search-program.ts';
import { compilerErrors } from '../src/kawpow/search.ts';
import PRIMITIVES_WGSL from './kawpow-primitives.wgsl?raw';

type Entry = 't_keccak_f800' | 't_keccak512' | 't_seed' | 't_final' | 't_init_mix' | 't_kiss99' | 't_random_math';

/** KISS99 outputs per dispatch: far below the 65,535 iterations a software adapter's loop may run. */
const KISS_CHUNK = 10_000;

function wordsLE(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(i * 4, true));
}

function bytesLE(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(i * 4, words[i]!, true);
  return out;
}

export class KawpowGpuPrimitives implements KawpowPrimitives {
  private readonly module: GPUShaderModule;
  private readonly pipelines = new Map<Entry, Promise<GPUComputePipeline>>();

  constructor(private readonly device: GPUDevice) {
    const code = [kawpowSearchWgsl(progpowProgram(0), 1), randomMathWgsl(), PRIMITIVES_WGSL].join('\n');
    this.module = device.createShaderModule({ label: 'otedama kawpow primitives', code });
  }

  private pipeline(entry: Entry): Promise<GPUComputePipeline> {
    let p = this.pipelines.get(entry);
    if (!p) {
      p = this.device.createComputePipelineAsync({ label: entry, layout: 'auto', compute: { module: this.module, entryPoint: entry } }).catch(async (err: unknown) => {
        throw new Error(`${(err as Error).message}${await compilerErrors(this.module)}`, { cause: err });
      });
      this.pipelines.set(entry, p);
    }
    return p;
  }

  /**
   * Runs `entry` over `io` (`workgroups` workgroups) and returns io afterwards. With `argsPerDispatch`,
   * one dispatch per element, each after writing it at io[4..] (state in io stays on the GPU between).
   */
  async run(entry: Entry, io: ArrayLike<number>, workgroups = 1, argsPerDispatch: Uint32Array<ArrayBuffer>[] = [new Uint32Array(0)]): Promise<Uint32Array> {
    const pipeline = await this.pipeline(entry);
    const { device } = this;
    const words = Uint32Array.from(io);
    const bytes = Math.max(words.byteLength, 16);
    const buffer = device.createBuffer({ label: entry, size: bytes, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    const out = device.createBuffer({ label: `${entry} readback`, size: bytes, usage: USAGE_MAP_READ | USAGE_COPY_DST });
    try {
      const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 15, resource: { buffer } }] });
      device.queue.writeBuffer(buffer, 0, words);
      for (const args of argsPerDispatch) {
        if (args.length > 0) device.queue.writeBuffer(buffer, 16, args);
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(workgroups);
        pass.end();
        device.queue.submit([encoder.finish()]);
      }
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(buffer, 0, out, 0, bytes);
      device.queue.submit([encoder.finish()]);
      await out.mapAsync(MAP_MODE_READ);
      return new Uint32Array(out.getMappedRange().slice(0));
    } finally {
      buffer.destroy();
      out.destroy();
    }
  }

  async keccakF800(state: Uint32Array): Promise<Uint32Array> {
    return (await this.run('t_keccak_f800', state)).slice(0, 25);
  }

  /** keccak-512 of 64-byte messages (16 words each), one invocation per message. */
  async keccak512(messages: Uint32Array): Promise<Uint32Array> {
    return this.run('t_keccak512', messages, messages.length / 16);
  }

  async seedWords(headerHash: Uint8Array, nonce: bigint): Promise<Uint32Array> {
    const io = new Uint32Array(24);
    io.set(wordsLE(headerHash), 0);
    io[8] = Number(nonce & 0xffff_ffffn);
    io[9] = Number(nonce >> 32n);
    return (await this.run('t_seed', io)).slice(16, 24);
  }

  async finalHashFromMix(headerHash: Uint8Array, nonce: bigint, mixHash: Uint8Array): Promise<Uint8Array> {
    const io = new Uint32Array(24);
    io.set(await this.seedWords(headerHash, nonce), 0);
    io.set(wordsLE(mixHash), 8);
    return bytesLE((await this.run('t_final', io)).subarray(16, 24));
  }

  async initMix(seed0: number, seed1: number): Promise<Uint32Array> {
    const io = new Uint32Array(16 + 16 * 32);
    io[0] = seed0;
    io[1] = seed1;
    return (await this.run('t_init_mix', io)).slice(16);
  }

  async randomMath(a: number, b: number, selector: number): Promise<number> {
    const io = new Uint32Array(8 + 4);
    io.set([1, 0, 0, 0, 0, 0, 0, 0, a >>> 0, b >>> 0, selector >>> 0]);
    return (await this.run('t_random_math', io))[11]!;
  }

  async kiss99(state: Kiss99State, count: number): Promise<number[]> {
    const io = new Uint32Array(8 + count);
    io.set([state.z, state.w, state.jsr, state.jcong]);
    // Per dispatch: how many outputs (io[4]) and where they go (io[5]).
    const args = Array.from({ length: Math.ceil(count / KISS_CHUNK) }, (_, d) => Uint32Array.of(Math.min(KISS_CHUNK, count - d * KISS_CHUNK), d * KISS_CHUNK));
    const out = await this.run('t_kiss99', io, 1, args);
    return Array.from(out.subarray(8, 8 + count));
  }
}
