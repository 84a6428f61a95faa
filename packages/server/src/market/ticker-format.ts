/**
 * Ticker rendering shared by the REST endpoints and (later) the ticker streams. Choices where the docs
 * are silent: priceChangePercent = priceChange / openPrice × 100 with 3 decimals, rounded half away
 * from zero ("0.000" when openPrice is 0); weightedAvgPrice = quoteVolume / volume, 8 decimals,
 * rounded down. A window without trades: priceChange, weightedAvgPrice, open/high/low, volumes and
 * lastQty are zero, firstId/lastId −1, count 0; lastPrice and prevClosePrice carry the last trade
 * price before/at the window when one is known ("0.00000000" otherwise).
 */
import { formatUnits, UNIT_N } from '../engine/decimal.js';
import type { Candle } from './candles.js';

export function percentChange(change: number, open: number): string {
  if (open <= 0) return '0.000';
  const v = BigInt(change) * 100_000n;
  const o = BigInt(open);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const q = (abs * 2n + o) / (2n * o); // thousandths of a percent, half away from zero
  const int = q / 1000n;
  const frac = String(q % 1000n).padStart(3, '0');
  return `${neg && q !== 0n ? '-' : ''}${int}.${frac}`;
}

export function weightedAvg(c: Candle): string {
  return c.volume === 0n ? formatUnits(0) : formatUnits((c.quote * UNIT_N) / c.volume);
}

export interface TickerInput {
  readonly symbol: string;
  readonly candle: Candle | null;
  /** Last trade price before the window (units) or −1. */
  readonly prevClose: number;
  /** Last trade price known (units) or −1. */
  readonly lastPrice: number;
  readonly lastQty: number;
  readonly openTime: number;
  readonly closeTime: number;
}

const ZERO = '0.00000000';
const price = (u: number) => (u < 0 ? ZERO : formatUnits(u));

/** Fields common to every ticker shape, in Binance's FULL order, as a map to pick from. */
function fields(t: TickerInput): Record<string, unknown> {
  const c = t.candle;
  if (c === null) {
    return {
      symbol: t.symbol,
      priceChange: ZERO,
      priceChangePercent: '0.000',
      weightedAvgPrice: ZERO,
      prevClosePrice: price(t.prevClose >= 0 ? t.prevClose : t.lastPrice),
      lastPrice: price(t.lastPrice),
      lastQty: ZERO,
      openPrice: ZERO,
      highPrice: ZERO,
      lowPrice: ZERO,
      volume: ZERO,
      quoteVolume: ZERO,
      openTime: t.openTime,
      closeTime: t.closeTime,
      firstId: -1,
      lastId: -1,
      count: 0,
    };
  }
  return {
    symbol: t.symbol,
    priceChange: formatUnits(c.close - c.open),
    priceChangePercent: percentChange(c.close - c.open, c.open),
    weightedAvgPrice: weightedAvg(c),
    prevClosePrice: price(t.prevClose),
    lastPrice: formatUnits(c.close),
    lastQty: formatUnits(t.lastQty),
    openPrice: formatUnits(c.open),
    highPrice: formatUnits(c.high),
    lowPrice: formatUnits(c.low),
    volume: formatUnits(c.volume),
    quoteVolume: formatUnits(c.quote),
    openTime: t.openTime,
    closeTime: t.closeTime,
    firstId: c.firstId,
    lastId: c.lastId,
    count: c.count,
  };
}

function pick(
  src: Record<string, unknown>,
  keys: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = k in extra ? extra[k] : src[k];
  return out;
}

export const FULL_24HR_KEYS = [
  'symbol',
  'priceChange',
  'priceChangePercent',
  'weightedAvgPrice',
  'prevClosePrice',
  'lastPrice',
  'lastQty',
  'bidPrice',
  'bidQty',
  'askPrice',
  'askQty',
  'openPrice',
  'highPrice',
  'lowPrice',
  'volume',
  'quoteVolume',
  'openTime',
  'closeTime',
  'firstId',
  'lastId',
  'count',
] as const;
export const FULL_WINDOW_KEYS = [
  'symbol',
  'priceChange',
  'priceChangePercent',
  'weightedAvgPrice',
  'openPrice',
  'highPrice',
  'lowPrice',
  'lastPrice',
  'volume',
  'quoteVolume',
  'openTime',
  'closeTime',
  'firstId',
  'lastId',
  'count',
] as const;
export const MINI_KEYS = [
  'symbol',
  'openPrice',
  'highPrice',
  'lowPrice',
  'lastPrice',
  'volume',
  'quoteVolume',
  'openTime',
  'closeTime',
  'firstId',
  'lastId',
  'count',
] as const;

export interface BookTop {
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
}

/** GET ticker/24hr shape (FULL needs the top of the book). */
export function render24hr(t: TickerInput, type: 'FULL' | 'MINI', book: BookTop): Record<string, unknown> {
  const f = fields(t);
  return type === 'MINI' ? pick(f, MINI_KEYS) : pick(f, FULL_24HR_KEYS, book as unknown as Record<string, unknown>);
}

/** GET ticker (rolling window) and ticker/tradingDay shape. */
export function renderWindow(t: TickerInput, type: 'FULL' | 'MINI'): Record<string, unknown> {
  return pick(fields(t), type === 'MINI' ? MINI_KEYS : FULL_WINDOW_KEYS);
}
