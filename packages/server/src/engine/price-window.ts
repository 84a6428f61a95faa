/**
 * A symbol's volume-weighted average price over whole minutes: the reference of PERCENT_PRICE(_BY_SIDE)
 * and of GET avgPrice. Trades add to per-minute buckets of quote and base volume (units); the
 * average over minutes (minute − mins, minute] is floor(Σquote · 1e8 / Σqty).
 *
 * Why a cache of the finished minutes: the average is asked for by every priced order and changes
 * with every trade, and the window's volume soon passes 2^53 units (90M USDT in five minutes): the
 * sum of all its buckets in BigInt was 7 % of the engine's allocations. The finished minutes are
 * summed once per minute as two-part numbers (whole units of 1e8 and the rest); each trade then
 * adds the current minute's bucket and divides by long division in doubles, exactly.
 */
import { floorDiv, floorScaledDiv, UNIT, UNIT_N } from './decimal.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const UNIT_BIG = BigInt(UNIT);
/** Below this, a divisor times 10 plus a digit stays an exact double (long division). */
const EXACT = 2 ** 52;

/** One minute's volume: numbers while exact, beyond that the bigint part holds the rest. */
export interface Bucket {
  minute: number;
  quoteN: number;
  qtyN: number;
  quoteB: bigint;
  qtyB: bigint;
}

function addToBucket(b: Bucket, quoteN: number, quote: number | bigint, qtyN: number): void {
  if (quoteN >= 0 && b.quoteN + quoteN <= MAX_SAFE) b.quoteN += quoteN;
  else {
    b.quoteB += BigInt(b.quoteN) + BigInt(quote);
    b.quoteN = 0;
  }
  if (b.qtyN + qtyN <= MAX_SAFE) b.qtyN += qtyN;
  else {
    b.qtyB += BigInt(b.qtyN) + BigInt(qtyN);
    b.qtyN = 0;
  }
}

/** An exact sum as hi·1e8 + lo (integers, 0 ≤ lo < 1e8). */
class WideSum {
  hi = 0;
  lo = 0;
  clear(): void {
    this.hi = this.lo = 0;
  }
  copy(o: WideSum): void {
    this.hi = o.hi;
    this.lo = o.lo;
  }
  /** Adds an integer 0 ≤ n ≤ 2^53. */
  add(n: number): void {
    const h = floorDiv(n, UNIT);
    this.hi += h;
    this.lo += n - h * UNIT;
    if (this.lo >= UNIT) {
      this.lo -= UNIT;
      this.hi++;
    }
  }
  addBig(n: bigint): void {
    if (n === 0n) return;
    this.hi += Number(n / UNIT_BIG);
    this.add(Number(n % UNIT_BIG));
  }
  big(): bigint {
    return BigInt(this.hi) * UNIT_BIG + BigInt(this.lo);
  }
}

/**
 * floor((hi·1e8 + lo) · 1e8 / d) for d > 0 by long division, one decimal digit at a time (hi, then
 * the eight digits of lo, then eight zeros): every intermediate an exact double. −1 when it cannot
 * be (d·10 or hi too large, or the result beyond 2^53).
 */
function wideScaledDiv(hi: number, lo: number, d: number): number {
  if (d * 10 > EXACT || hi > EXACT) return -1;
  let q = floorDiv(hi, d);
  let r = hi - q * d;
  for (let i = 0, p = UNIT / 10; i < 16; i++) {
    let digit = 0;
    if (i < 8) {
      digit = Math.floor(lo / p) % 10;
      p /= 10;
    }
    r = r * 10 + digit;
    const k = floorDiv(r, d);
    r -= k * d;
    q = q * 10 + k;
    if (q > MAX_SAFE) return -1;
  }
  return q;
}

export class PriceWindow {
  /** Per-minute volume, oldest first: the minutes the longest window needs, and two more. */
  readonly buckets: Bucket[] = [];
  /** Trades recorded (the caches below are valid for one value of it). */
  private version = 0;
  /** Buckets in increasing minutes (false once the clock was set back: then every bucket is looked at). */
  private sorted = true;
  // the last average: its minute, window and version
  private avgMinute = -1;
  private avgMins = -1;
  private avgVersion = -1;
  private avgValue = -1;
  // the finished minutes of the window (minute − mins, minute): their sums, while valid
  private pastMinute = -1;
  private pastMins = -1;
  private pastValid = false;
  private readonly pastQuote = new WideSum();
  private readonly pastQty = new WideSum();
  private readonly quote = new WideSum();
  private readonly qty = new WideSum();

  constructor(private readonly keepMins: number) {}

  /** A trade at `now`: its quote volume (`quoteN` when exact below 2^53, else −1 and `quote`) and qty. */
  record(now: number, quoteN: number, quote: number | bigint, qtyU: number): void {
    const minute = Math.floor(now / 60000);
    const b = this.buckets;
    const last = b[b.length - 1];
    if (last !== undefined && last.minute === minute) addToBucket(last, quoteN, quote, qtyU);
    else {
      const nb: Bucket = { minute, quoteN: 0, qtyN: 0, quoteB: 0n, qtyB: 0n };
      addToBucket(nb, quoteN, quote, qtyU);
      if (last !== undefined && last.minute > minute) this.sorted = false;
      b.push(nb);
      if (b.length > this.keepMins + 2) {
        b.shift();
        this.pastValid = false;
      }
    }
    // only a trade in the current minute leaves the finished minutes' sums as they were
    if (minute !== this.pastMinute) this.pastValid = false;
    this.version++;
  }

  /** Restores the buckets of a snapshot (into a fresh window). */
  load(buckets: readonly Bucket[]): void {
    for (const b of buckets) {
      const last = this.buckets[this.buckets.length - 1];
      if (last !== undefined && last.minute >= b.minute) this.sorted = false;
      this.buckets.push({ ...b });
    }
    this.version++;
    this.pastValid = false;
  }

  /**
   * floor(Σquote · 1e8 / Σqty) in units over the minutes (minute − mins, minute] of `now`, −1 when
   * they hold no volume.
   */
  average(mins: number, now: number): number {
    if (mins <= 0) return -1;
    const minute = Math.floor(now / 60000);
    if (this.avgMinute === minute && this.avgVersion === this.version && this.avgMins === mins) return this.avgValue;
    if (this.pastMinute !== minute || this.pastMins !== mins || !this.pastValid) this.sumPast(minute, mins);
    const q = this.quote;
    const v = this.qty;
    q.copy(this.pastQuote);
    v.copy(this.pastQty);
    const b = this.buckets;
    // the current minute's bucket: the last one or close to it (all of them once the clock went back)
    for (let i = b.length - 1; i >= 0; i--) {
      const x = b[i] as Bucket;
      if (x.minute < minute && this.sorted) break;
      if (x.minute === minute) {
        q.add(x.quoteN);
        q.addBig(x.quoteB);
        v.add(x.qtyN);
        v.addBig(x.qtyB);
        if (this.sorted) break;
      }
    }
    this.avgMinute = minute;
    this.avgMins = mins;
    this.avgVersion = this.version;
    // sums this large (beyond 2^52 whole units) are no longer exact as two-part numbers
    const avg = q.hi > EXACT || v.hi > EXACT ? this.bigAverage(minute, mins) : divide(q, v);
    return (this.avgValue = avg);
  }

  /** The same average in BigInt throughout. */
  private bigAverage(minute: number, mins: number): number {
    let q = 0n;
    let v = 0n;
    for (const x of this.buckets) {
      if (x.minute <= minute - mins || x.minute > minute) continue;
      q += BigInt(x.quoteN) + x.quoteB;
      v += BigInt(x.qtyN) + x.qtyB;
    }
    return v === 0n ? -1 : Number((q * UNIT_N) / v);
  }

  private sumPast(minute: number, mins: number): void {
    const q = this.pastQuote;
    const v = this.pastQty;
    q.clear();
    v.clear();
    for (const x of this.buckets) {
      if (x.minute <= minute - mins || x.minute >= minute) continue;
      q.add(x.quoteN);
      q.addBig(x.quoteB);
      v.add(x.qtyN);
      v.addBig(x.qtyB);
    }
    this.pastMinute = minute;
    this.pastMins = mins;
    this.pastValid = true;
  }
}

/** floor(q · 1e8 / v), −1 when v is 0. */
function divide(q: WideSum, v: WideSum): number {
  if (v.hi === 0 && v.lo === 0) return -1;
  if (v.hi < EXACT / UNIT) {
    const d = v.hi * UNIT + v.lo;
    const r = q.hi === 0 ? floorScaledDiv(q.lo, 8, d) : wideScaledDiv(q.hi, q.lo, d);
    if (r >= 0) return r;
  }
  return Number((q.big() * UNIT_N) / v.big());
}
