import type { TradeEvent } from '../engine/types.js';
import { exportTrades, importTrades, type TradesState } from '../engine/snapshot-trades.js';
import { Ring } from './ring.js';

export interface TradeLogState {
  readonly trades: TradesState;
  readonly evicted: number;
}

const byId = (t: TradeEvent) => t.tradeId;
const byTime = (t: TradeEvent) => t.time;

/**
 * The most recent trades of one symbol (GET trades / historicalTrades, the edge of the 24 h ticker
 * window, the trade stream). A bounded ring of the engine's own trade events (no copy on the hot
 * path); trade ids are ascending, so lookups by id or time are binary searches.
 */
export class TradeLog {
  private readonly ring: Ring<TradeEvent>;

  constructor(capacity: number) {
    this.ring = new Ring(capacity);
  }

  add(t: TradeEvent): void {
    this.ring.push(t);
  }

  exportState(): TradeLogState {
    const { items, evicted } = this.ring.exportState();
    return { trades: exportTrades(items), evicted };
  }

  importState(state: TradeLogState): void {
    this.ring.importState({ items: importTrades(state.trades), evicted: state.evicted });
  }

  get length(): number {
    return this.ring.length;
  }

  /** True while no trade was ever dropped: the log holds the symbol's whole history. */
  get complete(): boolean {
    return this.ring.evicted === 0;
  }

  last(): TradeEvent | undefined {
    return this.ring.last();
  }

  oldest(): TradeEvent | undefined {
    return this.ring.first();
  }

  /** The newest `limit` trades, oldest first. */
  recent(limit: number): TradeEvent[] {
    const n = this.ring.length;
    return this.ring.slice(Math.max(0, n - limit), n);
  }

  /** Up to `limit` trades with id ≥ fromId, oldest first (from the oldest kept when fromId is older). */
  fromId(fromId: number, limit: number): TradeEvent[] {
    const lo = this.ring.lowerBound(fromId, byId);
    return this.ring.slice(lo, Math.min(this.ring.length, lo + limit));
  }

  /** The trade with this id, if still kept. */
  byId(id: number): TradeEvent | undefined {
    const i = this.ring.lowerBound(id, byId);
    if (i >= this.ring.length) return undefined;
    const t = this.ring.at(i);
    return t.tradeId === id ? t : undefined;
  }

  /** Trades with from ≤ time < to, oldest first. */
  between(from: number, to: number): TradeEvent[] {
    return this.ring.slice(this.ring.lowerBound(from, byTime), this.ring.lowerBound(to, byTime));
  }

  /** The newest trade with time < t, if kept. */
  lastBefore(t: number): TradeEvent | undefined {
    const i = this.ring.lowerBound(t, byTime);
    return i === 0 ? undefined : this.ring.at(i - 1);
  }
}
