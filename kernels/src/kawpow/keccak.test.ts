/**
 * keccak.wgsl on Dawn/llvmpipe, through a test entry point that permutes states given by the
 * host: keccak-f[800] against the published ProgPoW traces, keccak-512 of 64-byte messages
 * (what the DAG kernel hashes) against hash-wasm's keccak.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { keccak } from 'hash-wasm';
import { hexWords, kawpowTraces, keccakF800Vector } from '../../../core/test/kawpow-vectors.ts';
import { createNodeGpu } from '../node-gpu.ts';
import { requestKawpowDevice, type KawpowDevice } from './device.ts';
import { MAP_MODE_READ, USAGE_COPY_DST, USAGE_COPY_SRC, USAGE_MAP_READ, USAGE_STORAGE } from '../gpu-work.ts';
import KECCAK_WGSL from './keccak.wgsl?raw';

const TEST_ENTRY = `
@group(0) @binding(0) var<storage, read_write> io: array<u32>;

@compute @workgroup_size(1)
fn f800(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x * 25u;
  var s = K800(io[o], io[o + 1u], io[o + 2u], io[o + 3u], io[o + 4u], io[o + 5u], io[o + 6u], io[o + 7u],
    io[o + 8u], io[o + 9u], io[o + 10u], io[o + 11u], io[o + 12u], io[o + 13u], io[o + 14u], io[o + 15u],
    io[o + 16u], io[o + 17u], io[o + 18u], io[o + 19u], io[o + 20u], io[o + 21u], io[o + 22u], io[o + 23u], io[o + 24u]);
  keccak_f800(&s);
  io[o] = s.a00; io[o + 1u] = s.a01; io[o + 2u] = s.a02; io[o + 3u] = s.a03; io[o + 4u] = s.a04;
  io[o + 5u] = s.a05; io[o + 6u] = s.a06; io[o + 7u] = s.a07; io[o + 8u] = s.a08; io[o + 9u] = s.a09;
  io[o + 10u] = s.a10; io[o + 11u] = s.a11; io[o + 12u] = s.a12; io[o + 13u] = s.a13; io[o + 14u] = s.a14;
  io[o + 15u] = s.a15; io[o + 16u] = s.a16; io[o + 17u] = s.a17; io[o + 18u] = s.a18; io[o + 19u] = s.a19;
  io[o + 20u] = s.a20; io[o + 21u] = s.a21; io[o + 22u] = s.a22; io[o + 23u] = s.a23; io[o + 24u] = s.a24;
}

fn lane(o: u32) -> vec2<u32> { return vec2<u32>(io[o], io[o + 1u]); }

// keccak-512 of the 64 bytes at io[16 * gid.x ..], in place.
@compute @workgroup_size(1)
fn k512(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x * 16u;
  var s: K1600;
  s.a00 = lane(o); s.a01 = lane(o + 2u); s.a02 = lane(o + 4u); s.a03 = lane(o + 6u);
  s.a04 = lane(o + 8u); s.a05 = lane(o + 10u); s.a06 = lane(o + 12u); s.a07 = lane(o + 14u);
  s.a08 = vec2<u32>(0x00000001u, 0x80000000u);
  keccak_f1600(&s);
  io[o] = s.a00.x; io[o + 1u] = s.a00.y; io[o + 2u] = s.a01.x; io[o + 3u] = s.a01.y;
  io[o + 4u] = s.a02.x; io[o + 5u] = s.a02.y; io[o + 6u] = s.a03.x; io[o + 7u] = s.a03.y;
  io[o + 8u] = s.a04.x; io[o + 9u] = s.a04.y; io[o + 10u] = s.a05.x; io[o + 11u] = s.a05.y;
  io[o + 12u] = s.a06.x; io[o + 13u] = s.a06.y; io[o + 14u] = s.a07.x; io[o + 15u] = s.a07.y;
}
`;

let shared: Promise<KawpowDevice> | undefined;
const device = async (): Promise<GPUDevice> => (await (shared ??= requestKawpowDevice(createNodeGpu()))).device;
afterAll(async () => {
  if (shared) (await shared).device.destroy();
});

/** Runs `entry` over `words` (`instances` invocations) and returns the buffer afterwards. */
async function run(entry: 'f800' | 'k512', words: Uint32Array<ArrayBuffer>, instances: number): Promise<Uint32Array> {
  const dev = await device();
  const module = dev.createShaderModule({ code: `${KECCAK_WGSL}\n${TEST_ENTRY}` });
  const pipeline = await dev.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: entry } });
  const io = dev.createBuffer({ size: words.byteLength, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
  const out = dev.createBuffer({ size: words.byteLength, usage: USAGE_MAP_READ | USAGE_COPY_DST });
  dev.queue.writeBuffer(io, 0, words);
  const encoder = dev.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, dev.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: io } }] }));
  pass.dispatchWorkgroups(instances);
  pass.end();
  encoder.copyBufferToBuffer(io, 0, out, 0, words.byteLength);
  dev.queue.submit([encoder.finish()]);
  await out.mapAsync(MAP_MODE_READ);
  const result = new Uint32Array(out.getMappedRange().slice(0));
  io.destroy();
  out.destroy();
  return result;
}

describe('keccak.wgsl', { timeout: 60_000 }, () => {
  it('keccak-f[800] matches the published states (all-zero state; KawPow initial states of blocks 0 and 30000)', async () => {
    const cases = [
      { name: keccakF800Vector.name, input: keccakF800Vector.input_state_u32, output: keccakF800Vector.output_state_u32 },
      ...kawpowTraces.map((t) => ({ name: t.name, input: t.step1_initial_keccak_state_u32, output: t.step2_state_after_one_keccakf800_u32 })),
    ];
    expect(cases.length).toBe(3);
    const words = new Uint32Array(cases.flatMap((c) => hexWords(c.input)));
    const out = await run('f800', words, cases.length);
    cases.forEach((c, i) => expect([...out.subarray(i * 25, i * 25 + 25)], c.name).toEqual(hexWords(c.output)));
  });

  it('keccak-512 of 64-byte messages matches hash-wasm', async () => {
    const messages = Array.from({ length: 33 }, (_, m) => Uint8Array.from({ length: 64 }, (_, i) => (m === 0 ? 0 : (i * 73 + m * 151 + 5) & 0xff)));
    const words = new Uint32Array(messages.length * 16);
    messages.forEach((msg, m) => words.set(new Uint32Array(msg.buffer), m * 16));
    const out = await run('k512', words, messages.length);
    for (let m = 0; m < messages.length; m++) {
      const got = Buffer.from(out.buffer, m * 64, 64).toString('hex');
      expect(got, `message ${m}`).toBe(await keccak(messages[m]!, 512));
    }
  });
});
