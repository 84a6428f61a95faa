/**
 * OHLCV buckets ("candles") of one symbol, kept per storage tier. Storage (bounded, documented in
 * market-data.ts): four UTC-aligned tiers — 1s, 1m, 1h, 1d — each a ring of NON-EMPTY buckets only
 * (a quiet market stores nothing), with its own capacity. Every kline interval and every ticker
 * window is aggregated from the coarsest tier whose buckets nest exactly inside the requested ones.
 * A trade updates the newest bucket of each tier: four O(1) updates per trade.
 */
import type { TradeEvent } from '../engine/types.js';
import { DAY, HOUR, MINUTE, SECOND } from './intervals.js';
import { Ring, type RingState } from './ring.js';

/** One bucket; prices in units, volumes in units (bigint). */
export interface Candle {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: bigint;
  quote: bigint;
  count: number;
  /** Taker-buy base and quote volume (trades whose buyer was the taker). */
  takerBase: bigint;
  takerQuote: bigint;
  firstId: number;
  lastId: number;
  /** Time of the last trade in the bucket. */
  lastTime: number;
}

export function candleOf(t: TradeEvent, start: number): Candle {
  const taker = !t.isBuyerMaker;
  const qty = BigInt(t.qty);
  return {
    start,
    open: t.price,
    high: t.price,
    low: t.price,
    close: t.price,
    volume: qty,
    quote: t.quoteQty,
    count: 1,
    takerBase: taker ? qty : 0n,
    takerQuote: taker ? t.quoteQty : 0n,
    firstId: t.tradeId,
    lastId: t.tradeId,
    lastTime: t.time,
  };
}

/** Folds a later trade into a bucket. */
export function addTrade(c: Candle, t: TradeEvent): void {
  const p = t.price;
  if (p > c.high) c.high = p;
  if (p < c.low) c.low = p;
  c.close = p;
  const qty = BigInt(t.qty);
  c.volume += qty;
  c.quote += t.quoteQty;
  c.count++;
  if (!t.isBuyerMaker) {
    c.takerBase += qty;
    c.takerQuote += t.quoteQty;
  }
  c.lastId = t.tradeId;
  c.lastTime = t.time;
}

/** Folds a later bucket into an accumulator (a fresh copy of the first bucket). */
export function mergeCandle(acc: Candle, c: Candle): void {
  if (c.high > acc.high) acc.high = c.high;
  if (c.low < acc.low) acc.low = c.low;
  acc.close = c.close;
  acc.volume += c.volume;
  acc.quote += c.quote;
  acc.count += c.count;
  acc.takerBase += c.takerBase;
  acc.takerQuote += c.takerQuote;
  acc.lastId = c.lastId;
  acc.lastTime = c.lastTime;
}

export function copyCandle(c: Candle, start = c.start): Candle {
  return { ...c, start };
}

const byStart = (c: Candle) => c.start;

/** Non-empty buckets of one fixed length, UTC-aligned, ascending, bounded. */
export class CandleTier {
  readonly ring: Ring<Candle>;

  constructor(
    readonly len: number,
    capacity: number,
  ) {
    this.ring = new Ring(capacity);
  }

  add(t: TradeEvent): void {
    const start = Math.floor(t.time / this.len) * this.len;
    const last = this.ring.last();
    // A trade never goes back in time (commands apply in order); if the clock did, it joins the newest bucket.
    if (last !== undefined && last.start >= start) addTrade(last, t);
    else this.ring.push(candleOf(t, start));
  }

  /** Index of the first bucket starting at or after t. */
  indexAtOrAfter(t: number): number {
    return this.ring.lowerBound(t, byStart);
  }
}

export interface TierCapacities {
  /** Non-empty 1-second buckets kept (default 3,600: one busy hour). */
  readonly s1: number;
  /** Non-empty 1-minute buckets kept (default 30,240: three weeks; ≥ 1000 × 30m and the 7d rolling window). */
  readonly m1: number;
  /** Non-empty 1-hour buckets kept (default 17,520: two years; ≥ 1000 × 12h). */
  readonly h1: number;
  /** Non-empty 1-day buckets kept (default 36,600: a century; ≥ 1000 × 1M). */
  readonly d1: number;
}

export const DEFAULT_TIER_CAPACITIES: TierCapacities = { s1: 3_600, m1: 30_240, h1: 17_520, d1: 36_600 };

export interface CandleStoreState {
  readonly s1: RingState<Candle>;
  readonly m1: RingState<Candle>;
  readonly h1: RingState<Candle>;
  readonly d1: RingState<Candle>;
}

/** The four tiers of one symbol, coarsest first. */
export class CandleStore {
  readonly s1: CandleTier;
  readonly m1: CandleTier;
  readonly h1: CandleTier;
  readonly d1: CandleTier;
  /** Coarsest first (tier selection walks this list). */
  readonly tiers: readonly CandleTier[];

  constructor(caps: TierCapacities = DEFAULT_TIER_CAPACITIES) {
    this.s1 = new CandleTier(SECOND, caps.s1);
    this.m1 = new CandleTier(MINUTE, caps.m1);
    this.h1 = new CandleTier(HOUR, caps.h1);
    this.d1 = new CandleTier(DAY, caps.d1);
    this.tiers = [this.d1, this.h1, this.m1, this.s1];
  }

  /** Snapshot: the four tiers' buckets (copies: the newest bucket keeps changing). */
  exportState(): CandleStoreState {
    const tier = (t: CandleTier): RingState<Candle> => {
      const { items, evicted } = t.ring.exportState();
      return { items: items.map((c) => copyCandle(c)), evicted };
    };
    return { s1: tier(this.s1), m1: tier(this.m1), h1: tier(this.h1), d1: tier(this.d1) };
  }

  importState(state: CandleStoreState): void {
    this.s1.ring.importState(state.s1);
    this.m1.ring.importState(state.m1);
    this.h1.ring.importState(state.h1);
    this.d1.ring.importState(state.d1);
  }

  add(t: TradeEvent): void {
    this.s1.add(t);
    this.m1.add(t);
    this.h1.add(t);
    this.d1.add(t);
  }
}
