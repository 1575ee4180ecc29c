/** A double-ended queue on a growable ring buffer: O(1) at both ends and by index. */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(capacity = 16) {
    this.buf = new Array<T | undefined>(Math.max(2, capacity));
  }

  get length(): number {
    return this.count;
  }

  /** Item `i` from the front (0 = front). */
  at(i: number): T {
    if (i < 0 || i >= this.count) throw new RangeError(`deque index ${i} outside 0..${this.count - 1}`);
    return this.buf[(this.head + i) % this.buf.length]!;
  }

  front(): T | undefined {
    return this.count ? this.buf[this.head] : undefined;
  }

  back(): T | undefined {
    return this.count ? this.buf[(this.head + this.count - 1) % this.buf.length] : undefined;
  }

  pushBack(v: T): void {
    this.grow();
    this.buf[(this.head + this.count) % this.buf.length] = v;
    this.count++;
  }

  pushFront(v: T): void {
    this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = v;
    this.count++;
  }

  popFront(): T | undefined {
    if (!this.count) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.count--;
    return v;
  }

  popBack(): T | undefined {
    if (!this.count) return undefined;
    const i = (this.head + this.count - 1) % this.buf.length;
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.count--;
    return v;
  }

  clear(): void {
    this.buf = new Array<T | undefined>(16);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    if (this.count < this.buf.length) return;
    const next = new Array<T | undefined>(this.buf.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}
