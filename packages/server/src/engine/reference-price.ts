/**
 * A symbol's reference price for the price-range execution rule (faqs/price_range_execution_rules.md).
 *
 * ARITHMETIC_MEAN: a simple moving average of trade prices over `bucketCount` buckets of
 * `bucketWidthMs`, computed as the matching engine does: each trade adds its price to the bucket of
 * its time (open time aligned to the width); a bucket holds a trade count as a fixed-point integer
 * with 4 decimals and a price sum with 4 decimals more than the quote asset precision. A bucket whose
 * close time left the window no longer counts; the oldest bucket straddling the cutoff is prorated
 * (count and sum reduced by the expired fraction of the width, truncated). The price is
 * Σsum / Σcount, truncating. EXTERNAL: a price set from outside the engine (the admin API), or null.
 *
 * Why reading never changes the buckets (Binance moves the straddling bucket's open time to the
 * cutoff when it recalculates, so each recalculation prorates what the previous one left): reads
 * (GET referencePrice, the stream every second) are not journaled, so a state they changed would
 * replay differently. The proration is always taken from the bucket's whole contents instead.
 */
import { UNIT } from './decimal.js';

export type ReferencePriceCalculation =
  | { readonly calculationType: 'ARITHMETIC_MEAN'; readonly bucketCount: number; readonly bucketWidthMs: number }
  | { readonly calculationType: 'EXTERNAL'; readonly externalCalculationId: number };

/** Fixed-point scale of a bucket's count and of the extra decimals of its sum. */
const FIXED = 10_000n;

/** The snapshot form: ARITHMETIC_MEAN buckets as [openTime, count, sum], or EXTERNAL's price. */
export interface ReferencePriceState {
  readonly buckets?: readonly (readonly [number, string, string])[];
  /** Units (1e-8) as a decimal string, null, or absent (never set). */
  readonly external?: string | null;
  readonly everSet: boolean;
}

interface Bucket {
  readonly open: number;
  count: bigint;
  sum: bigint;
}

export class ReferencePrice {
  private readonly buckets: Bucket[] = [];
  private external: bigint | null = null;
  /** A trade was recorded or a price set at least once (before that, queries answer -2043). */
  everSet = false;
  /** Engine units per unit of the quote asset precision (1 when it is 8 decimals). */
  private readonly scale: bigint;

  constructor(
    readonly calculation: ReferencePriceCalculation,
    quotePrecision: number,
  ) {
    this.scale = BigInt(UNIT / 10 ** Math.min(8, quotePrecision));
  }

  /** A trade at `priceU` (units) at engine time `now` (ARITHMETIC_MEAN only). */
  record(priceU: number, now: number): void {
    const calc = this.calculation;
    if (calc.calculationType !== 'ARITHMETIC_MEAN') return;
    this.everSet = true;
    const width = calc.bucketWidthMs;
    const open = now - (now % width);
    const bs = this.buckets;
    // the bucket of `open` (the last one, unless the clock went back)
    let i = bs.length - 1;
    while (i >= 0 && (bs[i] as Bucket).open > open) i--;
    let b = bs[i];
    if (b === undefined || b.open < open) {
      b = { open, count: 0n, sum: 0n };
      bs.splice(i + 1, 0, b);
      // buckets closed before the window's cutoff count no more
      const cutoff = now - calc.bucketCount * width;
      let drop = 0;
      while (drop < bs.length && (bs[drop] as Bucket).open + width <= cutoff) drop++;
      if (drop > 0) bs.splice(0, drop);
    }
    b.count += FIXED;
    b.sum += (BigInt(priceU) / this.scale) * FIXED;
  }

  /** EXTERNAL: sets the price (units) or clears it (null). */
  set(priceU: bigint | null): void {
    this.external = priceU;
    this.everSet = true;
  }

  /**
   * The reference price at `now` in units (truncated to the quote asset precision), null when there
   * is none (no trade in the window, or an EXTERNAL price cleared). Ask `everSet` first: before it, a
   * symbol "doesn't have a reference price" (-2043).
   */
  value(now: number): bigint | null {
    const calc = this.calculation;
    if (calc.calculationType === 'EXTERNAL') return this.external;
    const width = calc.bucketWidthMs;
    const cutoff = now - calc.bucketCount * width;
    const w = BigInt(width);
    let count = 0n;
    let sum = 0n;
    for (const b of this.buckets) {
      if (b.open + width <= cutoff || b.open > now) continue;
      if (b.open < cutoff) {
        const expired = BigInt(cutoff - b.open);
        count += b.count - (b.count * expired) / w;
        sum += b.sum - (b.sum * expired) / w;
      } else {
        count += b.count;
        sum += b.sum;
      }
    }
    return count === 0n ? null : (sum / count) * this.scale;
  }

  exportState(): ReferencePriceState {
    if (this.calculation.calculationType === 'EXTERNAL')
      return { everSet: this.everSet, external: this.external === null ? null : String(this.external) };
    return {
      everSet: this.everSet,
      buckets: this.buckets.map((b) => [b.open, String(b.count), String(b.sum)] as const),
    };
  }

  importState(d: ReferencePriceState): void {
    this.everSet = d.everSet;
    if (d.external !== undefined) this.external = d.external === null ? null : BigInt(d.external);
    this.buckets.length = 0;
    for (const [open, count, sum] of d.buckets ?? [])
      this.buckets.push({ open, count: BigInt(count), sum: BigInt(sum) });
  }
}
