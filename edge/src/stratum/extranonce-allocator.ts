/**
 * Hands out extranonce1 values, one per Stratum connection, unique among live connections.
 * A reconnecting miner that presents its previous session id (minerd and cpuminer-opt send it
 * as the second mining.subscribe parameter; Otedama's session id is the extranonce1) gets the
 * same extranonce1 back when no live connection holds it, so its work stays its own.
 */
import { randomInt } from 'node:crypto';
import { ExtranonceExhaustedError } from '../errors.ts';

/** Bytes of the counter part; wider extranonce1 values get a random fixed prefix. */
const COUNTER_BYTES_MAX = 6;

export class Extranonce1Allocator {
  private readonly live = new Set<string>();
  private readonly counterBytes: number;
  private readonly space: number;
  private readonly prefix: string;
  private next: number;

  constructor(readonly bytes: number, random: (max: number) => number = (max) => randomInt(max)) {
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > 16) throw new RangeError(`extranonce1 must be 1..16 bytes (got ${bytes})`);
    this.counterBytes = Math.min(bytes, COUNTER_BYTES_MAX);
    this.space = 2 ** (8 * this.counterBytes);
    let prefix = '';
    for (let i = this.counterBytes; i < bytes; i++) prefix += random(256).toString(16).padStart(2, '0');
    this.prefix = prefix;
    this.next = random(Math.min(this.space, 2 ** 47));
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
   * when it is well-formed and not live; otherwise a fresh value is allocated.
   */
  allocate(resume?: string): string {
    if (resume !== undefined && resume.length === this.bytes * 2 && /^[0-9a-f]+$/.test(resume) && !this.live.has(resume)) {
      this.live.add(resume);
      return resume;
    }
    if (this.live.size >= this.space) throw new ExtranonceExhaustedError(this.bytes);
    for (;;) {
      const value = this.next;
      this.next = (this.next + 1) % this.space;
      const hex = this.prefix + value.toString(16).padStart(this.counterBytes * 2, '0');
      if (!this.live.has(hex)) {
        this.live.add(hex);
        return hex;
      }
    }
  }

  release(hex: string): void {
    this.live.delete(hex);
  }
}
