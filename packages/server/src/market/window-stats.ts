/**
 * Price statistics over a time window (GET ticker/24hr, ticker, ticker/tradingDay; the ticker
 * streams): from the 1-minute tier, plus — when the window does not start on a minute — the trades
 * of its first partial minute from the trade log. If the log no longer reaches back that far, that
 * partial minute is left out (the window is then up to 59,999 ms shorter; documented in
 * market-data.ts).
 */
import type { TradeEvent } from '../engine/types.js';
import { type Candle, addTrade, candleOf, copyCandle, mergeCandle, type CandleStore } from './candles.js';
import { MINUTE } from './intervals.js';
import type { TradeLog } from './trade-log.js';

export interface WindowStats {
  /** Trades in the window, or null when there were none. */
  readonly candle: Candle | null;
  /** Price of the last trade before the window (units), or −1 when unknown / none. */
  readonly prevClose: number;
}

/** Trades with from ≤ time ≤ to (to ≥ every trade time: it is "now"). */
export function windowStats(candles: CandleStore, log: TradeLog, from: number, to: number): WindowStats {
  const fromMin = Math.ceil(from / MINUTE) * MINUTE;
  let acc: Candle | null = null;
  let prevClose = -1;
  const tier = candles.m1;
  const ring = tier.ring;
  let i = tier.indexAtOrAfter(fromMin);

  if (from < fromMin) {
    const oldest = log.oldest();
    const covered = log.complete || (oldest !== undefined && oldest.time < from);
    if (covered) {
      const before = log.lastBefore(from);
      if (before !== undefined) prevClose = before.price;
      const edge: TradeEvent[] = log.between(from, Math.min(fromMin, to + 1));
      for (const t of edge) {
        if (acc === null) acc = candleOf(t, from);
        else addTrade(acc, t);
      }
    } else if (i > 0) {
      prevClose = ring.at(i - 1).close;
    }
  } else if (i > 0) {
    prevClose = ring.at(i - 1).close;
  }

  for (; i < ring.length; i++) {
    const c = ring.at(i);
    if (c.start > to) break;
    if (acc === null) acc = copyCandle(c, from);
    else mergeCandle(acc, c);
  }
  return { candle: acc, prevClose };
}
