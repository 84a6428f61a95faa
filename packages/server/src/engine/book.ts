/**
 * One side of a price-time priority order book. Prices are integer ticks, quantities integer steps.
 *
 * - Price levels sit in an array sorted so that the BEST level is LAST (bids ascending, asks
 *   descending): best price O(1), consuming the best level is a pop, and new levels are usually
 *   inserted near the top of the book, where a splice moves few elements.
 * - A Map price → level finds a level in O(1) for inserts; each level is an intrusive doubly linked
 *   FIFO of orders, so cancelling an order (found through the order map) is O(1) plus, when the level
 *   empties, one binary search.
 */

/** What the book needs of an order (the engine's Order class implements it). */
export interface BookOrder {
  /** Visible quantity in steps (the iceberg's tip, or the whole remainder). */
  visS: number;
  /** Remaining quantity in steps, hidden part included. */
  remS: number;
  level: Level | null;
  prev: BookOrder | null;
  next: BookOrder | null;
}

export class Level {
  /** Visible quantity in steps (what depth shows). */
  qty = 0;
  /** Quantity including iceberg hidden parts. */
  total = 0;
  count = 0;
  head: BookOrder | null = null;
  tail: BookOrder | null = null;
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
  constructor(readonly isBid: boolean) {}

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

  /** Appends an order at the tail of its price level. */
  append(o: BookOrder, price: number): Level {
    const l = this.level(price);
    o.level = l;
    o.prev = l.tail;
    o.next = null;
    if (l.tail) l.tail.next = o;
    else l.head = o;
    l.tail = o;
    l.count++;
    l.qty += o.visS;
    l.total += o.remS;
    return l;
  }

  /** Unlinks an order (its quantities must already be reflected in level.qty/total by the caller). */
  unlink(o: BookOrder): void {
    const l = o.level as Level;
    if (o.prev) o.prev.next = o.next;
    else l.head = o.next;
    if (o.next) o.next.prev = o.prev;
    else l.tail = o.prev;
    o.prev = o.next = o.level = null;
    l.count--;
    if (l.count === 0) this.removeLevel(l);
  }

  /** Removes an order together with its remaining quantities. */
  remove(o: BookOrder): Level {
    const l = o.level as Level;
    l.qty -= o.visS;
    l.total -= o.remS;
    this.unlink(o);
    return l;
  }

  /** Moves an order to the tail of its level (iceberg refill loses time priority). */
  toTail(o: BookOrder): void {
    const l = o.level as Level;
    if (l.tail === o) return;
    if (o.prev) o.prev.next = o.next;
    else l.head = o.next;
    (o.next as BookOrder).prev = o.prev;
    o.prev = l.tail;
    o.next = null;
    (l.tail as BookOrder).next = o;
    l.tail = o;
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
