/** Deterministic fuzz inputs for the codec tests: random frames and mutations of valid ones. */
import { rng } from './rng.ts';

/** `count` random byte strings of 0..maxLength bytes. */
export function fuzzBytes(seed: number, count: number, maxLength: number): Uint8Array[] {
  const random = rng(seed);
  return Array.from({ length: count }, () => Uint8Array.from({ length: Math.floor(random() * (maxLength + 1)) }, () => Math.floor(random() * 256)));
}

/** `count` copies of the seeds with random bytes flipped, cut or appended. */
export function mutations(seeds: readonly Uint8Array[], seed: number, count: number): Uint8Array[] {
  const random = rng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const base = seeds[i % seeds.length]!;
    let b: Uint8Array = base.slice();
    const kind = Math.floor(random() * 3);
    if (kind === 0 && b.length) {
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
    } else if (kind === 1) {
      b = b.slice(0, Math.floor(random() * b.length));
    } else {
      const extra = Uint8Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256));
      const joined = new Uint8Array(b.length + extra.length);
      joined.set(b);
      joined.set(extra, b.length);
      b = joined;
    }
    out.push(b);
  }
  return out;
}
