/**
 * KISS99 (Marsaglia's "keep it simple stupid" generator, 1999) and the FNV mixes ProgPoW seeds
 * it with. ProgPoW draws every random choice of a period's program, and the initial registers
 * of every lane, from KISS99. All arithmetic is u32 (Math.imul and >>> 0).
 */
import { FNV_OFFSET_BASIS, FNV_PRIME } from './params.ts';

/** FNV-1: (u * prime) ^ v. Ethash's dataset and light-cache mixing. */
export function fnv1(u: number, v: number): number {
  return (Math.imul(u, FNV_PRIME) ^ v) >>> 0;
}

/** FNV-1a: (u ^ v) * prime. ProgPoW's seeding and lane reduction. */
export function fnv1a(u: number, v: number): number {
  return Math.imul(u ^ v, FNV_PRIME) >>> 0;
}

/** A KISS99 state: four u32 words. */
export interface Kiss99State {
  z: number;
  w: number;
  jsr: number;
  jcong: number;
}

/** The state KISS99's specification starts from (used only by its own test). */
export const KISS99_DEFAULT_STATE: Readonly<Kiss99State> = Object.freeze({ z: 362436069, w: 521288629, jsr: 123456789, jcong: 380116160 });

/** One KISS99 generator. `next()` advances it and returns a u32. */
export class Kiss99 {
  z: number;
  w: number;
  jsr: number;
  jcong: number;

  constructor(state: Readonly<Kiss99State> = KISS99_DEFAULT_STATE) {
    this.z = state.z >>> 0;
    this.w = state.w >>> 0;
    this.jsr = state.jsr >>> 0;
    this.jcong = state.jcong >>> 0;
  }

  next(): number {
    this.z = (Math.imul(36969, this.z & 0xffff) + (this.z >>> 16)) >>> 0;
    this.w = (Math.imul(18000, this.w & 0xffff) + (this.w >>> 16)) >>> 0;
    this.jcong = (Math.imul(69069, this.jcong) + 1234567) >>> 0;
    let jsr = this.jsr;
    jsr ^= jsr << 17;
    jsr ^= jsr >>> 13;
    jsr ^= jsr << 5;
    this.jsr = jsr >>> 0;
    return ((((this.z << 16) + this.w) ^ this.jcong) + this.jsr) >>> 0;
  }

  /** A copy of the current state. */
  state(): Kiss99State {
    return { z: this.z, w: this.w, jsr: this.jsr, jcong: this.jcong };
  }
}
