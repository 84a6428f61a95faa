import type { TradeEvent } from '../engine/types.js';
import { Ring, type RingState, selectRange } from './ring.js';

/** One aggregate trade; prices and quantities in units (1e-8). */
export interface AggTrade {
  /** Aggregate trade id (per symbol, from 1). */
  readonly a: number;
  readonly p: number;
  /** Total quantity (units); grows while fills of the same taker order keep coming. */
  q: number;
  readonly f: number;
  l: number;
  readonly T: number;
  readonly m: boolean;
  /** The taker order id (not on the wire): what makes consecutive fills one aggregate. */
  readonly taker: number;
}

export interface AggTradeLogState {
  readonly ring: RingState<AggTrade>;
  readonly nextId: number;
}

const byId = (t: AggTrade) => t.a;
const byTime = (t: AggTrade) => t.T;

export interface AggQuery {
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

/**
 * Aggregate trades of one symbol (GET aggTrades, the aggTrade stream). Binance: "trades that fill at
 * the time, from the same taker order, with the same price will have the quantity aggregated". So a
 * trade joins the newest aggregate when it directly follows it (trade id l+1), comes from the same
 * taker order (same side) at the same price in the same command (same time); otherwise it opens a
 * new aggregate. Bounded ring, ids ascending.
 */
export class AggTradeLog {
  private readonly ring: Ring<AggTrade>;
  private nextId = 1;

  constructor(capacity: number) {
    this.ring = new Ring(capacity);
  }

  /** Folds a trade in; returns the aggregate it belongs to (new or extended) and whether it is new. */
  add(t: TradeEvent): { agg: AggTrade; created: boolean } {
    const taker = t.isBuyerMaker ? t.sellerOrderId : t.buyerOrderId;
    const last = this.ring.last();
    if (
      last !== undefined &&
      last.taker === taker &&
      last.p === t.price &&
      last.m === t.isBuyerMaker &&
      last.l + 1 === t.tradeId &&
      last.T === t.time
    ) {
      last.q += t.qty;
      last.l = t.tradeId;
      return { agg: last, created: false };
    }
    const agg: AggTrade = {
      a: this.nextId++,
      p: t.price,
      q: t.qty,
      f: t.tradeId,
      l: t.tradeId,
      T: t.time,
      m: t.isBuyerMaker,
      taker,
    };
    this.ring.push(agg);
    return { agg, created: true };
  }

  exportState(): AggTradeLogState {
    return { ring: this.ring.exportState(), nextId: this.nextId };
  }

  importState(state: AggTradeLogState): void {
    this.ring.importState(state.ring);
    this.nextId = state.nextId;
  }

  get length(): number {
    return this.ring.length;
  }

  /**
   * GET aggTrades: `fromId` → from that id (inclusive) ascending, and not beyond endTime when sent;
   * otherwise the time-range rules of notes §1.2 (startTime/endTime inclusive); nothing → most recent.
   */
  query(q: AggQuery): AggTrade[] {
    const ring = this.ring;
    if (q.fromId !== undefined) {
      const lo = ring.lowerBound(q.fromId, byId);
      let hi = Math.min(ring.length, lo + q.limit);
      if (q.endTime !== undefined) hi = Math.min(hi, ring.upperBound(q.endTime, byTime));
      if (q.startTime !== undefined) {
        const s = ring.lowerBound(q.startTime, byTime);
        if (s > lo) return ring.slice(s, Math.max(s, Math.min(hi, s + q.limit)));
      }
      return ring.slice(lo, Math.max(lo, hi));
    }
    const [lo, hi] = selectRange(
      ring.length,
      q.limit,
      q.startTime,
      q.endTime,
      (k) => ring.lowerBound(k, byTime),
      (k) => ring.upperBound(k, byTime),
    );
    return ring.slice(lo, hi);
  }
}
