/**
 * Read models built from engine events: trades, aggTrades, klines, tickers, average price.
 *
 * Everything is fed by `ExchangeService.onEvents` (so journal replay rebuilds it too) and kept per
 * symbol, bounded:
 * - TradeLog: the last `tradesPerSymbol` trades (default 10,000) — GET trades / historicalTrades
 *   (a `fromId` older than the log starts at the oldest kept trade), the 24 h window's first minute.
 * - AggTradeLog: the last `aggTradesPerSymbol` aggregate trades (default 10,000).
 * - CandleStore: non-empty OHLCV buckets in four UTC tiers (1s: 3,600, 1m: 30,240 ≈ 3 weeks,
 *   1h: 17,520 ≈ 2 years, 1d: 36,600 ≈ a century; counts of non-empty buckets, so memory follows
 *   activity and is capped). Klines of every interval and `timeZone` are folded at query time from
 *   the coarsest tier nesting in the requested buckets: 1s ← 1s; 1m…30m ← 1m; 1h…12h ← 1h (1m when
 *   the offset is not whole hours); 1d/3d/1w/1M ← 1d (1h / 1m for offsets not whole days / hours).
 *   So a kline range reaches back as far as that tier does (e.g. 1d klines at "05:45" ≈ 3 weeks).
 * - Rolling statistics (ticker/24hr, ticker windowSize ≤ 7d, tradingDay) come from the 1m tier
 *   (windows starting on a minute are exact); the 24 h window starts at now − 24 h, and its first
 *   partial minute comes from the trade log (left out, window ≤ 59,999 ms shorter, once the log no
 *   longer reaches back 24 h).
 * Per trade the hot path does: one map lookup, a ring push, one aggregate update, four bucket updates.
 */
import { EVENT_KIND, type EngineEvent, type TradeEvent } from '../engine/types.js';
import type { ExchangeService } from '../exchange/service.js';
import { type AggTrade, AggTradeLog, type AggTradeLogState } from './agg-trades.js';
import { CandleStore, type CandleStoreState, DEFAULT_TIER_CAPACITIES, type TierCapacities } from './candles.js';
import { formatUnits } from '../engine/decimal.js';
import type { BookTop, TickerInput } from './ticker-format.js';
import { TradeLog, type TradeLogState } from './trade-log.js';
import { windowStats } from './window-stats.js';

const ZERO = '0.00000000';

export interface MarketDataOptions {
  readonly tradesPerSymbol?: number;
  readonly aggTradesPerSymbol?: number;
  readonly tiers?: Partial<TierCapacities>;
}

export interface SymbolMarketState {
  readonly symbol: string;
  readonly trades: TradeLogState;
  readonly aggTrades: AggTradeLogState;
  readonly candles: CandleStoreState;
}

/** Every symbol's read models (snapshots: they are rebuilt from trades no journal replay repeats). */
export interface MarketState {
  readonly symbols: readonly SymbolMarketState[];
}

/** The read models of one symbol. */
export class SymbolMarket {
  readonly trades: TradeLog;
  readonly aggTrades: AggTradeLog;
  readonly candles: CandleStore;

  constructor(
    readonly symbol: string,
    tradeCap: number,
    aggCap: number,
    tiers: TierCapacities,
  ) {
    this.trades = new TradeLog(tradeCap);
    this.aggTrades = new AggTradeLog(aggCap);
    this.candles = new CandleStore(tiers);
  }

  exportState(): SymbolMarketState {
    return {
      symbol: this.symbol,
      trades: this.trades.exportState(),
      aggTrades: this.aggTrades.exportState(),
      candles: this.candles.exportState(),
    };
  }

  importState(state: SymbolMarketState): void {
    this.trades.importState(state.trades);
    this.aggTrades.importState(state.aggTrades);
    this.candles.importState(state.candles);
  }

  add(t: TradeEvent): { agg: AggTrade; created: boolean } {
    this.trades.add(t);
    this.candles.add(t);
    return this.aggTrades.add(t);
  }
}

/** Notified after the read models took a trade in (for the trade / aggTrade / kline streams). */
export type MarketTradeListener = (market: SymbolMarket, trade: TradeEvent, agg: AggTrade, aggCreated: boolean) => void;

export class MarketData {
  private readonly markets = new Map<string, SymbolMarket>();
  private readonly tradeCap: number;
  private readonly aggCap: number;
  private readonly tiers: TierCapacities;
  private readonly listeners = new Set<MarketTradeListener>();
  private lastMarket: SymbolMarket | undefined;

  constructor(
    readonly exchange: ExchangeService,
    options: MarketDataOptions = {},
  ) {
    this.tradeCap = options.tradesPerSymbol ?? 10_000;
    this.aggCap = options.aggTradesPerSymbol ?? 10_000;
    this.tiers = { ...DEFAULT_TIER_CAPACITIES, ...options.tiers };
    exchange.onEvents(this.onEvents, EVENT_KIND.trade);
  }

  /** The read models of a symbol (created empty on first use; the caller checks the symbol exists). */
  market(symbol: string): SymbolMarket {
    const last = this.lastMarket;
    if (last !== undefined && last.symbol === symbol) return last;
    let m = this.markets.get(symbol);
    if (m === undefined) {
      m = new SymbolMarket(symbol, this.tradeCap, this.aggCap, this.tiers);
      this.markets.set(symbol, m);
    }
    this.lastMarket = m;
    return m;
  }

  exportState(): MarketState {
    return { symbols: [...this.markets.values()].map((m) => m.exportState()) };
  }

  /** Loads exported read models (before any trade arrives). */
  importState(state: MarketState): void {
    if (this.markets.size > 0) throw new Error('market state can only be imported before any trade');
    for (const m of state.symbols) this.market(m.symbol).importState(m);
  }

  onTrade(listener: MarketTradeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The engine-event listener (public for tests feeding synthetic events). */
  readonly onEvents = (events: readonly EngineEvent[]): void => {
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as EngineEvent;
      if (e.type !== 'trade') continue;
      const m = this.market(e.symbol);
      const { agg, created } = m.add(e);
      if (this.listeners.size > 0) for (const l of this.listeners) l(m, e, agg, created);
    }
  };

  /** Window statistics of `symbol` over [from, now], reported with openTime/closeTime (REST and streams). */
  tickerInput(symbol: string, from: number, openTime: number, closeTime: number, now: number): TickerInput {
    const m = this.market(symbol);
    const { candle, prevClose } = windowStats(m.candles, m.trades, from, now);
    const last = m.trades.last();
    return {
      symbol,
      candle,
      prevClose,
      lastPrice: last ? last.price : -1,
      lastQty: last ? last.qty : 0,
      openTime,
      closeTime,
    };
  }

  /** Best bid and ask of `symbol` as Binance renders them ("0.00000000" for an empty side). */
  bookTop(symbol: string): BookTop {
    const b = this.exchange.engine.book(symbol, 1);
    const bid = b.bids[0];
    const ask = b.asks[0];
    return {
      bidPrice: bid ? formatUnits(bid[0]) : ZERO,
      bidQty: bid ? formatUnits(bid[1]) : ZERO,
      askPrice: ask ? formatUnits(ask[0]) : ZERO,
      askQty: ask ? formatUnits(ask[1]) : ZERO,
    };
  }
}
