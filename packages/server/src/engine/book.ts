/**
 * One side of a price-time priority order book. Prices are integer ticks, quantities integer steps.
 *
 * - Price levels sit in an array sorted so that the BEST level is LAST (bids ascending, asks
 *   descending): best price O(1), consuming the best level is a pop, and new levels are usually
 *   inserted near the top of the book, where a splice moves few elements.
 * - A Map price → level finds a level in O(1) for inserts; each level is a doubly linked FIFO of
 *   orderIds (links in the symbol's order table), so cancelling an order is O(1) plus, when the
 *   level empties, one binary search.
 */
import { appendId, type IdList, removeId } from './id-list.js';
import { IN_BOOK } from './order-row.js';
import type { OrderTable } from './order-table.js';

export class Level implements IdList {
  /** Visible quantity in steps (what depth shows). */
  qty = 0;
  /** Quantity including iceberg hidden parts. */
  total = 0;
  count = 0;
  /** The queue: first and last orderId (0: empty), linked through the order table's prev / next. */
  head = 0;
  tail = 0;
  /** Command sequence number that last touched the level (depth-update bookkeeping). */
  mark = 0;
  constructor(
    readonly price: number,
    readonly isBid: boolean,
  ) {}
}

export class BookSide {
  /** Sorted, best last. */
  readonly levels: Level[] = [];
  readonly byPrice = new Map<number, Level>();
  constructor(
    readonly isBid: boolean,
    private readonly t: OrderTable,
  ) {}

  best(): Level | undefined {
    const n = this.levels.length;
    // never index −1: on an empty array that is a named-property lookup through the prototype chain
    return n === 0 ? undefined : this.levels[n - 1];
  }

  /** Index of the first level that is better than `price` (the insertion point). */
  private search(price: number): number {
    const a = this.levels;
    let lo = 0;
    let hi = a.length;
    if (this.isBid) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((a[mid] as Level).price < price) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((a[mid] as Level).price > price) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  level(price: number): Level {
    let l = this.byPrice.get(price);
    if (l === undefined) {
      l = new Level(price, this.isBid);
      this.byPrice.set(price, l);
      const i = this.search(price);
      if (i === this.levels.length) this.levels.push(l);
      else this.levels.splice(i, 0, l);
    }
    return l;
  }

  /** Appends order `id` at the tail of the level of its price (ticks, the table's priceT). */
  append(id: number): Level {
    const t = this.t;
    const l = this.level(t.priceT[id] as number);
    this.link(l, id);
    l.count++;
    l.qty += t.visS[id] as number;
    l.total += t.remS[id] as number;
    return l;
  }

  /** Links order `id` at the tail of `l`'s queue (counts are the caller's). */
  link(l: Level, id: number): void {
    const t = this.t;
    appendId(l, t.prev, t.next, id);
    t.flags[id] = (t.flags[id] as number) | IN_BOOK;
  }

  /** Unlinks order `id` from level `l` (its quantities must already be out of l.qty / l.total). */
  unlink(l: Level, id: number): void {
    const t = this.t;
    removeId(l, t.prev, t.next, id);
    t.flags[id] = (t.flags[id] as number) & ~IN_BOOK;
    l.count--;
    if (l.count === 0) this.removeLevel(l);
  }

  /** Removes order `id` (queued in `l`) together with its remaining quantities. */
  remove(l: Level, id: number): void {
    l.qty -= this.t.visS[id] as number;
    l.total -= this.t.remS[id] as number;
    this.unlink(l, id);
  }

  /** Moves order `id` to the tail of its level `l` (iceberg refill loses time priority). */
  toTail(l: Level, id: number): void {
    if (l.tail === id) return;
    const t = this.t;
    removeId(l, t.prev, t.next, id);
    appendId(l, t.prev, t.next, id);
  }

  private removeLevel(l: Level): void {
    this.byPrice.delete(l.price);
    const a = this.levels;
    if (a[a.length - 1] === l) {
      a.pop();
      return;
    }
    const i = this.search(l.price);
    if (a[i] === l) a.splice(i, 1);
  }

  /** Top `limit` levels, best first, as [priceTicks, visibleSteps]. */
  top(limit: number): [number, number][] {
    const out: [number, number][] = [];
    const a = this.levels;
    for (let i = a.length - 1; i >= 0 && out.length < limit; i--) {
      const l = a[i] as Level;
      out.push([l.price, l.qty]);
    }
    return out;
  }
}
