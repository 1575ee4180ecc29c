/**
 * Hands out extranonce1 values, one per Stratum connection, unique among live connections and
 * drawn at random: a value says nothing about how many miners connected or when, and a miner
 * cannot guess the value the next connection will get (sequential values let anyone count the
 * pool's connections and aim a resume at a neighbour's session id).
 *
 * A reconnecting miner that presents its previous session id (minerd and cpuminer-opt send it
 * as the second mining.subscribe parameter; Otedama's session id is the extranonce1) gets the
 * same extranonce1 back when no live connection holds it, so its work stays its own.
 */
import { randomInt } from 'node:crypto';
import { ExtranonceExhaustedError } from '../errors.ts';

/** Bytes of the random part; wider extranonce1 values get a random fixed prefix. */
const RANDOM_BYTES_MAX = 6;
/** Random draws before falling back to a scan (only reached when the space is nearly full). */
const MAX_RANDOM_DRAWS = 32;

export class Extranonce1Allocator {
  private readonly live = new Set<string>();
  private readonly randomBytes: number;
  private readonly space: number;
  private readonly prefix: string;

  constructor(readonly bytes: number, private readonly random: (max: number) => number = (max) => randomInt(max)) {
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > 16) throw new RangeError(`extranonce1 must be 1..16 bytes (got ${bytes})`);
    this.randomBytes = Math.min(bytes, RANDOM_BYTES_MAX);
    this.space = 2 ** (8 * this.randomBytes);
    let prefix = '';
    for (let i = this.randomBytes; i < bytes; i++) prefix += random(256).toString(16).padStart(2, '0');
    this.prefix = prefix;
  }

  /** Live extranonce1 values. */
  get size(): number {
    return this.live.size;
  }

  isLive(hex: string): boolean {
    return this.live.has(hex);
  }

  /**
   * Allocates an extranonce1 (lower-case hex). `resume` is a previous session id: it is granted
   * when it is well-formed and not live; otherwise a fresh random value is allocated.
   */
  allocate(resume?: string): string {
    if (resume !== undefined && this.isResumable(resume)) {
      this.live.add(resume);
      return resume;
    }
    if (this.live.size >= this.space) throw new ExtranonceExhaustedError(this.bytes);
    for (let i = 0; i < MAX_RANDOM_DRAWS; i++) {
      const hex = this.format(this.draw());
      if (!this.live.has(hex)) {
        this.live.add(hex);
        return hex;
      }
    }
    // Nearly full: scan from a random point (terminates: at least one value is free).
    for (let v = this.draw(); ; v = (v + 1) % this.space) {
      const hex = this.format(v);
      if (!this.live.has(hex)) {
        this.live.add(hex);
        return hex;
      }
    }
  }

  /** True when `id` is a well-formed session id that no live connection holds. */
  isResumable(id: string): boolean {
    return id.length === this.bytes * 2 && /^[0-9a-f]+$/.test(id) && !this.live.has(id);
  }

  release(hex: string): void {
    this.live.delete(hex);
  }

  private draw(): number {
    // randomInt takes a max below 2^48; the widest random part is 6 bytes.
    return this.space > 2 ** 47 ? this.random(2 ** 24) * 2 ** 24 + this.random(2 ** 24) : this.random(this.space);
  }

  private format(v: number): string {
    return this.prefix + v.toString(16).padStart(this.randomBytes * 2, '0');
  }
}
