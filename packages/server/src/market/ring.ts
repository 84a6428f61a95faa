export interface RingState<T> {
  readonly items: readonly T[];
  readonly evicted: number;
}

/**
 * A bounded FIFO over a circular array: push at the newest end, the oldest item falls out once
 * `capacity` is reached. Items are addressed by logical index, 0 = oldest. O(1) push and access.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private head = 0; // physical index of the oldest item
  private size = 0;
  /** Items ever dropped because the ring was full. */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`ring capacity must be a positive integer: ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    const cap = this.capacity;
    if (this.size < cap) {
      this.items[(this.head + this.size) % cap] = item;
      this.size++;
    } else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % cap;
      this.evicted++;
    }
  }

  /** The item at logical index i (0 = oldest); i must be in [0, length). */
  at(i: number): T {
    return this.items[(this.head + i) % this.capacity] as T;
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    return this.size === 0 ? undefined : this.at(this.size - 1);
  }

  first(): T | undefined {
    return this.size === 0 ? undefined : this.at(0);
  }

  /** First logical index whose key is ≥ k (keys ascending), or length. */
  lowerBound(k: number, key: (item: T) => number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(this.at(mid)) < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First logical index whose key is > k (keys ascending), or length. */
  upperBound(k: number, key: (item: T) => number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(this.at(mid)) <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Snapshot of the ring: its items oldest first, and how many were ever evicted. */
  exportState(): RingState<T> {
    return { items: this.slice(0, this.size), evicted: this.evicted };
  }

  /** Loads an exported ring into this empty one (items beyond the capacity are evicted as by push). */
  importState(state: RingState<T>): void {
    if (this.size !== 0) throw new Error('ring state can only be imported into an empty ring');
    for (const item of state.items) this.push(item);
    this.evicted += state.evicted;
  }

  /** Items [from, to) oldest first. */
  slice(from: number, to: number): T[] {
    const out: T[] = [];
    for (let i = from; i < to; i++) out.push(this.at(i));
    return out;
  }
}

/**
 * Reference notes §1.2 over an ascending sequence of `length` items: the index range [lo, hi) to
 * answer with. No bounds → the newest `limit`; start only → the oldest from start; end only → the
 * newest up to end; both → from start, not beyond end. `lowerBound(start)` / `upperBound(end)`
 * locate the bounds (first index ≥ start, first index > end).
 */
export function selectRange(
  length: number,
  limit: number,
  start: number | undefined,
  end: number | undefined,
  lowerBound: (k: number) => number,
  upperBound: (k: number) => number,
): [number, number] {
  const lo0 = start === undefined ? 0 : lowerBound(start);
  const hi0 = end === undefined ? length : upperBound(end);
  if (hi0 <= lo0) return [lo0, lo0];
  if (start !== undefined) return [lo0, Math.min(hi0, lo0 + limit)];
  return [Math.max(lo0, hi0 - limit), hi0];
}
