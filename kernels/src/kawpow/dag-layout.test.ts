/** How a DAG is split across bindings: pure arithmetic, checked against real epoch sizes. */
import { describe, expect, it } from 'vitest';
import { datasetBytes } from '@otedama/core';
import { KernelOptionError } from '../errors.ts';
import { DAG_ITEM_BYTES, DAG_LOAD_BYTES, planDagLayout } from './dag-layout.ts';

const MIB = 1024 * 1024;
const LAVAPIPE = { maxStorageBufferBindingSize: 128 * MIB, maxBufferSize: 2048 * MIB, maxBindings: 15 };

describe('planDagLayout', () => {
  it('keeps a DAG that fits one binding in one buffer', () => {
    const layout = planDagLayout(8191 * 128, LAVAPIPE);
    expect(layout.buffers).toEqual([{ firstItem: 0, items: 8191 * 2, bytes: 8191 * 128 }]);
    expect(layout.items).toBe(8191 * 2);
    expect(layout.loadItems).toBe(4095); // floor(8191 / 2): the last 1024-bit item is never read
  });

  it("splits epoch 0's real DAG into eight 128 MiB bindings of whole DAG loads on lavapipe", () => {
    const bytes = datasetBytes(0); // 1,073,739,904
    const layout = planDagLayout(bytes, LAVAPIPE);
    expect(layout.buffers.length).toBe(8);
    expect(layout.loadItemsPerBuffer).toBe((128 * MIB) / DAG_LOAD_BYTES);
    for (const b of layout.buffers.slice(0, -1)) expect(b.bytes).toBe(128 * MIB);
    expect(layout.buffers.reduce((n, b) => n + b.bytes, 0)).toBe(bytes);
    layout.buffers.forEach((b, i) => expect(b.firstItem).toBe((i * 128 * MIB) / DAG_ITEM_BYTES));
  });

  it('rounds a binding limit down to whole 256-byte loads and honours maxBufferSize', () => {
    const layout = planDagLayout(1 * MIB, { maxStorageBufferBindingSize: 300_000, maxBufferSize: 2 ** 31, maxBindings: 8 });
    expect(layout.buffers[0]!.bytes).toBe(Math.floor(300_000 / 256) * 256);
    expect(layout.buffers.length).toBe(4);
    const byBuffer = planDagLayout(1 * MIB, { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 256 * 1024, maxBindings: 8 });
    expect(byBuffer.buffers.length).toBe(4);
  });

  it("a GPU binding 2 GiB holds today's 5.5 GiB epochs in three bindings", () => {
    const layout = planDagLayout(datasetBytes(530), { maxStorageBufferBindingSize: 2 ** 31 - 4, maxBufferSize: 2 ** 40, maxBindings: 8 });
    expect(layout.buffers.length).toBe(3);
  });

  it('refuses what no layout can hold, naming the sizes', () => {
    expect(() => planDagLayout(datasetBytes(200), LAVAPIPE)).toThrow(/needs 21 bindings of at most 128 MiB but the device allows 15/);
    expect(() => planDagLayout(1000, LAVAPIPE)).toThrow(KernelOptionError);
    expect(() => planDagLayout(8192, LAVAPIPE)).toThrow(/16 KiB L1 cache/);
    expect(() => planDagLayout(1 * MIB, { ...LAVAPIPE, maxStorageBufferBindingSize: 8192 })).toThrow(/cannot hold the 16 KiB L1 cache/);
    expect(() => planDagLayout(Number.NaN, LAVAPIPE)).toThrow(KernelOptionError);
  });
});
