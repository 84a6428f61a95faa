/**
 * Records by account id: a Map (iteration in insertion order, any id) with a dense array in front
 * for the usual small ids (the sandbox numbers accounts from 1). The order path looks its account up
 * on every command; among thousands of accounts a Map lookup walks cold hash buckets, an array slot
 * is one load.
 */
const DENSE_LIMIT = 1 << 20;

export class ById<T> {
  private readonly map = new Map<number, T>();
  private readonly dense: (T | undefined)[] = [];

  get(id: number): T | undefined {
    const d = this.dense;
    return id < d.length && id >= 0 && (id | 0) === id ? d[id] : this.map.get(id);
  }

  set(id: number, v: T): void {
    this.map.set(id, v);
    if (Number.isInteger(id) && id >= 0 && id < DENSE_LIMIT) {
      const d = this.dense;
      while (d.length <= id) d.push(undefined);
      d[id] = v;
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** In insertion order. */
  values(): IterableIterator<T> {
    return this.map.values();
  }
}
