/**
 * GET klines / uiKlines from a symbol's CandleStore: picks the coarsest tier whose UTC buckets nest in
 * the requested (time-zone shifted) buckets, walks the requested bucket range (notes §1.2: bounds
 * select by kline open time, inclusive) and folds tier buckets into klines. A bucket without trades
 * after the first one is a flat kline at the previous close with zero volume (as Binance serves
 * quiet periods); nothing is served before the first bucket the tier still holds.
 */
import type { KlineInterval } from '@binance-sandbox/protocol';
import { formatUnits } from '../engine/decimal.js';
import { type Candle, type CandleStore, type CandleTier, copyCandle, mergeCandle } from './candles.js';
import { DAY, INTERVAL_MS, bucketAtOrAfter, bucketStart, nextBucket, prevBucket } from './intervals.js';

/** [openTime, open, high, low, close, volume, closeTime, quoteVolume, count, takerBuyBase, takerBuyQuote, "0"]. */
export type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, '0'];

export interface KlineQuery {
  readonly interval: KlineInterval;
  /** Time-zone offset in ms (see parseTimeZone). */
  readonly tz: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
  readonly now: number;
}

/** The coarsest tier whose buckets nest exactly in the interval's buckets at this offset. */
export function tierFor(store: CandleStore, interval: KlineInterval, tz: number): CandleTier {
  const len = INTERVAL_MS[interval];
  for (const tier of store.tiers) {
    if (tz % tier.len !== 0) continue;
    if (len === 0 ? tier.len <= DAY : tier.len <= len && len % tier.len === 0) return tier;
  }
  return store.s1;
}

/** A kline (a bucket aggregate) as Binance's 12-element row. */
export function klineRow(c: Candle, closeTime: number): KlineRow {
  return [
    c.start,
    formatUnits(c.open),
    formatUnits(c.high),
    formatUnits(c.low),
    formatUnits(c.close),
    formatUnits(c.volume),
    closeTime,
    formatUnits(c.quote),
    c.count,
    formatUnits(c.takerBase),
    formatUnits(c.takerQuote),
    '0',
  ];
}

/** Aggregated buckets (with their close time) for a query, ascending. */
export function queryCandles(store: CandleStore, q: KlineQuery): { candle: Candle; closeTime: number }[] {
  const { interval, tz, limit } = q;
  const tier = tierFor(store, interval, tz);
  const ring = tier.ring;
  const oldest = ring.first();
  const newest = ring.last();
  if (oldest === undefined || newest === undefined || limit <= 0) return [];
  const first = bucketStart(interval, oldest.start, tz);
  const last = bucketStart(interval, Math.max(q.now, newest.start), tz);
  const lo = q.startTime === undefined ? first : Math.max(first, bucketAtOrAfter(interval, q.startTime, tz));
  const hi = q.endTime === undefined ? last : Math.min(last, bucketStart(interval, q.endTime, tz));
  if (lo > hi) return [];

  const starts: number[] = [];
  if (q.startTime !== undefined) {
    for (let s = lo; s <= hi && starts.length < limit; s = nextBucket(interval, s, tz)) starts.push(s);
  } else {
    for (let s = hi; s >= lo && starts.length < limit; s = prevBucket(interval, s, tz)) starts.push(s);
    starts.reverse();
  }

  const out: { candle: Candle; closeTime: number }[] = [];
  let i = tier.indexAtOrAfter(starts[0] as number);
  let prevClose = i > 0 ? ring.at(i - 1).close : -1;
  for (const s of starts) {
    const e = nextBucket(interval, s, tz);
    let acc: Candle | undefined;
    while (i < ring.length) {
      const c = ring.at(i);
      if (c.start >= e) break;
      if (acc === undefined) acc = copyCandle(c, s);
      else mergeCandle(acc, c);
      i++;
    }
    if (acc === undefined) {
      if (prevClose < 0) continue; // before the first trade still held
      acc = flat(s, prevClose);
    }
    prevClose = acc.close;
    out.push({ candle: acc, closeTime: e - 1 });
  }
  return out;
}

function flat(start: number, price: number): Candle {
  return {
    start,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0n,
    quote: 0n,
    count: 0,
    takerBase: 0n,
    takerQuote: 0n,
    firstId: -1,
    lastId: -1,
    lastTime: start,
  };
}

export function queryKlines(store: CandleStore, q: KlineQuery): KlineRow[] {
  return queryCandles(store, q).map(({ candle, closeTime }) => klineRow(candle, closeTime));
}
