import type { EndpointImpl } from '../../context.js';
import { aggTrades, depth, historicalBlockTrades, historicalTrades, recentTrades } from './depth-trades.js';
import { executionRules, referencePrice, referencePriceCalculation } from './execution-rules.js';
import { klines } from './klines.js';
import { avgPrice, ticker24hr, tickerBook, tickerPrice, tickerTradingDay, tickerWindow } from './tickers.js';

/** Market-data endpoint implementations by protocol id. */
export const MARKET_IMPLS: Readonly<Record<string, EndpointImpl>> = {
  depth,
  'trades.recent': recentTrades,
  'trades.historical': historicalTrades,
  'blockTrades.historical': historicalBlockTrades,
  'trades.aggregate': aggTrades,
  klines,
  uiKlines: klines,
  avgPrice,
  'ticker.24hr': ticker24hr,
  'ticker.tradingDay': tickerTradingDay,
  ticker: tickerWindow,
  'ticker.price': tickerPrice,
  'ticker.book': tickerBook,
  executionRules,
  referencePrice,
  'referencePrice.calculation': referencePriceCalculation,
};
