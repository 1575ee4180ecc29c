import { describe, expect, it } from 'vitest';
import { ownBytes } from './bytes.ts';

describe('ownBytes', () => {
  it('copies any range of a Uint8Array or a Node Buffer into memory of its own', () => {
    const source = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    for (const b of [source, Buffer.from(source)]) {
      for (const [start, end] of [[0, 300], [0, 32], [5, 37], [10, 200], [0, 0], [299, 300]] as const) {
        const copy = ownBytes(b, start, end);
        expect(copy.constructor).toBe(Uint8Array);
        expect([...copy]).toEqual([...source.subarray(start, end)]);
        expect(copy.byteOffset).toBe(0);
        expect(copy.buffer.byteLength).toBe(end - start);
        if (copy.length) {
          // A copy, not a view: writing the source leaves it alone.
          const first = copy[0];
          b[start] = b[start]! ^ 0xff;
          expect(copy[0]).toBe(first);
          b[start] = b[start]! ^ 0xff;
        }
      }
    }
  });

  it('stops at the end of the source, like subarray', () => {
    const b = new Uint8Array([1, 2, 3]);
    expect([...ownBytes(b, 1, 10)]).toEqual([2, 3]);
    expect(ownBytes(b, 3, 3).length).toBe(0);
  });
});
