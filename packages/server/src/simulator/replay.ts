/**
 * A fair price that follows recorded trades: a trades or aggTrades CSV file in Binance's public-data
 * format (https://data.binance.vision, spot), parsed once at startup into two typed arrays.
 *
 * At tick n the price is that of the last recorded trade at or before
 * `firstTime + n × tickMs × speed`. When the recording ends it plays backwards, then forwards again,
 * so the price continues without a jump and stays within the recorded prices. The path depends on
 * the file alone (the random draw is ignored).
 */
import { readFileSync } from 'node:fs';
import type { PricePath } from './walk.js';
import { whyUnreadable } from '../file-problem.js';

export type TradesFormat = 'trades' | 'aggTrades';

interface Layout {
  readonly format: TradesFormat;
  readonly count: number;
  /** Column indexes of the price and the time. */
  readonly price: number;
  readonly time: number;
  readonly columns: string;
}

/** The two layouts, by number of columns. */
const LAYOUTS: Readonly<Record<number, Layout>> = {
  7: {
    format: 'trades',
    count: 7,
    price: 1,
    time: 4,
    columns: 'id,price,qty,quote_qty,time,is_buyer_maker,is_best_match',
  },
  8: {
    format: 'aggTrades',
    count: 8,
    price: 1,
    time: 5,
    columns: 'agg_trade_id,price,qty,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match',
  },
};
const MAX_COLUMNS = 8;

/** Binance spot files from 2025 on give times in microseconds; milliseconds stay below this. */
const MICROSECONDS_ABOVE = 1e14;

export interface RecordedTrades {
  readonly file: string;
  readonly format: TradesFormat;
  /** Trade times, ms since the epoch, non-decreasing. */
  readonly times: Float64Array;
  /** Trade prices (quote per base), all > 0. */
  readonly prices: Float64Array;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * A plain decimal (an optional '-', digits with at most one '.') in buf[start, end), or NaN. Exact
 * digits divided by an exact power of ten round like Number(); longer numbers go through Number().
 */
function parseDecimal(buf: Buffer, start: number, end: number): number {
  const negative = start < end && buf[start] === MINUS;
  let mantissa = 0;
  let scale = 1;
  let digits = 0;
  let dot = false;
  for (let i = negative ? start + 1 : start; i < end; i++) {
    const c = buf[i]!;
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      if (dot) scale *= 10;
    } else if (c === DOT && !dot) dot = true;
    else return NaN;
  }
  if (digits === 0) return NaN;
  if (mantissa > Number.MAX_SAFE_INTEGER || scale > 1e22) return Number(buf.toString('latin1', start, end));
  return negative ? -mantissa / scale : mantissa / scale;
}

/** A field for an error message: quoted, at most 40 characters. */
function quoted(buf: Buffer, start: number, end: number): string {
  const s = buf.toString('utf8', start, Math.min(end, start + 40));
  return JSON.stringify(end - start > 40 ? `${s}…` : s);
}

/**
 * Parses a trades (7 columns) or aggTrades (8 columns) CSV file, with or without a header line.
 * Throws an Error naming the file, and the line for a bad row.
 */
export function parseTradesCsv(data: Uint8Array | string, file: string): RecordedTrades {
  const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  function fail(line: number, problem: string): never {
    throw new Error(`replay file ${file}, line ${line}: ${problem}`);
  }
  const columnsOf = (n: number) => `${n} column${n === 1 ? '' : 's'}`;

  // One pass to size the arrays (a native byte search), one to fill them: no object per row.
  let capacity = 1;
  for (let i = buf.indexOf(NEWLINE); i !== -1; i = buf.indexOf(NEWLINE, i + 1)) capacity++;
  const times = new Float64Array(capacity);
  const prices = new Float64Array(capacity);
  let rows = 0;

  const commas = new Int32Array(MAX_COLUMNS);
  let layout: Layout | undefined;
  let line = 0;
  let prevTime = -Infinity;
  for (let start = 0, next = 0; start < buf.length; start = next) {
    line++;
    let end = buf.indexOf(NEWLINE, start);
    if (end === -1) end = buf.length;
    next = end + 1;
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) continue; // blank line

    let n = 0;
    for (let i = start; i < end; i++) {
      if (buf[i] === COMMA) {
        if (n < MAX_COLUMNS) commas[n] = i;
        n++;
      }
    }
    const count = n + 1;
    const firstLine = layout === undefined;
    if (layout === undefined) {
      layout = LAYOUTS[count];
      if (layout === undefined)
        fail(
          line,
          `${columnsOf(count)}; expected 7 (trades: ${LAYOUTS[7]!.columns}) or 8 (aggTrades: ${LAYOUTS[8]!.columns})`,
        );
    } else if (count !== layout.count) {
      fail(line, `${columnsOf(count)}, but the first line has ${layout.count} (${layout.format} format)`);
    }
    const priceStart = commas[layout.price - 1]! + 1;
    const priceEnd = commas[layout.price]!;
    const timeStart = commas[layout.time - 1]! + 1;
    const timeEnd = commas[layout.time]!;
    const price = parseDecimal(buf, priceStart, priceEnd);
    let time = parseDecimal(buf, timeStart, timeEnd);
    if (firstLine && (Number.isNaN(price) || Number.isNaN(time))) continue; // a header
    if (Number.isNaN(price)) fail(line, `the price ${quoted(buf, priceStart, priceEnd)} is not a number`);
    if (!(price > 0)) fail(line, `the price ${quoted(buf, priceStart, priceEnd)} must be greater than 0`);
    if (Number.isNaN(time)) fail(line, `the time ${quoted(buf, timeStart, timeEnd)} is not a number`);
    if (time > MICROSECONDS_ABOVE) time /= 1000;
    if (time < prevTime)
      fail(
        line,
        `the time ${quoted(buf, timeStart, timeEnd)} is before the previous row's (rows must be in time order)`,
      );
    times[rows] = time;
    prices[rows] = price;
    rows++;
    prevTime = time;
  }
  if (rows === 0 || layout === undefined)
    throw new Error(`replay file ${file}: no trades in it (expected rows like "${LAYOUTS[7]!.columns}")`);
  return {
    file,
    format: layout.format,
    times: rows === capacity ? times : times.subarray(0, rows),
    prices: rows === capacity ? prices : prices.subarray(0, rows),
  };
}

/** Reads and parses a trades CSV file (see parseTradesCsv); an unreadable file is an Error naming it. */
export function readTradesCsv(file: string): RecordedTrades {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    throw new Error(`replay file ${file}: cannot read it (${whyUnreadable(e)})`);
  }
  return parseTradesCsv(data, file);
}

/** The fair price path of a recording; see the module comment. */
export class PriceReplay implements PricePath {
  /** The price the path starts from: the last trade at the first recorded time. */
  readonly openPrice: number;
  /** The last recorded price. */
  readonly closePrice: number;
  readonly firstTime: number;
  /** Recorded time from the first to the last trade, ms. */
  readonly durationMs: number;
  private tick = 0;
  private current: number;

  constructor(
    readonly trades: RecordedTrades,
    readonly dtMs: number,
    /** Recorded ms per ms of sandbox ticks. */
    readonly speed = 1,
  ) {
    if (trades.times.length === 0) throw new RangeError('a price replay needs at least one trade');
    if (!(speed > 0)) throw new RangeError('a price replay needs a speed > 0');
    const last = trades.times.length - 1;
    this.firstTime = trades.times[0]!;
    this.durationMs = trades.times[last]! - this.firstTime;
    this.openPrice = trades.prices[this.indexAt(this.firstTime)]!;
    this.closePrice = trades.prices[last]!;
    this.current = this.openPrice;
  }

  get rows(): number {
    return this.trades.times.length;
  }

  get price(): number {
    return this.current;
  }

  /** Advances one tick (the draw is ignored); returns the new price. */
  step(_z: number): number {
    this.current = this.priceAtTick(++this.tick);
    return this.current;
  }

  /**
   * The price at tick n (0 = the start), independent of the ticks stepped so far. Past the end the
   * recording plays backwards, then forwards again, and so on: the path stays continuous and within
   * the recorded prices however long the sandbox runs.
   */
  priceAtTick(n: number): number {
    if (this.durationMs === 0) return this.closePrice;
    const elapsed = n * this.dtMs * this.speed;
    // The seam between passes belongs to the earlier pass.
    const pass = elapsed <= this.durationMs ? 0 : Math.ceil(elapsed / this.durationMs) - 1;
    const offset = elapsed - pass * this.durationMs;
    const time = pass % 2 === 0 ? this.firstTime + offset : this.firstTime + this.durationMs - offset;
    return this.trades.prices[this.indexAt(time)]!;
  }

  /** The index of the last trade at or before `time` (the first one when `time` is earlier). */
  private indexAt(time: number): number {
    const times = this.trades.times;
    let lo = 0;
    let hi = times.length; // times[lo - 1] <= time < times[hi]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! <= time) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }
}
