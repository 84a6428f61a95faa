/** GET ticker/24hr, ticker (rolling window), ticker/tradingDay, ticker/price, ticker/bookTicker, avgPrice. */
import type { ApiCall, EndpointImpl } from '../../context.js';
import { formatUnits } from '../../engine/decimal.js';
import { DAY, HOUR, MINUTE, bucketStart, parseTimeZone } from '../../market/intervals.js';
import { render24hr, renderWindow, type TickerInput } from '../../market/ticker-format.js';
import { answer, bookTop, oneSymbol, selectSymbols } from './common.js';

type TickerType = 'FULL' | 'MINI';
const typeOf = (call: ApiCall): TickerType => (call.params['type'] === 'MINI' ? 'MINI' : 'FULL');

/** Statistics of `symbol` over [from, now], reported with openTime/closeTime. */
const tickerInput = (call: ApiCall, symbol: string, from: number, openTime: number, closeTime: number): TickerInput =>
  call.ctx.market.tickerInput(symbol, from, openTime, closeTime, call.now);

/** GET /api/v3/ticker/24hr: the rolling 24 hours [now − 24 h, now]. */
export const ticker24hr: EndpointImpl = (call) => {
  const type = typeOf(call);
  const from = call.now - DAY;
  return answer(selectSymbols(call), (s) =>
    render24hr(tickerInput(call, s, from, from, call.now), type, bookTop(call, s)),
  );
};

const WINDOW_UNIT: Readonly<Record<string, number>> = { m: MINUTE, h: HOUR, d: DAY };

/** `windowSize` (validated by the protocol table: 1m..59m, 1h..23h, 1d..7d) in ms; default 1d. */
export function windowMs(value: unknown): number {
  if (typeof value !== 'string') return DAY;
  return Number(value.slice(0, -1)) * (WINDOW_UNIT[value.slice(-1)] ?? DAY);
}

/** GET /api/v3/ticker: rolling window, openTime floored to the minute, closeTime = now. */
export const tickerWindow: EndpointImpl = (call) => {
  const type = typeOf(call);
  const sel = selectSymbols(call, { required: true, max: 100 });
  const openTime = Math.floor((call.now - windowMs(call.params['windowSize'])) / MINUTE) * MINUTE;
  return answer(sel, (s) => renderWindow(tickerInput(call, s, openTime, openTime, call.now), type));
};

/** GET /api/v3/ticker/tradingDay: the current day in `timeZone`; closeTime = the day's last ms. */
export const tickerTradingDay: EndpointImpl = (call) => {
  const type = typeOf(call);
  const sel = selectSymbols(call, { required: true, max: 100 });
  const tz = parseTimeZone(call.params['timeZone']);
  const openTime = bucketStart('1d', call.now, tz);
  return answer(sel, (s) => renderWindow(tickerInput(call, s, openTime, openTime, openTime + DAY - 1), type));
};

/** GET /api/v3/ticker/price: the last trade price ("0.00000000" before the first trade). */
export const tickerPrice: EndpointImpl = (call) => {
  const engine = call.ctx.exchange.engine;
  return answer(selectSymbols(call), (symbol) => {
    const p = engine.lastPrice(symbol);
    return { symbol, price: formatUnits(p < 0 ? 0 : p) };
  });
};

/** GET /api/v3/ticker/bookTicker: best bid/ask ("0.00000000" for an empty side). */
export const tickerBook: EndpointImpl = (call) =>
  answer(selectSymbols(call), (symbol) => ({ symbol, ...bookTop(call, symbol) }));

/** Minutes of the average price window (Binance: 5, the symbols' avgPriceMins). */
export const AVG_PRICE_MINS = 5;

/**
 * GET /api/v3/avgPrice: `{mins, price, closeTime}` — the engine's reference price (the one
 * PERCENT_PRICE filters use) and the time of the last trade. Before the first trade (choice):
 * price "0.00000000", closeTime 0.
 */
export const avgPrice: EndpointImpl = (call) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  const p = call.ctx.exchange.engine.avgPrice(symbol, call.now, AVG_PRICE_MINS);
  const last = call.ctx.market.market(symbol).trades.last();
  return { mins: AVG_PRICE_MINS, price: formatUnits(p < 0 ? 0 : p), closeTime: last ? last.time : 0 };
};
