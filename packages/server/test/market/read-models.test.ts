import { describe, expect, it } from 'vitest';
import type { TradeEvent } from '../../src/engine/types.js';
import { AggTradeLog } from '../../src/market/agg-trades.js';
import { CandleStore } from '../../src/market/candles.js';
import { bucketStart, DAY, HOUR, MINUTE, parseTimeZone } from '../../src/market/intervals.js';
import { queryKlines } from '../../src/market/klines.js';
import { percentChange } from '../../src/market/ticker-format.js';
import { TradeLog } from '../../src/market/trade-log.js';
import { windowStats } from '../../src/market/window-stats.js';
import { syntheticTrade } from './synthetic-trade.js';

const U = 100_000_000;
let nextId = 1;
/** A synthetic trade: price and qty in whole units of the quote/base (× 1e8 here). */
function trade(time: number, price: number, qty: number, o: Partial<TradeEvent> = {}): TradeEvent {
  return syntheticTrade({
    tradeId: nextId++,
    price: Math.round(price * U),
    qty: Math.round(qty * U),
    time,
    buyerOrderId: 100,
    sellerOrderId: 200,
    ...o,
  });
}

const T = Date.UTC(2026, 0, 7, 10, 30, 0); // Wednesday 2026-01-07 10:30:00 UTC

describe('intervals', () => {
  it('parses timeZone values and refuses out-of-range ones with -1130', () => {
    expect(parseTimeZone(undefined)).toBe(0);
    expect(parseTimeZone('0')).toBe(0);
    expect(parseTimeZone('8')).toBe(8 * HOUR);
    expect(parseTimeZone('-1:00')).toBe(-HOUR);
    expect(parseTimeZone('05:45')).toBe(5 * HOUR + 45 * MINUTE);
    expect(parseTimeZone('+14:00')).toBe(14 * HOUR);
    expect(parseTimeZone('-12:00')).toBe(-12 * HOUR);
    for (const bad of ['14:01', '-12:30', '15', 'abc', '5:60', '']) {
      expect(() => parseTimeZone(bad)).toThrow(expect.objectContaining({ code: -1130 }));
    }
  });

  it('aligns buckets: 1w on Monday, 1M calendar months, time zones shift boundaries', () => {
    expect(bucketStart('1m', T + 59_999)).toBe(T);
    expect(bucketStart('1h', T)).toBe(Date.UTC(2026, 0, 7, 10));
    expect(bucketStart('1d', T)).toBe(Date.UTC(2026, 0, 7));
    expect(bucketStart('1d', T, 8 * HOUR)).toBe(Date.UTC(2026, 0, 6, 16)); // local midnight UTC+8
    expect(bucketStart('1d', Date.UTC(2026, 0, 7, 20), 8 * HOUR)).toBe(Date.UTC(2026, 0, 7, 16));
    expect(bucketStart('1w', T)).toBe(Date.UTC(2026, 0, 5)); // Monday
    expect(bucketStart('1w', Date.UTC(2026, 0, 5))).toBe(Date.UTC(2026, 0, 5));
    expect(bucketStart('1w', Date.UTC(2026, 0, 4, 23, 59))).toBe(Date.UTC(2025, 11, 29));
    expect(bucketStart('1M', T)).toBe(Date.UTC(2026, 0, 1));
    expect(bucketStart('1M', Date.UTC(2026, 0, 31, 20), 8 * HOUR)).toBe(Date.UTC(2026, 0, 31, 16)); // Feb 1st local
    expect(bucketStart('3d', 0)).toBe(0);
    expect(bucketStart('30m', Date.UTC(2026, 0, 7, 10, 20), 5 * HOUR + 45 * MINUTE)).toBe(Date.UTC(2026, 0, 7, 10, 15));
  });
});

describe('AggTradeLog', () => {
  it('aggregates consecutive fills of one taker order at one price, and splits otherwise', () => {
    const log = new AggTradeLog(100);
    const a = trade(T, 100, 1, { buyerOrderId: 7 });
    const b = trade(T, 100, 2, { buyerOrderId: 7 });
    const c = trade(T, 101, 1, { buyerOrderId: 7 }); // other price
    const d = trade(T, 101, 1, { buyerOrderId: 8 }); // other taker
    const e = trade(T + 1, 101, 1, { buyerOrderId: 8 }); // other command (time)
    const f = trade(T + 1, 101, 1, { isBuyerMaker: true, sellerOrderId: 8 }); // taker sells
    for (const t of [a, b, c, d, e, f]) log.add(t);
    const rows = log.query({ limit: 500 });
    expect(rows.map(({ a, p, q, f, l, T, m }) => ({ a, p, q, f, l, T, m }))).toEqual([
      { a: 1, p: 100 * U, q: 3 * U, f: a.tradeId, l: b.tradeId, T, m: false },
      { a: 2, p: 101 * U, q: U, f: c.tradeId, l: c.tradeId, T, m: false },
      { a: 3, p: 101 * U, q: U, f: d.tradeId, l: d.tradeId, T, m: false },
      { a: 4, p: 101 * U, q: U, f: e.tradeId, l: e.tradeId, T: T + 1, m: false },
      { a: 5, p: 101 * U, q: U, f: f.tradeId, l: f.tradeId, T: T + 1, m: true },
    ]);
    expect(log.query({ fromId: 4, limit: 500 }).map((r) => r.a)).toEqual([4, 5]);
    expect(log.query({ startTime: T + 1, limit: 500 }).map((r) => r.a)).toEqual([4, 5]);
    expect(log.query({ endTime: T, limit: 2 }).map((r) => r.a)).toEqual([2, 3]);
    expect(log.query({ startTime: T, endTime: T, limit: 2 }).map((r) => r.a)).toEqual([1, 2]);
    expect(log.query({ limit: 2 }).map((r) => r.a)).toEqual([4, 5]);
  });

  it('stays bounded', () => {
    const log = new AggTradeLog(3);
    for (let i = 0; i < 10; i++) log.add(trade(T + i, 100, 1));
    expect(log.length).toBe(3);
    expect(log.query({ limit: 500 }).map((r) => r.a)).toEqual([8, 9, 10]);
  });
});

describe('TradeLog', () => {
  it('serves recent and fromId queries from a bounded ring', () => {
    const log = new TradeLog(5);
    const ts = Array.from({ length: 8 }, (_, i) => trade(T + i, 100 + i, 1));
    for (const t of ts) log.add(t);
    expect(log.complete).toBe(false);
    expect(log.recent(2).map((t) => t.tradeId)).toEqual([ts[6]!.tradeId, ts[7]!.tradeId]);
    expect(log.fromId(ts[0]!.tradeId, 2).map((t) => t.tradeId)).toEqual([ts[3]!.tradeId, ts[4]!.tradeId]);
    expect(log.fromId(ts[6]!.tradeId, 10).map((t) => t.tradeId)).toEqual([ts[6]!.tradeId, ts[7]!.tradeId]);
    expect(log.fromId(ts[7]!.tradeId + 1, 10)).toEqual([]);
  });
});

describe('klines', () => {
  function store(trades: TradeEvent[]): CandleStore {
    const s = new CandleStore();
    for (const t of trades) s.add(t);
    return s;
  }

  it('folds trades into 1m buckets with exact edges, taker volumes and gap filling', () => {
    const s = store([
      trade(T, 100, 1),
      trade(T + 59_999, 110, 2, { isBuyerMaker: true }),
      trade(T + 60_000, 90, 1),
      trade(T + 3 * MINUTE + 5, 95, 1),
    ]);
    const rows = queryKlines(s, { interval: '1m', tz: 0, limit: 500, now: T + 3 * MINUTE + 10 });
    expect(rows).toEqual([
      [
        T,
        '100.00000000',
        '110.00000000',
        '100.00000000',
        '110.00000000',
        '3.00000000',
        T + 59_999,
        '320.00000000',
        2,
        '1.00000000',
        '100.00000000',
        '0',
      ],
      [
        T + MINUTE,
        '90.00000000',
        '90.00000000',
        '90.00000000',
        '90.00000000',
        '1.00000000',
        T + 2 * MINUTE - 1,
        '90.00000000',
        1,
        '1.00000000',
        '90.00000000',
        '0',
      ],
      [
        T + 2 * MINUTE,
        '90.00000000',
        '90.00000000',
        '90.00000000',
        '90.00000000',
        '0.00000000',
        T + 3 * MINUTE - 1,
        '0.00000000',
        0,
        '0.00000000',
        '0.00000000',
        '0',
      ],
      [
        T + 3 * MINUTE,
        '95.00000000',
        '95.00000000',
        '95.00000000',
        '95.00000000',
        '1.00000000',
        T + 4 * MINUTE - 1,
        '95.00000000',
        1,
        '1.00000000',
        '95.00000000',
        '0',
      ],
    ]);
    // §1.2: limit keeps the newest; startTime the oldest; bounds select by open time
    expect(queryKlines(s, { interval: '1m', tz: 0, limit: 2, now: T + 3 * MINUTE }).map((r) => r[0])).toEqual([
      T + 2 * MINUTE,
      T + 3 * MINUTE,
    ]);
    expect(
      queryKlines(s, { interval: '1m', tz: 0, limit: 2, startTime: T + 1, now: T + 3 * MINUTE }).map((r) => r[0]),
    ).toEqual([T + MINUTE, T + 2 * MINUTE]);
    expect(
      queryKlines(s, { interval: '1m', tz: 0, limit: 500, endTime: T + MINUTE, now: T + 3 * MINUTE }).map((r) => r[0]),
    ).toEqual([T, T + MINUTE]);
    expect(
      queryKlines(s, { interval: '1m', tz: 0, limit: 500, startTime: T + 10 * MINUTE, now: T + 3 * MINUTE }),
    ).toEqual([]);
    // the current kline's close time is in the future; 5m aggregates
    const five = queryKlines(s, { interval: '5m', tz: 0, limit: 500, now: T + 3 * MINUTE });
    expect(five).toHaveLength(1);
    expect(five[0]!.slice(0, 9)).toEqual([
      T,
      '100.00000000',
      '110.00000000',
      '90.00000000',
      '95.00000000',
      '5.00000000',
      T + 5 * MINUTE - 1,
      '505.00000000',
      4,
    ]);
  });

  it('1s klines', () => {
    const s = store([trade(T + 500, 100, 1), trade(T + 1500, 101, 1)]);
    expect(queryKlines(s, { interval: '1s', tz: 0, limit: 500, now: T + 1600 }).map((r) => [r[0], r[6], r[4]])).toEqual(
      [
        [T, T + 999, '100.00000000'],
        [T + 1000, T + 1999, '101.00000000'],
      ],
    );
  });

  it('shifts 1d/1w/1M buckets with timeZone', () => {
    // Sunday 2026-01-04 20:00 UTC = Monday 04:00 at UTC+8
    const sun = Date.UTC(2026, 0, 4, 20);
    const s = store([trade(sun, 100, 1), trade(sun + 5 * HOUR, 200, 1)]);
    const now = sun + 6 * HOUR;
    expect(queryKlines(s, { interval: '1w', tz: 0, limit: 10, now }).map((r) => [r[0], r[8]])).toEqual([
      [Date.UTC(2025, 11, 29), 1],
      [Date.UTC(2026, 0, 5), 1],
    ]);
    expect(queryKlines(s, { interval: '1w', tz: 8 * HOUR, limit: 10, now }).map((r) => [r[0], r[6], r[8]])).toEqual([
      [Date.UTC(2026, 0, 4, 16), Date.UTC(2026, 0, 11, 16) - 1, 2],
    ]);
    expect(queryKlines(s, { interval: '1d', tz: 8 * HOUR, limit: 10, now }).map((r) => [r[0], r[8]])).toEqual([
      [Date.UTC(2026, 0, 4, 16), 2],
    ]);
    expect(queryKlines(s, { interval: '1d', tz: -HOUR, limit: 10, now }).map((r) => [r[0], r[8]])).toEqual([
      [Date.UTC(2026, 0, 4, 1), 1],
      [Date.UTC(2026, 0, 5, 1), 1],
    ]);
    // 05:45 cannot use the day or hour tier: folded from 1m buckets
    expect(
      queryKlines(s, { interval: '1d', tz: 5 * HOUR + 45 * MINUTE, limit: 10, now }).map((r) => [r[0], r[8]]),
    ).toEqual([[Date.UTC(2026, 0, 4, 18, 15), 2]]);
    const m = queryKlines(s, { interval: '1M', tz: 0, limit: 10, now: Date.UTC(2026, 2, 3) });
    expect(m.map((r) => [r[0], r[6], r[5]])).toEqual([
      [Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1) - 1, '2.00000000'],
      [Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1) - 1, '0.00000000'],
      [Date.UTC(2026, 2, 1), Date.UTC(2026, 3, 1) - 1, '0.00000000'],
    ]);
    expect(m[2]![1]).toBe('200.00000000'); // flat at the previous close
  });
});

describe('window statistics', () => {
  it('rolling windows from minute buckets plus the first partial minute from the trade log', () => {
    const candles = new CandleStore();
    const log = new TradeLog(100);
    const add = (t: TradeEvent) => {
      candles.add(t);
      log.add(t);
    };
    const a = trade(T - DAY + 10_000, 50, 1); // before the 24h window (now - DAY + 20s)
    const b = trade(T - DAY + 30_000, 100, 1); // inside, in the partial first minute
    const c = trade(T - HOUR, 120, 2);
    const d = trade(T, 80, 1);
    [a, b, c, d].forEach(add);
    const now = T + 20_000;
    const st = windowStats(candles, log, now - DAY, now);
    expect(st.prevClose).toBe(50 * U);
    expect(st.candle).toMatchObject({
      open: 100 * U,
      high: 120 * U,
      low: 80 * U,
      close: 80 * U,
      count: 3,
      firstId: b.tradeId,
      lastId: d.tradeId,
    });
    expect(st.candle!.volume).toBe(4n * BigInt(U));
    // a rolling window starting on the minute
    const w = windowStats(candles, log, T - 2 * HOUR, now);
    expect(w.candle).toMatchObject({ open: 120 * U, count: 2, firstId: c.tradeId });
    expect(w.prevClose).toBe(100 * U);
    expect(windowStats(candles, log, T + MINUTE, now).candle).toBeNull();
  });

  it('formats priceChangePercent with 3 decimals', () => {
    expect(percentChange(-1 * U, 3 * U)).toBe('-33.333');
    expect(percentChange(2 * U, 3 * U)).toBe('66.667');
    expect(percentChange(0, 3 * U)).toBe('0.000');
    expect(percentChange(5, 0)).toBe('0.000');
  });
});
